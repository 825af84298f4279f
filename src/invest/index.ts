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
import { type Eval, Evaluator } from "./evaluate.ts";
import { DEFAULT_LIKELIHOOD } from "./likelihood.ts";
import { EvalPool } from "./pool.ts";

export { DEFAULT_LIKELIHOOD, EvalPool };

/** Up to this many candidates every subset is simulated ([BUY-4]); beyond, the additive model ([BUY-5]). */
export const EXACT_MAX = 6;

export type InvestError = { code: string; parameter: string; message: string };

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
  onProgress?: (done: number, total: number) => void;
  /** A pool to run on (the server's, shared by its jobs); absent: one of `workers` threads for this call. */
  pool?: EvalPool;
  /** Where the simulation chunks run instead of the pool (e.g. a PostgreSQL queue), merged by run index. */
  executor?: ChunkExecutor;
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
  /** Pareto frontier of cost against expected annual loss [BUY-6]. */
  frontier: Portfolio[];
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
  for (const id of chosen) {
    if (seen.has(id))
      return {
        ok: false,
        error: { code: "duplicate-candidate", parameter: "candidates", message: `${id} twice` },
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
          message: `${id} is already implemented; it cannot be bought`,
        },
      };
    if (!c.cost || (c.cost.capex === undefined && c.cost.opex === undefined))
      return {
        ok: false,
        error: {
          code: "no-cost",
          parameter: "candidates",
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

function portfolio(cands: Candidate[], idx: number[], e: Eval, base: Eval, baseEal: number, lik: number[]): Portfolio {
  const a = annual(e, lik);
  return {
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
    { runs: opts.runs, seed: opts.seed, parameter: "candidates", executor: opts.executor },
    pool,
  );
  try {
    return await plan(ev, lk.list, cands, portfolios, exact, opts, warnings);
  } finally {
    ev.release();
    if (!opts.pool) await pool.close();
  }
}

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
  // progress over both passes: the second (additive method) is at most 2 portfolios
  const ev = await evaluator.evaluate(portfolios, opts.onProgress);
  if (!ev.ok) return ev;
  const evals = ev.evals;
  const base = evals[0];
  const baseEal = annual(base, lik).eal;
  const all = portfolios.map((p, j) => portfolio(cands, p, evals[j], base, baseEal, lik));
  const singleOf = (i: number) => (exact ? all[1 << i] : all[i + 1]);
  const candidates = cands.map((c, i) => {
    const single = singleOf(i);
    return { ...c, single, benefitPerCost: c.cost > 0 ? single.benefit / c.cost : null };
  });
  const ratioIdx = ratioOrder(
    cands.map((c, i) => ({ cost: c.cost, benefit: singleOf(i).benefit })),
    opts.budget,
  );
  const orderIds = [...ratioIdx]
    .map((i) => ({ i, r: cands[i].cost > 0 ? singleOf(i).benefit / cands[i].cost : Infinity }))
    .sort((a, b) => b.r - a.r || a.i - b.i)
    .map((x) => cands[x.i].id);
  let best: Portfolio | null;
  let frontier: Portfolio[];
  let ratio: Portfolio;
  let simulated = portfolios.length;
  if (exact) {
    best = bestWithin(all, opts.budget);
    frontier = paretoFrontier(all);
    ratio = all[ratioIdx.reduce((m, i) => m | (1 << i), 0)];
  } else {
    const items = cands.map((c, i) => ({ cost: c.cost, benefit: singleOf(i).benefit }));
    const pf = additiveFrontier(items);
    frontier = pf.map((p) => ({
      controls: maskIds(cands, p.idx),
      cost: p.cost,
      expectedAnnualLoss: baseEal - p.benefit,
      expectedAnnualPersonHours: NaN,
      benefit: p.benefit,
      benefitCI95: null,
      estimated: true,
    }));
    let pick = pf[0];
    for (const p of pf) if (p.cost <= opts.budget) pick = p;
    // simulate the additive pick and the ratio order to report their real figures [BUY-5]
    const check = [pick.idx, ratioIdx];
    const ev2 = await evaluator.evaluate(check);
    if (!ev2.ok) return ev2;
    simulated += 2;
    best = portfolio(cands, pick.idx, ev2.evals[0], base, baseEal, lik);
    ratio = portfolio(cands, ratioIdx, ev2.evals[1], base, baseEal, lik);
    warnings.push(
      `${n} candidates: more than ${opts.exactMax ?? EXACT_MAX}, so portfolios are chosen on the additive model (each control's simulated benefit, interactions ignored) and only the pick and the ratio order are simulated together [BUY-5]`,
    );
  }
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
      portfoliosSimulated: simulated,
      evaluation: { simulated: evaluator.simulated, shared: evaluator.shared, runsSimulated: evaluator.runsSimulated },
      why,
      warnings,
    },
  };
}
