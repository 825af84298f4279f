import { loadModel } from "./src/model/load.ts";
for (let i = 0; i < 2; i++) {
const t = performance.now();
const r = await loadModel("/tmp/g100k");
console.log("load", performance.now() - t, r.ok, r.warnings.length);
}
