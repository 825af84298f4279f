/**
 * The simulator's entry point for the CLI and the server: resolves a scenario (built-in id or file), applies
 * controls ([CTL-1]) for `with` and each `compare` set, runs the Monte Carlo and builds the report. Errors name
 * the engine's parameter (`parameter`: scenario, with, compare); the CLI and the server each map it to their
 * own name for it (an option, a request field).
 */

import type { Representative, SimulationReport, TraceEntry } from "../contracts/simulation.ts";
import { formatPath, type ModelIssue, nearest } from "../model/issues.ts";
import { type RawModel, validateRaw } from "../model/load.ts";
import type { CityModel } from "../model/model.ts";
import { applyPatch } from "../model/patch.ts";
import { bindScenario, GRID_POINTS } from "./bind.ts";
import { BUILT_IN, BUILT_IN_IDS } from "./library.ts";
import { type ChunkExecutor, monteCarlo } from "./run.ts";
import { parseScenarioObject, parseScenarioText, type Scenario, type ScenarioResult } from "./scenario.ts";
import { compareSets, representativeRun, type SetOut, summarize } from "./stats.ts";

export { BUILT_IN_IDS };

/**
 * A built-in id, or a YAML file read with `read` (the caller's I/O: the CLI passes fs.readFile; engines do none).
 */
export async function resolveScenario(spec: string, read: (path: string) => Promise<string>): Promise<ScenarioResult> {
  if (Object.hasOwn(BUILT_IN, spec)) return parseScenarioObject(BUILT_IN[spec], `built-in:${spec}`);
  let text: string;
  try {
    text = await read(spec);
  } catch {
    const guess = nearest(spec, BUILT_IN_IDS);
    return {
      ok: false,
      issues: [
        {
          severity: "error",
          code: "unknown-scenario",
          file: spec,
          line: 1,
          column: 1,
          path: "",
          message: `no built-in scenario "${spec}" and no such file${guess ? ` (did you mean ${guess}?)` : ""}; built-in: ${BUILT_IN_IDS.join(", ")}`,
        },
      ],
    };
  }
  return parseScenarioText(spec, text);
}

/** An engine error: `parameter` is the engine's own parameter name; the message does not repeat it. */
export type ControlError = { code: string; message: string; parameter: string };

/** The model with controls applied in order ([CTL-1]); implemented controls are already reflected and skipped. */
export function withControls(
  raw: RawModel,
  model: CityModel,
  ids: string[],
  parameter: string,
): { ok: true; model: CityModel; applied: string[]; skipped: string[] } | { ok: false; error: ControlError } {
  if (ids.length === 0) return { ok: true, model, applied: [], skipped: [] };
  let cur = raw;
  const applied: string[] = [];
  const skipped: string[] = [];
  for (const id of ids) {
    const ctl = model.controls.find((c) => c.id === id);
    if (!ctl) {
      const guess = nearest(
        id,
        model.controls.map((c) => c.id),
      );
      return {
        ok: false,
        error: {
          code: "unknown-control",
          parameter,
          message: `unknown control "${id}"${guess ? `; did you mean ${guess}?` : ""}${model.controls.length ? "" : " (the model has no controls)"}`,
        },
      };
    }
    if (ctl.status === "implemented") {
      skipped.push(id);
      continue;
    }
    const p = applyPatch(cur, ctl.patch);
    if (!p.ok)
      return {
        ok: false,
        error: { code: "bad-patch", parameter, message: `control ${id}: ${p.message}` },
      };
    cur = p.raw;
    applied.push(id);
  }
  const issues: string[] = [];
  const m = validateRaw(cur, (path, _code, message) => {
    if (issues.length < 3) issues.push(`${formatPath(path)}: ${message}`);
  });
  if (!m)
    return {
      ok: false,
      error: {
        code: "patched-invalid",
        parameter,
        message: `the model with ${ids.join(", ")} is invalid: ${issues.join("; ")}`,
      },
    };
  return { ok: true, model: m, applied, skipped };
}

const pct = (p: number) => `${Math.round(p * 1000) / 10}%`;

export type SimulateOptions = {
  runs: number;
  seed: number;
  workers: number;
  horizon?: number;
  with: string[];
  compare: string[][];
  onProgress?: (done: number, total: number) => void;
  /** Replay the representative run with a trace (for the HTML report). */
  trace?: boolean;
  /** Where the chunks run (e.g. a PostgreSQL queue); absent: `workers` threads. */
  executor?: ChunkExecutor;
};

export type { ChunkExecutor, SimulationReport };

export type SimulateOutcome =
  | {
      ok: true;
      report: SimulationReport;
      /** Summaries per defence set: baseline first, then each `compare` set. */
      sets: SetOut[];
      representative?: Representative;
    }
  | { ok: false; issues?: ModelIssue[]; error?: ControlError };

export async function simulate(
  loaded: { model: CityModel; raw: RawModel },
  scenario: Scenario,
  opts: SimulateOptions,
): Promise<SimulateOutcome> {
  const base = withControls(loaded.raw, loaded.model, opts.with, "with");
  if (!base.ok) return { ok: false, error: base.error };
  const bound = bindScenario(base.model, scenario, { horizon: opts.horizon });
  if (!bound.ok) return { ok: false, issues: bound.issues };
  const warnings = [...bound.compiled.warnings];
  if (base.skipped.length) warnings.push(`already implemented (not applied again): ${base.skipped.join(", ")}`);
  const models = [base.model];
  const labels = [opts.with];
  for (const set of opts.compare) {
    const ids = [...opts.with, ...set];
    const m = withControls(loaded.raw, loaded.model, ids, "compare");
    if (!m.ok) return { ok: false, error: m.error };
    models.push(m.model);
    labels.push(set);
  }
  const { merged, runners } = await monteCarlo(models, scenario.raw, scenario.file, {
    runs: opts.runs,
    seed: opts.seed,
    workers: opts.workers,
    horizon: opts.horizon,
    onProgress: opts.onProgress,
    executor: opts.executor,
  });
  const c0 = runners[0].compiled;
  const sets = merged.map((m, i) => summarize(runners[i].compiled, m, labels[i]));
  const t0 = sets[0].totals;
  // [SCN-4] a scenario whose effects land but whose objective is seldom reached binds weakly to this model
  if (c0.objective && t0.effectAppliedProbability >= 0.2 && t0.attackSuccessProbability < 0.05)
    warnings.push(
      `scenario ${scenario.id} binds weakly: attack effects landed in ${pct(t0.effectAppliedProbability)} of runs but its objective (${c0.objective.description}) was reached in ${pct(t0.attackSuccessProbability)}: its effects miss what the target services need, or redundancy and fallbacks absorb them`,
    );
  else if (!c0.objective && scenario.attack)
    warnings.push(`scenario ${scenario.id} has no objective: success counts any attack effect applied`);
  const compare = merged.slice(1).map((m, i) => compareSets(c0, merged[0], m, runners[i + 1].compiled, labels[i + 1]));
  const report: SimulationReport = {
    scenario: { id: scenario.id, name: scenario.name, deterministic: c0.deterministic },
    model: { name: base.model.city.name, assets: base.model.assets.length, services: base.model.services.length },
    runs: opts.runs,
    seed: opts.seed,
    horizonHours: c0.horizon,
    grid: { points: GRID_POINTS, stepHours: c0.horizon / (GRID_POINTS - 1) },
    controls: base.applied,
    objective: c0.objective
      ? { ...c0.objective, services: base.model.services.filter((_, j) => c0.objectiveSvc[j] === 1).map((x) => x.id) }
      : null,
    containment: c0.containment,
    totals: sets[0].totals,
    services: sets[0].services,
    rootCauses: sets[0].rootCauses ?? [],
    compare,
    warnings,
  };
  let representative: { run: number; trace: TraceEntry[] } | undefined;
  if (opts.trace) {
    const run = representativeRun(merged[0]);
    representative = { run, trace: runners[0].trace(opts.seed, run) };
  }
  return { ok: true, report, sets, representative };
}
