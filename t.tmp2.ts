import { loadModel } from "./src/model/load.ts";
import { formatIssue } from "./src/model/issues.ts";
const r = await loadModel(process.argv[2]);
if (!r.ok) for (const i of r.issues) console.log(formatIssue(i));
