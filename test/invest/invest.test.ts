/**
 * Investment planning: the portfolio equals the best of every subset simulated on the same runs (brute-force
 * oracle through `simulate`, a separate code path), the additive model's Pareto set equals enumeration, and bad
 * input gives clear errors or an empty plan that says why.
 */
import { describe, expect, test } from "vitest";
import { additiveFrontier, bestWithin, invest, paretoFrontier, ratioOrder } from "../../src/invest/index.ts";
import { streamFor } from "../../src/model/rng.ts";
import { simulate } from "../../src/simulate/index.ts";
import { BUILT_IN } from "../../src/simulate/library.ts";
import { parseScenarioObject } from "../../src/simulate/scenario.ts";
import { builtInScenario, generatedCity } from "../helpers/city.ts";

const loaded = generatedCity(150, 5);
const { model } = loaded;
const scenario = builtInScenario;

const LIK = { ransomware: 0.3, "supply-chain": 0.1 };

describe("rampart invest", () => {
  test("[BUY-4] [BUY-3] [BUY-6] [BUY-10] [BUY-11] the portfolio equals the best of every subset simulated on the same runs", async () => {
    const cands = model.controls.filter((c) => c.status !== "implemented").slice(0, 4);
    expect(cands.length).toBeGreaterThanOrEqual(3);
    const ids = cands.map((c) => c.id);
    const cost = (c: (typeof cands)[number]) => (c.cost?.capex ?? 0) + 2 * (c.cost?.opex ?? 0);
    const scs = [scenario("ransomware"), scenario("supply-chain")];
    const runs = 24;
    const seed = 11;
    // oracle: every subset through simulate(), the simulator's own weighted-loss mean
    const subsets: { controls: string[]; cost: number; expectedAnnualLoss: number }[] = [];
    for (let m = 0; m < 1 << ids.length; m++) {
      const sub = ids.filter((_, i) => m & (1 << i));
      let eal = 0;
      for (const sc of scs) {
        const r = await simulate(loaded, sc, { runs, seed, workers: 1, with: sub, compare: [] });
        if (!r.ok) throw new Error("simulate failed");
        eal += LIK[sc.id as keyof typeof LIK] * r.sets[0].totals.weightedLoss.mean;
      }
      subsets.push({
        controls: sub,
        cost: cands.filter((c) => sub.includes(c.id)).reduce((t, c) => t + cost(c), 0),
        expectedAnnualLoss: eal,
      });
    }
    const costs = subsets.map((s) => s.cost).sort((a, b) => a - b);
    for (const budget of [costs[3], costs[8], costs[costs.length - 1]]) {
      const r = await invest(loaded, scs, {
        budget,
        years: 2,
        runs,
        seed,
        workers: 1,
        candidates: ids,
        likelihood: LIK,
      });
      if (!r.ok) throw new Error(r.error.message);
      const want = subsets
        .filter((s) => s.cost <= budget)
        .reduce((a, b) => (b.expectedAnnualLoss < a.expectedAnnualLoss - 1e-9 ? b : a));
      expect(r.report.method).toBe("exact");
      expect(r.report.portfoliosSimulated).toBe(16);
      const got = r.report.best;
      if (want.controls.length === 0) expect(got).toBeNull();
      else {
        expect(got).not.toBeNull();
        expect(got?.expectedAnnualLoss).toBeCloseTo(want.expectedAnnualLoss, 3);
        expect(got?.cost).toBeLessThanOrEqual(budget);
        expect(got?.expectedAnnualLoss ?? Infinity).toBeLessThanOrEqual(r.report.ratioOrder.expectedAnnualLoss + 1e-6);
      }
      // the frontier is the oracle's Pareto set
      const front = paretoFrontier(subsets).map((s) => Math.round(s.expectedAnnualLoss));
      expect(r.report.frontier.map((p) => Math.round(p.expectedAnnualLoss))).toEqual(front);
      // [BUY-10] every pair's interaction is the oracle's joint benefit minus the sum of the single benefits
      const L = (m: number) => subsets[m].expectedAnnualLoss;
      expect(r.report.interactions.length).toBe(6);
      for (const it of r.report.interactions) {
        const i = (ids as string[]).indexOf(it.a);
        const j = (ids as string[]).indexOf(it.b);
        const want = L(0) - L((1 << i) | (1 << j)) - (L(0) - L(1 << i)) - (L(0) - L(1 << j));
        expect(it.interaction).toBeCloseTo(want, 3);
        if (it.kind !== "none") expect(Math.abs(it.interaction)).toBeGreaterThan(it.ci95);
      }
      // [BUY-11] at every frontier budget the exact portfolio leaves no more loss than the ratio order
      for (const p of r.report.frontier) expect(p.advantageOverRatio).toBeGreaterThanOrEqual(-1e-6);
      expect(r.report.optimality.method).toBe("all-subsets");
    }
  }, 300_000);

  test("[BUY-5] [BUY-11] beyond the exact limit the pick is chosen on the pairwise model and then simulated", async () => {
    const ids = model.controls
      .filter((c) => c.status !== "implemented")
      .slice(0, 4)
      .map((c) => c.id);
    const opts = {
      budget: 1e9,
      years: 1,
      runs: 30,
      seed: 3,
      workers: 1,
      candidates: ids,
      likelihood: LIK,
    };
    const scs = [scenario("ransomware"), scenario("supply-chain")];
    const r = await invest(loaded, scs, { ...opts, exactMax: 1 });
    const exact = await invest(loaded, scs, opts);
    if (!r.ok || !exact.ok) throw new Error("invest failed");
    expect(r.report.method).toBe("additive");
    // baseline, singles, the pairs of candidates with positive benefit, then pick, ratio order and lower bound
    expect(r.report.portfoliosSimulated).toBe(1 + ids.length + r.report.interactions.length + 3);
    const positive = r.report.candidates.filter((c) => c.single.benefit > 0).length;
    expect(r.report.interactions.length).toBe(positive < 2 ? 0 : (positive * (positive - 1)) / 2);
    expect(r.report.optimality.method).toBe("pairwise-branch-and-bound");
    expect(r.report.optimality.lowerBound).not.toBeNull();
    expect(r.report.frontier.every((p) => p.estimated)).toBe(true);
    expect(r.report.warnings.join(" ")).toContain("pairwise");
    // the pick's figures are simulated: the exact run's figures for the same subset, never better than its best
    const pick = r.report.best;
    if (pick) {
      expect(pick.estimated).toBe(false);
      const same = exact.report.frontier.find((p) => p.controls.join() === pick.controls.join());
      if (same) expect(pick.expectedAnnualLoss).toBeCloseTo(same.expectedAnnualLoss, 6);
      expect(pick.expectedAnnualLoss).toBeGreaterThanOrEqual((exact.report.best?.expectedAnnualLoss ?? 0) - 1e-6);
    }
  }, 120_000);

  test("[BUY-5] the additive Pareto set equals enumeration on random items", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rng = streamFor(seed, 0);
      const n = 1 + Math.floor(rng.next() * 9);
      const items = Array.from({ length: n }, () => ({
        cost: Math.round(rng.next() * 100),
        benefit: Math.round((rng.next() - 0.2) * 100),
      }));
      const all: { controls: string[]; cost: number; expectedAnnualLoss: number }[] = [];
      for (let m = 0; m < 1 << n; m++) {
        let c = 0;
        let b = 0;
        for (let i = 0; i < n; i++)
          if (m & (1 << i)) {
            c += items[i].cost;
            b += items[i].benefit;
          }
        all.push({ controls: [String(m)], cost: c, expectedAnnualLoss: -b });
      }
      const want = paretoFrontier(all).map((p) => [p.cost, -p.expectedAnnualLoss]);
      const got = additiveFrontier(items).map((p) => [p.cost, p.benefit]);
      expect(got).toEqual(want);
      const budget = Math.round(rng.next() * 300);
      const best = bestWithin(all, budget);
      const pick = additiveFrontier(items)
        .filter((p) => p.cost <= budget)
        .pop();
      expect(pick?.benefit).toBe(-(best?.expectedAnnualLoss ?? 0));
    }
  });

  test("[BUY-6] the ratio order buys by benefit per cost and skips what no longer fits", () => {
    const bought = ratioOrder(
      [
        { cost: 50, benefit: 100 },
        { cost: 10, benefit: 50 },
        { cost: 60, benefit: 60 },
        { cost: 5, benefit: -1 },
      ],
      70,
    );
    expect(bought).toEqual([0, 1]);
  });

  test("[BUY-1] a scenario file without likelihood is an error naming it", async () => {
    const p = parseScenarioObject({ ...(BUILT_IN.ransomware as object), id: "mine" }, "mine.yaml");
    if (!p.ok) throw new Error("parse");
    const r = await invest(loaded, [p.scenario], { budget: 1e6, years: 1, runs: 2, seed: 1, workers: 1 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe("no-likelihood");
      expect(r.error.message).toContain("mine");
    }
    const q = parseScenarioObject({ ...(BUILT_IN.ransomware as object), id: "mine", likelihood: -1 }, "mine.yaml");
    expect(q.ok).toBe(false);
  });

  test("[BUY-2] [BUY-7] unknown or implemented candidates and a negative budget are errors", async () => {
    const sc = [scenario("ransomware")];
    const o = { years: 1, runs: 2, seed: 1, workers: 1 };
    const a = await invest(loaded, sc, { ...o, budget: 1e6, candidates: ["no-such-control"] });
    expect(a.ok ? "" : a.error.code).toBe("unknown-control");
    const b = await invest(loaded, sc, { ...o, budget: -5 });
    expect(b.ok ? "" : b.error.code).toBe("bad-budget");
  });

  test("[BUY-7] a budget that buys nothing gives an empty plan that says why", async () => {
    const id = model.controls.find((c) => c.status !== "implemented")?.id as string;
    const r = await invest(loaded, [scenario("ransomware")], {
      budget: 1,
      years: 1,
      runs: 4,
      seed: 1,
      workers: 1,
      candidates: [id],
    });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.report.best).toBeNull();
    expect(r.report.why).toContain("buys nothing");
    expect(r.report.why).toContain(id);
  }, 60_000);
});
