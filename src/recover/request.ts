/**
 * Plans and DRPs from API requests (src/contracts/recover.ts): the same engine as the CLI, with errors naming
 * the request field ([RCV-7]). Built-in scenarios only: a request never makes the engine read a file.
 */
import type { DrpRequest, DrpResponse, RecoverError, RecoverPlanRequest, RecoveryPlan } from "../contracts/recover.ts";
import type { CityModel } from "../model/model.ts";
import { LAYERS, type Layer, SECTORS, type Sector } from "../model/primitives.ts";
import { BUILT_IN, BUILT_IN_IDS } from "../simulate/library.ts";
import { parseScenarioObject } from "../simulate/scenario.ts";
import { disasterRecoveryPlan } from "./drp.ts";
import { downSetFromScenario } from "./from-scenario.ts";
import { planRestoration, replan } from "./plan.ts";
import { buildProblem, type CrewFile } from "./problem.ts";

type Out<T> = { ok: true; value: T } | { ok: false; error: RecoverError };
const refuse = (code: string, parameter: string, message: string): { ok: false; error: RecoverError } => ({
  ok: false,
  error: { code, parameter, message },
});

export function planFromRequest(model: CityModel, req: RecoverPlanRequest): Out<RecoveryPlan> {
  const notes: string[] = [];
  let down = (req.down ?? []).map((id) => ({ id }));
  let parameter = "down";
  if (req.scenario !== undefined) {
    parameter = "scenario";
    if (!Object.hasOwn(BUILT_IN, req.scenario))
      return refuse("unknown-scenario", "scenario", `expected a built-in scenario: ${BUILT_IN_IDS.join(", ")}`);
    const sc = parseScenarioObject(BUILT_IN[req.scenario], `built-in:${req.scenario}`);
    if (!sc.ok) return refuse("bad-scenario", "scenario", sc.issues[0]?.message ?? "the scenario does not parse");
    const ds = downSetFromScenario(model, sc.scenario, req.seed ?? 1);
    if (!ds) return refuse("nothing-down", "scenario", `${req.scenario} damaged no asset in 1000 runs of this seed`);
    down = ds.down.map((id) => ({ id }));
    notes.push(
      `down set: scenario ${req.scenario}, seed ${req.seed}, run ${ds.run}, at ${Math.round(ds.at * 100) / 100}h (the moment of maximum weighted loss rate); planned as all down at plan time 0 with buffers full`,
    );
  }
  let crewFile: CrewFile | undefined;
  if (req.crews) {
    for (const [i, c] of req.crews.entries()) {
      for (const [k, l] of (c.layers ?? []).entries())
        if (!(LAYERS as readonly string[]).includes(l))
          return refuse("bad-layer", `crews[${i}].layers[${k}]`, `expected one of ${LAYERS.join(", ")}, found "${l}"`);
      for (const [k, s] of (c.sectors ?? []).entries())
        if (!(SECTORS as readonly string[]).includes(s))
          return refuse(
            "bad-sector",
            `crews[${i}].sectors[${k}]`,
            `expected one of ${SECTORS.join(", ")}, found "${s}"`,
          );
      if (c.shift && c.shift.hours > c.shift.every)
        return refuse("bad-shift", `crews[${i}].shift.hours`, `expected hours <= every (${c.shift.every})`);
    }
    const ids = new Set<string>();
    for (const [i, c] of req.crews.entries()) {
      if (ids.has(c.id)) return refuse("duplicate-id", `crews[${i}].id`, `crew "${c.id}" is listed twice`);
      ids.add(c.id);
    }
    crewFile = {
      crews: req.crews.map((c) => ({
        id: c.id,
        count: c.count,
        layers: c.layers as Layer[] | undefined,
        sectors: c.sectors as Sector[] | undefined,
        shift: c.shift ?? { from: 0, hours: 24, every: 24 },
        source: "request",
      })),
      durations: new Map(Object.entries(req.durations ?? {})),
      where: () => ({ file: "request", line: 1, column: 1 }),
    };
  } else if (req.durations)
    crewFile = {
      crews: [],
      durations: new Map(Object.entries(req.durations)),
      where: () => ({ file: "request", line: 1, column: 1 }),
    };
  if (crewFile && crewFile.crews.length === 0) {
    // durations without crews: the model's crews with the given durations
    const pb0 = buildProblem({ model, down, downParameter: parameter });
    if (!pb0.ok) return problemError(pb0);
    crewFile.crews = pb0.problem.crews;
  }
  const pb = buildProblem({ model, down, crewFile, downParameter: parameter });
  if (!pb.ok) return problemError(pb);
  let plan = planRestoration(pb.problem, { exactMax: req.exactMax, notes });
  if (req.completions?.length || req.now !== undefined) {
    const r = replan(pb.problem, plan, req.completions ?? [], req.now, { exactMax: req.exactMax, notes });
    if (!r.ok) return refuse(r.error.code, r.error.parameter, r.error.message);
    plan = r.plan;
  }
  return { ok: true, value: plan };
}

function problemError(pb: Extract<ReturnType<typeof buildProblem>, { ok: false }>): { ok: false; error: RecoverError } {
  const e = pb.errors[0];
  if (e) return refuse(e.code, e.parameter, e.message);
  const i = pb.issues[0];
  return refuse(i?.code ?? "invalid", i?.path || "crews", i?.message ?? "invalid request");
}

export function drpFromRequest(model: CityModel, req: DrpRequest): Out<DrpResponse> {
  const r = disasterRecoveryPlan(model, req.service, { runs: req.runs, seed: req.seed });
  if (!r.ok) return refuse("unknown-service", "service", r.message);
  return { ok: true, value: { drp: r.drp, plan: r.plan } };
}
