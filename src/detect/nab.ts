/**
 * Numenta Anomaly Benchmark scoring, reimplemented from NAB's published rules (NAB v1.1):
 *  - each data file has labelled anomaly windows; the first 15% of a file (at most 750 rows) is probationary
 *    and not scored;
 *  - a detection is a row whose anomaly score is >= the threshold;
 *  - inside a window, only the earliest detection counts, worth tpWeight * sigma(position) / sigma(-1) where
 *    the position runs from -1 (window start) towards 0 (window end) and sigma(y) = 2/(1+e^(5y)) - 1;
 *  - a window with no detection costs fnWeight;
 *  - a detection outside windows costs fpWeight * sigma(distance past the previous window end, in that
 *    window's widths - 1), or fpWeight when no window precedes it (sigma is -1 from 3 widths on);
 *  - one threshold per profile is optimised over the whole corpus; the raw score is normalised so that the
 *    null detector (no detection) scores 0 and the perfect detector 100.
 */

export interface CostMatrix {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
  tnWeight?: number;
}

export interface NabFile {
  name: string;
  /** Epoch ms of each row, increasing. */
  times: ArrayLike<number>;
  scores: ArrayLike<number>;
  /** [start, end] epoch ms, inclusive. */
  windows: [number, number][];
}

export function scaledSigmoid(pos: number): number {
  if (pos >= 3) return -1;
  return 2 / (1 + Math.exp(5 * pos)) - 1;
}

export function probationLength(rows: number, percent = 0.15): number {
  return Math.min(Math.floor(percent * rows), percent * 5000);
}

interface Point {
  score: number;
  /** Weighted sweep score if detected. */
  sweep: number;
  /** Global window id, or -1 outside windows. */
  win: number;
}

/** Per-row sweep scores of one file (probationary rows dropped). Windows get ids starting at `firstId`. */
export function sweepFile(
  f: NabFile,
  cost: CostMatrix,
  firstId: number,
  probationPercent = 0.15,
): { points: Point[]; windows: number } {
  const n = f.times.length;
  const prob = probationLength(n, probationPercent);
  // window index ranges
  const ranges: [number, number][] = [];
  for (const [s, e] of f.windows) {
    let a = 0;
    while (a < n && f.times[a] < s) a++;
    let b = a - 1;
    while (b + 1 < n && f.times[b + 1] <= e) b++;
    if (b >= a) ranges.push([a, b]);
  }
  ranges.sort((x, y) => x[0] - y[0]);
  const maxTP = scaledSigmoid(-1);
  const points: Point[] = [];
  const counted = new Set<number>();
  let w = 0;
  let prevRight = -1;
  let prevWidth = 0;
  for (let i = 0; i < n; i++) {
    while (w < ranges.length && ranges[w][1] < i) {
      prevRight = ranges[w][1];
      prevWidth = ranges[w][1] - ranges[w][0] + 1;
      w++;
    }
    const inWin = w < ranges.length && ranges[w][0] <= i && i <= ranges[w][1];
    let sweep: number;
    if (inWin) {
      const [a, b] = ranges[w];
      const width = b - a + 1;
      sweep = (scaledSigmoid(-(b - i + 1) / width) * cost.tpWeight) / maxTP;
    } else {
      const pos = prevRight < 0 ? 3 : prevWidth > 1 ? Math.abs(prevRight - i) / (prevWidth - 1) : 3;
      sweep = scaledSigmoid(pos) * cost.fpWeight;
    }
    if (i < prob) continue;
    const id = inWin ? firstId + w : -1;
    if (inWin) counted.add(id);
    points.push({ score: f.scores[i], sweep, win: id });
  }
  return { points, windows: counted.size === 0 ? 0 : Math.max(...counted) - firstId + 1 };
}

export interface ProfileScore {
  threshold: number;
  raw: number;
  nullScore: number;
  perfect: number;
  normalized: number;
  tp: number;
  fp: number;
  fn: number;
  windows: number;
}

/** Best (threshold, raw score) over the corpus; detections are rows with score >= threshold. */
function optimize(
  points: Point[],
  winIds: Set<number>,
  cost: CostMatrix,
): { threshold: number; raw: number; tp: number; fp: number; fn: number } {
  const order = points.map((_, i) => i).sort((a, b) => points[b].score - points[a].score || a - b);
  const best = new Map<number, number>();
  let fpSum = 0;
  let tpSum = 0;
  const nWin = winIds.size;
  let detectedWins = 0;
  let fpCount = 0;
  const scoreNow = () => tpSum + fpSum - (nWin - detectedWins) * cost.fnWeight;
  let res = { threshold: Number.POSITIVE_INFINITY, raw: scoreNow(), tp: 0, fp: 0, fn: nWin };
  let k = 0;
  while (k < order.length) {
    const th = points[order[k]].score;
    while (k < order.length && points[order[k]].score === th) {
      const p = points[order[k]];
      if (p.win < 0) {
        fpSum += p.sweep;
        fpCount++;
      } else {
        const prev = best.get(p.win);
        if (prev === undefined) {
          best.set(p.win, p.sweep);
          tpSum += p.sweep;
          detectedWins++;
        } else if (p.sweep > prev) {
          tpSum += p.sweep - prev;
          best.set(p.win, p.sweep);
        }
      }
      k++;
    }
    const s = scoreNow();
    if (s > res.raw + 1e-12) res = { threshold: th, raw: s, tp: detectedWins, fp: fpCount, fn: nWin - detectedWins };
  }
  return res;
}

export function scoreNab(
  files: NabFile[],
  profiles: Record<string, CostMatrix>,
  probationPercent = 0.15,
): Record<string, ProfileScore> {
  const out: Record<string, ProfileScore> = {};
  for (const [name, cost] of Object.entries(profiles)) {
    const all: Point[] = [];
    const perfectPts: Point[] = [];
    const winIds = new Set<number>();
    let next = 0;
    for (const f of files) {
      const { points } = sweepFile(f, cost, next, probationPercent);
      for (const p of points) {
        all.push(p);
        if (p.win >= 0) winIds.add(p.win);
        perfectPts.push({ score: p.win >= 0 ? 1 : 0, sweep: p.sweep, win: p.win });
      }
      next += f.windows.length;
    }
    const r = optimize(all, winIds, cost);
    const nullScore = -winIds.size * cost.fnWeight;
    const perfect = optimize(perfectPts, winIds, cost).raw;
    const denom = perfect - nullScore;
    out[name] = {
      threshold: r.threshold,
      raw: r.raw,
      nullScore,
      perfect,
      normalized: denom > 0 ? (100 * (r.raw - nullScore)) / denom : 0,
      tp: r.tp,
      fp: r.fp,
      fn: r.fn,
      windows: winIds.size,
    };
  }
  return out;
}

export const NAB_PROFILES: Record<string, CostMatrix> = {
  standard: { tpWeight: 1, fnWeight: 1, fpWeight: 0.11, tnWeight: 1 },
  reward_low_FP_rate: { tpWeight: 1, fnWeight: 1, fpWeight: 0.22, tnWeight: 1 },
  reward_low_FN_rate: { tpWeight: 1, fnWeight: 2, fpWeight: 0.11, tnWeight: 1 },
};

/**
 * Raw score of files at a fixed threshold (no optimisation), with the null and perfect raw scores of the same
 * files: the pieces a held-out figure is normalised from. Same rules as `scoreNab`.
 */
export function fixedThresholdScore(
  files: NabFile[],
  cost: CostMatrix,
  threshold: number,
  probationPercent = 0.15,
): { raw: number; nullScore: number; perfect: number; tp: number; fp: number; fn: number } {
  let next = 0;
  const best = new Map<number, number>();
  const winIds = new Set<number>();
  const top = new Map<number, number>();
  let fpSum = 0;
  let fp = 0;
  for (const f of files) {
    const { points } = sweepFile(f, cost, next, probationPercent);
    next += f.windows.length;
    for (const p of points) {
      if (p.win >= 0) {
        winIds.add(p.win);
        const t = top.get(p.win);
        if (t === undefined || p.sweep > t) top.set(p.win, p.sweep);
      }
      if (!(p.score >= threshold)) continue;
      if (p.win < 0) {
        fpSum += p.sweep;
        fp++;
      } else {
        const prev = best.get(p.win);
        if (prev === undefined || p.sweep > prev) best.set(p.win, p.sweep);
      }
    }
  }
  let tpSum = 0;
  for (const v of best.values()) tpSum += v;
  const missed = winIds.size - best.size;
  let perfect = 0;
  for (const v of top.values()) perfect += v;
  return {
    raw: tpSum + fpSum - missed * cost.fnWeight,
    nullScore: -winIds.size * cost.fnWeight,
    perfect,
    tp: best.size,
    fp,
    fn: missed,
  };
}
