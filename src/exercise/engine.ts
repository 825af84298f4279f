/**
 * The exercise engine (docs/exercise.md): an exercise built from a scenario and a seed, its injects from the
 * simulator's timeline, decisions played into the simulation as scenario actions from the moment they were
 * taken, the outcome compared with doing nothing and with the best response a seeded search finds, and the
 * after-action review. Pure: no clock, no I/O; randomness only from the exercise's seed.
 */
import type { Decision, ExerciseDef, Inject, Outcome, Review } from "../contracts/exercise.ts";
import type { SimulationReport, TraceEntry } from "../contracts/simulation.ts";
import { buildIndex, type CityIndex } from "../model/graph.ts";
import { formatIssue, type ModelIssue } from "../model/issues.ts";
import { LevelsEngine } from "../model/levels.ts";
import type { RawModel } from "../model/load.ts";
import type { CityModel } from "../model/model.ts";
import { streamFor } from "../model/rng.ts";
import { bindActions } from "../simulate/actions.ts";
import { bindScenario, type Compiled } from "../simulate/bind.ts";
import { RunSink, Simulator } from "../simulate/engine.ts";
import { simulate } from "../simulate/index.ts";
import { parseScenarioObject, type Scenario } from "../simulate/scenario.ts";
import { actionsOf, DEFAULT_ROLES, decisionTime, parsedActionsOf, type TargetCheck } from "./decisions.ts";
import { arrange, clockText, injectsFromTrace } from "./injects.ts";

export type Loaded = { model: CityModel; raw: RawModel };

export type BuildResult =
  | { ok: true; exercise: ExerciseDef; injects: Inject[] }
  | { ok: false; issues: ModelIssue[]; message: string };

/**
 * [EXR-1] [EXR-7] An exercise on a scenario and a seed: the scenario must bind to the model (else an error that
 * names each failed binding, and nothing is made); its injects are the timeline of run 0 of the seed.
 */
export function buildExercise(
  loaded: Loaded,
  scenario: Scenario,
  opts: { id: string; name?: string; seed: number; runs?: number; startClock?: string; roles?: ExerciseDef["roles"] },
): BuildResult {
  const bound = bindScenario(loaded.model, scenario);
  if (!bound.ok)
    return {
      ok: false,
      issues: bound.issues,
      message: bindMessage(scenario, loaded.model, bound.issues),
    };
  const exercise: ExerciseDef = {
    id: opts.id,
    name: opts.name ?? `${scenario.name} (seed ${opts.seed})`,
    scenario: { id: scenario.id, name: scenario.name, raw: scenario.raw, file: scenario.file },
    seed: opts.seed,
    runs: opts.runs ?? 1,
    horizon: bound.compiled.horizon,
    offset: 0,
    startClock: opts.startClock ?? "06:00",
    roles: opts.roles ?? DEFAULT_ROLES,
    added: [],
    overrides: {},
    order: [],
  };
  // hour 0 of the exercise: the whole hour before the first thing anyone can see
  const first = injectsFromTrace(storyTrace(loaded, exercise, []), loaded.model)[0];
  exercise.offset = first ? Math.max(0, Math.floor(first.at) - 1) : 0;
  return { ok: true, exercise, injects: injectsOf(loaded, exercise, []) };
}

/** [EXR-7] Whether the exercise's scenario binds to this model: null, or the issues and a message naming them. */
export function bindingError(loaded: Loaded, ex: ExerciseDef): { issues: ModelIssue[]; message: string } | null {
  const p = parseScenarioObject(ex.scenario.raw, ex.scenario.file);
  if (!p.ok) return { issues: p.issues, message: `exercise ${ex.id}: its scenario does not parse` };
  const b = bindScenario(loaded.model, p.scenario);
  if (b.ok) return null;
  return { issues: b.issues, message: bindMessage(p.scenario, loaded.model, b.issues) };
}

function bindMessage(scenario: Scenario, model: CityModel, issues: ModelIssue[]): string {
  return `scenario ${scenario.id} does not bind to the model ${model.city.name}: ${issues
    .slice(0, 3)
    .map(formatIssue)
    .join("; ")}${issues.length > 3 ? ` (and ${issues.length - 3} more)` : ""}`;
}

/** The exercise's scenario with the decisions as actions (sorted by time; equal times keep their order). */
export function scenarioWith(ex: ExerciseDef, decisions: Decision[]): Scenario {
  const raw = ex.scenario.raw as Record<string, unknown>;
  const sorted = [...decisions].sort((a, b) => a.at - b.at);
  const own = Array.isArray(raw.actions) ? (raw.actions as unknown[]) : [];
  const p = parseScenarioObject({ ...raw, actions: [...own, ...actionsOf(sorted, ex.offset)] }, ex.scenario.file);
  if (!p.ok) throw new Error(`exercise ${ex.id}: decisions do not form a valid scenario: ${p.issues[0]?.message}`);
  return p.scenario;
}

/** A checker of decisions' targets against the model (unknown zone, service without fallback, ...). */
export function targetChecker(loaded: Loaded, ex: ExerciseDef): TargetCheck {
  const base = scenarioWith(ex, []);
  const index = buildIndex(loaded.model);
  const bound = bindScenario(loaded.model, base, { index });
  const pools = bound.ok ? bound.compiled.poolName : [];
  return (d) => {
    const out: { target: number; code: string; message: string }[] = [];
    const acts = parsedActionsOf([d], ex.offset);
    if (!acts.length) return out;
    bindActions(
      [acts[0].action],
      index,
      pools,
      (a) => loaded.model.assets[a].backup !== undefined,
      (path, code, message) => {
        const j = typeof path[3] === "number" ? path[3] : 0;
        out.push({ target: j, code, message });
      },
    );
    return out;
  };
}

/** The traced run 0 of the seed with these decisions. */
function storyTrace(loaded: Loaded, ex: ExerciseDef, decisions: Decision[], index?: CityIndex): TraceEntry[] {
  const sc = scenarioWith(ex, decisions);
  const b = bindScenario(loaded.model, sc, { index, horizon: ex.horizon });
  if (!b.ok) throw new Error(`exercise ${ex.id}: scenario does not bind: ${b.issues[0]?.message}`);
  const sim = new Simulator(b.compiled, new LevelsEngine(b.compiled.index));
  const c = b.compiled;
  return sim.run(streamFor(ex.seed, 0), new RunSink(1, c.index.serviceCount, c.objSvc.length), 0, true) ?? [];
}

/**
 * [EXR-3] The injects with the decisions taken so far played in: the timeline up to the latest decision is the
 * same as without them (actions draw nothing at random), what follows is their consequence; the facilitator's
 * injects, times and order are applied [EXR-2].
 */
export function injectsOf(loaded: Loaded, ex: ExerciseDef, decisions: Decision[]): Inject[] {
  const trace = storyTrace(loaded, ex, decisions);
  return arrange(shift(injectsFromTrace(trace, loaded.model), ex.offset), ex);
}

/** Injects in exercise time (hours from its hour 0). */
function shift(injects: Inject[], offset: number): Inject[] {
  return injects.map((i) => ({ ...i, at: Math.round((i.at - offset) * 60) / 60 }));
}

/** The outcome of a simulation report (the run or runs the exercise is measured on). */
export function outcomeOf(report: SimulationReport): Outcome {
  const objectives = report.services.flatMap((s) =>
    s.objectives.map((o) => ({ service: s.id, name: s.name, kind: o.kind, target: o.target, met: o.probabilityMet })),
  );
  return {
    personHours: report.totals.personHours.mean,
    weightedLoss: report.totals.weightedLoss.mean,
    objectivesMet: objectives.reduce((x, o) => x + o.met, 0),
    objectivesTotal: objectives.length,
    attackSucceeded: report.totals.attackSuccessProbability,
    objectives,
    services: report.services.map((s) => ({ id: s.id, name: s.name, personHours: s.personHours.mean })),
  };
}

/**
 * [EXR-3] Plays decisions into the simulation: the exercise's scenario with the decisions as actions, simulated
 * over the exercise's runs on its seed, exactly as `rampart simulate --runs R --seed S` does on that scenario.
 */
export async function play(
  loaded: Loaded,
  ex: ExerciseDef,
  decisions: Decision[],
): Promise<{ report: SimulationReport; outcome: Outcome }> {
  const r = await simulate(loaded, scenarioWith(ex, decisions), {
    runs: ex.runs,
    seed: ex.seed,
    workers: 1,
    horizon: ex.horizon,
    with: [],
    compare: [],
  });
  if (!r.ok) throw new Error(`exercise ${ex.id}: simulation refused: ${r.issues?.[0]?.message ?? r.error?.message}`);
  return { report: r.report, outcome: outcomeOf(r.report) };
}

/** Mean person-hours over the exercise's runs of a set of decisions (the search's fast path, same engine). */
class Evaluator {
  readonly index: CityIndex;
  readonly base: Compiled;
  evaluations = 0;
  constructor(
    readonly loaded: Loaded,
    readonly ex: ExerciseDef,
  ) {
    this.index = buildIndex(loaded.model);
    const b = bindScenario(loaded.model, scenarioWith(ex, []), { index: this.index, horizon: ex.horizon });
    if (!b.ok) throw new Error(`exercise ${ex.id}: scenario does not bind`);
    this.base = b.compiled;
  }
  personHours(decisions: Decision[]): number {
    this.evaluations++;
    const b = bindScenario(this.loaded.model, scenarioWith(this.ex, decisions), {
      index: this.index,
      horizon: this.ex.horizon,
    });
    if (!b.ok) return Number.POSITIVE_INFINITY;
    const c = b.compiled;
    const sim = new Simulator(c, new LevelsEngine(this.index));
    const sink = new RunSink(this.ex.runs, c.index.serviceCount, c.objSvc.length);
    for (let r = 0; r < this.ex.runs; r++) sim.run(streamFor(this.ex.seed, r), sink, r);
    let sum = 0;
    for (const x of sink.personHours) sum += x;
    return sum / this.ex.runs;
  }
}

const DAMAGE = new Set(["deny", "encrypt", "destroy", "manipulate"]);

/** The decision menu at the visible moments of the undisturbed run (with hindsight: the planner knows it all). */
function menu(ev: Evaluator, trace: TraceEntry[], injects: Inject[], maxTimes = 12): Decision[] {
  const { model } = ev.loaded;
  const ix = ev.index;
  const c = ev.base;
  const A = ix.assetCount;
  const off = ev.ex.offset;
  const times = [
    ...new Set(injects.filter((i) => i.source === "simulation" && i.at >= off).map((i) => decisionTime(i.at - off))),
  ]
    .sort((a, b) => a - b)
    .slice(0, maxTimes);
  const out: Decision[] = [];
  const role = "planner";
  const detected = trace.find((e) => e.kind === "detected")?.t ?? Number.POSITIVE_INFINITY;
  for (const t of times) {
    const st = t + off;
    if (st >= detected) out.push({ at: t, role, kind: "contain", targets: [] });
    const damaged = new Set<number>();
    for (const e of trace) if (e.t <= st && DAMAGE.has(e.kind)) damaged.add(ix.nodeOf.get(e.id) as number);
    const pools = new Set<number>();
    for (const a of damaged) {
      if (a === undefined || a >= A) continue;
      pools.add(c.pool[a]);
      if (model.assets[a].backup) out.push({ at: t, role, kind: "restore", targets: [ix.nodeId[a]] });
    }
    for (const p of pools) out.push({ at: t, role, kind: "crew", targets: [c.poolName[p]], count: 1 });
    const low = new Set<string>();
    for (const e of trace)
      if (e.kind === "level" && (e.to ?? 1) < 1) {
        const n = ix.nodeOf.get(e.id) as number;
        if (ix.hasFallback[n]) low.add(e.id);
      }
    for (const s of low) out.push({ at: t, role, kind: "fallback", targets: [s] });
    const later = new Set<number>();
    for (const e of trace)
      if (e.t > st && (e.kind === "compromise" || DAMAGE.has(e.kind))) {
        const a = ix.nodeOf.get(e.id);
        if (a !== undefined && a < A) later.add(ix.assetZone[a]);
      }
    for (const z of later)
      if (z !== ix.internetZone) out.push({ at: t, role, kind: "isolate", targets: [ix.zoneId[z]], for: 24 });
  }
  return out;
}

export type BestResponse = { decisions: Decision[]; evaluations: number; method: string };

/**
 * [EXR-9] The best response the planner finds: a greedy search over the decision menu (contain, restore from
 * backup, call one crew, switch to fallback, isolate a zone for 24 h) at the visible moments of the run, with
 * hindsight. It starts from the better of doing nothing and the team's decisions; each round tries up to
 * `budget` candidates (drawn in an order shuffled by the exercise's seed) added to the current set and keeps the
 * one that lowers expected person-hours most; at most `rounds` rounds. Never worse than its start.
 */
export function bestResponse(
  loaded: Loaded,
  ex: ExerciseDef,
  team: Decision[],
  opts: { budget?: number; rounds?: number } = {},
): BestResponse {
  const budget = opts.budget ?? 40;
  const rounds = opts.rounds ?? 3;
  const ev = new Evaluator(loaded, ex);
  const trace = storyTrace(loaded, ex, [], ev.index);
  const candidates = menu(ev, trace, injectsFromTrace(trace, loaded.model, ev.index));
  const rng = streamFor(ex.seed, 0x5eed);
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [candidates[i], candidates[j]] = [candidates[j], candidates[i]];
  }
  const acting = team.filter((d) => d.kind !== "nothing" && d.kind !== "note");
  const none = ev.personHours([]);
  const mine = acting.length ? ev.personHours(acting) : none;
  let cur: Decision[] = mine < none ? acting.map((d) => ({ ...d, role: "planner" })) : [];
  let curPh = Math.min(mine, none);
  let pos = 0;
  for (let r = 0; r < rounds && pos < candidates.length; r++) {
    let best: Decision | undefined;
    let bestPh = curPh;
    for (let k = 0; k < budget && pos < candidates.length; k++, pos++) {
      const cand = candidates[pos];
      const ph = ev.personHours([...cur, cand]);
      if (ph < bestPh) {
        bestPh = ph;
        best = cand;
      }
    }
    if (!best) continue;
    cur = [...cur, best].sort((a, b) => a.at - b.at);
    curPh = bestPh;
  }
  return {
    decisions: cur,
    evaluations: ev.evaluations,
    method: `greedy over ${candidates.length} candidate decisions (contain, restore, crew, fallback, isolate 24h at the ${Math.min(12, new Set(candidates.map((c) => c.at)).size)} first visible moments), ${budget} per round shuffled by seed ${ex.seed}, ${rounds} rounds, from the better of nothing and the team's decisions`,
  };
}

/** [EXR-8] The after-action review of a played exercise. */
export async function review(
  loaded: Loaded,
  ex: ExerciseDef,
  decisions: Decision[],
  opts: { budget?: number; rounds?: number } = {},
): Promise<Review> {
  const sorted = [...decisions].sort((a, b) => a.at - b.at);
  const injects = injectsOf(loaded, ex, sorted);
  const team = await play(loaded, ex, sorted);
  const nothing = await play(loaded, ex, []);
  const br = bestResponse(loaded, ex, sorted, opts);
  const best = await play(loaded, ex, br.decisions);
  const byId = new Map(injects.map((i) => [i.id, i]));
  const latencyOf = (d: Decision): number | null => {
    const answered = d.answers !== undefined ? byId.get(d.answers) : undefined;
    if (answered) return Math.max(0, d.at - answered.at);
    let last: Inject | undefined;
    for (const i of injects) if (i.at <= d.at) last = i;
    return last ? d.at - last.at : null;
  };
  const timeline: Review["timeline"] = [];
  for (const i of injects)
    timeline.push({ at: i.at, clock: clockText(i.at, ex.startClock), type: "inject", title: i.title, text: i.text });
  for (const d of sorted) {
    const what =
      d.kind === "note"
        ? "note"
        : d.kind === "nothing"
          ? "do nothing"
          : d.kind === "contain"
            ? "contain now"
            : d.kind === "crew"
              ? `call ${d.count ?? 1} crew of ${d.targets[0]}`
              : `${d.kind} ${d.targets.join(", ")}${d.kind === "isolate" && d.for ? ` for ${d.for}h` : ""}`;
    timeline.push({
      at: d.at,
      clock: clockText(d.at, ex.startClock),
      type: "decision",
      title: what,
      text: d.text ?? "",
      role: d.role,
      latencyHours: latencyOf(d),
    });
  }
  timeline.sort((a, b) => a.at - b.at || (a.type === b.type ? 0 : a.type === "inject" ? -1 : 1));
  const latency = ex.roles
    .map((r) => {
      const ls = sorted.filter((d) => d.role === r.id).map(latencyOf);
      const known = ls.filter((x): x is number => x !== null);
      return {
        role: r.id,
        decisions: ls.length,
        meanHours: known.length ? known.reduce((a, b) => a + b, 0) / known.length : null,
        maxHours: known.length ? Math.max(...known) : null,
      };
    })
    .filter((r) => r.decisions > 0);
  const losses = team.outcome.services
    .map((s, k) => ({
      id: s.id,
      name: s.name,
      team: s.personHours,
      best: best.outcome.services[k].personHours,
      nothing: nothing.outcome.services[k].personHours,
    }))
    .filter((s) => s.team > 0 || s.best > 0 || s.nothing > 0)
    .sort((a, b) => b.team - b.best - (a.team - a.best) || b.team - a.team);
  return {
    exercise: { id: ex.id, name: ex.name, scenario: ex.scenario.id, seed: ex.seed, runs: ex.runs },
    startClock: ex.startClock,
    timeline,
    latency,
    outcome: team.outcome,
    nothing: nothing.outcome,
    best: { ...best.outcome, decisions: br.decisions, evaluations: br.evaluations, method: br.method },
    losses,
  };
}
