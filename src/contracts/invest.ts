/**
 * Investment planning over the API (docs/invest.md): the request of an invest job and its result, the report of
 * `src/invest` ([BUY-1]..[BUY-12]). Built-in scenarios only: the server reads no scenario file.
 */
import { z } from "zod";
import { IdParam } from "./params.ts";

const Amount = (what: string) =>
  z
    .number({ error: `expected ${what} (an amount)` })
    .min(0, { error: `expected ${what} >= 0` })
    .max(1e15, { error: `expected ${what} below 10^15` });

export const InvestRequest = z.strictObject({
  budget: Amount("a budget"),
  years: z
    .number({ error: "expected a number of years" })
    .int({ error: "expected a whole number of years" })
    .min(1, { error: "expected years from 1 to 30" })
    .max(30, { error: "expected years from 1 to 30" })
    .default(1),
  /** Built-in scenario ids; absent: all of them. */
  scenarios: z.array(IdParam).min(1, { error: "expected at least one scenario" }).max(20).optional(),
  /** Control ids; absent: every control not implemented. */
  candidates: z.array(IdParam).max(64, { error: "expected at most 64 candidates" }).optional(),
  likelihood: z.record(IdParam, z.number().min(0, { error: "expected a likelihood >= 0" }).max(1000)).optional(),
  runs: z
    .number({ error: "expected a number of runs" })
    .int({ error: "expected a whole number of runs" })
    .min(1, { error: "expected runs from 1 to 5000" })
    .max(5000, { error: "expected runs from 1 to 5000" })
    .default(200),
  seed: z
    .number({ error: "expected a seed (a whole number)" })
    .int({ error: "expected a whole-number seed" })
    .min(0, { error: "expected a seed >= 0" })
    .max(2 ** 32 - 1, { error: "expected a seed < 2^32" })
    .default(1),
  exactMax: z.number().int().min(0).max(12, { error: "expected exactMax from 0 to 12" }).optional(),
  pairs: z.number().int().min(0).max(12, { error: "expected pairs from 0 to 12" }).optional(),
  yearBudgets: z.array(Amount("a yearly budget")).min(1).max(30).optional(),
});
export type InvestRequest = z.output<typeof InvestRequest>;

export const InvestPortfolio = z.object({
  controls: z.array(z.string()),
  cost: z.number(),
  expectedAnnualLoss: z.number(),
  expectedAnnualPersonHours: z.number().nullable(),
  benefit: z.number(),
  benefitCI95: z.number().nullable(),
  expectedAnnualLossCI95: z.number().nullable(),
  annualLossP95: z.number().nullable(),
  estimated: z.boolean(),
});
export type InvestPortfolio = z.infer<typeof InvestPortfolio>;

/** The report (`InvestReport` of src/invest): the fields the UI reads typed, the rest as they come. */
export const InvestResult = z
  .object({
    budget: z.number(),
    years: z.number(),
    runs: z.number(),
    seed: z.number(),
    method: z.enum(["exact", "additive"]),
    scenarios: z.array(z.object({ id: z.string(), likelihood: z.number(), source: z.string() })),
    candidates: z.array(
      z
        .object({
          id: z.string(),
          name: z.string(),
          cost: z.number(),
          single: InvestPortfolio,
          benefitPerCost: z.number().nullable(),
        })
        .passthrough(),
    ),
    baseline: InvestPortfolio,
    best: InvestPortfolio.nullable(),
    ratioOrder: InvestPortfolio.extend({ order: z.array(z.string()) }),
    advantageOverRatio: z.number().nullable(),
    frontier: z.array(InvestPortfolio.extend({ ratioOrderLoss: z.number(), advantageOverRatio: z.number() })),
    nextTranche: z
      .object({ cost: z.number(), benefit: z.number(), add: z.array(z.string()), remove: z.array(z.string()) })
      .nullable(),
    interactions: z.array(
      z.object({
        a: z.string(),
        b: z.string(),
        joint: z.number(),
        sumOfSingles: z.number(),
        interaction: z.number(),
        ci95: z.number(),
        kind: z.enum(["overlap", "compound", "none"]),
      }),
    ),
    optimality: z.object({
      method: z.string(),
      guarantee: z.string(),
      lowerBound: z.number().nullable(),
      gap: z.number().nullable(),
      nodes: z.number(),
    }),
    plan: z.unknown(),
    why: z.string().nullable(),
    warnings: z.array(z.string()),
  })
  .passthrough();
export type InvestResult = z.infer<typeof InvestResult>;
