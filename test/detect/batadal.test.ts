import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseCsv } from "../../src/detect/csv.ts";
import { runModel, trainTables } from "../../src/detect/pipeline.ts";
import { scoreBatadal } from "../../src/detect/score.ts";

const D = join(import.meta.dirname, "..", "..", "..", "shared", "data", "batadal");
const have = existsSync(join(D, "BATADAL_dataset03.csv"));

describe.skipIf(!have)("BATADAL validation (needs ../shared/data/batadal; skipped when absent)", () => {
  test("[DET-B1] train on dataset03 only, run on dataset04, S >= 0.95 against the full labels", () => {
    const load = (f: string) => {
      const r = parseCsv(readFileSync(join(D, f), "utf8"), f, { labelColumn: "ATT_FLAG" });
      if (!r.ok) throw new Error(r.issues[0].message);
      return r.value;
    };
    const d3 = load("BATADAL_dataset03.csv");
    const d4 = load("BATADAL_dataset04.csv");
    const truth = load("dataset04_fully_labeled.csv");
    const t = trainTables([d3]);
    expect(t.ok).toBe(true);
    if (!t.ok) return;
    const r = runModel(t.value.model, d4);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const flags = new Map(d4.rawTimes.map((k, i) => [k.trim(), r.value.flag[i]]));
    const s = scoreBatadal(truth.rawTimes, truth.labels!, flags);
    expect(s.attacksDetected).toBe(7);
    expect(s.S).toBeGreaterThanOrEqual(0.95);
    // every alert explains itself
    for (const a of r.value.alerts) expect(a.findings.length).toBeGreaterThan(0);
  });
});
