/**
 * `npm run bench -- <name>...`: runs bench/<name>.ts (each exports `run()`, printing one JSON line per figure).
 * Without a name, runs them all. Benchmarks are not tests: they print figures; the issues name the aims.
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.startsWith("_"))
  .map((f) => f.slice(0, -3))
  .sort();
const asked = process.argv.slice(2).filter((a) => !a.startsWith("-"));
for (const name of asked) {
  if (!available.includes(name)) {
    process.stderr.write(`bench: unknown benchmark "${name}"; available: ${available.join(", ")}\n`);
    process.exit(2);
  }
}
for (const name of asked.length ? asked : available) {
  const mod = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as { run?: () => Promise<void> };
  if (typeof mod.run !== "function") {
    process.stderr.write(`bench: bench/${name}.ts exports no run()\n`);
    process.exit(2);
  }
  await mod.run();
}
