/** Helper of bench/model.ts: loads one model in a fresh process (as `rampart validate` does) and prints seconds. */
import { loadModel } from "../src/model/load.ts";

const t0 = performance.now();
const r = await loadModel(process.argv[2]);
process.stdout.write(`${JSON.stringify({ seconds: (performance.now() - t0) / 1000, ok: r.ok })}\n`);
