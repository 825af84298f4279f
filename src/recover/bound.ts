/**
 * A valid lower bound on the weighted loss of every schedule [RCV-5], and the loss-rate surrogate the
 * heuristic orders by. Both are built on the levels engine (src/model/levels.ts), whose greatest fixpoint is
 * monotone in its inputs: higher caps, higher fallback floors and buffers that still count as met never lower
 * a level. The bound runs the levels engine with inputs at least as favourable as any real schedule's at every
 * moment, so its levels are at least the simulator's and its loss at most the simulator's:
 * - each task is restored at the earliest moment any team could finish it alone (start 0, on shift);
 * - a fallback is on from `after` on, for ever ([DEP-6] can only start it after `after`; `lasts` ignored);
 * - a buffered requirement is exhausted only from B on and only while its satisfaction has stayed below 1
 *   since time 0 ([DEP-4]: in a real schedule it has then stayed below 1 too, so it is exhausted from B).
 */
import { serviceWeight } from "../model/consequence.ts";
import type { CityIndex } from "../model/graph.ts";
import { LevelsEngine } from "../model/levels.ts";
import type { Problem } from "./problem.ts";
import type { Start } from "./schedule.ts";

/** Per service slot: weight x population, the loss rate per unit of level lost [CON-2]. */
export function serviceRates(index: CityIndex): Float64Array {
  const A = index.assetCount;
  const w = new Float64Array(index.serviceCount);
  for (let s = 0; s < index.serviceCount; s++) w[s] = serviceWeight(index.model.services[s]) * index.population[A + s];
  return w;
}

/** The weighted loss rate of the engine's current levels. */
export function lossRate(L: LevelsEngine, rates: Float64Array, A: number): number {
  let r = 0;
  const lv = L.level;
  for (let s = 0; s < rates.length; s++) {
    const x = lv[A + s];
    if (x < 1) r += rates[s] * (1 - x);
  }
  return r;
}

/**
 * [RCV-5] Lower bound on the weighted loss of any schedule in which task i is restored no earlier than
 * earliest[i]. `L` is a levels engine of the problem's index (reset here).
 */
export function lowerBound(p: Problem, earliest: ArrayLike<number>, L = new LevelsEngine(p.index)): number {
  return lowerBoundPerService(p, earliest, L).reduce((a, x) => a + x, 0);
}

/** [RCV-5] The same bound, per service slot (each is a lower bound on that service's weighted loss). */
export function lowerBoundPerService(
  p: Problem,
  earliest: ArrayLike<number>,
  L = new LevelsEngine(p.index),
): Float64Array {
  const ix = p.index;
  const A = ix.assetCount;
  const rates = serviceRates(ix);
  L.reset();
  const tasks = p.tasks;
  // event times: restores, fallback starts, buffer ends
  type Ev = { t: number; kind: 0 | 1 | 2; x: number };
  const evs: Ev[] = [];
  for (let i = 0; i < tasks.length; i++) {
    L.setCap(tasks[i].node, tasks[i].cap);
    evs.push({ t: earliest[i], kind: 0, x: tasks[i].node });
  }
  for (let s = 0; s < ix.serviceCount; s++)
    if (ix.hasFallback[A + s] && ix.fallbackLasts[A + s] > 0)
      evs.push({ t: ix.fallbackAfter[A + s], kind: 1, x: A + s });
  const buffered: number[] = [];
  for (let r = 0; r < ix.reqCount; r++)
    if (ix.reqBuffer[r] > 0) {
      buffered.push(r);
      evs.push({ t: ix.reqBuffer[r], kind: 2, x: r });
    }
  evs.sort((a, b) => a.t - b.t || a.kind - b.kind);
  let lastRestore = -1;
  for (let k = 0; k < evs.length; k++) if (evs[k].kind === 0) lastRestore = k;
  const broken = new Uint8Array(ix.reqCount);
  // a requirement met again is never exhausted again in the bound: a real schedule could refill it [DEP-4].
  // Satisfaction changes only through the engine's calls, so after each call only the requirements whose
  // satisfaction changed (satChanged) need a look.
  const work: number[] = [];
  const seen = (): void => {
    for (let k = 0; k < L.satChangedCount; k++) {
      const r = L.satChanged[k];
      if (ix.reqBuffer[r] > 0 && broken[r] === 0) work.push(r);
    }
  };
  const markBroken = (): void => {
    while (work.length) {
      const r = work.pop() as number;
      if (broken[r] === 0 && L.satisfaction(r) >= 1) {
        broken[r] = 1;
        if (L.exhausted[r]) {
          L.setBufferExhausted(r, false);
          seen();
        }
      }
    }
  };
  for (const r of buffered) work.push(r);
  markBroken();
  let t = 0;
  let rate = lossRate(L, rates, A);
  const per = new Float64Array(ix.serviceCount);
  const lv = L.level;
  const addRates = (dt: number) => {
    if (dt <= 0) return;
    for (let s = 0; s < ix.serviceCount; s++) {
      const x = lv[A + s];
      if (x < 1) per[s] += rates[s] * (1 - x) * dt;
    }
  };
  let i = 0;
  while (i < evs.length) {
    const now = evs[i].t;
    if (rate === 0 && i > lastRestore) break;
    addRates(now - t);
    t = now;
    const pending: number[] = [];
    while (i < evs.length && evs[i].t === now) {
      const e = evs[i++];
      if (e.kind === 0) L.setCap(e.x, 1);
      else if (e.kind === 1) L.setFloor(e.x, ix.fallbackLevel[e.x]);
      else {
        pending.push(e.x);
        continue;
      }
      seen();
    }
    markBroken();
    for (const r of pending)
      if (broken[r] === 0) {
        L.setBufferExhausted(r, true);
        seen();
      }
    markBroken();
    rate = lossRate(L, rates, A);
  }
  return per;
}

/**
 * [RCV-5] The crews' capacity, per service: the tasks a service cannot be at 1 without (with that task alone
 * down, every buffer met and every fallback on, its level is below 1) cannot all be finished before
 * max(their earliest finishes, the teams' first release + their work / the number of teams that may do any of
 * them); until then one of them is down, so the service's level is at most the highest it has with one of them
 * alone down. Each service's figure is a lower bound on its weighted loss.
 */
export function capacityBoundPerService(
  p: Problem,
  st: Start,
  earliest: ArrayLike<number>,
  L = new LevelsEngine(p.index),
  /** Per task, its criticality with buffers exhausted and no fallback: a task at 0 there is at 0 here too. */
  crit?: ArrayLike<number>,
): Float64Array {
  const ix = p.index;
  const A = ix.assetCount;
  const S = ix.serviceCount;
  const rates = serviceRates(ix);
  L.reset();
  for (let s = 0; s < S; s++) if (ix.hasFallback[A + s]) L.setFloor(A + s, ix.fallbackLevel[A + s]);
  L.commit();
  // per service: necessary tasks, the highest level with one of them alone down
  const lambda = new Float64Array(S);
  const need: number[][] = Array.from({ length: S }, () => []);
  for (let i = 0; i < p.tasks.length; i++) {
    if (crit && !(crit[i] > 0)) continue;
    const m = L.checkpoint();
    L.setCap(p.tasks[i].node, p.tasks[i].cap);
    for (let k = 0; k < L.changedCount; k++) {
      const n = L.changed[k];
      if (n < A || L.level[n] >= 1) continue;
      const s = n - A;
      need[s].push(i);
      if (L.level[n] > lambda[s]) lambda[s] = L.level[n];
    }
    L.rollback(m);
  }
  L.reset();
  const out = new Float64Array(S);
  const teamSeen = new Int32Array(p.teams.length).fill(-1);
  for (let s = 0; s < S; s++) {
    const tasks = need[s];
    if (tasks.length === 0) continue;
    let last = 0;
    let work = 0;
    let teams = 0;
    let release = Number.POSITIVE_INFINITY;
    for (const i of tasks) {
      if (earliest[i] > last) last = earliest[i];
      if (!Number.isNaN(st.fixedFinish[i])) continue;
      work += p.tasks[i].duration;
      for (const j of p.tasks[i].eligible)
        if (teamSeen[j] !== s) {
          teamSeen[j] = s;
          teams++;
          if (st.release[j] < release) release = st.release[j];
        }
    }
    if (teams > 0 && release + work / teams > last) last = release + work / teams;
    out[s] = rates[s] * (1 - lambda[s]) * last;
  }
  return out;
}

/** [RCV-5] The plan's lower bound: per service the larger of the two bounds, summed. */
export function combinedBound(
  p: Problem,
  st: Start,
  earliest: ArrayLike<number>,
  L = new LevelsEngine(p.index),
  crit?: ArrayLike<number>,
): number {
  const a = lowerBoundPerService(p, earliest, L);
  const b = capacityBoundPerService(p, st, earliest, L, crit);
  let sum = 0;
  for (let s = 0; s < a.length; s++) sum += Math.max(a[s], b[s]);
  return sum;
}
