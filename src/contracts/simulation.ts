/**
 * Simulation results: what the simulator returns per defence set, the comparison against the baseline, the
 * report, and what a simulation job stores (`SimulationResult`). The schemas are the single source; the
 * engine's types are inferred from them.
 */
import { z } from "zod";
import { IdParam } from "./params.ts";

/**
 * A number that may be NaN in memory (e.g. a comparison of objectives that differ between sets). JSON writes
 * NaN as null; parsing turns null back into NaN, so the type stays `number` on both sides.
 */
export const Real = z.preprocess((v) => (v === null ? Number.NaN : v), z.number());

export const Stat = z.object({ mean: z.number(), p10: z.number(), p50: z.number(), p90: z.number() });
export type Stat = z.infer<typeof Stat>;

export const CurvePoint = z.object({ t: z.number(), p10: z.number(), p50: z.number(), p90: z.number() });
export type CurvePoint = z.infer<typeof CurvePoint>;

export const ObjectiveOut = z.object({
  kind: z.string(),
  target: z.number(),
  level: z.number().optional(),
  probabilityMet: z.number(),
  ci95: z.tuple([z.number(), z.number()]),
});
export type ObjectiveOut = z.infer<typeof ObjectiveOut>;

/** Mean person-hours by cause [ATT-1]: the attack's effect, cascade between services, our own containment. */
export const Attribution = z.object({ attack: z.number(), cascade: z.number(), containment: z.number() });
export type Attribution = z.infer<typeof Attribution>;
export const AttributionShare = Attribution.extend({ containmentShare: z.number() });

export const ServiceOut = z.object({
  id: z.string(),
  name: z.string(),
  sector: z.string(),
  population: z.number(),
  /** Essential-service weight [CON-1] and whether the service is essential [CON-3]. */
  weight: z.number(),
  essential: z.boolean(),
  personHours: Stat,
  /** weight x person-hours [CON-2]. */
  weightedLoss: Stat,
  attribution: Attribution,
  /** People without the service at the worst moment of a run [CON-3]. */
  peoplePeak: Stat,
  /** Hours with more than 10 % of its population without it [CON-3]. */
  severeHours: Stat,
  /** Probability that every objective of this service is met in a run (null: it has none). */
  objectivesMetProbability: z.number().nullable(),
  downtimeHours: Stat,
  firstLossHours: z.object({
    probability: z.number(),
    p10: z.number().nullable(),
    p50: z.number().nullable(),
    p90: z.number().nullable(),
  }),
  objectives: z.array(ObjectiveOut),
  curve: z.array(CurvePoint),
});
export type ServiceOut = z.infer<typeof ServiceOut>;

export const SetTotals = z.object({
  personHours: Stat,
  /** Sum over services of weight x person-hours [CON-2], per run. */
  weightedLoss: Stat,
  /** Mean person-hours by cause and the share of the mean lost to our own containment [ATT-1]. */
  attribution: AttributionShare,
  /** The same split of the mean weighted loss. */
  weightedAttribution: AttributionShare,
  /** The scenario's objective reached [SCN-4] (no objective: any attack effect applied). */
  attackSuccessProbability: z.number(),
  /** Any attack effect applied. */
  effectAppliedProbability: z.number(),
  detectedProbability: z.number(),
  compromisedMean: z.number(),
  objectivesMetProbability: z.number().nullable(),
});

/**
 * [RNK-4] A service as the root cause of loss: its own attack loss plus the cascade loss of the services that
 * need it, credited to it (mean weighted loss [CON-2] per run). Our containment's loss is credited to no service.
 */
export const RootCause = z.object({
  id: z.string(),
  name: z.string(),
  /** own + downstream. */
  weightedLoss: z.number(),
  /** Weighted loss of its own outage (the attack part [ATT-1]). */
  own: z.number(),
  /** Weighted cascade loss of the services that need it, credited to it. */
  downstream: z.number(),
  /** The services whose cascade loss it is credited with, most first. */
  services: z.array(z.object({ id: z.string(), weightedLoss: z.number() })),
});
export type RootCause = z.infer<typeof RootCause>;

/** One defence set's summary over all runs. */
export const SetOut = z.object({
  controls: z.array(z.string()),
  totals: SetTotals,
  services: z.array(ServiceOut),
  /** [RNK-4] Services ranked by the weighted loss they cause, cascades credited upstream (loss > 0 only). */
  rootCauses: z.array(RootCause).optional(),
});
export type SetOut = z.infer<typeof SetOut>;

/** A paired difference (other minus baseline, run for run on the same seeds) with its normal 95 % interval. */
export const Diff = z.object({ mean: Real, ci95: z.tuple([Real, Real]) });
export type Diff = z.infer<typeof Diff>;

/** A defence set against the baseline. */
export const CompareOut = z.object({
  controls: z.array(z.string()),
  totals: z.object({
    personHours: Stat.extend({ diff: Diff }),
    weightedLoss: Stat.extend({ diff: Diff }),
    attackSuccessProbability: z.number(),
    attackSuccessDiff: Diff,
  }),
  services: z.array(
    z.object({
      id: z.string(),
      personHours: z.object({ mean: z.number(), diff: Diff }),
      objectives: z.array(ObjectiveOut.extend({ diff: Diff })),
    }),
  ),
});
export type CompareOut = z.infer<typeof CompareOut>;

/** A duration distribution in hours (src/model/primitives.ts Distribution). */
const DistributionOut = z.union([
  z.object({ kind: z.literal("fixed"), value: z.number() }),
  z.object({ kind: z.literal("uniform"), a: z.number(), b: z.number() }),
  z.object({ kind: z.literal("triangular"), min: z.number(), mode: z.number(), max: z.number() }),
  z.object({ kind: z.literal("lognormal"), median: z.number(), p90: z.number() }),
]);

/** The containment policy in force [CNT-1] (src/simulate/bind.ts containmentPolicy). */
export const ContainmentPolicy = z.object({
  scope: z.enum(["proportionate", "host", "zone"]),
  zoneThreshold: z.number(),
  delay: DistributionOut,
  hostIsolation: DistributionOut,
  zoneIsolation: DistributionOut,
  impact: z.number(),
  decidedBy: z.string(),
});
export type ContainmentPolicy = z.infer<typeof ContainmentPolicy>;

export const SimulationReport = z.object({
  scenario: z.object({ id: z.string(), name: z.string(), deterministic: z.boolean() }),
  model: z.object({ name: z.string(), assets: z.number(), services: z.number() }),
  runs: z.number(),
  seed: z.number(),
  horizonHours: z.number(),
  grid: z.object({ points: z.number(), stepHours: z.number() }),
  controls: z.array(z.string()),
  /** What the attacker is after [SCN-4] (null: success counts any attack effect). */
  objective: z.object({ description: z.string(), below: z.number(), services: z.array(z.string()) }).nullable(),
  /** The containment policy in force [CNT-1]. */
  containment: ContainmentPolicy,
  totals: SetTotals,
  services: z.array(ServiceOut),
  /** [RNK-4] Services ranked by the loss they cause, cascades credited upstream. */
  rootCauses: z.array(RootCause).optional(),
  compare: z.array(CompareOut),
  warnings: z.array(z.string()),
});
export type SimulationReport = z.infer<typeof SimulationReport>;

/** One event of a traced run (the representative run). */
export const TraceEntry = z.object({
  t: z.number(),
  kind: z.string(),
  id: z.string(),
  /** For level changes: from and to. */
  from: z.number().optional(),
  to: z.number().optional(),
  detail: z.string().optional(),
});
export type TraceEntry = z.infer<typeof TraceEntry>;

export const Representative = z.object({ run: z.number(), trace: z.array(TraceEntry) });
export type Representative = z.infer<typeof Representative>;

/** What a simulation job stores and `GET /api/results/{id}` serves as `result`. */
export const SimulationResult = z.object({
  report: SimulationReport,
  /** Summaries per defence set: baseline first, then each compared set. */
  sets: z.array(SetOut),
  representative: Representative.optional(),
});
export type SimulationResult = z.infer<typeof SimulationResult>;

/** What a client asks of a simulation run (the server's request body, defaults applied). */
export const SimulationRequest = z.strictObject({
  scenario: IdParam,
  controls: z.array(IdParam).max(100, { error: "expected at most 100 controls" }).default([]),
  /** Defence sets compared side by side with the baseline (each on top of `controls`). */
  compare: z
    .array(z.array(IdParam).max(100, { error: "expected at most 100 controls per set" }))
    .max(4, { error: "expected at most 4 defence sets to compare" })
    .default([]),
  runs: z
    .number({ error: "expected a number of runs" })
    .int({ error: "expected a whole number of runs" })
    .min(1, { error: "expected runs from 1 to 100000" })
    .max(100_000, { error: "expected runs from 1 to 100000" })
    .default(200),
  seed: z
    .number({ error: "expected a seed (a whole number)" })
    .int({ error: "expected a whole-number seed" })
    .min(0, { error: "expected a seed >= 0" })
    .max(2 ** 32 - 1, { error: "expected a seed < 2^32" })
    .default(1),
});
export type SimulationRequest = z.output<typeof SimulationRequest>;

/** A scenario a model offers for simulation. */
export const ScenarioInfo = z.object({ id: z.string(), name: z.string(), description: z.string().optional() });
export type ScenarioInfo = z.infer<typeof ScenarioInfo>;
