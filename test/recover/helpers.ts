/** Random restoration cases and a slow, obvious oracle: every assignment and order, each run by the simulator. */
import { weightedLoss } from "../../src/model/consequence.ts";
import { buildIndex, servicesAtRisk } from "../../src/model/graph.ts";
import type { CityModel } from "../../src/model/model.ts";
import { type Rng, streamFor } from "../../src/model/rng.ts";
import { ALWAYS, buildProblem, type CrewFile, type CrewSpec, type Problem } from "../../src/recover/problem.ts";
import { SetRunner } from "../../src/simulate/chunk.ts";
import { randomModel } from "../helpers/random-model.ts";

export function crewFileOf(crews: Omit<CrewSpec, "source">[], durations: Record<string, number> = {}): CrewFile {
  return {
    crews: crews.map((c) => ({ ...c, source: "<test>" })),
    durations: new Map(Object.entries(durations)),
    where: () => ({ file: "<test>", line: 1, column: 1 }),
  };
}

/** A small random model with some OT assets, 2-`maxDown` of them down, 1-3 crews with 1-2 teams, sometimes on shifts. */
export function randomCase(seed: number, maxDown = 4): { model: CityModel; problem: Problem } {
  const rng: Rng = streamFor(seed, 4242);
  const model = randomModel(seed, { maxAssets: 8, maxServices: 4 });
  for (const a of model.assets) {
    if (rng.next() < 0.4) a.layer = "ot";
    a.rebuild = 1 + rng.int(8);
  }
  // mostly assets some service needs (the others cost nothing and make easy cases)
  const index = buildIndex(model);
  const useful = model.assets
    .map((a) => a.id as string)
    .filter((id) => servicesAtRisk(index, index.nodeOf.get(id) as number).length > 0);
  const ids = useful.length >= 2 && rng.next() < 0.9 ? useful : model.assets.map((a) => a.id as string);
  const n = Math.min(ids.length, 3 + rng.int(maxDown - 2));
  const down: string[] = [];
  while (down.length < n) {
    const id = ids[rng.int(ids.length)];
    if (!down.includes(id)) down.push(id);
  }
  const shift = () => (rng.next() < 0.3 ? { from: rng.int(6), hours: 4 + rng.int(8), every: 12 } : ALWAYS);
  const crews: Omit<CrewSpec, "source">[] = [
    { id: "it-team", count: 1 + (rng.next() < 0.3 ? 1 : 0), layers: ["it"], shift: shift() },
  ];
  if (rng.next() < 0.5) crews.push({ id: "ot-team", count: 1, layers: ["ot"], shift: shift() });
  if (rng.next() < 0.3 || crews.length === 1) crews.push({ id: "anyone", count: 1, shift: shift() });
  const r = buildProblem({ model, down: down.map((id) => ({ id })), crewFile: crewFileOf(crews) });
  if (!r.ok) throw new Error(`random case ${seed}: ${r.issues.map((i) => i.message).join("; ")}`);
  return { model, problem: r.problem };
}

/** Finish time by stepping one hour at a time (integer durations and shift times only). */
export function finishByHours(start: number, work: number, s: { from: number; hours: number; every: number }): number {
  let t = start;
  let left = work;
  while (left > 0) {
    const on = s.hours >= s.every || (((t - s.from) % s.every) + s.every) % s.every < s.hours;
    t += 1;
    if (on) left -= 1;
  }
  return t;
}

/** The simulator's weighted loss when task i is restored at restore[i]: a fresh scenario, parsed, bound and run. */
export function simulatedLoss(model: CityModel, p: Problem, restore: ArrayLike<number>, horizon: number): number {
  const raw = {
    id: "oracle",
    name: "oracle",
    horizon: `${horizon}h`,
    events: p.tasks.map((t, i) => ({ at: "0h", down: [t.id], for: `${restore[i]}h` })),
  };
  const runner = new SetRunner(model, raw, "<oracle>");
  const r = runner.runRange(1, 0, 0, 1);
  return weightedLoss(model.services, r.personHours);
}

/** Every assignment of tasks to eligible teams and every order on each team; the best simulated loss. */
export function oracleBest(model: CityModel, p: Problem, horizon: number): number {
  const n = p.tasks.length;
  const T = p.teams.length;
  const cache = new Map<string, number>();
  let best = Number.POSITIVE_INFINITY;
  const assign = new Int32Array(n);
  const perms = (xs: number[]): number[][] =>
    xs.length <= 1 ? [xs] : xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((r) => [x, ...r]));
  const visitOrders = (teamLists: number[][], k: number, restore: number[]) => {
    if (k === T) {
      const key = restore.join(",");
      let loss = cache.get(key);
      if (loss === undefined) {
        loss = simulatedLoss(model, p, restore, horizon);
        cache.set(key, loss);
      }
      if (loss < best) best = loss;
      return;
    }
    const shift = p.crews[p.teams[k].crew].shift;
    for (const order of perms(teamLists[k])) {
      const r = restore.slice();
      let t = 0;
      for (const i of order) {
        t = finishByHours(t, p.tasks[i].duration, shift);
        r[i] = t;
      }
      visitOrders(teamLists, k + 1, r);
    }
  };
  const rec = (i: number) => {
    if (i === n) {
      const lists: number[][] = Array.from({ length: T }, () => []);
      for (let k = 0; k < n; k++) lists[assign[k]].push(k);
      visitOrders(lists, 0, new Array(n).fill(0));
      return;
    }
    for (const j of p.tasks[i].eligible) {
      assign[i] = j;
      rec(i + 1);
    }
  };
  rec(0);
  return best;
}
