/**
 * Restoration plans and disaster recovery plans (docs/recover.md): what `rampart recover plan|drp` and the
 * /api/recover endpoints return. The schemas are the single source; src/recover's types are inferred here.
 */
import { z } from "zod";
import { IdParam } from "./params.ts";

export const PlanService = z.object({
  id: z.string(),
  name: z.string(),
  sector: z.string(),
  /** Essential-service weight [CON-1]. */
  weight: z.number(),
  population: z.number(),
  /** People without the service, in person-hours [DEP-7], under this plan. */
  personHours: z.number(),
  /** weight x personHours [CON-2]. */
  weightedLoss: z.number(),
  /** Hours from plan start when the level first drops below 1; null when it never does. */
  firstLoss: z.number().nullable(),
  /** Hours from plan start when it is back at 1; null when it never dropped or is not back within the horizon. */
  restoredAt: z.number().nullable(),
  rto: z.number().nullable(),
  mtd: z.number().nullable(),
  /** [DEP-8] as the simulator judges it; null when the service has no such objective. */
  rtoMet: z.boolean().nullable(),
  mtdMet: z.boolean().nullable(),
  lowestLevel: z.number(),
});
export type PlanService = z.infer<typeof PlanService>;

export const PlanTask = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  /** Team label (crew id and unit) and crew id. */
  team: z.string(),
  crew: z.string(),
  start: z.number(),
  finish: z.number(),
  /** Work hours and where they come from: an offline tested backup, the model's rebuild, the simulator's default, a crews file. */
  duration: z.number(),
  durationSource: z.enum(["backup", "rebuild", "default", "given"]),
  /** done, running (at re-planning) or planned. */
  state: z.enum(["done", "running", "planned"]),
});
export type PlanTask = z.infer<typeof PlanTask>;

export const PlanBaseline = z.object({ name: z.string(), weightedLoss: z.number(), personHours: z.number() });

export const RecoveryPlan = z.object({
  model: z.object({ name: z.string(), assets: z.number(), services: z.number() }),
  /** exact: branch and bound proved it optimal (or ran out of budget: optimal false); heuristic otherwise. */
  method: z.enum(["exact", "heuristic"]),
  optimal: z.boolean(),
  /** Total weighted loss [CON-2] and person-hours [DEP-7] of the plan, as the simulator reports them. */
  weightedLoss: z.number(),
  personHours: z.number(),
  /** Crew work hours (sum of repair durations). */
  workHours: z.number(),
  /** Hours from plan start until the last repair is done. */
  makespan: z.number(),
  /** A lower bound on the weighted loss of every plan [RCV-5], and the plan's gap to it ((loss - bound) / loss). */
  lowerBound: z.number(),
  gap: z.number(),
  horizonHours: z.number(),
  /** The time of re-planning (hours from plan start); 0 for a fresh plan. */
  now: z.number(),
  tasks: z.array(PlanTask),
  teams: z.array(z.object({ label: z.string(), crew: z.string() })),
  crews: z.array(
    z.object({
      id: z.string(),
      count: z.number(),
      layers: z.array(z.string()).optional(),
      sectors: z.array(z.string()).optional(),
      shift: z.object({ from: z.number(), hours: z.number(), every: z.number() }),
      source: z.string(),
    }),
  ),
  services: z.array(PlanService),
  /** The three simple orders the plan is compared with [RCV-4]. */
  baselines: z.array(PlanBaseline),
  /** Simulator runs the search made. */
  evaluations: z.number(),
  /** Where the down set came from and what was assumed. */
  notes: z.array(z.string()),
});
export type RecoveryPlan = z.infer<typeof RecoveryPlan>;

/** A repair that finished (at re-planning) [RCV-6]. */
export const Completion = z.object({ id: z.string().max(64), at: z.number().min(0) });
export type Completion = z.infer<typeof Completion>;

export const DrpStep = z.object({
  order: z.number(),
  asset: z.string(),
  name: z.string(),
  kind: z.string(),
  crew: z.string(),
  start: z.number(),
  finish: z.number(),
  duration: z.number(),
});

export const DrpObjective = z.object({
  kind: z.string(),
  target: z.number(),
  level: z.number().optional(),
  /** Share of runs meeting it over the scenarios that touch the service (runs pooled); null when none does. */
  probabilityMet: z.number().nullable(),
  byScenario: z.array(z.object({ scenario: z.string(), probabilityMet: z.number() })),
});

export const DisasterRecoveryPlan = z.object({
  service: z.object({
    id: z.string(),
    name: z.string(),
    sector: z.string(),
    population: z.number(),
    weight: z.number(),
  }),
  objectives: z.object({ rto: z.number().nullable(), rpo: z.number().nullable(), mtd: z.number().nullable() }),
  fallback: z.object({ level: z.number(), after: z.number(), lasts: z.number().nullable() }).nullable(),
  /** Buffered requirements: what keeps the service up for a while when a need is lost. */
  buffers: z.array(z.object({ members: z.array(z.string()), hours: z.number(), degrade: z.number() })),
  /** Everything the service needs (assets, through any chain), restored in the order of the optimal or heuristic plan with all of them down. */
  restoration: z.object({
    steps: z.array(DrpStep),
    restoredAt: z.number().nullable(),
    weightedLoss: z.number(),
    lowerBound: z.number(),
    optimal: z.boolean(),
  }),
  people: z.array(
    z.object({ id: z.string(), name: z.string(), role: z.string(), why: z.string(), backup: z.string().nullable() }),
  ),
  /**
   * Per built-in scenario that touches the service: its built-in CACAO 2.0 playbook (src/respond/library.ts;
   * id, name, steps in workflow order) when there is one, and the steps specific to this service derived from
   * the scenario (which of its needs each attack step can reach, the fallback, the restoration order).
   */
  playbook: z.array(
    z.object({
      scenario: z.string(),
      cacao: z.object({ id: z.string(), name: z.string() }).nullable(),
      steps: z.array(z.string()),
      serviceSteps: z.array(z.string()),
    }),
  ),
  odds: z.object({
    runs: z.number(),
    seed: z.number(),
    scenarios: z.array(z.string()),
    objectives: z.array(DrpObjective),
  }),
  notes: z.array(z.string()),
});
export type DisasterRecoveryPlan = z.infer<typeof DisasterRecoveryPlan>;

/** A crew in a plan request (the API's form of a crews file, [RCV-1], [RCV-2]); hours as numbers. */
export const CrewInput = z.strictObject({
  id: IdParam,
  count: z.number().int().min(1, { error: "expected a whole number of teams >= 1" }).max(1000),
  layers: z.array(z.string().max(32)).min(1).max(10).optional(),
  sectors: z.array(z.string().max(32)).min(1).max(20).optional(),
  shift: z
    .strictObject({
      from: z.number().min(0).max(8760).default(0),
      hours: z.number().positive().max(8760),
      every: z.number().positive().max(8760).default(24),
    })
    .optional(),
});

/** `POST .../recover/plans`: what is down (assets, or a built-in scenario and seed [RCV-8]), crews, progress. */
export const RecoverPlanRequest = z
  .strictObject({
    down: z.array(IdParam).min(1).max(5000).optional(),
    /** An incident case of this model: its assets down now (the server reads the case store). */
    case: z.uuid({ error: "expected a case id (a UUID)" }).optional(),
    scenario: IdParam.optional(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 48)
      .optional(),
    crews: z.array(CrewInput).min(1, { error: "expected at least one crew" }).max(200).optional(),
    /** Work hours per asset id, overriding the model's [RCV-1]. */
    durations: z.record(IdParam, z.number().positive().max(100_000)).optional(),
    /** Repairs reported done: re-plan from them [RCV-6]. */
    completions: z.array(Completion).max(5000).optional(),
    now: z.number().min(0).optional(),
    exactMax: z.number().int().min(0).max(9).optional(),
  })
  .refine((r) => [r.down, r.scenario, r.case].filter((x) => x !== undefined).length === 1, {
    error: "expected exactly one of down (asset ids), case (a case id) or scenario (with seed)",
  })
  .refine((r) => r.scenario === undefined || r.seed !== undefined, {
    error: "expected seed with scenario",
    path: ["seed"],
  });
export type RecoverPlanRequest = z.infer<typeof RecoverPlanRequest>;

/** `POST .../recover/drp`: one service's disaster recovery plan. */
export const DrpRequest = z.strictObject({
  service: IdParam,
  runs: z.number().int().min(1).max(2000).default(200),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 48)
    .default(1),
});
export type DrpRequest = z.infer<typeof DrpRequest>;

export const DrpResponse = z.object({ drp: DisasterRecoveryPlan, plan: RecoveryPlan });
export type DrpResponse = z.infer<typeof DrpResponse>;

/** An engine's refusal of a request: the request field it names, and why. */
export const RecoverError = z.object({ code: z.string(), parameter: z.string(), message: z.string() });
export type RecoverError = z.infer<typeof RecoverError>;
