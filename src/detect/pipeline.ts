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
    const runs = labelled.map(({ t, v }) => ({ t, score: runTable(new Detector(model), t.wall, v).score }));
    let best = { S: -1, on: model.params.on, hold: model.params.hold };
    for (const on of [1, 1.25, 1.5, 2, 3, 5])
      for (const hold of [0, 3, 6, 12, 24, 48]) {
        let S = 0;
        for (const { t, score } of runs) {
          const f = hysteresis(score, on, on, hold);
          S += scoreBatadal(t.rawTimes, t.labels!, new Map(t.rawTimes.map((k, i) => [k.trim(), f[i]]))).S;
        }
        S /= runs.length;
        if (S > best.S + 1e-12) best = { S, on, hold };
      }
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
