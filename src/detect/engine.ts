/**
 * Rampart's telemetry anomaly detector: training on history, then online judgement of each reading.
 *
 * Pure and deterministic: no clock, no randomness, no I/O. State is held in Float64Array/Int32Array,
 * constant in size per signal, and each row costs O(signals x relation fan-in) time.
 *
 * Components (each yields a severity normalised so that 1 = the edge of what normal training data showed):
 *  - range:  value outside the trained [lo, hi] (tolerance: a fraction of the span)
 *  - step:   rate of change beyond the largest trained step
 *  - stuck:  a value frozen (within a tolerance) for longer than any trained run
 *  - season: deviation from a robust (median) daily / weekly profile
 *  - cusum:  change detection: two-sided CUSUM on the seasonal residual, k/h/scale learned out of fold (slow drifts)
 *  - rel:    residual of a sparse ridge regression of a signal on the other signals (same time and one lag)
 *  - delta:  residual of a regression of a signal's change on the other signals (physical balance, e.g. a tank
 *            level change against the flows of the pumps that fill it); these catch replayed or spoofed readings
 *  - pca:    squared prediction error outside the principal subspace of all signals
 *  - state:  learned control logic: for each on/off signal (a pump status), the range of every other signal
 *            while it is on and while it is off, and the range of the previous reading at which it switched
 *            (e.g. a pump that starts while its tank reads full, or runs while the tank reads above its stop level)
 * Residual components are judged both instantly and through an EWMA, so that a small but persistent
 * inconsistency (a replay) accumulates. The ensemble is the maximum severity, with alert hysteresis.
 */
import { quantile, solveSpd, symEig } from "./linalg.ts";
import { tailThreshold } from "./tail.ts";
import { hourOfWeek } from "./time.ts";

export const COMPONENTS = ["range", "step", "stuck", "season", "cusum", "rel", "delta", "pca", "state"] as const;
export type Component = (typeof COMPONENTS)[number];
const NC = COMPONENTS.length;

export interface DetectParams {
  /**
   * Target false-alarm rate: the probability that one normal reading of one signal takes a component past
   * severity 1. Each component's tolerance is the score its normal (out-of-fold) training behaviour exceeds
   * with this probability, from a peaks-over-threshold tail model (`tail.ts`) when the rate is beyond the
   * sample. [DET-P3]
   */
  far: number;
  /** Per-signal false-alarm rates (signal name -> rate), overriding `far` for those signals. */
  farBySignal?: Record<string, number>;
  /** Older detector files: quantile of the normal severity mapped to 1 (`far` = 1 - quantile). */
  quantile?: number;
  /** Fewest effectively independent training readings a level-based component needs (range, level profile, pca, rel). */
  minEffective: number;
  /** Fewest on/off switches of a gate (each way) before its control-logic rules are learned. */
  minSwitches: number;
  /** Multiplier applied to every learned tolerance. */
  margin: number;
  /** Inputs kept per relation after a first ridge fit. */
  relTopK: number;
  /** Ridge penalty, relative to the number of training rows. */
  ridge: number;
  /** EWMA factor on relation residuals (per reading). */
  alpha: number;
  /** CUSUM slack, as a multiple of the standard deviation of the residual's daily means (at least 0.5). */
  cusumK: number;
  /** CUSUM severity (statistic / h) at which the sums restart (after an alarm); fixed, not tied to `on`. */
  cusumReset: number;
  /** Variance kept by the principal subspace. */
  pcaVariance: number;
  /** Range tolerance as a fraction of the trained span. */
  rangeTol: number;
  /** Step tolerance as a multiple of the largest trained step. */
  stepTol: number;
  /** Stuck tolerance as a multiple of the longest trained run. */
  runTol: number;
  /**
   * When labels choose `on` and `hold`: the largest fraction of labelled normal readings the chosen setting may
   * flag (the asset's target false-alarm rate for whole alerts, hysteresis included).
   */
  maxFalseAlarmRate: number;
  /** Hysteresis: raise at score >= on, clear after more than `hold` readings below `off`. */
  on: number;
  off: number;
  hold: number;
  /**
   * Drift: per reading judged normal (no alert open and the signal's severity below `adaptGate`), the level
   * profile bucket and the relation biases move this fraction of the way to the reading (0 = frozen). An
   * anomalous reading never moves them, so an attack is not learned. [DET-D1]
   */
  adapt: number;
  /**
   * The same as a time constant in hours, used when `adapt` is 0: per reading the baselines move
   * period / (adaptHours x 1 h) of the way (slow in time whatever the reading rate; 0 = frozen).
   */
  adaptHours: number;
  /** Severity below which a reading counts as normal for adaptation. */
  adaptGate: number;
  /**
   * Multiplier of a relation's extra tolerance outside its inputs' trained range (weight x excursion, in
   * standard units); 0 = relations judged as if inside. [DET-H2]
   */
  extrapolation: number;
  /** Contiguous folds used to calibrate residual tolerances out of sample. */
  folds: number;
  components: Component[];
}

// Each default says which protocol chose it (docs/detect.md "Validation"): V1 = BATADAL (train dataset03,
// thresholds on dataset04's first half), V2 = NAB leave-one-category-out, V3 = short history (synthetic 1 Hz).
export const DEFAULT_PARAMS: DetectParams = {
  far: 5e-4, // V1 (the 0.9995 quantile it replaces; 2e-4 and 1e-4 gave the same or lower S); V3 insensitive
  minEffective: 60, // V3 (tune seeds 1-10): 30 -> false-alarm rate 0.44, 60 -> 0.30, 100 -> 0.23 but 4/6 attacks
  minSwitches: 8, // V3 (tune seeds): rules from 1-2 cycles fired on most normal rows; V1 unaffected
  // the rest were chosen in-sample on BATADAL (train dataset03, score dataset04) before the protocols existed
  // and have not been re-chosen by them; `on`/`hold` are chosen per protocol run from labels (validate.ts)
  margin: 1.0,
  relTopK: 12,
  ridge: 1e-3,
  alpha: 0.1,
  cusumK: 1.0,
  cusumReset: 1.5,
  pcaVariance: 0.95,
  rangeTol: 0.05,
  stepTol: 1.25,
  runTol: 1.5,
  maxFalseAlarmRate: 1, // V1: 0.05 -> S 0.884, 0.02 -> 0.848 (0.907 unconstrained); V4 unchanged: off, a user choice
  on: 1.5,
  off: 1.5,
  hold: 24,
  adapt: 0, // explicit per-reading rate; 0 = from adaptHours
  adaptHours: 100, // V1: S 0.9074 -> 0.9085 (0.01 per hourly reading); V4 0.7994 -> 0.8000; V3 unaffected (30 min)
  adaptGate: 1,
  extrapolation: 1,
  folds: 4,
  components: ["range", "step", "stuck", "season", "cusum", "rel", "delta", "pca", "state"],
};

export interface Relation {
  target: number;
  /** 0: level of the target; 1: change of the target since the previous reading. */
  kind: 0 | 1;
  /** Indexes into the feature vector [z(t) (m), z(t-1) (m)]. */
  feats: number[];
  w: number[];
  b: number;
  /** Tolerances of the instant and EWMA residuals. */
  q: number;
  qe: number;
}

export interface DetectorModel {
  format: "rampart.detector";
  version: 1;
  signals: string[];
  params: DetectParams;
  periodMs: number;
  trainedRows: number;
  center: number[];
  scale: number[];
  lo: number[];
  hi: number[];
  maxStep: number[];
  maxRun: number[];
  runEps: number[];
  buckets: number;
  season: number[];
  seasonQ: number[];
  /** CUSUM on the seasonal residual: robust scale (z units), threshold h (0 = not applied), slack k, centre. */
  cusumScale: number[];
  cusumQ: number[];
  cusumK?: number[];
  cusumMu?: number[];
  relations: Relation[];
  pca: { k: number; comps: number[]; q: number } | null;
  /** Control-consistency rules (component "state"). */
  rules: StateRule[];
  /** Components switched off at training because the history could not support them ([DET-H1]). */
  disabled?: DisabledComponent[];
  /** Per signal, 1 when its level-based checks (range, level profile) are off for a too short history. */
  levelOff?: number[];
  /** Sensitivity per (signal, component), signal-major, from false-alarm feedback ([DET-A1]); absent = all 1. */
  gain?: number[];
  /** False alarms applied. */
  feedback?: number;
}

/** A component (for one signal, or for all when `signal` is absent) that training switched off, and why. */
export interface DisabledComponent {
  component: Component;
  signal?: string;
  reason: string;
}

/**
 * While `gate` (an on/off signal) is `state` (kind 0), or on the reading where it switched to `state`
 * (kind 1, judged on the previous reading of `sig`), `sig` stayed within [lo, hi] in training.
 */
export interface StateRule {
  gate: number;
  state: 0 | 1;
  kind: 0 | 1;
  sig: number;
  lo: number;
  hi: number;
  /** Tolerance in signal units. */
  tol: number;
}

/** Training input: several segments (files); rows are time-ordered within a segment. */
export interface TrainSegment {
  wall: Float64Array;
  values: Float64Array;
  /** 1 = attack (excluded), 0 = normal, -1 = unknown (kept as normal). */
  labels?: Int8Array;
}

const EPS = 1e-9;

function bucketOf(buckets: number, wall: number): number {
  if (buckets === 168) return hourOfWeek(wall);
  if (buckets === 24) return ((Math.floor(wall / 3_600_000) % 24) + 24) % 24;
  return 0;
}

interface Prepared {
  m: number;
  n: number;
  z: Float64Array; // n x m standardized
  lagOk: Uint8Array; // row has a valid previous normal row in the same segment
  wall: Float64Array;
  segStart: Uint8Array;
}

/**
 * Effectively independent readings in a series, by batch means: the series is cut into `batches` contiguous
 * blocks; n_eff = batches x var(series) / var(block means) (capped at the count). White noise gives about n,
 * a series that wanders (a random walk, a slow cycle longer than a block) about `batches` or fewer.
 * Non-finite values are skipped.
 */
export function effectiveSize(xs: ArrayLike<number>, batches = 20): number {
  const v: number[] = [];
  for (let i = 0; i < xs.length; i++) if (Number.isFinite(xs[i])) v.push(xs[i]);
  const n = v.length;
  if (n < 2 * batches) return n;
  let s = 0;
  for (const x of v) s += x;
  const mean = s / n;
  let vx = 0;
  for (const x of v) vx += (x - mean) ** 2;
  vx /= n;
  if (!(vx > 0)) return n;
  let vb = 0;
  for (let b = 0; b < batches; b++) {
    const a = Math.floor((b * n) / batches);
    const e = Math.floor(((b + 1) * n) / batches);
    let t = 0;
    for (let i = a; i < e; i++) t += v[i];
    vb += (t / (e - a) - mean) ** 2;
  }
  vb /= batches;
  return vb > 0 ? Math.min(n, (batches * vx) / vb) : n;
}

export function train(signals: string[], segments: TrainSegment[], p: Partial<DetectParams> = {}): DetectorModel {
  const far = p.far ?? (p.quantile !== undefined ? 1 - p.quantile : DEFAULT_PARAMS.far);
  const params: DetectParams = { ...DEFAULT_PARAMS, ...p, far };
  const m = signals.length;
  const farOf = (j: number) => params.farBySignal?.[signals[j]] ?? far;
  const cal = (xs: ArrayLike<number>, j: number) => tailThreshold(xs, farOf(j)).threshold;
  const disabled: DisabledComponent[] = [];
  // 1. gather normal rows
  let n = 0;
  for (const s of segments) n += s.wall.length;
  const raw = new Float64Array(n * m);
  const wall = new Float64Array(n);
  const lagOk = new Uint8Array(n);
  const segStart = new Uint8Array(n);
  let r = 0;
  const diffs: number[] = [];
  for (const s of segments) {
    const rows = s.wall.length;
    let prevKept = -2;
    let first = true;
    for (let i = 0; i < rows; i++) {
      if (s.labels && s.labels[i] === 1) continue;
      raw.set(s.values.subarray(i * m, (i + 1) * m), r * m);
      wall[r] = s.wall[i];
      lagOk[r] = prevKept === i - 1 ? 1 : 0;
      segStart[r] = first ? 1 : 0;
      if (prevKept === i - 1 && diffs.length < 100_000) diffs.push(s.wall[i] - s.wall[i - 1]);
      first = false;
      prevKept = i;
      r++;
    }
  }
  n = r;
  const periodMs = diffs.length ? quantile(diffs, 0.5) : 3_600_000;
  // 2. standardization
  const center = new Array<number>(m).fill(0);
  const scale = new Array<number>(m).fill(1);
  const lo = new Array<number>(m).fill(0);
  const hi = new Array<number>(m).fill(0);
  for (let j = 0; j < m; j++) {
    let s = 0;
    let s2 = 0;
    let c = 0;
    let mn = Number.POSITIVE_INFINITY;
    let mx = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const v = raw[i * m + j];
      if (!Number.isFinite(v)) continue;
      s += v;
      s2 += v * v;
      c++;
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    const mean = c ? s / c : 0;
    const sd = c ? Math.sqrt(Math.max(0, s2 / c - mean * mean)) : 0;
    center[j] = mean;
    scale[j] = Math.max(sd, 1e-6 * Math.max(1, Math.abs(mean)));
    lo[j] = c ? mn : 0;
    hi[j] = c ? mx : 0;
  }
  const z = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      const v = raw[i * m + j];
      // missing values are imputed by the previous value (or the mean)
      z[i * m + j] = Number.isFinite(v) ? (v - center[j]) / scale[j] : i > 0 && !segStart[i] ? z[(i - 1) * m + j] : 0;
    }
  const prep: Prepared = { m, n, z, lagOk, wall, segStart };
  // [DET-H1] level-based components need a history that covers the signal's normal wandering: a signal whose
  // training readings are strongly autocorrelated has few effectively independent readings, and its seen range
  // or profile says little about next hour's
  const nEff = new Array<number>(m);
  const levelOk = new Array<boolean>(m);
  const col = new Float64Array(n);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < n; i++) col[i] = z[i * m + j];
    nEff[j] = effectiveSize(col);
    const values = new Set<number>();
    for (let i = 0; i < n && values.size <= 4; i++) values.add(raw[i * m + j]);
    // discrete signals (on/off status) keep their range: a value outside the few seen is evidence
    levelOk[j] = values.size <= 4 || nEff[j] >= params.minEffective;
    if (!levelOk[j])
      for (const c of ["range", "season"] as const)
        if (params.components.includes(c))
          disabled.push({
            component: c,
            signal: signals[j],
            reason: `${Math.round(nEff[j])} effectively independent readings in ${n} (need ${params.minEffective})`,
          });
  }
  // 3. step and stuck
  const maxStep = new Array<number>(m).fill(0);
  const maxRun = new Array<number>(m).fill(0);
  const runEps = new Array<number>(m).fill(0);
  for (let j = 0; j < m; j++) {
    runEps[j] = 0.002 * (hi[j] - lo[j]) + EPS;
    let run = 0;
    for (let i = 0; i < n; i++) {
      if (!lagOk[i]) {
        run = 0;
        continue;
      }
      const d = Math.abs(raw[i * m + j] - raw[(i - 1) * m + j]);
      if (!Number.isFinite(d)) continue;
      if (d > maxStep[j]) maxStep[j] = d;
      if (d <= runEps[j]) {
        run++;
        if (run > maxRun[j]) maxRun[j] = run;
      } else run = 0;
    }
  }
  // 4. seasonality
  const spanMs = n > 1 ? wall[n - 1] - wall[0] : 0;
  let buckets = 1;
  if (periodMs <= 3_600_000 && spanMs >= 21 * 86_400_000) buckets = 168;
  else if (periodMs <= 3_600_000 && spanMs >= 3 * 86_400_000) buckets = 24;
  const days = (spanMs / 86_400_000).toFixed(spanMs < 86_400_000 ? 3 : 1);
  if (buckets < 168 && params.components.includes("season"))
    disabled.push({
      component: "season",
      reason:
        buckets === 24
          ? `hour-of-week profile off: ${days} days of history (needs 21); hour-of-day profile used`
          : `hour-of-week and hour-of-day profiles off: ${days} days of history at one reading per ${periodMs / 1000} s (need 21 / 3 days of hourly or finer readings); one level per signal`,
    });
  const block = Math.max(1, Math.round(86_400_000 / Math.max(periodMs, 1)));
  if (n < 2 * block && params.components.includes("cusum"))
    disabled.push({ component: "cusum", reason: `needs 2 days of history to learn its slack (${days} days given)` });
  const season = new Array<number>(m * buckets).fill(0);
  const bucketRows: number[][] = Array.from({ length: buckets }, () => []);
  for (let i = 0; i < n; i++) bucketRows[bucketOf(buckets, wall[i])].push(i);
  for (let j = 0; j < m; j++)
    for (let b = 0; b < buckets; b++) {
      const vals = bucketRows[b].map((i) => z[i * m + j]);
      season[j * buckets + b] = vals.length ? quantile(vals, 0.5) : 0;
    }
  const seasonQ = new Array<number>(m).fill(1);
  const cusumScale = new Array<number>(m).fill(1);
  const cusumQ = new Array<number>(m).fill(0);
  const cusumK = new Array<number>(m).fill(0);
  const cusumMu = new Array<number>(m).fill(0);
  const folds = Math.max(2, params.folds);
  const foldOf = (i: number) => Math.min(folds - 1, Math.floor((i * folds) / n));
  for (let j = 0; j < m; j++) {
    const res = new Float64Array(n);
    for (let i = 0; i < n; i++) res[i] = z[i * m + j] - season[j * buckets + bucketOf(buckets, wall[i])];
    const abs = res.map(Math.abs);
    seasonQ[j] = levelOk[j] ? Math.max(cal(abs, j), 1e-3) : 0;
    // the CUSUM is calibrated out of fold: residuals against a profile learned without the judged rows, so
    // that the profile's own estimation error (a median of few weeks per hour of week) counts as normal
    const oof = new Float64Array(n);
    for (let f = 0; f < folds; f++) {
      for (let bk = 0; bk < buckets; bk++) {
        const vals: number[] = [];
        for (const i of bucketRows[bk]) if (foldOf(i) !== f) vals.push(z[i * m + j]);
        const med = vals.length ? quantile(vals, 0.5) : season[j * buckets + bk];
        for (const i of bucketRows[bk]) if (foldOf(i) === f) oof[i] = z[i * m + j] - med;
      }
    }
    const c = fitCusum(raw, j, m, oof, segStart, block, params);
    cusumMu[j] = c.mu;
    cusumScale[j] = c.scale;
    cusumK[j] = c.k;
    cusumQ[j] = c.h;
  }
  // 5. relations
  const relations = params.components.some((c) => c === "rel" || c === "delta")
    ? fitRelations(prep, params, farOf, signals, disabled)
    : [];
  // 6. pca
  let pca: DetectorModel["pca"] = null;
  if (params.components.includes("pca")) {
    const short = signals.filter((_, j) => !levelOk[j]);
    if (short.length)
      disabled.push({
        component: "pca",
        reason: `signals with too short a history for their level: ${short.slice(0, 6).join(", ")}${short.length > 6 ? ", ..." : ""}`,
      });
    else pca = fitPca(prep, params, far);
  }
  // 7. control logic
  const rules = params.components.includes("state")
    ? fitRules(raw, n, m, lagOk, lo, hi, params, signals, disabled)
    : [];
  // range: off for signals whose history is too short (their seen span is not their normal span)
  const rangeOff = signals.map((_, j) => !levelOk[j]);
  return {
    format: "rampart.detector",
    version: 1,
    signals: [...signals],
    params,
    periodMs,
    trainedRows: n,
    center,
    scale,
    lo,
    hi,
    maxStep,
    maxRun,
    runEps,
    buckets,
    season,
    seasonQ,
    cusumScale,
    cusumQ,
    cusumK,
    cusumMu,
    relations,
    pca,
    rules,
    disabled,
    levelOff: rangeOff.some(Boolean) ? rangeOff.map((x) => (x ? 1 : 0)) : undefined,
  };
}

/**
 * Calibrates the per-signal two-sided CUSUM on the seasonal residual r (z units) from the training data alone:
 *  - centre mu = median(r), scale = robust sd (1.4826 x MAD, floored at a quarter of the RMS deviation), so
 *    e = (r - mu) / scale;
 *  - slack k = max(0.5, cusumK x the standard deviation of daily means of e): a residual that wanders for
 *    hours (a tank following its pump cycle) needs a larger slack than white noise (0.5 = a 1-sd shift);
 *  - threshold h = the `quantile` of the two-sided statistic over the training data (restarted per segment).
 * Signals with at most 4 distinct values (pump / valve status) are not given a CUSUM (h = 0): their level
 * only reflects the schedule, which `state` and `stuck` judge.
 */
function fitCusum(
  raw: Float64Array,
  j: number,
  m: number,
  res: Float64Array,
  segStart: Uint8Array,
  block: number,
  params: DetectParams,
): { mu: number; scale: number; k: number; h: number } {
  const n = res.length;
  const off = { mu: 0, scale: 1, k: 0, h: 0 };
  if (n < 2 * block) return off;
  const distinct = new Set<number>();
  for (let i = 0; i < n && distinct.size <= 4; i++) {
    const v = raw[i * m + j];
    if (Number.isFinite(v)) distinct.add(v);
  }
  if (distinct.size <= 4) return off;
  const mu = quantile(res, 0.5);
  const dev = new Float64Array(n);
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    dev[i] = Math.abs(res[i] - mu);
    s2 += dev[i] * dev[i];
  }
  const rms = Math.sqrt(s2 / n);
  const scale = Math.max(1.4826 * quantile(dev, 0.5), 0.25 * rms, 1e-3);
  // daily means of e
  let bs = 0;
  let bs2 = 0;
  let nb = 0;
  for (let a = 0; a + block <= n; a += block) {
    let t = 0;
    for (let i = a; i < a + block; i++) t += (res[i] - mu) / scale;
    t /= block;
    bs += t;
    bs2 += t * t;
    nb++;
  }
  const sdDay = nb > 1 ? Math.sqrt(Math.max(0, bs2 / nb - (bs / nb) ** 2)) : 0;
  const k = Math.max(0.5, params.cusumK * sdDay);
  const stat = new Float64Array(n);
  let sp = 0;
  let sn = 0;
  for (let i = 0; i < n; i++) {
    if (segStart[i]) {
      sp = 0;
      sn = 0;
    }
    const e = (res[i] - mu) / scale;
    sp = Math.max(0, sp + e - k);
    sn = Math.max(0, sn - e - k);
    stat[i] = Math.max(sp, sn);
  }
  const h = Math.max(quantile(stat, 1), 2 * k, 1);
  return { mu, scale, k, h };
}

function fitRules(
  raw: Float64Array,
  n: number,
  m: number,
  lagOk: Uint8Array,
  lo: number[],
  hi: number[],
  params: DetectParams,
  signals: string[],
  disabled: DisabledComponent[],
): StateRule[] {
  const rules: StateRule[] = [];
  const binary: number[] = [];
  for (let j = 0; j < m; j++) {
    let c0 = 0;
    let c1 = 0;
    let other = 0;
    for (let i = 0; i < n; i++) {
      const v = raw[i * m + j];
      if (v === 0) c0++;
      else if (v === 1) c1++;
      else if (Number.isFinite(v)) other++;
    }
    if (other === 0 && c0 >= 0.01 * n && c1 >= 0.01 * n) {
      // [DET-H1] the ranges seen while on / off mean something only over several cycles
      let up = 0;
      let down = 0;
      for (let i = 1; i < n; i++) {
        if (!lagOk[i]) continue;
        const a = raw[(i - 1) * m + j];
        const b = raw[i * m + j];
        if (a === 0 && b === 1) up++;
        else if (a === 1 && b === 0) down++;
      }
      if (Math.min(up, down) >= params.minSwitches) binary.push(j);
      else
        disabled.push({
          component: "state",
          signal: signals[j],
          reason: `${Math.min(up, down)} on/off cycles in the history (need ${params.minSwitches})`,
        });
    }
  }
  for (const g of binary) {
    for (let x = 0; x < m; x++) {
      if (x === g || binary.includes(x)) continue;
      const span = hi[x] - lo[x];
      if (!(span > 0)) continue;
      const tol = params.rangeTol * 2 * span;
      for (const state of [0, 1] as const) {
        // kind 0: range while in state
        let mn = Number.POSITIVE_INFINITY;
        let mx = Number.NEGATIVE_INFINITY;
        let c = 0;
        // kind 1: previous reading of x at switches into state
        let smn = Number.POSITIVE_INFINITY;
        let smx = Number.NEGATIVE_INFINITY;
        let sc = 0;
        for (let i = 0; i < n; i++) {
          const gv = raw[i * m + g];
          const xv = raw[i * m + x];
          if (gv !== state || !Number.isFinite(xv)) continue;
          c++;
          if (xv < mn) mn = xv;
          if (xv > mx) mx = xv;
          if (i > 0 && lagOk[i] && raw[(i - 1) * m + g] === 1 - state) {
            const pv = raw[(i - 1) * m + x];
            if (!Number.isFinite(pv)) continue;
            sc++;
            if (pv < smn) smn = pv;
            if (pv > smx) smx = pv;
          }
        }
        // keep a rule only when it says more than the plain range
        if (c >= 0.01 * n && mx - mn < 0.8 * span) rules.push({ gate: g, state, kind: 0, sig: x, lo: mn, hi: mx, tol });
        if (sc >= 5 && smx - smn < 0.5 * span) rules.push({ gate: g, state, kind: 1, sig: x, lo: smn, hi: smx, tol });
      }
    }
  }
  return rules;
}

/** Gram matrix of [1, z(t), z(t-1)] over rows with a valid lag, restricted to a row mask. */
function gram(prep: Prepared, include: (i: number) => boolean): { G: Float64Array; count: number } {
  const { m, n, z, lagOk } = prep;
  const d = 2 * m + 1;
  const G = new Float64Array(d * d);
  const a = new Float64Array(d);
  let count = 0;
  for (let i = 1; i < n; i++) {
    if (!lagOk[i] || !include(i)) continue;
    a[0] = 1;
    for (let j = 0; j < m; j++) {
      a[1 + j] = z[i * m + j];
      a[1 + m + j] = z[(i - 1) * m + j];
    }
    for (let p = 0; p < d; p++) {
      const ap = a[p];
      if (ap === 0) continue;
      const row = p * d;
      for (let q = p; q < d; q++) G[row + q] += ap * a[q];
    }
    count++;
  }
  for (let p = 0; p < d; p++) for (let q = 0; q < p; q++) G[p * d + q] = G[q * d + p];
  return { G, count };
}

/**
 * Ridge fit of a target on chosen features using the Gram matrix.
 * Target vector t = a[ti] (kind 0) or a[ti] - a[ti + m] (kind 1). Features exclude the target's own columns.
 */
function ridgeFromGram(
  G: Float64Array,
  m: number,
  target: number,
  kind: 0 | 1,
  feats: number[],
  lambda: number,
): { w: Float64Array; b: number } {
  const d = 2 * m + 1;
  const k = feats.length + 1; // intercept first
  const A = new Float64Array(k * k);
  const rhs = new Float64Array(k);
  const cols = [0, ...feats.map((f) => f + 1)];
  const t0 = 1 + target;
  const t1 = 1 + m + target;
  for (let p = 0; p < k; p++) {
    for (let q = 0; q < k; q++) A[p * k + q] = G[cols[p] * d + cols[q]];
    rhs[p] = G[cols[p] * d + t0] - (kind === 1 ? G[cols[p] * d + t1] : 0);
  }
  // do not penalize the intercept: add lambda to all but A[0]
  for (let p = 1; p < k; p++) A[p * k + p] += lambda;
  const x = solveSpd(A, rhs, k, 1e-9);
  return { w: x.subarray(1), b: x[0] };
}

/** Residual sum of squares of a ridge fit, from the Gram matrix alone. */
function sseFromGram(G: Float64Array, m: number, target: number, kind: 0 | 1, feats: number[], lambda: number): number {
  const d = 2 * m + 1;
  const t0 = 1 + target;
  const t1 = 1 + m + target;
  const yy = kind === 0 ? G[t0 * d + t0] : G[t0 * d + t0] - 2 * G[t0 * d + t1] + G[t1 * d + t1];
  const { w, b } = ridgeFromGram(G, m, target, kind, feats, lambda);
  const cols = [0, ...feats.map((f) => f + 1)];
  const coef = [b, ...w];
  let sse = yy;
  for (let p = 0; p < cols.length; p++) {
    const xy = G[cols[p] * d + t0] - (kind === 1 ? G[cols[p] * d + t1] : 0);
    sse -= 2 * coef[p] * xy;
    for (let q = 0; q < cols.length; q++) sse += coef[p] * coef[q] * G[cols[p] * d + cols[q]];
  }
  return sse;
}

/** Greedy forward selection of at most k inputs (deterministic: ties go to the lower index). */
function forwardSelect(
  G: Float64Array,
  m: number,
  target: number,
  kind: 0 | 1,
  cand: number[],
  k: number,
  lambda: number,
): number[] {
  const chosen: number[] = [];
  const d = 2 * m + 1;
  const t0 = 1 + target;
  const t1 = 1 + m + target;
  const yy = kind === 0 ? G[t0 * d + t0] : G[t0 * d + t0] - 2 * G[t0 * d + t1] + G[t1 * d + t1];
  let cur = sseFromGram(G, m, target, kind, [], lambda);
  const left = new Set(cand);
  while (chosen.length < k && left.size > 0) {
    let best = -1;
    let bestSse = cur;
    for (const f of left) {
      const sse = sseFromGram(G, m, target, kind, [...chosen, f], lambda);
      if (sse < bestSse - 1e-12) {
        bestSse = sse;
        best = f;
      }
    }
    // stop when the gain is below 0.1% of the target's variance
    if (best < 0 || cur - bestSse < 1e-3 * Math.max(yy, 1e-12)) break;
    chosen.push(best);
    left.delete(best);
    cur = bestSse;
  }
  return chosen.sort((x, y) => x - y);
}

function fitRelations(
  prep: Prepared,
  params: DetectParams,
  farOf: (j: number) => number,
  signals: string[],
  disabled: DisabledComponent[],
): Relation[] {
  const { m, n, z, lagOk } = prep;
  const kinds: (0 | 1)[] = [];
  if (params.components.includes("rel")) kinds.push(0);
  if (params.components.includes("delta")) kinds.push(1);
  const full = gram(prep, () => true);
  if (full.count < 4 * m) return [];
  const lambda = params.ridge * full.count;
  const d = 2 * m + 1;
  // specs: target, kind, features (selected on the full fit)
  const specs: { target: number; kind: 0 | 1; feats: number[] }[] = [];
  for (const kind of kinds)
    for (let t = 0; t < m; t++) {
      // skip constant targets
      if (full.G[(1 + t) * d + (1 + t)] / full.count < 1e-8) continue;
      const all: number[] = [];
      for (let f = 0; f < 2 * m; f++) if (f !== t && f !== t + m) all.push(f);
      const feats = forwardSelect(full.G, m, t, kind, all, params.relTopK, lambda);
      specs.push({ target: t, kind, feats });
    }
  // out-of-fold residual tolerances
  const folds = Math.max(2, params.folds);
  const foldOf = (i: number) => Math.min(folds - 1, Math.floor((i * folds) / n));
  const res: Float64Array[] = specs.map(() => new Float64Array(n).fill(Number.NaN));
  const resE: Float64Array[] = specs.map(() => new Float64Array(n).fill(Number.NaN));
  for (let f = 0; f < folds; f++) {
    const g = gram(prep, (i) => foldOf(i) !== f);
    if (g.count < 4 * m) continue;
    specs.forEach((s, si) => {
      const fit = ridgeFromGram(g.G, m, s.target, s.kind, s.feats, params.ridge * g.count);
      let ew = 0;
      let have = false;
      for (let i = 1; i < n; i++) {
        if (foldOf(i) !== f) continue;
        if (!lagOk[i]) {
          have = false;
          continue;
        }
        let pred = fit.b;
        for (let k = 0; k < s.feats.length; k++) {
          const ft = s.feats[k];
          const v = ft < m ? z[i * m + ft] : z[(i - 1) * m + ft - m];
          pred += fit.w[k] * v;
        }
        const y = s.kind === 0 ? z[i * m + s.target] : z[i * m + s.target] - z[(i - 1) * m + s.target];
        const e = y - pred;
        ew = have ? ew + params.alpha * (e - ew) : e * params.alpha;
        have = true;
        res[si][i] = Math.abs(e);
        resE[si][i] = Math.abs(ew);
      }
    });
  }
  const out: Relation[] = [];
  specs.forEach((s, si) => {
    // [DET-H1] a residual that wanders (out of fold) has too few independent readings to calibrate a
    // tolerance from: the relation is not kept
    const eff = effectiveSize(res[si]);
    if (eff < params.minEffective) {
      disabled.push({
        component: s.kind === 0 ? "rel" : "delta",
        signal: signals[s.target],
        reason: `residual has ${Math.round(eff)} effectively independent readings out of fold (need ${params.minEffective})`,
      });
      return;
    }
    const fit = ridgeFromGram(full.G, m, s.target, s.kind, s.feats, lambda);
    const far = farOf(s.target);
    out.push({
      target: s.target,
      kind: s.kind,
      feats: s.feats,
      w: Array.from(fit.w),
      b: fit.b,
      q: Math.max(tailThreshold(res[si], far).threshold, 0.05),
      // the EWMA of the residual needs its own independent readings to be calibrated ([DET-H1])
      qe:
        effectiveSize(resE[si]) >= params.minEffective ? Math.max(tailThreshold(resE[si], far).threshold, 0.02) : 1e12,
    });
  });
  return out;
}

function fitPca(prep: Prepared, params: DetectParams, far: number): { k: number; comps: number[]; q: number } | null {
  const { m, n, z } = prep;
  if (n < 2 * m || m < 3) return null;
  const C = new Float64Array(m * m);
  for (let i = 0; i < n; i++)
    for (let p = 0; p < m; p++) {
      const zp = z[i * m + p];
      for (let q = p; q < m; q++) C[p * m + q] += zp * z[i * m + q];
    }
  for (let p = 0; p < m; p++)
    for (let q = p; q < m; q++) {
      C[p * m + q] /= n;
      C[q * m + p] = C[p * m + q];
    }
  const { values, vectors } = symEig(C, m);
  let total = 0;
  for (let i = 0; i < m; i++) total += Math.max(0, values[i]);
  let k = 0;
  let acc = 0;
  while (k < m - 1 && acc < params.pcaVariance * total) acc += Math.max(0, values[k++]);
  const comps = Array.from(vectors.subarray(0, k * m));
  const spe = new Float64Array(n);
  const proj = new Float64Array(k);
  for (let i = 0; i < n; i++) spe[i] = speOf(z.subarray(i * m, (i + 1) * m), comps, k, m, proj);
  return { k, comps, q: Math.max(tailThreshold(spe, far).threshold, 1e-6) };
}

function speOf(zrow: ArrayLike<number>, comps: ArrayLike<number>, k: number, m: number, proj: Float64Array): number {
  let tot = 0;
  for (let j = 0; j < m; j++) tot += zrow[j] * zrow[j];
  let kept = 0;
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < m; j++) s += comps[c * m + j] * zrow[j];
    proj[c] = s;
    kept += s * s;
  }
  return Math.max(0, tot - kept);
}

/** One signal's part in an explanation. */
export interface Finding {
  signal: string;
  component: Component;
  severity: number;
  observed: number;
  expected: number;
  /** Deviation in the signal's training standard deviations. */
  sigmas: number;
  /**
   * Wall time at which this signal's severity last crossed 1 (since when); for `cusum`, the estimated change
   * point (the reading at which the cumulative sum last left 0).
   */
  since: number;
  /** For `cusum`: the drift's direction. */
  direction?: "up" | "down";
}

export interface Verdict {
  score: number;
  flag: 0 | 1;
  /** 1 on the reading that raises an alert, -1 on the reading that clears it, else 0. */
  edge: -1 | 0 | 1;
}

/** Online detector over rows of all signals. Constant memory; one call per row. */
export class Detector {
  readonly model: DetectorModel;
  readonly m: number;
  private readonly p: DetectParams;
  private readonly center: Float64Array;
  private readonly scale: Float64Array;
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly stepTolAbs: Float64Array;
  private readonly runTolN: Float64Array;
  private readonly runEps: Float64Array;
  private readonly season: Float64Array;
  private readonly seasonQ: Float64Array;
  /** 1 where range and level profile are judged (off for signals whose history was too short). */
  private readonly levelOn: Uint8Array;
  private readonly cusumScale: Float64Array;
  private readonly cusumQ: Float64Array;
  private readonly cusumK: Float64Array;
  private readonly cusumMu: Float64Array;
  private readonly relTarget: Int32Array;
  private readonly relKind: Uint8Array;
  private readonly relOff: Int32Array;
  private readonly relFeat: Int32Array;
  private readonly relW: Float64Array;
  private readonly relB: Float64Array;
  private readonly relQ: Float64Array;
  private readonly relQe: Float64Array;
  private readonly pcaComps: Float64Array;
  private readonly pcaK: number;
  private readonly pcaQ: number;
  private readonly enabled: Record<Component, boolean>;
  private readonly ruleI: Int32Array; // gate, state, kind, sig per rule
  private readonly ruleF: Float64Array; // lo, hi, tol per rule
  private readonly prevSwitch: Float64Array; // previous raw values (before this row)
  // state
  private readonly prevRaw: Float64Array;
  private readonly z: Float64Array; // [z(t), z(t-1)]
  private readonly run: Float64Array;
  private readonly cusP: Float64Array;
  private readonly cusN: Float64Array;
  /** Wall time at which each side of the CUSUM last left 0 (the change point), and the side of the finding. */
  private readonly cusFromP: Float64Array;
  private readonly cusFromN: Float64Array;
  private readonly cusSince: Float64Array;
  private readonly cusDir: Int8Array;
  private readonly relEw: Float64Array;
  private readonly relBias: Float64Array;
  private readonly relErr: Float64Array;
  /** Trained range of each signal in standard units (the relations' applicability domain). */
  private readonly zLo: Float64Array;
  private readonly zHi: Float64Array;
  /** Per (signal, component) sensitivity from false-alarm feedback. */
  private readonly gain: Float64Array;
  private readonly resid: Float64Array;
  /** Severity of each relation and of each signal's level (range, profile, CUSUM) on the last row. */
  private readonly relSev: Float64Array;
  private readonly levelSev: Float64Array;
  private readonly sevSig: Float64Array;
  private readonly sevComp: Uint8Array;
  private readonly expSig: Float64Array;
  private readonly since: Float64Array;
  private readonly proj: Float64Array;
  /** Coarsest measurement resolution seen per signal (quantization of the readings), learned online. */
  private readonly res: Float64Array;
  private readonly relQEff: Float64Array;
  private readonly relQeEff: Float64Array;
  private resDirty = true;
  /** Per-reading adaptation rate ([DET-D1]). */
  private readonly adaptRate: number;
  /** Some signal was outside its trained range on the previous row (relations' lagged inputs). */
  private outPrev = false;
  private started = false;
  private flagOn = false;
  private below = 0;
  private alertSince = Number.NaN;
  lastScore = 0;

  constructor(model: DetectorModel) {
    this.model = model;
    const m = model.signals.length;
    this.m = m;
    this.p = { ...DEFAULT_PARAMS, ...model.params };
    const P = this.p;
    this.center = Float64Array.from(model.center);
    this.scale = Float64Array.from(model.scale);
    this.lo = Float64Array.from(model.lo);
    this.hi = Float64Array.from(model.hi);
    this.stepTolAbs = Float64Array.from(model.maxStep, (s, j) => Math.max(s * P.stepTol * P.margin, model.runEps[j]));
    this.runTolN = Float64Array.from(model.maxRun, (r) => Math.max(3, r * P.runTol * P.margin));
    this.runEps = Float64Array.from(model.runEps);
    this.season = Float64Array.from(model.season);
    this.seasonQ = Float64Array.from(model.seasonQ, (q) => q * P.margin);
    this.levelOn = Uint8Array.from(model.seasonQ, (q, j) => (model.levelOff?.[j] === 1 || !(q > 0) ? 0 : 1));
    this.cusumScale = Float64Array.from(model.cusumScale);
    this.cusumQ = Float64Array.from(model.cusumQ, (q) => q * P.margin);
    this.cusumK = Float64Array.from(model.cusumK ?? model.cusumQ.map(() => P.cusumK));
    this.cusumMu = Float64Array.from(model.cusumMu ?? model.cusumQ.map(() => 0));
    const R = model.relations.length;
    this.relTarget = Int32Array.from(model.relations, (r) => r.target);
    this.relKind = Uint8Array.from(model.relations, (r) => r.kind);
    this.relOff = new Int32Array(R + 1);
    for (let r = 0; r < R; r++) this.relOff[r + 1] = this.relOff[r] + model.relations[r].feats.length;
    this.relFeat = Int32Array.from(model.relations.flatMap((r) => r.feats));
    this.relW = Float64Array.from(model.relations.flatMap((r) => r.w));
    this.relB = Float64Array.from(model.relations, (r) => r.b);
    this.relQ = Float64Array.from(model.relations, (r) => r.q * P.margin);
    this.relQe = Float64Array.from(model.relations, (r) => r.qe * P.margin);
    this.pcaK = model.pca?.k ?? 0;
    this.pcaComps = Float64Array.from(model.pca?.comps ?? []);
    this.pcaQ = (model.pca?.q ?? 1) * P.margin;
    this.enabled = Object.fromEntries(COMPONENTS.map((c) => [c, P.components.includes(c)])) as Record<
      Component,
      boolean
    >;
    this.prevRaw = new Float64Array(m).fill(Number.NaN);
    this.z = new Float64Array(2 * m);
    this.run = new Float64Array(m);
    this.cusP = new Float64Array(m);
    this.cusN = new Float64Array(m);
    this.cusFromP = new Float64Array(m).fill(Number.NaN);
    this.cusFromN = new Float64Array(m).fill(Number.NaN);
    this.cusSince = new Float64Array(m).fill(Number.NaN);
    this.cusDir = new Int8Array(m);
    this.relEw = new Float64Array(R);
    this.relBias = new Float64Array(R);
    this.relErr = new Float64Array(R);
    this.adaptRate =
      P.adapt > 0 ? P.adapt : P.adaptHours > 0 ? Math.min(1, model.periodMs / (P.adaptHours * 3_600_000)) : 0;
    this.zLo = Float64Array.from(model.lo, (v, j) => (v - model.center[j]) / model.scale[j]);
    this.zHi = Float64Array.from(model.hi, (v, j) => (v - model.center[j]) / model.scale[j]);
    this.gain = model.gain?.length === m * NC ? Float64Array.from(model.gain) : new Float64Array(m * NC).fill(1);
    this.resid = new Float64Array(m);
    this.relSev = new Float64Array(R);
    this.levelSev = new Float64Array(m);
    this.sevSig = new Float64Array(m);
    this.sevComp = new Uint8Array(m);
    this.expSig = new Float64Array(m);
    this.since = new Float64Array(m).fill(Number.NaN);
    this.proj = new Float64Array(Math.max(1, this.pcaK));
    const rules = model.rules ?? [];
    this.ruleI = Int32Array.from(rules.flatMap((r) => [r.gate, r.state, r.kind, r.sig]));
    this.ruleF = Float64Array.from(rules.flatMap((r) => [r.lo, r.hi, r.tol]));
    this.prevSwitch = new Float64Array(m).fill(Number.NaN);
    this.res = new Float64Array(m);
    this.relQEff = Float64Array.from(this.relQ);
    this.relQeEff = Float64Array.from(this.relQe);
  }

  /**
   * Rounded readings (e.g. two decimals) add an error of up to half a resolution step to every input of a
   * relation; its worst case bound is added to the learned tolerances so that quantization is not an anomaly.
   */
  private refreshTolerances(): void {
    const m = this.m;
    for (let r = 0; r < this.relB.length; r++) {
      const t = this.relTarget[r];
      let bound = ((this.relKind[r] === 1 ? 2 : 1) * this.res[t]) / (2 * this.scale[t]);
      for (let k = this.relOff[r]; k < this.relOff[r + 1]; k++) {
        const f = this.relFeat[k];
        const sj = f < m ? f : f - m;
        bound += (Math.abs(this.relW[k]) * this.res[sj]) / (2 * this.scale[sj]);
      }
      this.relQEff[r] = this.relQ[r] + bound;
      this.relQeEff[r] = this.relQe[r] + bound;
    }
    this.resDirty = false;
  }

  /** Forgets the stream history (a gap or a new file). Learned parameters are kept. */
  resetStream(): void {
    this.started = false;
    this.prevRaw.fill(Number.NaN);
    this.run.fill(0);
    this.cusP.fill(0);
    this.cusN.fill(0);
    this.cusFromP.fill(Number.NaN);
    this.cusFromN.fill(Number.NaN);
    this.relEw.fill(0);
    this.outPrev = false;
  }

  /**
   * Judges one row (values in model signal order; NaN = missing, imputed by the previous value).
   * Only this row and the detector's state are used: never a later reading.
   */
  step(wall: number, values: ArrayLike<number>): Verdict {
    const m = this.m;
    const P = this.p;
    const z = this.z;
    const sev = this.sevSig;
    const en = this.enabled;
    const started = this.started;
    const B = this.model.buckets;
    const b = bucketOf(B, wall);
    const G = this.gain;
    let outNow = false;
    // shift z(t) -> z(t-1)
    for (let j = 0; j < m; j++) z[m + j] = z[j];
    this.prevSwitch.set(this.prevRaw);
    for (let j = 0; j < m; j++) {
      let v = values[j];
      const prev = this.prevRaw[j];
      if (!Number.isFinite(v)) v = Number.isFinite(prev) ? prev : this.center[j];
      else if (this.res[j] < 1) {
        const q = resolutionOf(v);
        if (q > this.res[j]) {
          this.res[j] = q;
          this.resDirty = true;
        }
      }
      const resj = this.res[j];
      const gj = j * NC;
      const zj = (v - this.center[j]) / this.scale[j];
      z[j] = zj;
      if (zj > this.zHi[j] || zj < this.zLo[j]) outNow = true;
      let s = 0;
      let c = 0;
      let expected = this.center[j];
      const levelOn = this.levelOn[j] === 1;
      if (en.range && levelOn) {
        const span = this.hi[j] - this.lo[j];
        const tol = P.rangeTol * P.margin * span + this.runEps[j] + resj;
        const ex = v > this.hi[j] ? v - this.hi[j] : v < this.lo[j] ? this.lo[j] - v : 0;
        const r = (ex / tol) * G[gj];
        if (r > s) {
          s = r;
          c = 0;
          expected = v > this.hi[j] ? this.hi[j] : this.lo[j];
        }
      }
      if (started && Number.isFinite(prev)) {
        const d = Math.abs(v - prev);
        if (en.step) {
          const r = (d / this.stepTolAbs[j]) * G[gj + 1];
          if (r > s) {
            s = r;
            c = 1;
            expected = prev;
          }
        }
        if (d <= this.runEps[j]) this.run[j]++;
        else this.run[j] = 0;
        // a coarse resolution hides real variation: frozen values are then not evidence
        if (en.stuck && resj < 0.25 * this.scale[j]) {
          const r = (this.run[j] / this.runTolN[j]) * G[gj + 2];
          if (r > s) {
            s = r;
            c = 2;
            expected = Number.NaN;
          }
        }
      }
      const sIdx = j * B + b;
      const res = zj - this.season[sIdx];
      let lev = 0;
      if (en.season && levelOn) {
        const r = (Math.abs(res) / (this.seasonQ[j] + resj / this.scale[j])) * G[gj + 3];
        lev = r;
        if (r > s) {
          s = r;
          c = 3;
          expected = this.center[j] + this.season[sIdx] * this.scale[j];
        }
      }
      if (en.cusum && this.cusumQ[j] > 0) {
        const e = (res - this.cusumMu[j]) / this.cusumScale[j];
        const k = this.cusumK[j];
        const sp0 = this.cusP[j];
        const sn0 = this.cusN[j];
        let sp = Math.max(sp0 + e - k, 0);
        let sn = Math.max(sn0 - e - k, 0);
        if (sp0 === 0 && sp > 0) this.cusFromP[j] = wall;
        if (sn0 === 0 && sn > 0) this.cusFromN[j] = wall;
        const up = sp >= sn;
        const r = (up ? sp : sn) / this.cusumQ[j];
        if (r > lev) lev = r;
        // reset after an alarm: one drift raises one alert, and a drift that goes on raises it again
        if (r > P.cusumReset) {
          sp = 0;
          sn = 0;
        }
        this.cusP[j] = sp;
        this.cusN[j] = sn;
        if (r * G[gj + 4] > s) {
          s = r * G[gj + 4];
          c = 4;
          expected = this.center[j] + (this.season[sIdx] + this.cusumMu[j]) * this.scale[j];
          this.cusDir[j] = up ? 1 : -1;
          this.cusSince[j] = up ? this.cusFromP[j] : this.cusFromN[j];
        }
      }
      this.resid[j] = res;
      this.levelSev[j] = lev;
      sev[j] = s;
      this.sevComp[j] = c;
      this.expSig[j] = expected;
      this.prevRaw[j] = v;
    }
    if (started && (en.rel || en.delta)) {
      if (this.resDirty) this.refreshTolerances();
      const R = this.relB.length;
      const alpha = P.alpha;
      const xt = P.extrapolation;
      for (let r = 0; r < R; r++) {
        let pred = this.relB[r] + this.relBias[r];
        for (let k = this.relOff[r]; k < this.relOff[r + 1]; k++) pred += this.relW[k] * z[this.relFeat[k]];
        const t = this.relTarget[r];
        const kind = this.relKind[r];
        if (kind === 0 ? !en.rel : !en.delta) continue;
        const y = kind === 0 ? z[t] : z[t] - z[m + t];
        const e = y - pred;
        const ew = this.relEw[r] + alpha * (e - this.relEw[r]);
        this.relEw[r] = ew;
        // [DET-H2] outside the inputs' trained range a linear relation is an extrapolation: its tolerance
        // grows by the lever arm of each input's excursion (weight x distance beyond the trained range)
        let ext = 0;
        if (xt > 0 && (outNow || this.outPrev))
          for (let k = this.relOff[r]; k < this.relOff[r + 1]; k++) {
            const f = this.relFeat[k];
            const zf = z[f];
            const sj = f < m ? f : f - m;
            const d = zf > this.zHi[sj] ? zf - this.zHi[sj] : zf < this.zLo[sj] ? this.zLo[sj] - zf : 0;
            if (d > 0) ext += Math.abs(this.relW[k]) * d;
          }
        ext *= xt;
        const a = Math.abs(e) / (this.relQEff[r] + ext);
        const ae = Math.abs(ew) / (this.relQeEff[r] + ext);
        const sv = Math.max(a, ae) * G[t * NC + 5 + kind];
        if (sv > sev[t]) {
          sev[t] = sv;
          this.sevComp[t] = kind === 0 ? 5 : 6;
          this.expSig[t] =
            kind === 0 ? this.center[t] + pred * this.scale[t] : this.prevRaw[t] + (pred - y) * this.scale[t];
        }
        this.relErr[r] = e;
        this.relSev[r] = sv;
      }
    }
    if (en.state && this.ruleF.length > 0) {
      const cur = this.prevRaw; // now holds this row's values
      const prv = this.prevSwitch;
      const NR = this.ruleF.length / 3;
      for (let r = 0; r < NR; r++) {
        const g = this.ruleI[4 * r];
        const st = this.ruleI[4 * r + 1];
        if (cur[g] !== st) continue;
        const kind = this.ruleI[4 * r + 2];
        if (kind === 1 && (!started || prv[g] !== 1 - st)) continue;
        const x = this.ruleI[4 * r + 3];
        const v = kind === 0 ? cur[x] : prv[x];
        const lo = this.ruleF[3 * r];
        const hi = this.ruleF[3 * r + 1];
        const ex = v > hi ? v - hi : v < lo ? lo - v : 0;
        if (ex <= 0) continue;
        const sv0 = ex / (this.ruleF[3 * r + 2] + this.res[x]);
        // the inconsistency is reported on the switched signal (the actuator) and the reading it contradicts
        let sv = sv0 * G[g * NC + 8];
        if (sv > sev[g]) {
          sev[g] = sv;
          this.sevComp[g] = 8;
          this.expSig[g] = 1 - st;
        }
        sv = sv0 * G[x * NC + 8];
        if (sv > sev[x]) {
          sev[x] = sv;
          this.sevComp[x] = 8;
          this.expSig[x] = v > hi ? hi : lo;
        }
      }
    }
    if (this.pcaK > 0 && en.pca) {
      const spe = speOf(z, this.pcaComps, this.pcaK, m, this.proj) / this.pcaQ;
      if (spe > 1) {
        // attribute to the signal with the largest reconstruction error
        let best = 0;
        let bestE = -1;
        for (let j = 0; j < m; j++) {
          let rec = 0;
          for (let c = 0; c < this.pcaK; c++) rec += this.pcaComps[c * m + j] * this.proj[c];
          const e = Math.abs(z[j] - rec);
          if (e > bestE) {
            bestE = e;
            best = j;
          }
        }
        const sp = spe * G[best * NC + 7];
        if (sp > sev[best]) {
          sev[best] = sp;
          this.sevComp[best] = 7;
          let rec = 0;
          for (let c = 0; c < this.pcaK; c++) rec += this.pcaComps[c * m + best] * this.proj[c];
          this.expSig[best] = this.center[best] + rec * this.scale[best];
        }
      }
    }
    this.outPrev = outNow;
    if (this.adaptRate > 0 && !this.flagOn && started) this.adaptBaselines(b);
    let score = 0;
    for (let j = 0; j < m; j++) {
      const s = sev[j];
      if (s > score) score = s;
      if (s > 1) {
        if (Number.isNaN(this.since[j])) this.since[j] = wall;
      } else this.since[j] = Number.NaN;
    }
    this.started = true;
    this.lastScore = score;
    let edge: -1 | 0 | 1 = 0;
    if (!this.flagOn) {
      if (score > P.on) {
        this.flagOn = true;
        this.below = 0;
        this.alertSince = wall;
        edge = 1;
      }
    } else if (score < P.off) {
      this.below++;
      if (this.below > P.hold) {
        this.flagOn = false;
        edge = -1;
      }
    } else this.below = 0;
    return { score, flag: this.flagOn ? 1 : 0, edge };
  }

  /**
   * [DET-D1] slow adaptation on readings judged normal: each signal's level-profile bucket moves towards the
   * reading (the CUSUM keeps judging against it, so a new normal operating point stops re-alarming), and each
   * relation's bias towards its residual, only where the signal's severity is below `adaptGate`.
   */
  private adaptBaselines(b: number): void {
    const P = this.p;
    const a = this.adaptRate;
    const gate = P.adaptGate;
    const B = this.model.buckets;
    for (let j = 0; j < this.m; j++) {
      if (this.levelSev[j] >= gate) continue;
      this.season[j * B + b] += a * (this.resid[j] - this.cusumMu[j]);
    }
    if (this.relB.length && (this.enabled.rel || this.enabled.delta))
      for (let r = 0; r < this.relB.length; r++) {
        if (this.relSev[r] >= gate) continue;
        this.relBias[r] += a * this.relErr[r];
      }
  }

  /** Per-signal severity of the last row (read-only view). */
  get severities(): Float64Array {
    return this.sevSig;
  }

  /** Wall time at which the current alert was raised (NaN when none). */
  get alertStart(): number {
    return this.flagOn ? this.alertSince : Number.NaN;
  }

  /** Explains the last row: the signals whose severity is at least `min`, worst first. */
  explain(min = 1, max = 5): Finding[] {
    const out: Finding[] = [];
    for (let j = 0; j < this.m; j++) {
      const s = this.sevSig[j];
      if (s < min) continue;
      const observed = this.prevRaw[j];
      const expected = this.expSig[j];
      const cus = this.sevComp[j] === 4;
      const f: Finding = {
        signal: this.model.signals[j],
        component: COMPONENTS[this.sevComp[j]],
        severity: s,
        observed,
        expected,
        sigmas: Number.isFinite(expected) ? (observed - expected) / this.scale[j] : 0,
        since: cus && Number.isFinite(this.cusSince[j]) ? this.cusSince[j] : this.since[j],
      };
      if (cus) f.direction = this.cusDir[j] > 0 ? "up" : "down";
      out.push(f);
    }
    out.sort((a, b) => b.severity - a.severity || a.signal.localeCompare(b.signal));
    return out.slice(0, max);
  }
}

/** A user's verdict on an alert: its findings (signal, component, severity) were a false alarm. */
export interface FalseAlarm {
  findings: Pick<Finding, "signal" | "component" | "severity">[];
}

/**
 * [DET-A1] alert feedback: returns a copy of the model in which every (signal, component) named by a finding
 * of an alert marked false is made less sensitive, so that the same reading would score `margin` below the
 * alert threshold `on` (gain = min(gain, on x margin / severity)). Never below `floor` (one false alarm cannot
 * switch a check off); other signals and components are untouched. Pure.
 */
export function applyFalseAlarm(model: DetectorModel, fa: FalseAlarm, margin = 0.9, floor = 0.25): DetectorModel {
  const m = model.signals.length;
  const C = COMPONENTS.length;
  const gain = model.gain ? [...model.gain] : new Array<number>(m * C).fill(1);
  const on = model.params.on;
  for (const f of fa.findings) {
    const j = model.signals.indexOf(f.signal);
    const c = COMPONENTS.indexOf(f.component);
    if (j < 0 || c < 0 || !(f.severity > 0)) continue;
    const want = (on * margin) / f.severity;
    gain[j * C + c] = Math.max(floor, Math.min(gain[j * C + c], gain[j * C + c] * want));
  }
  return { ...model, gain, feedback: (model.feedback ?? 0) + 1 };
}

/** Resolution of a reading: 10^-d for the fewest decimals d (<= 6) that represent it, else 0. */
export function resolutionOf(v: number): number {
  let p = 1;
  for (let d = 0; d <= 6; d++) {
    const x = v * p;
    if (Math.abs(x - Math.round(x)) < 1e-6 * Math.max(1, Math.abs(x)) * 1e-3) return 1 / p;
    p *= 10;
  }
  return 0;
}

/** Runs a detector over a whole table; returns per-row scores and flags. */
export function runTable(
  det: Detector,
  wall: Float64Array,
  values: Float64Array,
): { score: Float64Array; flag: Uint8Array } {
  const m = det.m;
  const n = wall.length;
  const score = new Float64Array(n);
  const flag = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = det.step(wall[i], values.subarray(i * m, (i + 1) * m));
    score[i] = v.score;
    flag[i] = v.flag;
  }
  return { score, flag };
}

/** Replays the hysteresis rule over a score series (used when thresholds are chosen from labels). */
export function hysteresis(score: ArrayLike<number>, on: number, off: number, hold: number): Uint8Array {
  const out = new Uint8Array(score.length);
  let f = false;
  let below = 0;
  for (let i = 0; i < score.length; i++) {
    const s = score[i];
    if (!f) {
      if (s > on) {
        f = true;
        below = 0;
      }
    } else if (s < off) {
      below++;
      if (below > hold) f = false;
    } else below = 0;
    out[i] = f ? 1 : 0;
  }
  return out;
}
