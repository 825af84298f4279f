import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { nabCommand } from "../../src/detect/io/nab.ts";
import { type CostMatrix, NAB_PROFILES, type NabFile, scaledSigmoid, scoreNab } from "../../src/detect/nab.ts";
import { streamFor } from "../../src/model/rng.ts";

const std = NAB_PROFILES.standard;

describe("NAB scorer", () => {
  test("[DET-N1] scaled sigmoid: -1 at window start ~0.9866, 0 at the end, -1 from 3 widths past", () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.98661, 5);
    expect(scaledSigmoid(0)).toBeCloseTo(0, 12);
    expect(scaledSigmoid(3)).toBe(-1);
  });

  test("[DET-N2] hand-worked small case", () => {
    // 100 rows, probation = 15 rows; one window on rows 40..49 (width 10)
    const times = Array.from({ length: 100 }, (_, i) => i * 1000);
    const scores = new Array(100).fill(0);
    scores[45] = 1; // TP at position -(49-45+1)/10 = -0.5
    scores[70] = 1; // FP 21 rows after the window end: position 21/9
    scores[5] = 1; // in probation: ignored
    const f: NabFile = { name: "a", times, scores, windows: [[40_000, 49_000]] };
    const r = scoreNab([f], { standard: std }).standard;
    const tp = scaledSigmoid(-0.5) / scaledSigmoid(-1);
    const fp = scaledSigmoid(21 / 9) * 0.11;
    expect(r.raw).toBeCloseTo(tp + fp, 10);
    expect(r.nullScore).toBe(-1);
    expect(r.perfect).toBeCloseTo(1, 12);
    expect(r.normalized).toBeCloseTo((100 * (tp + fp + 1)) / 2, 8);
  });

  test("[DET-N3] null detector scores 0 and perfect scores 100 in every profile", () => {
    const times = Array.from({ length: 200 }, (_, i) => i);
    const windows: [number, number][] = [
      [60, 79],
      [150, 169],
    ];
    const perfect = times.map((t) => (windows.some(([a, b]) => t >= a && t <= b) ? 1 : 0));
    for (const [name, p] of Object.entries(scoreNab([{ name: "x", times, scores: perfect, windows }], NAB_PROFILES))) {
      expect(p.normalized, name).toBeCloseTo(100, 10);
    }
    for (const p of Object.values(
      scoreNab([{ name: "x", times, scores: times.map(() => 0.5), windows }], NAB_PROFILES),
    )) {
      expect(p.normalized).toBeCloseTo(0, 10);
    }
  });

  // slow obvious oracle: for each candidate threshold, score each file by the rules directly
  function oracle(files: NabFile[], cost: CostMatrix): number {
    const cands = new Set<number>([Number.POSITIVE_INFINITY]);
    for (const f of files) for (const s of Array.from(f.scores)) cands.add(s);
    let best = Number.NEGATIVE_INFINITY;
    for (const th of cands) {
      let total = 0;
      for (const f of files) {
        const n = f.times.length;
        const prob = Math.min(Math.floor(0.15 * n), 750);
        const idx = (t: number) => Array.from(f.times).findIndex((x) => x >= t);
        const wins = f.windows.map(([a, b]) => {
          const s = idx(a);
          let e = s;
          while (e + 1 < n && f.times[e + 1] <= b) e++;
          return [s, e] as const;
        });
        for (const [s, e] of wins) {
          if (e < prob) continue;
          let first = -1;
          for (let i = Math.max(s, prob); i <= e; i++)
            if (f.scores[i] >= th) {
              first = i;
              break;
            }
          total +=
            first < 0
              ? -cost.fnWeight
              : (scaledSigmoid(-(e - first + 1) / (e - s + 1)) / scaledSigmoid(-1)) * cost.tpWeight;
        }
        for (let i = prob; i < n; i++) {
          if (f.scores[i] < th || wins.some(([s, e]) => i >= s && i <= e)) continue;
          const prev = wins.filter(([, e]) => e < i).pop();
          const pos = prev ? (prev[1] - prev[0] + 1 > 1 ? (i - prev[1]) / (prev[1] - prev[0]) : 3) : 3;
          total += scaledSigmoid(pos) * cost.fpWeight;
        }
      }
      best = Math.max(best, total);
    }
    return best;
  }

  test("[DET-N4] differential: corpus optimiser equals the slow oracle on random small corpora", () => {
    const rng = streamFor(20240601);
    for (let trial = 0; trial < 150; trial++) {
      const files: NabFile[] = [];
      const nf = 1 + rng.int(3);
      for (let k = 0; k < nf; k++) {
        const n = 20 + rng.int(40);
        const times = Array.from({ length: n }, (_, i) => i);
        const scores = times.map(() => Math.round(rng.next() * 5) / 5);
        const windows: [number, number][] = [];
        let at = 5 + rng.int(10);
        while (at < n - 3 && windows.length < 2) {
          const w = 2 + rng.int(6);
          windows.push([at, Math.min(n - 1, at + w)]);
          at += w + 3 + rng.int(10);
        }
        files.push({ name: `f${k}`, times, scores, windows });
      }
      for (const [name, cost] of Object.entries(NAB_PROFILES)) {
        expect(scoreNab(files, { [name]: cost })[name].raw, `trial ${trial} ${name}`).toBeCloseTo(
          oracle(files, cost),
          9,
        );
      }
    }
  });
});

const NAB = join(import.meta.dirname, "..", "..", "..", "shared", "data", "nab", "data");
describe.skipIf(!existsSync(NAB))("NAB corpus (needs ../shared/data/nab; skipped when absent)", () => {
  test("[DET-N5] streaming detector scores >= 70 (standard) on the provided categories by NAB's protocol", async () => {
    const out = mkdtempSync(join(tmpdir(), "rampart-nab-"));
    try {
      const r = await nabCommand({ data: NAB, out, score: true, quiet: true });
      expect(r.ok).toBe(true);
      if (!r.ok || !r.value.scores) return;
      expect(r.value.scores.standard.normalized).toBeGreaterThanOrEqual(70);
      expect(r.value.scores.reward_low_FN_rate.normalized).toBeGreaterThanOrEqual(70);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
