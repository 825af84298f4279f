import { describe, expect, test } from "vitest";
import { scoreBatadal } from "../../src/detect/score.ts";

const hours = (n: number) => Array.from({ length: n }, (_, i) => `01/01/17 ${String(i).padStart(2, "0")}`);

describe("BATADAL score", () => {
  test("[DET-B2] perfect flags give S = 1", () => {
    const keys = hours(12);
    const labels = [0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0];
    const s = scoreBatadal(keys, labels, new Map(keys.map((k, i) => [k, labels[i]])));
    expect(s.S).toBe(1);
    expect(s.S_TTD).toBe(1);
    expect(s.attacks).toBe(2);
    expect(s.attacksDetected).toBe(2);
  });

  test("[DET-B3] hand-worked case: TTD/dT per attack, end inclusive; an undetected attack counts dT", () => {
    const keys = hours(20);
    // attack A rows 2..5 (dT 4), first flag at row 4 -> TTD 2; attack B rows 10..11 (dT 2) never flagged
    const labels = Array(20).fill(0);
    for (const i of [2, 3, 4, 5, 10, 11]) labels[i] = 1;
    const flags = Array(20).fill(0);
    for (const i of [4, 5, 15]) flags[i] = 1;
    const s = scoreBatadal(keys, labels, new Map(keys.map((k, i) => [k, flags[i]])));
    expect(s.S_TTD).toBeCloseTo(1 - (2 / 4 + 2 / 2) / 2, 12); // 0.25
    expect(s.TPR).toBeCloseTo(2 / 6, 12);
    expect(s.TNR).toBeCloseTo(13 / 14, 12);
    expect(s.S).toBeCloseTo(0.5 * 0.25 + 0.5 * ((2 / 6 + 13 / 14) / 2), 12);
  });

  test("[DET-B4] -999 and other labels are excluded from the confusion matrix and break attack runs", () => {
    const keys = hours(6);
    const labels = [0, 1, -1, 1, 0, -1];
    const flags = [1, 1, 1, 0, 0, 1];
    const s = scoreBatadal(keys, labels, new Map(keys.map((k, i) => [k, flags[i]])));
    expect(s.TP + s.FN + s.FP + s.TN).toBe(4);
    expect(s.attacks).toBe(2);
    expect(s.FP).toBe(1);
  });

  test("[DET-B5] timestamps match after trimming spaces", () => {
    const keys = [" 01/01/17 00", " 01/01/17 01"];
    const s = scoreBatadal(keys, [1, 0], new Map([["01/01/17 00", 1]]));
    expect(s.TP).toBe(1);
    expect(s.unmatched).toBe(1);
  });
});
