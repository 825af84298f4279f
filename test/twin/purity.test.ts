/** The twin's engine (src/twin, except the wire adapters in src/twin/wire/) reads no clock, uses no unseeded randomness, does no I/O. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";

const DIR = join(import.meta.dirname, "..", "..", "src", "twin");

test("[TWN-12] twin engine files use no Math.random, Date.now, new Date(), performance.now, fs or net", () => {
  const offenders: string[] = [];
  for (const f of readdirSync(DIR).filter((x) => x.endsWith(".ts"))) {
    readFileSync(join(DIR, f), "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (/^\s*(\/\/|\*)/.test(line)) return;
        if (
          /Math\.random\(|Date\.now\(|new Date\(\)|performance\.now\(|from "node:(fs|net|http|fs\/promises)"/.test(line)
        )
          offenders.push(`${f}:${i + 1}: ${line.trim()}`);
      });
  }
  expect(offenders).toEqual([]);
});
