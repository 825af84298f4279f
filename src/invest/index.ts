/**
 * Investment planning (docs/invest.md, docs/specs/invest.md [BUY-1]..[BUY-7]): which candidate controls to buy
 * under a budget, judged by the simulator's expected annual weighted loss. Every portfolio is simulated with the
 * same seed, so run r of every portfolio and scenario uses the same random stream (common random numbers).
 * Pure apart from the simulator's worker threads: no clock, no I/O, no Math.random.
 */
import { nearest } from "../model/issues.ts";
import type { RawModel } from "../model/load.ts";
import type { CityModel } from "../model/model.ts";
import type { ChunkExecutor } from "../simulate/run.ts";
import type { Scenario } from "../simulate/scenario.ts";
import {
  annualLosses,
  branchAndBound,
  ci95,
  type Interaction,
  interaction,
  modelValue,
  multiYearPlan,
  type PairModel,
  type PlanYear,
  quantile,
  sampleYears,
  type Years,
} from "./decide.ts";
import { type Eval, Evaluator } from "./evaluate.ts";
import { DEFAULT_LIKELIHOOD } from "./likelihood.ts";
import { EvalPool } from "./pool.ts";

export { DEFAULT_LIKELIHOOD, EvalPool };

/** Up to this many candidates every subset is simulated ([BUY-4]); beyond, the additive model ([BUY-5]). */
export const EXACT_MAX = 6;

export type InvestError = {
  code: string;
  parameter: string;
  message: string;
  /** For an error about one candidate: its position in the `candidates` list (0-based). */
  index?: number;
};

export type InvestOptions = {
  budget: number;
  years: number;
  runs: number;
  seed: number;
  workers: number;
  /** Candidate control ids; absent: every control not yet implemented. */
  candidates?: string[];
  /** Likelihood per scenario id, overriding the scenario's and the default ([BUY-1]). */
  likelihood?: Record<string, number>;
  exactMax?: number;
  /** Beyond exactMax: pairs among this many candidates of highest single benefit are simulated [BUY-10]. */
  pairs?: number;
  /** Budgets per year of a multi-year plan [BUY-12]; absent with years > 1: budget / years each year. */
  yearBudgets?: number[];
  onProgress?: (done: number, total: number) => void;
  /** A pool to run on (the server's, shared by its jobs); absent: one of `workers` threads for this call. */
  pool?: EvalPool;
  /** Where the simulation chunks run instead of the pool (e.g. a PostgreSQL queue), merged by run index. */
  executor?: ChunkExecutor;
  /** Cancels the call (it then returns the error `cancelled`). */
  signal?: AbortSignal;
};

export type Candidate = {
  id: string;
  name: string;
  capex: number;
  opex: number;
  leadTimeHours: number | null;
  /** capex + years x opex [BUY-2]. */
  cost: number;
};

/** One portfolio, simulated or estimated. */
export type Portfolio = {
  controls: string[];
  cost: number;
  /** Expected annual weighted loss [BUY-3]. */
  expectedAnnualLoss: number;
  /** Expected annual person-hours lost [BUY-3]. */
  expectedAnnualPersonHours: number;
  /** Baseline minus this portfolio's expected annual loss. */
  benefit: number;
  /** Half-width of the 95% confidence interval of the benefit (paired over runs); null when estimated. */
  benefitCI95: number | null;
  /** Half-width of the 95% confidence interval of the expected annual loss; null when estimated [BUY-9]. */
  expectedAnnualLossCI95: number | null;
  /** 95th percentile of the annual loss over simulated years; null when estimated [BUY-9]. */
  annualLossP95: number | null;
  /** True when the figures come from the additive model, not from simulating this portfolio ([BUY-5]). */
  estimated: boolean;
};

export type InvestReport = {
  budget: number;
  years: number;
  runs: number;
  seed: number;
  method: "exact" | "additive";
  scenarios: { id: string; likelihood: number; source: "scenario" | "default" | "option" }[];
  candidates: (Candidate & { single: Portfolio; benefitPerCost: number | null })[];
  baseline: Portfolio;
  /** The recommended portfolio; null with `why` when none is worth buying or affordable [BUY-7]. */
  best: Portfolio | null;
  /** Buying in order of individual benefit per cost while the budget lasts [BUY-6]. */
  ratioOrder: Portfolio & { order: string[] };
  /** best.benefit - ratioOrder.benefit (simulated). */
  advantageOverRatio: number | null;
  /**
   * Pareto frontier of cost against expected annual loss [BUY-6], each point with the ratio order at its cost
   * as budget and how much more loss that leaves per year (`advantageOverRatio`, >= 0 in exact mode) [BUY-11].
   */
  frontier: (Portfolio & { ratioOrderLoss: number; advantageOverRatio: number })[];
  /** The next frontier point above the recommended portfolio: what more money would buy. */
  nextTranche: { cost: number; benefit: number; add: string[]; remove: string[] } | null;
  /** Pairs of candidates whose joint benefit differs from the sum of their single benefits [BUY-10]. */
  interactions: Interaction[];
  /** What the recommendation guarantees [BUY-11]. */
  optimality: {
    method: "all-subsets" | "pairwise-branch-and-bound";
    guarantee: string;
    /** Simulated expected annual loss with every candidate of positive single benefit bought; null in exact mode. */
    lowerBound: number | null;
    /** Recommended loss minus lowerBound. */
    gap: number | null;
    nodes: number;
  };
  /** Multi-year plan under lead times [BUY-12]; null with one year. */
  plan: {
    years: PlanYear[];
    totalExpectedLoss: number;
    baselineLoss: number;
    /** The portfolio in force at the end, simulated. */
    final: Portfolio;
    notes: string[];
  } | null;
  portfoliosSimulated: number;
  /**
   * The evaluation's work [BUY-8]: (scenario, bound-model fingerprint) pairs simulated, (portfolio, scenario)
   * pairs answered by an equal fingerprint without simulating, and simulation runs.
   */
  evaluation: { simulated: number; shared: number; runsSimulated: number };
  why: string | null;
  warnings: string[];
};

export type InvestScenario = { scenario: Scenario };

/** Scenario likelihoods [BUY-1]: the `likelihood` parameter, else the scenario's own, else the built-in default. */
export function resolveLikelihoods(
  scenarios: Scenario[],
  override: Record<string, number> = {},
): { ok: true; list: InvestReport["scenarios"] } | { ok: false; error: InvestError } {
  const list: InvestReport["scenarios"] = [];
  for (const s of scenarios) {
    if (override[s.id] !== undefined) list.push({ id: s.id, likelihood: override[s.id], source: "option" });
    else if (s.likelihood !== undefined) list.push({ id: s.id, likelihood: s.likelihood, source: "scenario" });
    else if (s.file === `built-in:${s.id}` && DEFAULT_LIKELIHOOD[s.id] !== undefined)
      list.push({ id: s.id, likelihood: DEFAULT_LIKELIHOOD[s.id], source: "default" });
    else
      return {
        ok: false,
        error: {
          code: "no-likelihood",
          parameter: "likelihood",
          message: `scenario ${s.id} (${s.file}) has no likelihood: add "likelihood: <occurrences per year>" to it or give ${s.id} one here`,
        },
      };
  }
  return { ok: true, list };
}

/** The candidates with their cost over `years` [BUY-2]; errors name the control and what is missing. */
export function resolveCandidates(
  model: CityModel,
  ids: string[] | undefined,
  years: number,
): { ok: true; list: Candidate[] } | { ok: false; error: InvestError } {
  const chosen = ids ?? model.controls.filter((c) => c.status !== "implemented").map((c) => c.id);
  const list: Candidate[] = [];
  const seen = new Set<string>();
  for (const [index, id] of chosen.entries()) {
    if (seen.has(id))
      return {
        ok: false,
        error: { code: "duplicate-candidate", parameter: "candidates", index, message: `${id} twice` },
      };
    seen.add(id);
    const c = model.controls.find((x) => x.id === id);
    if (!c) {
      const guess = nearest(
        id,
        model.controls.map((x) => x.id),
      );
      return {
        ok: false,
        error: {
          code: "unknown-control",
          parameter: "candidates",
          index,
          message: `"${id}" is not a control of the model${guess ? `; did you mean ${guess}?` : ""}`,
        },
      };
    }
    if (c.status === "implemented")
      return {
        ok: false,
        error: {
          code: "implemented",
          parameter: "candidates",
          index,
          message: `${id} is already implemented; it cannot be bought`,
        },
      };
    if (!c.cost || (c.cost.capex === undefined && c.cost.opex === undefined))
      return {
        ok: false,
        error: {
          code: "no-cost",
          parameter: "candidates",
          index,
          message: `control ${id} has no cost: add cost: { capex: ..., opex: ... } to it`,
        },
      };
    const capex = c.cost.capex ?? 0;
    const opex = c.cost.opex ?? 0;
    list.push({
      id,
      name: c.name,
      capex,
      opex,
      leadTimeHours: c.cost.lead_time ?? null,
      cost: capex + years * opex,
    });
  }
  return { ok: true, list };
}

const maskIds = (cands: Candidate[], mask: number[]) => mask.map((i) => cands[i].id);

const mean = (a: Float64Array) => {
  let t = 0;
  for (const x of a) t += x;
  return a.length ? t / a.length : 0;
};

/** Expected annual loss and person-hours of one evaluation [BUY-3]. */
function annual(e: Eval, lik: number[]): { eal: number; ph: number } {
  let eal = 0;
  let ph = 0;
  for (let k = 0; k < lik.length; k++) {
    eal += lik[k] * mean(e.wl[k]);
    ph += lik[k] * mean(e.ph[k]);
  }
  return { eal, ph };
}

/** Paired 95% half-width of baseline - e, summed over independent scenarios. */
function pairedCI(base: Eval, e: Eval, lik: number[]): number {
  let v = 0;
  for (let k = 0; k < lik.length; k++) {
    const n = e.wl[k].length;
    if (n < 2) continue;
    let s = 0;
    let s2 = 0;
    for (let r = 0; r < n; r++) {
      const d = base.wl[k][r] - e.wl[k][r];
      s += d;
      s2 += d * d;
    }
    const variance = Math.max(0, (s2 - (s * s) / n) / (n - 1));
    v += (lik[k] * lik[k] * variance) / n;
  }
  return 1.96 * Math.sqrt(v);
}

function portfolio(
  cands: Candidate[],
  idx: number[],
  e: Eval,
  base: Eval,
  baseEal: number,
  lik: number[],
  years: Years,
): Portfolio {
  const a = annual(e, lik);
  return {
    expectedAnnualLossCI95: ci95(lik, (k) => e.wl[k]),
    annualLossP95: quantile(annualLosses(e, years), 0.95),
    controls: maskIds(cands, idx),
    cost: idx.reduce((t, i) => t + cands[i].cost, 0),
    expectedAnnualLoss: a.eal,
    expectedAnnualPersonHours: a.ph,
    benefit: baseEal - a.eal,
    benefitCI95: idx.length ? pairedCI(base, e, lik) : 0,
    estimated: false,
  };
}

/** Pareto frontier [BUY-6]: by cost ascending, each point strictly lower loss than every cheaper one. */
export function paretoFrontier<T extends { cost: number; expectedAnnualLoss: number; controls: string[] }>(
  points: T[],
): T[] {
  const sorted = [...points].sort(
    (a, b) => a.cost - b.cost || a.expectedAnnualLoss - b.expectedAnnualLoss || a.controls.length - b.controls.length,
  );
  const out: T[] = [];
  for (const p of sorted) if (!out.length || p.expectedAnnualLoss < out[out.length - 1].expectedAnnualLoss) out.push(p);
  return out;
}

/** The best within budget [BUY-4]: lowest loss, then lowest cost, then fewest controls. */
export function bestWithin<T extends { cost: number; expectedAnnualLoss: number; controls: string[] }>(
  points: T[],
  budget: number,
): T | null {
  let best: T | null = null;
  for (const p of points) {
    if (p.cost > budget) continue;
    if (
      !best ||
      p.expectedAnnualLoss < best.expectedAnnualLoss ||
      (p.expectedAnnualLoss === best.expectedAnnualLoss &&
        (p.cost < best.cost || (p.cost === best.cost && p.controls.length < best.controls.length)))
    )
      best = p;
  }
  return best;
}

/** Buying in order of individual benefit per cost while the budget lasts [BUY-6]: the indices bought. */
export function ratioOrder(singles: { cost: number; benefit: number }[], budget: number): number[] {
  const order = singles
    .map((s, i) => ({ i, ratio: s.cost > 0 ? s.benefit / s.cost : s.benefit > 0 ? Infinity : 0, s }))
    .filter((x) => x.s.benefit > 0)
    .sort((a, b) => b.ratio - a.ratio || a.i - b.i);
  const bought: number[] = [];
  let left = budget;
  for (const x of order)
    if (x.s.cost <= left) {
      bought.push(x.i);
      left -= x.s.cost;
    }
  return bought.sort((a, b) => a - b);
}

/**
 * The additive model's exact Pareto set [BUY-5] (Nemhauser-Ullmann): subsets by (cost, estimated benefit),
 * keeping only those no cheaper subset beats. Controls with no positive benefit are left out.
 */
export function additiveFrontier(
  items: { cost: number; benefit: number }[],
): { idx: number[]; cost: number; benefit: number }[] {
  let list: { idx: number[]; cost: number; benefit: number }[] = [{ idx: [], cost: 0, benefit: 0 }];
  items.forEach((it, i) => {
    if (!(it.benefit > 0)) return;
    const added = list.map((p) => ({ idx: [...p.idx, i], cost: p.cost + it.cost, benefit: p.benefit + it.benefit }));
    const all = [...list, ...added].sort((a, b) => a.cost - b.cost || b.benefit - a.benefit);
    const next: typeof list = [];
    for (const p of all) if (!next.length || p.benefit > next[next.length - 1].benefit) next.push(p);
    list = next;
  });
  return list;
}

export async function invest(
  loaded: { model: CityModel; raw: RawModel },
  scenarios: Scenario[],
  opts: InvestOptions,
): Promise<{ ok: true; report: InvestReport } | { ok: false; error: InvestError }> {
  if (!Number.isFinite(opts.budget) || opts.budget < 0)
    return {
      ok: false,
      error: {
        code: "bad-budget",
        parameter: "budget",
        message: `expected an amount >= 0, found ${opts.budget}`,
      },
    };
  const yb = opts.yearBudgets;
  if (yb && (yb.length === 0 || yb.some((b) => !Number.isFinite(b) || b < 0)))
    return {
      ok: false,
      error: {
        code: "bad-year-budgets",
        parameter: "yearBudgets",
        message: `expected one amount >= 0 per year, found ${yb.length ? yb.join(", ") : "none"}`,
      },
    };
  const lk = resolveLikelihoods(scenarios, opts.likelihood);
  if (!lk.ok) return lk;
  const cr = resolveCandidates(loaded.model, opts.candidates, opts.years);
  if (!cr.ok) return cr;
  const cands = cr.list;
  const n = cands.length;
  const exact = n <= (opts.exactMax ?? EXACT_MAX);
  const warnings: string[] = [];
  const portfolios: number[][] = [];
  if (exact) {
    for (let m = 0; m < 1 << n; m++) {
      const p: number[] = [];
      for (let i = 0; i < n; i++) if (m & (1 << i)) p.push(i);
      portfolios.push(p);
    }
  } else {
    portfolios.push([]);
    for (let i = 0; i < n; i++) portfolios.push([i]);
  }
  const pool = opts.pool ?? new EvalPool(opts.workers);
  const ev = new Evaluator(
    loaded,
    scenarios,
    cands.map((c) => c.id),
    { runs: opts.runs, seed: opts.seed, parameter: "candidates", executor: opts.executor, signal: opts.signal },
    pool,
  );
  try {
    return await plan(ev, lk.list, cands, portfolios, exact, opts, warnings);
  } finally {
    ev.release();
    if (!opts.pool) await pool.close();
  }
}

/** Default number of candidates whose pairs are simulated beyond the exact limit [BUY-10]. */
export const PAIRS_DEFAULT = 6;

async function plan(
  evaluator: Evaluator,
  scenarioList: InvestReport["scenarios"],
  cands: Candidate[],
  portfolios: number[][],
  exact: boolean,
  opts: InvestOptions,
  warnings: string[],
): Promise<{ ok: true; report: InvestReport } | { ok: false; error: InvestError }> {
  const lik = scenarioList.map((s) => s.likelihood);
  const n = cands.length;
  const ev = await evaluator.evaluate(portfolios, opts.onProgress);
  if (!ev.ok) return ev;
  const evals = ev.evals;
  const base = evals[0];
  const years = sampleYears(lik, opts.runs, opts.seed);
  const baseEal = annual(base, lik).eal;
  const eal = (e: Eval) => annual(e, lik).eal;
  const all = portfolios.map((p, j) => portfolio(cands, p, evals[j], base, baseEal, lik, years));
  const singleOf = (i: number) => (exact ? all[1 << i] : all[i + 1]);
  const singleEval = (i: number) => (exact ? evals[1 << i] : evals[i + 1]);
  const candidates = cands.map((c, i) => {
    const single = singleOf(i);
    return { ...c, single, benefitPerCost: c.cost > 0 ? single.benefit / c.cost : null };
  });
  const singles = cands.map((c, i) => ({ cost: c.cost, benefit: singleOf(i).benefit }));
  const ratioIdx = ratioOrder(singles, opts.budget);
  const orderIds = [...ratioIdx]
    .map((i) => ({ i, r: cands[i].cost > 0 ? singleOf(i).benefit / cands[i].cost : Infinity }))
    .sort((a, b) => b.r - a.r || a.i - b.i)
    .map((x) => cands[x.i].id);
  let simulated = portfolios.length;

  // [BUY-10] pairs: every pair in exact mode; beyond, among the candidates of highest positive single benefit
  const pairIdx: [number, number][] = [];
  let pairEvals: Eval[] = [];
  if (exact) {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairIdx.push([i, j]);
    pairEvals = pairIdx.map(([i, j]) => evals[(1 << i) | (1 << j)]);
  } else {
    const top = cands
      .map((_, i) => i)
      .filter((i) => singles[i].benefit > 0)
      .sort((a, b) => singles[b].benefit - singles[a].benefit || a - b)
      .slice(0, Math.max(0, opts.pairs ?? PAIRS_DEFAULT))
      .sort((a, b) => a - b);
    for (let x = 0; x < top.length; x++) for (let y = x + 1; y < top.length; y++) pairIdx.push([top[x], top[y]]);
    const pe = await evaluator.evaluate(pairIdx.map(([i, j]) => [i, j]));
    if (!pe.ok) return pe;
    pairEvals = pe.evals;
    simulated += pairIdx.length;
  }
  const pairValue = new Map<number, number>();
  const interactions: Interaction[] = pairIdx.map(([i, j], x) => {
    const it = interaction(
      [cands[i].id, cands[j].id],
      lik,
      base,
      singleEval(i),
      singleEval(j),
      pairEvals[x],
      baseEal,
      eal,
    );
    pairValue.set(i * n + j, it.interaction);
    pairValue.set(j * n + i, it.interaction);
    return it;
  });
  // the pairwise model: single benefits plus the measured interactions (unmeasured pairs: 0)
  const model: PairModel = {
    cost: cands.map((c) => c.cost),
    value: singles.map((x) => x.benefit),
    pair: (i, j) => pairValue.get(i * n + j) ?? 0,
  };

  let best: Portfolio | null;
  let ratio: Portfolio;
  let frontierPts: Portfolio[];
  let ratioLossAt: (budget: number) => number;
  let optimality: InvestReport["optimality"];
  if (exact) {
    best = bestWithin(all, opts.budget);
    frontierPts = paretoFrontier(all);
    ratio = all[ratioIdx.reduce((m, i) => m | (1 << i), 0)];
    ratioLossAt = (b) => all[ratioOrder(singles, b).reduce((m, i) => m | (1 << i), 0)].expectedAnnualLoss;
    optimality = {
      method: "all-subsets",
      guarantee: `every subset of the ${n} candidates simulated on the same runs: the recommendation is the best of them on these runs`,
      lowerBound: null,
      gap: null,
      nodes: portfolios.length,
    };
  } else {
    // [BUY-11] exact for the pairwise model by branch and bound; the frontier: the additive Pareto sets valued
    // under the pairwise model; then the pick, the ratio order and the all-candidates bound are simulated
    const bb = branchAndBound(model, opts.budget);
    const positive = cands.map((_, i) => i).filter((i) => singles[i].benefit > 0);
    const ev2 = await evaluator.evaluate([bb.set, ratioIdx, positive]);
    if (!ev2.ok) return ev2;
    simulated += 3;
    best = portfolio(cands, bb.set, ev2.evals[0], base, baseEal, lik, years);
    ratio = portfolio(cands, ratioIdx, ev2.evals[1], base, baseEal, lik, years);
    const lower = eal(ev2.evals[2]);
    const estimate = (idx: number[]): Portfolio => {
      const v = modelValue(model, idx);
      return {
        controls: maskIds(cands, idx),
        cost: idx.reduce((t, i) => t + cands[i].cost, 0),
        expectedAnnualLoss: baseEal - v,
        expectedAnnualPersonHours: Number.NaN,
        benefit: v,
        benefitCI95: null,
        expectedAnnualLossCI95: null,
        annualLossP95: null,
        estimated: true,
      };
    };
    frontierPts = paretoFrontier([...additiveFrontier(singles).map((p) => estimate(p.idx)), estimate(bb.set)]);
    ratioLossAt = (b) => baseEal - modelValue(model, ratioOrder(singles, b));
    optimality = {
      method: "pairwise-branch-and-bound",
      guarantee: `${n} candidates, more than ${opts.exactMax ?? EXACT_MAX}: the recommendation is exactly optimal for the pairwise model (each control's simulated single benefit plus the simulated interactions of ${pairIdx.length} pairs; other pairs taken as 0), found by branch and bound with an admissible bound${bb.complete ? "" : " (stopped at its node limit: the best found)"}; its figures are simulated. The lower bound is the simulated loss with every candidate of positive benefit bought, whatever the budget: no affordable portfolio does better, if no control raises the expected loss`,
      lowerBound: lower,
      gap: best.expectedAnnualLoss - lower,
      nodes: bb.nodes,
    };
    warnings.push(
      `${n} candidates: more than ${opts.exactMax ?? EXACT_MAX}, so portfolios are chosen on the pairwise model and the frontier is estimated [BUY-5] [BUY-11]`,
    );
  }
  const frontier = frontierPts.map((p) => {
    const rl = ratioLossAt(p.cost);
    return { ...p, ratioOrderLoss: rl, advantageOverRatio: rl - p.expectedAnnualLoss };
  });

  let why: string | null = null;
  const cheapest = cands.reduce<Candidate | null>((m, c) => (!m || c.cost < m.cost ? c : m), null);
  if (n === 0) why = "no candidate controls: the model has no control that is not already implemented";
  else if (cheapest && cheapest.cost > opts.budget)
    why = `the budget buys nothing: the cheapest candidate, ${cheapest.id}, costs ${cheapest.cost} over ${opts.years} year(s)`;
  else if (best && best.controls.length === 0)
    why = "no affordable portfolio lowers the expected annual loss on these runs";
  if (why) best = null;
  if (lik.every((x) => x === 0))
    warnings.push("every scenario has likelihood 0: every portfolio has zero expected loss");

  const bestCost = best?.cost ?? 0;
  const bestLoss = best?.expectedAnnualLoss ?? baseEal;
  const above = frontier.find((p) => p.cost > bestCost && p.expectedAnnualLoss < bestLoss);
  const nextTranche = above
    ? {
        cost: above.cost - bestCost,
        benefit: bestLoss - above.expectedAnnualLoss,
        add: above.controls.filter((c) => !(best?.controls ?? []).includes(c)),
        remove: (best?.controls ?? []).filter((c) => !above.controls.includes(c)),
      }
    : null;

  // [BUY-12] the multi-year plan
  let planOut: InvestReport["plan"] = null;
  const budgets = opts.yearBudgets ?? (opts.years > 1 ? Array(opts.years).fill(opts.budget / opts.years) : null);
  if (budgets && budgets.length > 0 && n > 0) {
    const mp = multiYearPlan(
      cands.map((c) => c.id),
      cands.map((c) => c.capex),
      cands.map((c) => c.opex),
      cands.map((c) => c.leadTimeHours ?? 0),
      singles.map((x) => x.benefit),
      model.pair,
      baseEal,
      budgets,
    );
    const bought = cands.map((_, i) => i).filter((i) => mp.years.some((y) => y.buy.includes(cands[i].id)));
    const fe = await evaluator.evaluate([bought]);
    if (!fe.ok) return fe;
    if (!exact) simulated += 1;
    const notes = [...mp.notes];
    if (cands.some((c) => c.leadTimeHours === null))
      notes.push("controls without lead_time are taken to protect from the day they are bought");
    planOut = {
      years: mp.years,
      totalExpectedLoss: mp.totalExpectedLoss,
      baselineLoss: mp.baselineLoss,
      final: portfolio(cands, bought, fe.evals[0], base, baseEal, lik, years),
      notes,
    };
  }

  return {
    ok: true,
    report: {
      budget: opts.budget,
      years: opts.years,
      runs: opts.runs,
      seed: opts.seed,
      method: exact ? "exact" : "additive",
      scenarios: scenarioList,
      candidates,
      baseline: all[0],
      best,
      ratioOrder: { ...ratio, order: orderIds },
      advantageOverRatio: best ? best.benefit - ratio.benefit : null,
      frontier,
      nextTranche,
      interactions,
      optimality,
      plan: planOut,
      portfoliosSimulated: simulated,
      evaluation: { simulated: evaluator.simulated, shared: evaluator.shared, runsSimulated: evaluator.runsSimulated },
      why,
      warnings,
    },
  };
}
