/** Train / run over parsed tables: column matching, label-driven thresholds, alerts. Pure. */
import type { Table } from "./csv.ts";
import {
  Detector,
  type DetectorModel,
  type DetectParams,
  type DisabledComponent,
  type Finding,
  hysteresis,
  runTable,
  type TrainSegment,
  train,
} from "./engine.ts";
import type { DetectIssue, Result } from "./errors.ts";
import { scoreBatadal } from "./score.ts";

/** Reorders a table's columns to `signals`; names every missing signal. */
export function alignTable(t: Table, signals: string[]): Result<Float64Array> {
  const idx = new Map(t.signals.map((s, i) => [s, i]));
  const missing = signals.filter((s) => !idx.has(s));
  if (missing.length) {
    return {
      ok: false,
      issues: [
        {
          code: "DETECT_SIGNAL_MISSING",
          message: `signals the detector was trained on are missing: ${missing.slice(0, 8).join(", ")}${missing.length > 8 ? ", ..." : ""}`,
          file: t.file,
          line: 1,
          column: 1,
        },
      ],
    };
  }
  const m = t.signals.length;
  const k = signals.length;
  const n = t.epoch.length;
  const cols = signals.map((s) => idx.get(s)!);
  const same = cols.every((c, i) => c === i) && k === m;
  if (same) return { ok: true, value: t.values };
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) out[i * k + j] = t.values[i * m + cols[j]];
  return { ok: true, value: out };
}

/** Alert thresholds (`on`) and holds (readings) tried when labels choose them ([DET-V1], and `trainTables` with labelled files). */
export const BATADAL_ON_GRID = [1, 1.25, 1.5, 2, 3, 5];
export const BATADAL_HOLD_GRID = [0, 3, 6, 12, 24, 48];

export interface JudgedRun {
  score: Float64Array;
  keys: string[];
  labels: Int8Array;
}

/**
 * The alert threshold and hold that maximise the mean BATADAL S over the tuning runs. A tuning set with few
 * attacks leaves a plateau of equal scores: the setting whose grid neighbourhood scores best (the middle of
 * the plateau) is chosen, not the first of a tie.
 */
export function chooseThresholds(
  runs: JudgedRun[],
  fallback: { on: number; hold: number },
  maxFalseAlarmRate = 1,
): { on: number; hold: number; tuneS: number } {
  // a setting that flags more than `maxFalseAlarmRate` of the labelled normal rows is not eligible (its S
  // counts as 0), unless none is eligible
  const cell = BATADAL_ON_GRID.map((on) =>
    BATADAL_HOLD_GRID.map((hold) => {
      let S = 0;
      let fp = 0;
      let neg = 0;
      for (const r of runs) {
        const f = hysteresis(r.score, on, on, hold);
        const sc = scoreBatadal(r.keys, r.labels, new Map(r.keys.map((k, i) => [k.trim(), f[i]])));
        S += sc.S;
        fp += sc.FP;
        neg += sc.FP + sc.TN;
      }
      return { S: S / Math.max(1, runs.length), far: neg ? fp / neg : 0 };
    }),
  );
  const anyOk = cell.some((row) => row.some((c) => c.far <= maxFalseAlarmRate));
  const grid = cell.map((row) => row.map((c) => (!anyOk || c.far <= maxFalseAlarmRate ? c.S : 0)));
  const best = { on: fallback.on, hold: fallback.hold, tuneS: -1 };
  let bestSmooth = -1;
  for (let a = 0; a < grid.length; a++)
    for (let b = 0; b < grid[a].length; b++) {
      let sum = 0;
      let c = 0;
      for (let da = -1; da <= 1; da++)
        for (let db = -1; db <= 1; db++) {
          const v = grid[a + da]?.[b + db];
          if (v === undefined) continue;
          sum += v;
          c++;
        }
      const smooth = 0.5 * grid[a][b] + (0.5 * sum) / c;
      if (smooth > bestSmooth + 1e-12) {
        bestSmooth = smooth;
        best.on = BATADAL_ON_GRID[a];
        best.hold = BATADAL_HOLD_GRID[b];
        best.tuneS = cell[a][b].S;
      }
    }
  return best;
}

export interface TrainReport {
  rows: number;
  attackRowsExcluded: number;
  thresholdsFromLabels: boolean;
  /** In-sample S on the labelled tables when thresholds were chosen from labels. */
  labelledS?: number;
  /** Components switched off because the history was too short or too poor for them ([DET-H1]). */
  disabled: DisabledComponent[];
}

export function trainTables(
  tables: Table[],
  params: Partial<DetectParams> = {},
  opts: { chooseFromLabels?: boolean } = {},
): Result<{ model: DetectorModel; report: TrainReport }> {
  const issues: DetectIssue[] = [];
  const signals = tables[0].signals;
  const segs: TrainSegment[] = [];
  let attack = 0;
  for (const t of tables) {
    const a = alignTable(t, signals);
    if (!a.ok) {
      issues.push(...a.issues);
      continue;
    }
    if (t.labels) for (const l of t.labels) if (l === 1) attack++;
    segs.push({ wall: t.wall, values: a.value, labels: t.labels });
  }
  if (issues.length) return { ok: false, issues };
  let model = train(signals, segs, params);
  if (model.trainedRows < 10) {
    return {
      ok: false,
      issues: [
        {
          code: "DETECT_TOO_FEW_ROWS",
          message: `only ${model.trainedRows} normal rows to learn from (need at least 10)`,
          file: tables[0].file,
        },
      ],
    };
  }
  const report: TrainReport = {
    rows: model.trainedRows,
    attackRowsExcluded: attack,
    thresholdsFromLabels: false,
    disabled: model.disabled ?? [],
  };
  // Labels may set thresholds: choose the alert threshold and hold that maximise BATADAL's S on labelled tables.
  const labelled = tables.map((t, i) => ({ t, v: segs[i].values })).filter(({ t }) => t.labels?.some((l) => l === 1));
  if (labelled.length && opts.chooseFromLabels !== false) {
    const runs = labelled.map(({ t, v }) => ({
      score: runTable(new Detector(model), t.wall, v).score,
      keys: t.rawTimes,
      labels: t.labels!,
    }));
    const c = chooseThresholds(runs, model.params, model.params.maxFalseAlarmRate ?? 1);
    const best = { S: c.tuneS, on: c.on, hold: c.hold };
    model = { ...model, params: { ...model.params, on: best.on, off: best.on, hold: best.hold } };
    report.thresholdsFromLabels = true;
    report.labelledS = best.S;
  }
  return { ok: true, value: { model, report } };
}

export interface Alert {
  /** Raw timestamp of the reading that raised the alert. */
  start: string;
  /** Raw timestamp of the reading that cleared it (undefined while open). */
  end?: string;
  peak: number;
  findings: Finding[];
}

export function runModel(
  model: DetectorModel,
  t: Table,
): Result<{ score: Float64Array; flag: Uint8Array; alerts: Alert[] }> {
  const a = alignTable(t, model.signals);
  if (!a.ok) return a;
  const det = new Detector(model);
  const m = model.signals.length;
  const n = t.epoch.length;
  const score = new Float64Array(n);
  const flag = new Uint8Array(n);
  const alerts: Alert[] = [];
  let cur: Alert | null = null;
  for (let i = 0; i < n; i++) {
    const v = det.step(t.wall[i], a.value.subarray(i * m, (i + 1) * m));
    score[i] = v.score;
    flag[i] = v.flag;
    if (v.edge === 1) {
      cur = { start: t.rawTimes[i].trim(), peak: v.score, findings: det.explain(1, 5) };
      alerts.push(cur);
    } else if (cur && v.flag) {
      if (v.score > cur.peak) {
        cur.peak = v.score;
        // keep the explanation of the worst moment, but remember when it began
        cur.findings = det.explain(1, 5);
      }
    } else if (cur && v.edge === -1) {
      cur.end = t.rawTimes[i].trim();
      cur = null;
    }
  }
  return { ok: true, value: { score, flag, alerts } };
}

/** Validates a parsed detector JSON (shape only; numbers are trusted once the shape holds). */
export function checkModel(x: unknown, file: string): Result<DetectorModel> {
  const bad = (message: string): Result<DetectorModel> => ({
    ok: false,
    issues: [{ code: "DETECTOR_INVALID", message, file }],
  });
  if (!x || typeof x !== "object") return bad("expected a JSON object");
  const o = x as Record<string, unknown>;
  if (o.format !== "rampart.detector") return bad('expected "format": "rampart.detector"');
  if (o.version !== 1) return bad("unsupported detector version (expected 1)");
  if (!Array.isArray(o.signals) || !o.signals.every((s) => typeof s === "string"))
    return bad("signals must be a list of names");
  const m = o.signals.length;
  for (const k of ["center", "scale", "lo", "hi", "maxStep", "maxRun", "runEps", "seasonQ", "cusumScale", "cusumQ"]) {
    const v = o[k];
    if (!Array.isArray(v) || v.length !== m || !v.every((n) => typeof n === "number"))
      return bad(`${k} must be ${m} numbers`);
  }
  for (const k of ["cusumK", "cusumMu"]) {
    const v = o[k];
    if (v !== undefined && (!Array.isArray(v) || v.length !== m || !v.every((n) => typeof n === "number")))
      return bad(`${k} must be ${m} numbers when present`);
  }
  if (!Array.isArray(o.relations) || !Array.isArray(o.season) || typeof o.params !== "object")
    return bad("missing relations, season or params");
  return { ok: true, value: x as DetectorModel };
}
