/** Engines are pure and deterministic: no clock, no unseeded randomness, inside src/{model,assess,simulate,detect}. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";

const ENGINE_DIRS = ["src/model", "src/assess", "src/simulate", "src/detect"];
// I/O adapters inside engine folders (ingestion, workers, file loading) may touch the clock; engines may not.
const ALLOWED = [/src\/model\/load\.ts$/, /src\/detect\/io\//, /src\/simulate\/(pool|worker|progress)\.ts$/];

function files(dir: string): string[] {
  let out: string[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(files(p));
    else if (p.endsWith(".ts")) out.push(p);
  }
  return out;
}

test("engines use no Math.random, Date.now or new Date() (docs/engineering.md)", () => {
  const offenders: string[] = [];
  for (const d of ENGINE_DIRS)
    for (const f of files(d)) {
      if (ALLOWED.some((r) => r.test(f))) continue;
      const text = readFileSync(f, "utf8");
      text.split("\n").forEach((line, i) => {
        if (/Math\.random\(|Date\.now\(|new Date\(\)|performance\.now\(/.test(line) && !/^\s*(\/\/|\*)/.test(line))
          offenders.push(`${f}:${i + 1}: ${line.trim()}`);
      });
    }
  expect(offenders).toEqual([]);
});
