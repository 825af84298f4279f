/**
 * Decision figures [BUY-9]..[BUY-12]: the branch and bound against enumeration of every subset (the slow
 * obvious oracle) on random pairwise models, the simulated years (Poisson counts, the same years for every
 * portfolio), the lead-time share of a year, and the multi-year plan's budgets and delays.
 */
import { describe, expect, test } from "vitest";
import {
  activeShare,
  annualLosses,
  branchAndBound,
  modelValue,
  multiYearPlan,
  type PairModel,
  quantile,
  sampleYears,
} from "../../src/invest/decide.ts";
import { streamFor } from "../../src/model/rng.ts";

function randomModel(seed: number, n: number): PairModel {
  const rng = streamFor(seed, 0);
  const cost = Array.from({ length: n }, () => 1 + Math.floor(rng.next() * 50));
  const value = Array.from({ length: n }, () => Math.round((rng.next() - 0.2) * 100));
  const P = new Map<number, number>();
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      if (rng.next() < 0.4) {
        const v = Math.round((rng.next() - 0.5) * 60);
        P.set(i * n + j, v);
        P.set(j * n + i, v);
      }
  return { cost, value, pair: (i, j) => P.get(i * n + j) ?? 0 };
}

describe("invest decisions", () => {
  test("[BUY-11] branch and bound equals the best of every subset on random pairwise models", () => {
    for (let seed = 1; seed <= 60; seed++) {
      const n = 1 + (seed % 12);
      const m = randomModel(seed, n);
      const budget = Math.floor(streamFor(seed, 1).next() * 25 * n);
      let best = 0;
      for (let mask = 0; mask < 1 << n; mask++) {
        const set = [...Array(n).keys()].filter((i) => mask & (1 << i));
        const c = set.reduce((t, i) => t + m.cost[i], 0);
        if (c <= budget) best = Math.max(best, modelValue(m, set));
      }
      const r = branchAndBound(m, budget);
      expect(r.complete).toBe(true);
      expect(r.value).toBeCloseTo(best, 9);
      expect(modelValue(m, r.set)).toBeCloseTo(r.value, 9);
      expect(r.set.reduce((t, i) => t + m.cost[i], 0)).toBeLessThanOrEqual(budget);
    }
  });

  test("[BUY-9] simulated years: Poisson counts per scenario, the same years for every portfolio", () => {
    const lik = [0.5, 0.1, 2];
    const y = sampleYears(lik, 100, 7, 20_000);
    const counts = [0, 0, 0];
    for (let o = 0; o < y.scenario.length; o++) counts[y.scenario[o]]++;
    // mean occurrences per year within 5 standard errors of the likelihood (deterministic seed)
    lik.forEach((l, k) => {
      expect(Math.abs(counts[k] / 20_000 - l)).toBeLessThan(5 * Math.sqrt(l / 20_000));
    });
    expect(Math.max(...y.run)).toBeLessThan(100);
    expect(sampleYears(lik, 100, 7, 20_000)).toEqual(y);
    // a portfolio with half the loss in every run has half the loss every year, so half the P95
    const wl = [
      Float64Array.from({ length: 100 }, (_, r) => r),
      new Float64Array(100).fill(10),
      new Float64Array(100).fill(1),
    ];
    const e = { wl, ph: wl };
    const h = { wl: wl.map((a) => a.map((x) => x / 2)), ph: wl };
    const a = annualLosses(e, y);
    const b = annualLosses(h, y);
    a.forEach((x, i) => {
      expect(b[i]).toBeCloseTo(x / 2, 9);
    });
    expect(quantile(b, 0.95)).toBeCloseTo(quantile(a, 0.95) / 2, 9);
    expect(quantile(Float64Array.from([5, 1, 4, 2, 3]), 0.95)).toBe(5);
    expect(quantile(Float64Array.from([5, 1, 4, 2, 3]), 0.5)).toBe(3);
  });

  test("[BUY-12] lead time delays the effect: the share of each year a control protects", () => {
    expect(activeShare(0, 0, 0)).toBe(1);
    expect(activeShare(0, 2190, 0)).toBeCloseTo(0.75, 12);
    expect(activeShare(0, 2190, 1)).toBe(1);
    expect(activeShare(0, 8760 * 1.5, 0)).toBe(0);
    expect(activeShare(0, 8760 * 1.5, 1)).toBeCloseTo(0.5, 12);
    expect(activeShare(1, 0, 0)).toBe(0);
  });

  test("[BUY-12] the multi-year plan keeps every year within its budget and counts lead times", () => {
    // a: cheap, quick; b: dear, slow (one year lead: it protects from year 2 if bought in year 1)
    const ids = ["a", "b", "c"];
    const capex = [10, 100, 60];
    const opex = [5, 10, 0];
    const lead = [0, 8760, 4380];
    const single = [50, 400, 100];
    const plan = multiYearPlan(ids, capex, opex, lead, single, () => 0, 1000, [120, 120, 120]);
    // spending never runs ahead of the budgets so far (unspent money carries over)
    let spent = 0;
    let given = 0;
    for (const y of plan.years) {
      spent += y.capex + y.opex;
      given += y.budget;
      expect(spent).toBeLessThanOrEqual(given + 1e-9);
      expect(y.capex + y.opex).toBeLessThanOrEqual(y.available + 1e-9);
    }
    const when = (id: string) => plan.years.findIndex((y) => y.buy.includes(id));
    expect(when("b")).toBe(0);
    // year 1: b bought but not yet in force; a (or c) in force from its share of the year
    expect(plan.years[0].inForce.find((x) => x.id === "b")).toBeUndefined();
    expect(plan.years[1].inForce.find((x) => x.id === "b")?.share).toBe(1);
    // each year's expected loss: baseline minus what is in force, by its share of the year
    for (const y of plan.years) {
      const avoided = y.inForce.reduce((t, x) => t + single[ids.indexOf(x.id)] * x.share, 0);
      expect(y.expectedLoss).toBeCloseTo(1000 - avoided, 9);
    }
    expect(plan.totalExpectedLoss).toBeCloseTo(
      plan.years.reduce((t, y) => t + y.expectedLoss, 0),
      9,
    );
  });
});
