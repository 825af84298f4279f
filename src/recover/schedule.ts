/**
 * Schedules of repairs on teams: decoding a priority order by list scheduling [RCV-4], and the state from which
 * a (re-)plan starts: teams' release times and tasks already fixed (done or running) [RCV-6].
 */
import { finishTime, type Problem, type Shift, startTime } from "./problem.ts";

export type Schedule = {
  team: Int32Array;
  start: Float64Array;
  finish: Float64Array;
};

/** Where planning starts: per team the time it is free, per task a fixed finish (NaN: to plan). */
export type Start = {
  release: Float64Array;
  fixedTeam: Int32Array;
  fixedStart: Float64Array;
  fixedFinish: Float64Array;
};

export function freshStart(p: Problem): Start {
  return {
    release: new Float64Array(p.teams.length),
    fixedTeam: new Int32Array(p.tasks.length).fill(-1),
    fixedStart: new Float64Array(p.tasks.length).fill(Number.NaN),
    fixedFinish: new Float64Array(p.tasks.length).fill(Number.NaN),
  };
}

export function shiftOf(p: Problem, team: number): Shift {
  return p.crews[p.teams[team].crew].shift;
}

/** The tasks still to plan (not fixed), in task order. */
export function openTasks(st: Start): number[] {
  const out: number[] = [];
  for (let i = 0; i < st.fixedFinish.length; i++) if (Number.isNaN(st.fixedFinish[i])) out.push(i);
  return out;
}

/**
 * [RCV-4] List scheduling: tasks in `order` each go to the eligible team on which they would finish first
 * (ties: the lower team), starting when that team is free (and on shift).
 */
export function decode(p: Problem, st: Start, order: ArrayLike<number>): Schedule {
  const n = p.tasks.length;
  const free = Float64Array.from(st.release);
  const s: Schedule = {
    team: Int32Array.from(st.fixedTeam),
    start: Float64Array.from(st.fixedStart),
    finish: Float64Array.from(st.fixedFinish),
  };
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    const t = p.tasks[i];
    let best = -1;
    let bestF = Number.POSITIVE_INFINITY;
    for (let e = 0; e < t.eligible.length; e++) {
      const j = t.eligible[e];
      const f = finishTime(free[j], t.duration, shiftOf(p, j));
      if (f < bestF) {
        bestF = f;
        best = j;
      }
    }
    s.team[i] = best;
    s.start[i] = startTime(free[best], shiftOf(p, best));
    s.finish[i] = bestF;
    free[best] = bestF;
  }
  if (order.length + countFixed(st) !== n) throw new Error("internal: decode order does not cover the open tasks");
  return s;
}

function countFixed(st: Start): number {
  let c = 0;
  for (let i = 0; i < st.fixedFinish.length; i++) if (!Number.isNaN(st.fixedFinish[i])) c++;
  return c;
}

/** The schedule's team sequences: per team the tasks in start order. */
export function sequences(p: Problem, s: Schedule): number[][] {
  const seq: number[][] = p.teams.map(() => []);
  for (let i = 0; i < p.tasks.length; i++) if (s.team[i] >= 0) seq[s.team[i]].push(i);
  for (const q of seq) q.sort((a, b) => s.start[a] - s.start[b] || a - b);
  return seq;
}
