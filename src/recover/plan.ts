/**
 * The restoration planner (docs/recover.md): orders and assigns repairs to teams to minimise the weighted loss
 * [CON-2] the simulator reports for the schedule ([RCV-3]). Exact branch and bound for small cases [RCV-4],
 * a heuristic beyond (candidate orders, list scheduling, local search, all judged by the simulator), a valid
 * lower bound [RCV-5], and re-planning from reported completions [RCV-6]. Pure and deterministic.
 */
import type { Completion, PlanTask, RecoveryPlan } from "../contracts/recover.ts";
import { LevelsEngine } from "../model/levels.ts";
import { combinedBound, lossRate, lowerBound, serviceRates } from "./bound.ts";
import { ScheduleEvaluator, type Snapshot } from "./evaluate.ts";
import { finishTime, type Problem, populationServed, startTime, weightedPopulationServed } from "./problem.ts";
import { decode, freshStart, openTasks, type Schedule, type Start, sequences, shiftOf } from "./schedule.ts";

export type PlanOptions = {
  /** Exact search up to this many open tasks (default 7). */
  exactMax?: number;
  /** Branch-and-bound nodes before giving up the proof (default 200,000). */
  nodeBudget?: number;
  /** Simulator runs the local search may make (default: by problem size). */
  searchEvals?: number;
  /** Simulated horizon in hours (default: 30 days, or longer when the work needs it). */
  horizon?: number;
  notes?: string[];
};

const EPS = 1e-9;

/** Horizon long enough for any list schedule to finish [SCN-2]: never cut a plan short. */
export function planHorizon(p: Problem, st: Start): number {
  let work = 0;
  let stretch = 1;
  for (const c of p.crews) stretch = Math.max(stretch, c.shift.every / c.shift.hours);
  for (let i = 0; i < p.tasks.length; i++) work += p.tasks[i].duration;
  let rel = 0;
  for (const r of st.release) rel = Math.max(rel, r);
  for (const f of st.fixedFinish) if (!Number.isNaN(f)) rel = Math.max(rel, f);
  return Math.max(30 * 24, Math.ceil(rel + work * stretch + 48));
}

/** Per task: the weighted loss rate with that asset alone down and every buffer exhausted ([RNK-1]). */
export function criticality(p: Problem, L: LevelsEngine): Float64Array {
  const rates = serviceRates(p.index);
  const A = p.index.assetCount;
  L.reset();
  L.exhaustAllBuffers();
  const out = new Float64Array(p.tasks.length);
  p.tasks.forEach((t, i) => {
    L.setCap(t.node, t.cap);
    out[i] = lossRate(L, rates, A);
    L.setCap(t.node, 1);
  });
  return out;
}

const byKey = (tasks: number[], key: (i: number) => number) => tasks.slice().sort((a, b) => key(a) - key(b) || a - b);

/**
 * The three simple orders [RCV-4]: by criticality (highest first), by population served (largest first), by
 * shortest repair first; each decoded by list scheduling.
 */
export function simpleOrders(p: Problem, open: number[], crit: Float64Array): { name: string; order: number[] }[] {
  const pop = new Float64Array(p.tasks.length);
  for (const i of open) pop[i] = populationServed(p.index, p.tasks[i].node);
  return [
    { name: "by criticality", order: byKey(open, (i) => -crit[i]) },
    { name: "by population served", order: byKey(open, (i) => -pop[i]) },
    { name: "shortest repair first", order: byKey(open, (i) => p.tasks[i].duration) },
  ];
}

/**
 * Greedy order on the loss-rate surrogate (buffers exhausted, no fallback): repeatedly the task whose repair
 * lowers the rate most per hour of work, ties by criticality per hour. Lazy: gains are recomputed when a task
 * comes to the top, and for tasks sharing a requirement with the one just chosen (their gains can grow).
 */
export function greedyOrder(p: Problem, open: number[], crit: Float64Array, L: LevelsEngine): number[] {
  const ix = p.index;
  const A = ix.assetCount;
  const rates = serviceRates(ix);
  L.reset();
  L.exhaustAllBuffers();
  for (const i of open) L.setCap(p.tasks[i].node, p.tasks[i].cap);
  let rate = lossRate(L, rates, A);
  const gain = new Float64Array(p.tasks.length);
  const left = new Uint8Array(p.tasks.length);
  const taskOf = new Int32Array(ix.nodeCount).fill(-1);
  for (const i of open) {
    left[i] = 1;
    taskOf[p.tasks[i].node] = i;
  }
  const evalGain = (i: number) => {
    const mark = L.checkpoint();
    L.setCap(p.tasks[i].node, 1);
    gain[i] = rate - lossRate(L, rates, A);
    L.rollback(mark);
  };
  for (const i of open) evalGain(i);
  const fresh = new Uint8Array(p.tasks.length);
  const key = (i: number) => gain[i] / p.tasks[i].duration;
  const better = (a: number, b: number) => {
    const ka = key(a);
    const kb = key(b);
    if (ka !== kb) return ka > kb;
    const ca = crit[a] / p.tasks[a].duration;
    const cb = crit[b] / p.tasks[b].duration;
    return ca !== cb ? ca > cb : a < b;
  };
  const order: number[] = [];
  for (let done = 0; done < open.length; ) {
    let top = -1;
    for (const i of open) if (left[i] && (top < 0 || better(i, top))) top = i;
    if (!fresh[top]) {
      evalGain(top);
      fresh[top] = 1;
      continue;
    }
    order.push(top);
    left[top] = 0;
    done++;
    L.setCap(p.tasks[top].node, 1);
    L.commit();
    rate = lossRate(L, rates, A);
    fresh.fill(0);
    // co-members of the requirements that list the repaired asset: their gain may have grown
    const n = p.tasks[top].node;
    for (let q = ix.usedByStart[n]; q < ix.usedByStart[n + 1]; q++) {
      const r = ix.usedBy[q];
      for (let m = ix.memberStart[r]; m < ix.memberStart[r + 1]; m++) {
        const t = taskOf[ix.members[m]];
        if (t >= 0 && left[t] && !fresh[t]) {
          evalGain(t);
          fresh[t] = 1;
        }
      }
    }
  }
  L.reset();
  return order;
}

type Best = { loss: number; schedule: Schedule; order?: number[]; snap: Snapshot };

/** [RCV-4] Branch and bound over every schedule (team and order for each task), each generated once. */
function exactSearch(
  p: Problem,
  st: Start,
  ev: ScheduleEvaluator,
  incumbent: Best,
  budget: number,
  L: LevelsEngine,
): { best: Best; proven: boolean } {
  const open = openTasks(st);
  const n = open.length;
  const T = p.teams.length;
  const free = Float64Array.from(st.release);
  const used = new Int32Array(T);
  const team = Int32Array.from(st.fixedTeam);
  const start = Float64Array.from(st.fixedStart);
  const finish = Float64Array.from(st.fixedFinish);
  const assigned = new Uint8Array(p.tasks.length);
  const earliest = new Float64Array(p.tasks.length);
  let best = incumbent;
  let nodes = 0;
  let proven = true;
  const symmetric = (j: number) => {
    if (used[j] !== 0) return false;
    const c = p.teams[j].crew;
    for (let k = j - 1; k >= 0 && p.teams[k].crew === c; k--) if (used[k] === 0 && free[k] === free[j]) return true;
    return false;
  };
  const rec = (depth: number, lastStart: number, lastTeam: number): void => {
    if (!proven) return;
    if (depth === n) {
      const loss = ev.loss(finish);
      if (loss < best.loss - EPS * Math.max(1, best.loss))
        best = {
          loss,
          schedule: { team: Int32Array.from(team), start: Float64Array.from(start), finish: Float64Array.from(finish) },
          snap: ev.snapshot(),
        };
      return;
    }
    if (++nodes > budget) {
      proven = false;
      return;
    }
    if (depth < n - 1) {
      for (let i = 0; i < p.tasks.length; i++) {
        if (!Number.isNaN(finish[i])) {
          earliest[i] = finish[i];
          continue;
        }
        const t = p.tasks[i];
        let e = Number.POSITIVE_INFINITY;
        for (let k = 0; k < t.eligible.length; k++) {
          const j = t.eligible[k];
          const f = finishTime(free[j], t.duration, shiftOf(p, j));
          if (f < e) e = f;
        }
        earliest[i] = e;
      }
      if (lowerBound(p, earliest, L) >= best.loss - EPS * Math.max(1, best.loss)) return;
    }
    for (const i of open) {
      if (assigned[i]) continue;
      const t = p.tasks[i];
      for (let k = 0; k < t.eligible.length; k++) {
        const j = t.eligible[k];
        if (symmetric(j)) continue;
        const sh = shiftOf(p, j);
        const s = startTime(free[j], sh);
        if (s < lastStart || (s === lastStart && j < lastTeam)) continue;
        const f = finishTime(free[j], t.duration, sh);
        const keep = free[j];
        assigned[i] = 1;
        team[i] = j;
        start[i] = s;
        finish[i] = f;
        free[j] = f;
        used[j]++;
        rec(depth + 1, s, j);
        used[j]--;
        free[j] = keep;
        finish[i] = Number.NaN;
        team[i] = -1;
        start[i] = Number.NaN;
        assigned[i] = 0;
        if (!proven) return;
      }
    }
  };
  rec(0, Number.NEGATIVE_INFINITY, -1);
  return { best, proven };
}

/** Local search on a priority order: adjacent swaps, moves to the front, then any pair swapped; first improvement, within `evals` runs. */
function localSearch(
  p: Problem,
  st: Start,
  ev: ScheduleEvaluator,
  from: Best & { order: number[] },
  evals: number,
): Best {
  let order = from.order.slice();
  let best: Best = from;
  let used = 0;
  const tryOrder = (o: number[]): boolean => {
    if (used >= evals) return false;
    used++;
    const s = decode(p, st, o);
    const loss = ev.loss(s.finish);
    if (loss < best.loss - EPS * Math.max(1, best.loss)) {
      best = { loss, schedule: s, order: o, snap: ev.snapshot() };
      order = o;
      return true;
    }
    return false;
  };
  let improved = true;
  while (improved && used < evals) {
    improved = false;
    for (let k = 0; k + 1 < order.length && used < evals; k++) {
      const o = order.slice();
      [o[k], o[k + 1]] = [o[k + 1], o[k]];
      if (tryOrder(o)) improved = true;
    }
    for (let k = 2; k < order.length && used < evals; k++) {
      const o = order.slice();
      const [x] = o.splice(k, 1);
      o.unshift(x);
      if (tryOrder(o)) improved = true;
    }
    if (improved) continue;
    // every other pair of positions, once the cheap moves are exhausted
    for (let a = 0; a + 2 < order.length && used < evals && !improved; a++)
      for (let b = a + 2; b < order.length && used < evals && !improved; b++) {
        const o = order.slice();
        [o[a], o[b]] = [o[b], o[a]];
        if (tryOrder(o)) improved = true;
      }
  }
  return best;
}

/** Plans the open tasks of `st` (a fresh start: all of them) [RCV-3]..[RCV-5]. */
export function planFrom(
  p: Problem,
  st: Start,
  opts: PlanOptions = {},
  now = 0,
  states?: PlanTask["state"][],
): RecoveryPlan {
  const horizon = opts.horizon ?? planHorizon(p, st);
  const ev = new ScheduleEvaluator(p.model, p.index, p.tasks, horizon);
  const L = new LevelsEngine(p.index);
  const open = openTasks(st);
  const crit = criticality(p, L);
  const n = open.length;
  // simulator runs the heuristic may make: many on a small city, a few on a large one (each run costs about
  // one levels-engine repair per down asset)
  const budget =
    opts.searchEvals ?? Math.max(4, Math.min(3000, Math.floor(1.6e8 / (p.index.nodeCount * Math.max(1, n)))));
  const run = (order: number[]): Best & { order: number[] } => {
    const s = decode(p, st, order);
    const loss = ev.loss(s.finish);
    return { loss, schedule: s, order, snap: ev.snapshot() };
  };
  const baselines = simpleOrders(p, open, crit).map((b) => ({ name: b.name, ...run(b.order) }));
  const candidates: (Best & { order: number[] })[] = baselines.slice();
  // ratio orders: weighted population served, and criticality, per hour of work (Smith's rule)
  const wpop = new Float64Array(p.tasks.length);
  for (const i of open) wpop[i] = weightedPopulationServed(p, p.tasks[i].node);
  const extra: (() => number[])[] = [
    () => byKey(open, (i) => -wpop[i] / p.tasks[i].duration),
    () => byKey(open, (i) => -crit[i] / p.tasks[i].duration),
    () => greedyOrder(p, open, crit, L),
  ];
  const cost = [1, 1, 2]; // the greedy order costs about one more run of repairs
  let spent = baselines.length;
  for (let k = 0; k < extra.length && spent + cost[k] <= budget; k++) {
    candidates.push(run(extra[k]()));
    spent += cost[k];
  }
  let best: Best & { order?: number[] } = candidates.reduce((a, b) => (b.loss < a.loss ? b : a));
  const exactMax = opts.exactMax ?? 7;
  let method: RecoveryPlan["method"] = "heuristic";
  let optimal = false;
  if (n <= exactMax) {
    const r = exactSearch(p, st, ev, best, opts.nodeBudget ?? 200_000, L);
    best = r.best;
    method = "exact";
    optimal = r.proven;
  } else if (spent < budget) {
    best = localSearch(p, st, ev, best as Best & { order: number[] }, budget - spent);
  }
  // the lower bound: the optimum when proven, else the relaxation [RCV-5]
  const earliest = new Float64Array(p.tasks.length);
  for (let i = 0; i < p.tasks.length; i++) {
    if (!Number.isNaN(st.fixedFinish[i])) {
      earliest[i] = st.fixedFinish[i];
      continue;
    }
    const t = p.tasks[i];
    let e = Number.POSITIVE_INFINITY;
    for (let k = 0; k < t.eligible.length; k++)
      e = Math.min(e, finishTime(st.release[t.eligible[k]], t.duration, shiftOf(p, t.eligible[k])));
    earliest[i] = e;
  }
  const relaxed = combinedBound(p, st, earliest, L, crit);
  const out = ev.outcomesOf(best.snap);
  const lb = optimal ? out.loss : Math.min(relaxed, out.loss);
  const s = best.schedule;
  let makespan = 0;
  let work = 0;
  const tasks: PlanTask[] = p.tasks.map((t, i) => {
    makespan = Math.max(makespan, s.finish[i]);
    work += t.duration;
    const a = p.model.assets[t.node];
    return {
      id: t.id,
      name: a.name,
      kind: a.kind,
      team: p.teams[s.team[i]].label,
      crew: p.crews[p.teams[s.team[i]].crew].id,
      start: s.start[i],
      finish: s.finish[i],
      duration: t.duration,
      durationSource: t.durationSource,
      state: states?.[i] ?? "planned",
    };
  });
  // team order, then start: the Gantt chart's rows
  const seq = sequences(p, s);
  const rank = new Map<number, number>();
  let r = 0;
  for (const q of seq) for (const i of q) rank.set(i, r++);
  const sorted = tasks
    .map((t, i) => ({ t, k: rank.get(i) ?? 0 }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.t);
  const notes = [...(opts.notes ?? [])];
  if (method === "exact" && !optimal)
    notes.push(`exact search stopped after ${opts.nodeBudget ?? 200_000} nodes: best plan found, not proven optimal`);
  return {
    model: { name: p.model.city.name, assets: p.model.assets.length, services: p.model.services.length },
    method,
    optimal,
    weightedLoss: out.loss,
    personHours: out.personHours,
    workHours: work,
    makespan,
    lowerBound: lb,
    gap: out.loss > 0 ? (out.loss - lb) / out.loss : 0,
    horizonHours: horizon,
    now,
    tasks: sorted,
    teams: p.teams.map((t) => ({ label: t.label, crew: p.crews[t.crew].id })),
    crews: p.crews.map((c) => ({
      id: c.id,
      count: c.count,
      layers: c.layers,
      sectors: c.sectors,
      shift: c.shift,
      source: c.source,
    })),
    services: out.services.filter((x) => x.firstLoss !== null),
    baselines: baselines.map((b) => ({
      name: b.name,
      weightedLoss: b.loss,
      personHours: b.snap.personHours.reduce((a, x) => a + x, 0),
    })),
    evaluations: ev.evaluations,
    notes,
  };
}

/** A fresh plan: everything down at time 0, every team free [RCV-3]. */
export function planRestoration(p: Problem, opts: PlanOptions = {}): RecoveryPlan {
  return planFrom(p, freshStart(p), opts);
}

export type ReplanError = { code: string; message: string; parameter: string };

/**
 * [RCV-6] Re-plans after repairs finished early or late. Each team's sequence in `plan` is replayed with the
 * reported completions: a reported task ends at its `at`; a task that had started by `now` and is not reported
 * keeps its team and ends at its planned work from its real start (at `now` at the earliest: it is late);
 * tasks not started by `now` are planned again from the teams' release times. `now` defaults to the latest
 * completion. The result covers the whole timeline from the original time 0.
 */
export function replan(
  p: Problem,
  plan: RecoveryPlan,
  completions: Completion[],
  now?: number,
  opts: PlanOptions = {},
): { ok: true; plan: RecoveryPlan } | { ok: false; error: ReplanError } {
  const taskOf = new Map(p.tasks.map((t, i) => [t.id, i]));
  const teamOf = new Map(p.teams.map((t, j) => [t.label, j]));
  const done = new Map<number, number>();
  for (const [k, c] of completions.entries()) {
    const i = taskOf.get(c.id);
    if (i === undefined)
      return {
        ok: false,
        error: {
          code: "unknown-asset",
          parameter: `completions[${k}].id`,
          message: `"${c.id}" is not a repair of this plan`,
        },
      };
    if (!(c.at >= 0))
      return {
        ok: false,
        error: { code: "bad-time", parameter: `completions[${k}].at`, message: `expected hours >= 0, found ${c.at}` },
      };
    done.set(i, c.at);
  }
  const t0 = now ?? Math.max(0, ...done.values());
  const st = freshStart(p);
  const states: PlanTask["state"][] = p.tasks.map(() => "planned");
  const byTeam: number[][] = p.teams.map(() => []);
  for (const t of plan.tasks) {
    const i = taskOf.get(t.id);
    const j = teamOf.get(t.team);
    if (i === undefined || j === undefined)
      return {
        ok: false,
        error: {
          code: "plan-mismatch",
          parameter: "plan",
          message: `the plan names ${t.id} on ${t.team}, which this problem does not have`,
        },
      };
    byTeam[j].push(i);
  }
  const planned = new Map(plan.tasks.map((t) => [t.id, t]));
  for (let j = 0; j < p.teams.length; j++) {
    const q = byTeam[j].sort(
      (a, b) => (planned.get(p.tasks[a].id)?.start ?? 0) - (planned.get(p.tasks[b].id)?.start ?? 0),
    );
    let free = 0;
    const sh = shiftOf(p, j);
    for (const i of q) {
      const s = startTime(free, sh);
      const at = done.get(i);
      if (at !== undefined) {
        if (at < s)
          return {
            ok: false,
            error: {
              code: "bad-time",
              parameter: "completions",
              message: `${p.tasks[i].id} is reported done at ${at}h, before its team could start it (${s}h)`,
            },
          };
        st.fixedTeam[i] = j;
        st.fixedStart[i] = s;
        st.fixedFinish[i] = at;
        states[i] = "done";
        free = at;
      } else if (s < t0) {
        st.fixedTeam[i] = j;
        st.fixedStart[i] = s;
        st.fixedFinish[i] = Math.max(t0, finishTime(s, p.tasks[i].duration, sh));
        states[i] = "running";
        free = st.fixedFinish[i];
      } else break;
    }
    st.release[j] = Math.max(free, t0);
  }
  for (const i of done.keys())
    if (states[i] !== "done")
      return {
        ok: false,
        error: {
          code: "bad-time",
          parameter: "completions",
          message: `${p.tasks[i].id} is reported done, but its team had not reached it`,
        },
      };
  return { ok: true, plan: planFrom(p, st, opts, t0, states) };
}
