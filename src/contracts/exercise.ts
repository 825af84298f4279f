/**
 * Tabletop exercises (docs/exercise.md, rules EXR and LSN in docs/specs/exercise.md): the exercise, its injects,
 * roles and decisions, the outcome of a played exercise, the after-action review, lessons and the resilience
 * overview. The engine (src/exercise), the store, the routes and the web pages all check against these.
 */
import { z } from "zod";

/** What a decision does: one of the simulator's actions (src/simulate/actions.ts), nothing, or a free-text note. */
export const DECISION_KINDS = ["isolate", "fallback", "crew", "restore", "contain", "nothing", "note"] as const;
export const DecisionKind = z.enum(DECISION_KINDS);
export type DecisionKind = z.infer<typeof DecisionKind>;

/** A role in an exercise and the decisions it may take [EXR-4]. */
export const ExerciseRole = z.object({
  id: z.string(),
  name: z.string(),
  may: z.array(DecisionKind),
});
export type ExerciseRole = z.infer<typeof ExerciseRole>;

/** One inject: a timed message for the participants (hours from the exercise start). */
export const Inject = z.object({
  id: z.string(),
  at: z.number(),
  title: z.string(),
  text: z.string(),
  /** simulation: written from the simulator's timeline; facilitator: added by hand. */
  source: z.enum(["simulation", "facilitator"]),
  /** The timeline's event kind (encrypt, detected, levels, ...) or "facilitator". */
  kind: z.string(),
});
export type Inject = z.infer<typeof Inject>;

/** A decision as taken: time (hours from the start), role, what it does. */
export const Decision = z.object({
  at: z.number(),
  role: z.string(),
  kind: DecisionKind,
  /** Zone ids (isolate), service ids (fallback), asset ids (restore), the crew id (crew); empty otherwise. */
  targets: z.array(z.string()),
  count: z.number().optional(),
  /** isolate: hours the zones stay cut off (absent: to the end). */
  for: z.number().optional(),
  /** Free text: the decision itself (note) or its reason. */
  text: z.string().optional(),
  /** The inject it answers (latency is measured from it; absent: from the latest inject before it). */
  answers: z.string().optional(),
  /** Who took it (a user name, in a live exercise). */
  by: z.string().optional(),
});
export type Decision = z.infer<typeof Decision>;

/** Facilitator's changes to simulation injects, by inject id: a new time, or removed. */
export const InjectOverride = z.object({ at: z.number().optional(), removed: z.boolean().optional() });

/** An exercise: everything needed to replay it (the scenario's raw form included). */
export const ExerciseDef = z.object({
  id: z.string(),
  name: z.string(),
  scenario: z.object({ id: z.string(), name: z.string(), raw: z.unknown(), file: z.string() }),
  seed: z.number(),
  /** Runs the outcome is computed over (1: the one run the team lived, run 0 of the seed). */
  runs: z.number(),
  horizon: z.number(),
  /** The scenario's time (hours) at the exercise's hour 0: the hour before the first thing anyone can see. */
  offset: z.number(),
  /** The wall-clock time the exercise's hour 0 is shown as ("06:00"). */
  startClock: z.string(),
  roles: z.array(ExerciseRole),
  /** Injects added by the facilitator. */
  added: z.array(Inject),
  overrides: z.record(z.string(), InjectOverride),
  /** Order among injects of the same time, by id (facilitator's reorder). */
  order: z.array(z.string()),
});
export type ExerciseDef = z.infer<typeof ExerciseDef>;

export const ObjectiveResult = z.object({
  service: z.string(),
  name: z.string(),
  kind: z.string(),
  target: z.number(),
  /** Probability met over the runs (0 or 1 with one run). */
  met: z.number(),
});
export type ObjectiveResult = z.infer<typeof ObjectiveResult>;

/** The simulated consequence of a set of decisions. */
export const Outcome = z.object({
  personHours: z.number(),
  weightedLoss: z.number(),
  objectivesMet: z.number(),
  objectivesTotal: z.number(),
  attackSucceeded: z.number(),
  objectives: z.array(ObjectiveResult),
  services: z.array(z.object({ id: z.string(), name: z.string(), personHours: z.number() })),
});
export type Outcome = z.infer<typeof Outcome>;

export const LatencyRow = z.object({
  role: z.string(),
  decisions: z.number(),
  meanHours: z.number().nullable(),
  maxHours: z.number().nullable(),
});

/** The after-action review [EXR-8]. */
export const Review = z.object({
  exercise: z.object({ id: z.string(), name: z.string(), scenario: z.string(), seed: z.number(), runs: z.number() }),
  startClock: z.string(),
  timeline: z.array(
    z.object({
      at: z.number(),
      clock: z.string(),
      type: z.enum(["inject", "decision"]),
      title: z.string(),
      text: z.string(),
      role: z.string().optional(),
      latencyHours: z.number().nullable().optional(),
    }),
  ),
  latency: z.array(LatencyRow),
  outcome: Outcome,
  nothing: Outcome,
  best: Outcome.extend({ decisions: z.array(Decision), evaluations: z.number(), method: z.string() }),
  /** Services by person-hours the team's decisions lost against the best response (largest first). */
  losses: z.array(
    z.object({ id: z.string(), name: z.string(), team: z.number(), best: z.number(), nothing: z.number() }),
  ),
});
export type Review = z.infer<typeof Review>;

/** One model change proposed by a lesson, in the controls' patch form ([CTL-1]). */
export const PatchOp = z.strictObject({
  target: z.string().min(1).max(300),
  set: z.record(z.string(), z.unknown()).optional(),
  remove: z.literal(true).optional(),
  add: z.array(z.unknown()).max(1000).optional(),
});

export const LessonScenarioDelta = z.object({
  scenario: z.string(),
  base: z.object({ personHours: z.number(), objectivesMet: z.number().nullable() }),
  patched: z.object({ personHours: z.number(), objectivesMet: z.number().nullable() }),
  /** patched minus base, run for run on the same seeds. */
  diff: z.object({ mean: z.number(), ci95: z.tuple([z.number(), z.number()]) }),
});
export type LessonScenarioDelta = z.infer<typeof LessonScenarioDelta>;

export const Lesson = z.object({
  id: z.string(),
  exerciseId: z.string().nullable(),
  modelId: z.string(),
  baseVersion: z.number(),
  title: z.string(),
  patch: z.array(PatchOp),
  status: z.enum(["proposed", "accepted", "rejected"]),
  compare: z.array(LessonScenarioDelta),
  acceptedVersion: z.number().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
});
export type Lesson = z.infer<typeof Lesson>;

/** The city's resilience over its model versions [LSN-4]. */
export const ResilienceRow = z.object({
  version: z.number(),
  message: z.string(),
  scenarios: z.array(z.object({ scenario: z.string(), personHours: z.number(), objectivesMet: z.number().nullable() })),
});
export type ResilienceRow = z.infer<typeof ResilienceRow>;

/** A facilitator's change to the injects [EXR-2]. */
export const InjectEdit = z.discriminatedUnion("op", [
  z.strictObject({
    op: z.literal("add"),
    at: z.number().min(0, { error: "expected a time at or after the exercise's start (hours >= 0)" }),
    title: z.string().min(1).max(200),
    text: z.string().max(4000),
  }),
  z.strictObject({
    op: z.literal("retime"),
    id: z.string().min(1).max(200),
    at: z.number().min(0, { error: "expected a time at or after the exercise's start (hours >= 0)" }),
  }),
  z.strictObject({ op: z.literal("remove"), id: z.string().min(1).max(200) }),
  z.strictObject({ op: z.literal("reorder"), ids: z.array(z.string().min(1).max(200)).min(2).max(1000) }),
]);
export type InjectEdit = z.infer<typeof InjectEdit>;

/** The facilitator's clock [EXR-10]: exercise hours = base + (wall ms - anchor) / 3.6e6 x speed while running. */
export const ExerciseClock = z.object({
  running: z.boolean(),
  /** Exercise seconds per wall second. */
  speed: z.number(),
  base: z.number(),
  anchor: z.number(),
  /** Whether the clock has ever run (before that, the exercise has not started). */
  started: z.boolean(),
});
export type ExerciseClock = z.infer<typeof ExerciseClock>;

export const ExerciseInfo = z.object({
  id: z.string(),
  modelId: z.string(),
  version: z.number(),
  name: z.string(),
  facilitator: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ExerciseInfo = z.infer<typeof ExerciseInfo>;

export const Participant = z.object({ username: z.string(), role: z.string(), joinedAt: z.string() });
export type Participant = z.infer<typeof Participant>;

/** An exercise as one user sees it now: participants get the injects due, the facilitator all of them. */
export const ExerciseState = z.object({
  exercise: ExerciseInfo.extend({
    scenario: z.string(),
    seed: z.number(),
    runs: z.number(),
    startClock: z.string(),
    horizon: z.number(),
  }),
  roles: z.array(ExerciseRole),
  clock: ExerciseClock,
  /** Exercise hours now. */
  now: z.number(),
  facilitator: z.boolean(),
  myRole: z.string().nullable(),
  injects: z.array(Inject),
  /** Injects not yet due (participants do not see them). */
  upcoming: z.number(),
  decisions: z.array(Decision),
  participants: z.array(Participant),
});
export type ExerciseState = z.infer<typeof ExerciseState>;

const Hours = z.number({ error: "expected a time in hours" }).finite({ error: "expected a time in hours" });
const ExIds = z
  .array(
    z
      .string()
      .min(1)
      .max(64)
      .regex(/^[a-z0-9][a-z0-9-]*$/, { error: "expected an id" }),
  )
  .max(100);

export const NewExercise = z.strictObject({
  model: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9][a-z0-9-]*$/, { error: "expected a model id" }),
  version: z.union([z.literal("latest"), z.number().int().min(1)]).default("latest"),
  scenario: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9][a-z0-9-]*$/, { error: "expected a built-in scenario id" }),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(1),
  runs: z.number().int().min(1).max(200).default(1),
  name: z.string().min(1).max(200).optional(),
  startClock: z
    .string()
    .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, { error: "expected a clock time such as 06:00" })
    .default("06:00"),
  speed: z.number().min(1).max(3600).default(60),
});

export const ClockRequest = z.strictObject({
  action: z.enum(["run", "pause", "speed"]),
  speed: z
    .number()
    .min(1, { error: "expected a speed from 1 to 3600" })
    .max(3600, { error: "expected a speed from 1 to 3600" })
    .optional(),
});

export const JoinRequest = z.strictObject({ role: z.string().min(1).max(64) });

export const DecisionRequest = z.strictObject({
  kind: DecisionKind,
  targets: ExIds.default([]),
  count: z.number().int().min(1).max(100).optional(),
  for: z.number().positive().max(10_000).optional(),
  text: z.string().max(2000).optional(),
  answers: z.string().max(200).optional(),
  /** Exercise hours; absent: the clock's time now. */
  at: Hours.optional(),
});

export const LessonRequest = z.strictObject({
  title: z.string().min(1).max(200),
  patch: z.array(PatchOp).min(1).max(100),
  runs: z.number().int().min(1).max(2000).default(100),
});
