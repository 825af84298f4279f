/**
 * Decision figures from per-run losses (docs/invest.md, [BUY-9]..[BUY-12]): the distribution of annual loss
 * (compound Poisson over simulated years, the same years for every portfolio), pairwise interactions, the
 * branch and bound over the pairwise model, and the multi-year plan under lead times. Pure: seeded streams only.
 */
import { streamFor } from "../model/rng.ts";
import type { Eval } from "./evaluate.ts";

/** Years simulated for the annual-loss distribution [BUY-9]. */
export const ANNUAL_YEARS = 10_000;
/** Streams of the annual-loss years start here (run r of a scenario uses stream r; runs are far fewer). */
const YEAR_STREAM = 0x40000000;
export const HOURS_PER_YEAR = 8760;

/**
 * Simulated years [BUY-9]: in year y, scenario k happens N ~ Poisson(likelihood k) times, occurrence j being run
 * `run` of that scenario (uniform over runs). Flat: year y's occurrences are [start[y], start[y+1]).
 */
export type Years = { start: Int32Array; scenario: Int32Array; run: Int32Array };

function poisson(lambda: number, u: () => number): number {
  if (lambda <= 0) return 0;
  // inversion (likelihoods are small: expected occurrences per year)
  let k = 0;
  let p = Math.exp(-lambda);
  let cdf = p;
  const x = u();
  while (x > cdf && k < 1000) {
    k++;
    p *= lambda / k;
    cdf += p;
  }
  return k;
}

export function sampleYears(lik: number[], runs: number, seed: number, years = ANNUAL_YEARS): Years {
  const start = new Int32Array(years + 1);
  const sc: number[] = [];
  const rn: number[] = [];
  for (let y = 0; y < years; y++) {
    const rng = streamFor(seed, YEAR_STREAM + y);
    for (let k = 0; k < lik.length; k++) {
      const n = poisson(lik[k], () => rng.next());
      for (let j = 0; j < n; j++) {
        sc.push(k);
        rn.push(rng.int(runs));
      }
    }
    start[y + 1] = sc.length;
  }
  return { start, scenario: Int32Array.from(sc), run: Int32Array.from(rn) };
}

/** Each simulated year's loss for one portfolio's runs. */
export function annualLosses(e: Eval, years: Years): Float64Array {
  const Y = years.start.length - 1;
  const out = new Float64Array(Y);
  for (let y = 0; y < Y; y++) {
    let t = 0;
    for (let o = years.start[y]; o < years.start[y + 1]; o++) t += e.wl[years.scenario[o]][years.run[o]];
    out[y] = t;
  }
  return out;
}

/** The q-quantile (nearest rank) of values. */
export function quantile(values: Float64Array, q: number): number {
  if (values.length === 0) return 0;
  const s = Float64Array.from(values).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/** 95% half-width of Σ_k lik_k x mean_r f_k(r) (scenarios independent). */
export function ci95(lik: number[], f: (k: number) => ArrayLike<number>): number {
  let v = 0;
  for (let k = 0; k < lik.length; k++) {
    const a = f(k);
    const n = a.length;
    if (n < 2) continue;
    let s = 0;
    let s2 = 0;
    for (let r = 0; r < n; r++) {
      s += a[r];
      s2 += a[r] * a[r];
    }
    v += (lik[k] * lik[k] * Math.max(0, (s2 - (s * s) / n) / (n - 1))) / n;
  }
  return 1.96 * Math.sqrt(v);
}

export type Interaction = {
  a: string;
  b: string;
  /** Benefit of buying both, and the sum of their single benefits (expected annual loss avoided). */
  joint: number;
  sumOfSingles: number;
  /** joint - sumOfSingles: < 0 the benefits overlap, > 0 they compound [BUY-10]. */
  interaction: number;
  /** Paired 95% half-width of the interaction over runs. */
  ci95: number;
  kind: "overlap" | "compound" | "none";
};

/** [BUY-10] the interaction of a and b from the runs of the baseline, each alone and both. */
export function interaction(
  ids: [string, string],
  lik: number[],
  base: Eval,
  a: Eval,
  b: Eval,
  ab: Eval,
  baseEal: number,
  eal: (e: Eval) => number,
): Interaction {
  const ba = baseEal - eal(a);
  const bb = baseEal - eal(b);
  const joint = baseEal - eal(ab);
  const x = joint - ba - bb;
  // per run: (base - ab) - (base - a) - (base - b) = a + b - base - ab
  const h = ci95(lik, (k) => {
    const n = base.wl[k].length;
    const d = new Float64Array(n);
    for (let r = 0; r < n; r++) d[r] = a.wl[k][r] + b.wl[k][r] - base.wl[k][r] - ab.wl[k][r];
    return d;
  });
  return {
    a: ids[0],
    b: ids[1],
    joint,
    sumOfSingles: ba + bb,
    interaction: x,
    ci95: h,
    kind: Math.abs(x) > h && x !== 0 ? (x < 0 ? "overlap" : "compound") : "none",
  };
}

/** A pairwise model [BUY-11]: value of a set = Σ value_i + Σ over pairs in the set of pair(i, j). */
export type PairModel = { cost: number[]; value: number[]; pair: (i: number, j: number) => number };

export function modelValue(m: PairModel, set: number[]): number {
  let v = 0;
  for (let x = 0; x < set.length; x++) {
    v += m.value[set[x]];
    for (let y = x + 1; y < set.length; y++) v += m.pair(set[x], set[y]);
  }
  return v;
}

/**
 * [BUY-11] The set of highest value within `budget` under a pairwise model, by depth-first branch and bound.
 * The bound at a node is admissible: the value so far plus a fractional knapsack over the undecided items,
 * each valued optimistically (its value, its pairs with the chosen items, and every positive pair with the
 * undecided ones). Ties: lower cost, then the first found. `nodes` counts the nodes explored.
 */
export function branchAndBound(
  m: PairModel,
  budget: number,
  maxNodes = 2_000_000,
): { set: number[]; value: number; nodes: number; complete: boolean } {
  const n = m.cost.length;
  const order = [...Array(n).keys()].sort((a, b) => {
    const ra = m.cost[a] > 0 ? m.value[a] / m.cost[a] : Infinity;
    const rb = m.cost[b] > 0 ? m.value[b] / m.cost[b] : Infinity;
    return rb - ra || a - b;
  });
  const P = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) P[i * n + j] = m.pair(i, j);
  let bestSet: number[] = [];
  let bestValue = 0;
  let bestCost = 0;
  let nodes = 0;
  let complete = true;
  const chosen: number[] = [];
  const opt = new Float64Array(n);
  const bound = (depth: number, value: number, left: number): number => {
    const rest: { v: number; c: number }[] = [];
    for (let d = depth; d < n; d++) {
      const i = order[d];
      if (m.cost[i] > left) continue;
      let v = m.value[i];
      for (const j of chosen) v += P[i * n + j];
      for (let e = depth; e < n; e++) {
        const j = order[e];
        if (j !== i && P[i * n + j] > 0) v += P[i * n + j];
      }
      opt[i] = v;
      if (v > 0) rest.push({ v, c: m.cost[i] });
    }
    rest.sort((a, b) => (b.c > 0 ? b.v / b.c : Infinity) - (a.c > 0 ? a.v / a.c : Infinity) || 0);
    let ub = value;
    let cap = left;
    for (const r of rest) {
      if (r.c <= cap) {
        ub += r.v;
        cap -= r.c;
      } else {
        ub += (r.v * cap) / r.c;
        break;
      }
    }
    return ub;
  };
  const visit = (depth: number, value: number, cost: number): void => {
    if (++nodes > maxNodes) {
      complete = false;
      return;
    }
    if (value > bestValue + 1e-9 || (Math.abs(value - bestValue) <= 1e-9 && cost < bestCost)) {
      bestValue = value;
      bestCost = cost;
      bestSet = [...chosen];
    }
    if (depth === n) return;
    if (bound(depth, value, budget - cost) <= bestValue + 1e-9) return;
    const i = order[depth];
    if (cost + m.cost[i] <= budget) {
      let add = m.value[i];
      for (const j of chosen) add += P[i * n + j];
      chosen.push(i);
      visit(depth + 1, value + add, cost + m.cost[i]);
      chosen.pop();
    }
    visit(depth + 1, value, cost);
  };
  visit(0, 0, 0);
  return { set: bestSet.sort((a, b) => a - b), value: bestValue, nodes, complete };
}

/** Share of year t (0-based) a control bought at the start of year y protects, given its lead time [BUY-12]. */
export function activeShare(boughtYear: number, leadHours: number, t: number): number {
  const on = boughtYear * HOURS_PER_YEAR + Math.max(0, leadHours);
  const from = t * HOURS_PER_YEAR;
  const to = from + HOURS_PER_YEAR;
  if (on >= to) return 0;
  return (to - Math.max(on, from)) / HOURS_PER_YEAR;
}

export type PlanYear = {
  year: number;
  budget: number;
  /** This year's budget plus what earlier years left unspent. */
  available: number;
  /** Controls bought this year, their capex, and the opex of everything bought so far. */
  buy: string[];
  capex: number;
  opex: number;
  /** Expected loss of this year under the pairwise model, with each control's share of the year in force. */
  expectedLoss: number;
  /** Controls in force at some point this year, with the share of the year. */
  inForce: { id: string; share: number }[];
};

/**
 * [BUY-12] A plan over years: each year, in order, the branch and bound picks what to add within that year's
 * budget plus what earlier years left unspent (capex + opex of the new controls, after the opex of those already
 * bought), valuing each control by the loss it avoids over the remaining years with its lead time delaying its
 * effect. Greedy by year: optimal each year for the pairwise model, not over the whole plan.
 */
export function multiYearPlan(
  ids: string[],
  capex: number[],
  opex: number[],
  leadHours: number[],
  single: number[],
  pair: (i: number, j: number) => number,
  baseLoss: number,
  budgets: number[],
): { years: PlanYear[]; totalExpectedLoss: number; baselineLoss: number; notes: string[] } {
  const n = ids.length;
  const Y = budgets.length;
  const boughtIn = new Array<number>(n).fill(-1);
  const notes: string[] = [];
  const shareSum = (y: number, i: number) => {
    let s = 0;
    for (let t = y; t < Y; t++) s += activeShare(y, leadHours[i], t);
    return s;
  };
  const both = (yi: number, i: number, yj: number, j: number, from: number) => {
    let s = 0;
    for (let t = from; t < Y; t++) s += Math.min(activeShare(yi, leadHours[i], t), activeShare(yj, leadHours[j], t));
    return s;
  };
  let carry = 0;
  const available: number[] = [];
  for (let y = 0; y < Y; y++) {
    const committed = opex.reduce((t, o, i) => t + (boughtIn[i] >= 0 ? o : 0), 0);
    available.push(budgets[y] + carry);
    const left = budgets[y] + carry - committed;
    if (left < 0)
      notes.push(`year ${y + 1}: the opex of controls already bought (${Math.round(committed)}) exceeds its budget`);
    const free = [...Array(n).keys()].filter((i) => boughtIn[i] < 0);
    const m: PairModel = {
      cost: free.map((i) => capex[i] + opex[i]),
      value: free.map((i) => {
        let v = single[i] * shareSum(y, i);
        for (let j = 0; j < n; j++) if (boughtIn[j] >= 0) v += pair(i, j) * both(y, i, boughtIn[j], j, y);
        return v;
      }),
      pair: (a, b) => pair(free[a], free[b]) * both(y, free[a], y, free[b], y),
    };
    const r = branchAndBound(m, Math.max(0, left));
    for (const x of r.set) boughtIn[free[x]] = y;
    carry = Math.max(0, left - r.set.reduce((t, x) => t + m.cost[x], 0));
  }
  const years: PlanYear[] = [];
  let total = 0;
  for (let t = 0; t < Y; t++) {
    const share = (i: number) => (boughtIn[i] >= 0 ? activeShare(boughtIn[i], leadHours[i], t) : 0);
    let avoided = 0;
    for (let i = 0; i < n; i++) {
      avoided += single[i] * share(i);
      for (let j = i + 1; j < n; j++) avoided += pair(i, j) * Math.min(share(i), share(j));
    }
    const loss = baseLoss - avoided;
    total += loss;
    years.push({
      year: t + 1,
      budget: budgets[t],
      available: available[t],
      buy: ids.filter((_, i) => boughtIn[i] === t),
      capex: capex.reduce((s, c, i) => s + (boughtIn[i] === t ? c : 0), 0),
      opex: opex.reduce((s, o, i) => s + (boughtIn[i] >= 0 && boughtIn[i] <= t ? o : 0), 0),
      expectedLoss: loss,
      inForce: ids.map((id, i) => ({ id, share: share(i) })).filter((x) => x.share > 0),
    });
  }
  return { years, totalExpectedLoss: total, baselineLoss: baseLoss * Y, notes };
}
