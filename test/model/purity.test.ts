/** Engines are pure and deterministic ([ENG-1]): no clock, no unseeded randomness, no I/O; the allow-list is true ([ENG-2]). */
import { existsSync, readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { sourceFiles } from "../guard/imports.ts";

const ENGINE_DIRS = ["src/model", "src/assess", "src/simulate", "src/detect", "src/share", "src/govern", "src/respond"];
/**
 * Adapters inside engine folders that may touch the clock or do I/O: each entry is a file or a folder
 * (ending in "/") that must exist. The model loader reads files through node:fs/promises only (no clock).
 */
const ALLOWED_CLOCK = [
  "src/detect/io/",
  "src/share/io/",
  // the loader's parse budget defaults to performance.now() when no clock is passed (time limit on input)
  "src/model/load.ts",
];
const ALLOWED_IO = ["src/detect/io/", "src/model/load.ts", "src/simulate/run.ts", "src/share/io/", "src/respond/io/"];

const allowed = (list: string[], f: string) => list.some((a) => (a.endsWith("/") ? f.startsWith(a) : f === a));

test("[ENG-2] every allow-list entry names a file or folder that exists", () => {
  const missing = [...ALLOWED_CLOCK, ...ALLOWED_IO].filter((a) => !existsSync(a));
  expect(missing).toEqual([]);
});

test("[ENG-1] engines use no Math.random, Date.now, new Date(), performance.now() (docs/engineering.md)", () => {
  const offenders: string[] = [];
  const files = ENGINE_DIRS.flatMap((d) => sourceFiles(d));
  expect(files.length).toBeGreaterThan(40);
  for (const f of files) {
    if (allowed(ALLOWED_CLOCK, f)) continue;
    readFileSync(f, "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (/Math\.random\(|Date\.now\(|new Date\(\)|performance\.now\(/.test(line) && !/^\s*(\/\/|\*)/.test(line))
          offenders.push(`${f}:${i + 1}: ${line.trim()}`);
      });
  }
  expect(offenders).toEqual([]);
});

test("[ENG-1] engines import no file or network modules outside the named adapters", () => {
  const offenders: string[] = [];
  for (const f of ENGINE_DIRS.flatMap((d) => sourceFiles(d))) {
    if (allowed(ALLOWED_IO, f)) continue;
    const m = readFileSync(f, "utf8").match(
      /from\s+["'](node:)?(fs|fs\/promises|net|http|https|dgram|child_process)["']/,
    );
    if (m) offenders.push(`${f}: ${m[0]}`);
  }
  expect(offenders).toEqual([]);
});
