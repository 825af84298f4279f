/**
 * Lessons learned into the model (docs/exercise.md "Lessons"): a lesson is a proposed model change in the
 * controls' patch form ([CTL-1]); its effect is simulated on the same seed and runs as the model it changes
 * ([LSN-1]); a patch that does not apply or gives an invalid model is refused ([LSN-2]). The resilience
 * overview simulates every version on the same seed and runs ([LSN-4]).
 */
import type { LessonScenarioDelta, ResilienceRow } from "../contracts/exercise.ts";
import { formatPath } from "../model/issues.ts";
import { type RawModel, validateRaw } from "../model/load.ts";
import type { CityModel } from "../model/model.ts";
import { applyPatch, type PatchOpLike } from "../model/patch.ts";
import { monteCarlo } from "../simulate/run.ts";
import type { Scenario } from "../simulate/scenario.ts";
import { compareSets, summarize } from "../simulate/stats.ts";

export type LessonError = { code: "bad-patch" | "patched-invalid"; message: string; parameter: string };

/** [LSN-2] The model with the lesson's patch applied, or what is wrong with it (operation and field). */
export function applyLesson(
  raw: RawModel,
  ops: readonly PatchOpLike[],
): { ok: true; raw: RawModel; model: CityModel } | { ok: false; error: LessonError } {
  const p = applyPatch(raw as Record<string, unknown>, ops);
  if (!p.ok)
    return {
      ok: false,
      error: { code: "bad-patch", parameter: `patch[${p.op}]`, message: `patch[${p.op}]: ${p.message}` },
    };
  const issues: string[] = [];
  const m = validateRaw(p.raw as RawModel, (path, _code, message) => {
    if (issues.length < 3) issues.push(`${formatPath(path)}: ${message}`);
  });
  if (!m)
    return {
      ok: false,
      error: {
        code: "patched-invalid",
        parameter: "patch",
        message: `the patched model is invalid: ${issues.join("; ")}`,
      },
    };
  return { ok: true, raw: p.raw as RawModel, model: m };
}

const objectivesMet = (p: number | null) => p;

/**
 * [LSN-1] The lesson's effect per scenario: the model and the patched model, same seed and runs (common random
 * numbers), expected person-hours and objectives met, and the paired difference with its 95 % interval.
 */
export async function compareLesson(
  base: CityModel,
  patched: CityModel,
  scenarios: Scenario[],
  opts: { seed: number; runs: number },
): Promise<LessonScenarioDelta[]> {
  const out: LessonScenarioDelta[] = [];
  for (const sc of scenarios) {
    const { merged, runners } = await monteCarlo([base, patched], sc.raw, sc.file, {
      runs: opts.runs,
      seed: opts.seed,
      workers: 1,
    });
    const a = summarize(runners[0].compiled, merged[0], []);
    const b = summarize(runners[1].compiled, merged[1], ["lesson"]);
    const cmp = compareSets(runners[0].compiled, merged[0], merged[1], runners[1].compiled, ["lesson"]);
    const d = cmp.totals.personHours.diff;
    out.push({
      scenario: sc.id,
      base: { personHours: a.totals.personHours.mean, objectivesMet: objectivesMet(a.totals.objectivesMetProbability) },
      patched: {
        personHours: b.totals.personHours.mean,
        objectivesMet: objectivesMet(b.totals.objectivesMetProbability),
      },
      diff: { mean: d.mean, ci95: [d.ci95[0], d.ci95[1]] },
    });
  }
  return out;
}

/** [LSN-4] Each version's expected person-hours and objectives met per scenario, same seed and runs. */
export async function resilience(
  versions: { version: number; message: string; model: CityModel }[],
  scenarios: Scenario[],
  opts: { seed: number; runs: number },
): Promise<ResilienceRow[]> {
  const rows: ResilienceRow[] = [];
  for (const v of versions) {
    const cells: ResilienceRow["scenarios"] = [];
    for (const sc of scenarios) {
      try {
        const { merged, runners } = await monteCarlo([v.model], sc.raw, sc.file, {
          runs: opts.runs,
          seed: opts.seed,
          workers: 1,
        });
        const s = summarize(runners[0].compiled, merged[0], []);
        cells.push({
          scenario: sc.id,
          personHours: s.totals.personHours.mean,
          objectivesMet: s.totals.objectivesMetProbability,
        });
      } catch {
        // the scenario does not bind to this version (an asset it names is gone): no figure for it
      }
    }
    rows.push({ version: v.version, message: v.message, scenarios: cells });
  }
  return rows;
}
