/** `detect nab`: run the streaming detector over a NAB data tree, write NAB results, optionally score. I/O lives here. */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { parseCsv } from "../csv.ts";
import type { DetectIssue, Result } from "../errors.ts";
import { type CostMatrix, NAB_PROFILES, type NabFile, type ProfileScore, probationLength, scoreNab } from "../nab.ts";
import { StreamDetector, type StreamOptions } from "../stream.ts";
import { parseTimestamp } from "../time.ts";

function listCsv(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith(".csv")) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Anomaly scores for one NAB stream (NAB's probationary rows are the detector's learning rows). */
export function nabScores(values: ArrayLike<number>, opts: Partial<StreamOptions> = {}): Float64Array {
  const n = values.length;
  const learn = probationLength(n);
  const det = new StreamDetector({ learn, suppress: Math.max(1, Math.round(learn * 0.3)), ...opts });
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = det.step(values[i]);
  return out;
}

export interface NabRun {
  files: number;
  scores?: Record<string, ProfileScore>;
  unlabelled: string[];
}

export async function nabCommand(o: {
  data: string;
  out: string;
  labels?: string;
  profiles?: string;
  score?: boolean;
  json?: boolean;
  params?: Partial<StreamOptions>;
  quiet?: boolean;
}): Promise<Result<NabRun>> {
  if (!existsSync(o.data) || !statSync(o.data).isDirectory()) {
    return { ok: false, issues: [{ code: "NAB_DATA", message: "not a directory of NAB data", path: o.data }] };
  }
  const files = listCsv(o.data);
  if (files.length === 0)
    return { ok: false, issues: [{ code: "NAB_DATA", message: "no CSV files found", path: o.data }] };
  const issues: DetectIssue[] = [];
  const runs: { rel: string; epoch: Float64Array; scores: Float64Array }[] = [];
  for (const f of files) {
    const t = parseCsv(readFileSync(f, "utf8"), f);
    if (!t.ok) {
      issues.push(...t.issues);
      continue;
    }
    const vi = t.value.signals.indexOf("value");
    if (vi < 0 || t.value.signals.length !== 1) {
      issues.push({ code: "NAB_COLUMNS", message: "expected columns timestamp,value", file: f, line: 1, column: 1 });
      continue;
    }
    const scores = nabScores(t.value.values, o.params);
    const rel = relative(o.data, f).split("\\").join("/");
    const lines = ["timestamp,value,anomaly_score"];
    for (let i = 0; i < scores.length; i++)
      lines.push(`${t.value.rawTimes[i].trim()},${t.value.values[i]},${scores[i].toFixed(6)}`);
    const dest = join(o.out, rel);
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, `${lines.join("\n")}\n`);
    runs.push({ rel, epoch: t.value.epoch, scores });
  }
  if (issues.length) return { ok: false, issues };
  const result: NabRun = { files: runs.length, unlabelled: [] };
  if (o.score) {
    const labelsPath = o.labels ?? join(o.data, "..", "labels", "combined_windows.json");
    const profilesPath = o.profiles ?? join(o.data, "..", "config", "profiles.json");
    let windows: Record<string, [string, string][]>;
    try {
      windows = JSON.parse(readFileSync(labelsPath, "utf8"));
    } catch (e) {
      return {
        ok: false,
        issues: [
          { code: "NAB_LABELS", message: `cannot read windows JSON: ${(e as Error).message}`, file: labelsPath },
        ],
      };
    }
    let profiles: Record<string, CostMatrix> = NAB_PROFILES;
    if (existsSync(profilesPath)) {
      try {
        const p = JSON.parse(readFileSync(profilesPath, "utf8")) as Record<string, { CostMatrix: CostMatrix }>;
        profiles = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v.CostMatrix]));
      } catch (e) {
        return {
          ok: false,
          issues: [
            { code: "NAB_PROFILES", message: `cannot read profiles: ${(e as Error).message}`, file: profilesPath },
          ],
        };
      }
    }
    const nf: NabFile[] = [];
    for (const r of runs) {
      const w = windows[r.rel];
      if (!w) {
        result.unlabelled.push(r.rel);
        continue;
      }
      const lim: [number, number][] = [];
      for (const [a, b] of w) {
        const ta = parseTimestamp(a);
        const tb = parseTimestamp(b);
        if (!ta || !tb)
          return {
            ok: false,
            issues: [{ code: "NAB_LABELS", message: `bad window [${a}, ${b}] for ${r.rel}`, file: labelsPath }],
          };
        lim.push([ta.epoch, tb.epoch]);
      }
      nf.push({ name: r.rel, times: r.epoch, scores: r.scores, windows: lim });
    }
    result.scores = scoreNab(nf, profiles);
    if (!o.quiet) {
      if (o.json) process.stdout.write(`${JSON.stringify({ files: nf.length, scores: result.scores })}\n`);
      else
        for (const [k, v] of Object.entries(result.scores))
          process.stdout.write(
            `${k.padEnd(20)} score=${v.normalized.toFixed(2)} threshold=${v.threshold.toFixed(6)} tp=${v.tp} fp=${v.fp} fn=${v.fn} windows=${v.windows}\n`,
          );
      if (result.unlabelled.length)
        process.stderr.write(
          `warning: ${result.unlabelled.length} files have no windows in ${labelsPath}; not scored\n`,
        );
    }
  } else if (!o.quiet) process.stderr.write(`wrote results for ${runs.length} files under ${o.out}\n`);
  return { ok: true, value: result };
}
