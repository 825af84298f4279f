/** `detect validate`: reads the reference data and runs the protocols of `validate.ts`. I/O lives here. */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseCsv, type Table } from "../csv.ts";
import type { DetectParams } from "../engine.ts";
import type { DetectIssue, Result } from "../errors.ts";
import { NAB_PROFILES, probationLength } from "../nab.ts";
import { parseTimestamp } from "../time.ts";
import {
  type BatadalProtocol,
  batadalProtocol,
  type CampaignProtocol,
  campaignProtocol,
  NAB_GRID,
  type NabLocoResult,
  type NabSeries,
  type NabSetting,
  nabLoco,
  SHORT_REPORT_SEEDS,
  type ShortHistoryResult,
  shortHistoryProtocol,
} from "../validate.ts";
import { nabScores } from "./nab.ts";

export interface ValidateReport {
  batadal?: BatadalProtocol;
  nab?: NabLocoResult<NabSetting>;
  short?: ShortHistoryResult;
  twin?: CampaignProtocol;
  /** Why the twin protocol did not run. */
  twinNote?: string;
}

function load(file: string, labelColumn: string): Result<Table> {
  if (!existsSync(file)) return { ok: false, issues: [{ code: "FILE_NOT_FOUND", message: "no such file", file }] };
  return parseCsv(readFileSync(file, "utf8"), file, { labelColumn, requireLabel: true });
}

export function loadNabSeries(dataDir: string, labelsFile: string): Result<NabSeries[]> {
  const issues: DetectIssue[] = [];
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory())
    return { ok: false, issues: [{ code: "NAB_DATA", message: "not a directory of NAB data", path: dataDir }] };
  let windows: Record<string, [string, string][]>;
  try {
    windows = JSON.parse(readFileSync(labelsFile, "utf8"));
  } catch (e) {
    return { ok: false, issues: [{ code: "NAB_LABELS", message: (e as Error).message, file: labelsFile }] };
  }
  const out: NabSeries[] = [];
  for (const cat of readdirSync(dataDir).sort()) {
    const d = join(dataDir, cat);
    if (!statSync(d).isDirectory()) continue;
    for (const f of readdirSync(d).sort()) {
      if (!f.endsWith(".csv")) continue;
      const name = `${cat}/${f}`;
      const w = windows[name];
      if (!w) continue; // a file without windows cannot be scored (held-back categories)
      const t = parseCsv(readFileSync(join(d, f), "utf8"), join(d, f));
      if (!t.ok) {
        issues.push(...t.issues);
        continue;
      }
      const lim: [number, number][] = [];
      for (const [a, b] of w) {
        const ta = parseTimestamp(a);
        const tb = parseTimestamp(b);
        if (ta && tb) lim.push([ta.epoch, tb.epoch]);
        else issues.push({ code: "NAB_LABELS", message: `bad window for ${name}`, file: labelsFile });
      }
      out.push({ name, category: cat, epoch: t.value.epoch, values: t.value.values, windows: lim });
    }
  }
  return issues.length ? { ok: false, issues } : { ok: true, value: out };
}

/** Anomaly scores of one NAB series under one searched setting. */
export function nabRun(s: NabSeries, o: NabSetting): Float64Array {
  const learn = probationLength(s.values.length);
  return nabScores(s.values, {
    fire: o.fire,
    suppress: Math.max(1, Math.round(learn * o.suppressFraction)),
    scales: [1, o.scale],
  });
}

/**
 * The twin's campaigns in a folder: `train-*.csv` (attack-free, `twin dataset --attacks 0`), `tune-*.csv` and
 * `report-*.csv` (labelled campaigns of different seeds).
 */
function twinProtocol(dir: string, params?: Partial<DetectParams>): Result<CampaignProtocol> {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    return { ok: false, issues: [{ code: "TWIN_DATA", message: "not a directory of twin campaigns", path: dir }] };
  const files = readdirSync(dir).sort();
  const group = (prefix: string): Result<Table[]> => {
    const out: Table[] = [];
    for (const f of files.filter((x) => x.startsWith(prefix) && x.endsWith(".csv"))) {
      const t = load(join(dir, f), "ATT_FLAG");
      if (!t.ok) return t;
      out.push(t.value);
    }
    if (out.length === 0)
      return { ok: false, issues: [{ code: "TWIN_DATA", message: `no ${prefix}*.csv files`, path: dir }] };
    return { ok: true, value: out };
  };
  const train = group("train-");
  if (!train.ok) return train;
  const tune = group("tune-");
  if (!tune.ok) return tune;
  const report = group("report-");
  if (!report.ok) return report;
  return campaignProtocol(train.value, tune.value, report.value, params);
}

export function validateCommand(o: {
  batadal?: string;
  nab?: string;
  twin?: string;
  only?: string[];
  params?: Partial<DetectParams>;
}): Result<ValidateReport> {
  const want = (p: string) => !o.only || o.only.length === 0 || o.only.includes(p);
  const report: ValidateReport = {};
  if (want("batadal") && o.batadal) {
    const d3 = load(join(o.batadal, "BATADAL_dataset03.csv"), "ATT_FLAG");
    if (!d3.ok) return d3;
    const d4 = load(join(o.batadal, "dataset04_fully_labeled.csv"), "ATT_FLAG");
    if (!d4.ok) return d4;
    const r = batadalProtocol(d3.value, d4.value, o.params);
    if (!r.ok) return r;
    report.batadal = r.value;
  }
  if (want("nab") && o.nab) {
    const s = loadNabSeries(join(o.nab, "data"), join(o.nab, "labels", "combined_windows.json"));
    if (!s.ok) return s;
    report.nab = nabLoco(s.value, NAB_GRID, nabRun, NAB_PROFILES);
  }
  if (want("short")) report.short = shortHistoryProtocol(SHORT_REPORT_SEEDS, o.params);
  if (want("twin")) {
    if (o.twin) {
      const r = twinProtocol(o.twin, o.params);
      if (!r.ok) return r;
      report.twin = r.value;
    } else
      report.twinNote =
        "not run: no twin campaigns given (a folder of train-*.csv, tune-*.csv, report-*.csv from `rampart twin dataset`)";
  }
  return { ok: true, value: report };
}
