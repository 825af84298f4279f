/**
 * Scenarios (docs/simulate.md): explicit events [SCN-1], an attack (entry, steps, detection, containment) and
 * recovery defaults. Parsed from YAML with every error located by file, line, column and field path, like the
 * model loader. Durations are hours; `at`, `for`, `time`... may be distributions.
 */
import { z } from "zod";
import { formatPath, type ModelIssue } from "../model/issues.ts";
import {
  AssetKind,
  type Distribution,
  describeValue,
  distributionSchema,
  Id,
  Layer,
  Length,
  Sector,
} from "../model/primitives.ts";
import { containerOffset, locate, offsetOf, type ParsedSource, parseYaml } from "../model/source.ts";
import { convertZodIssues } from "../model/zod-issues.ts";
import { ActionSchema, type ScenarioAction } from "./actions.ts";

export type ScenarioIssue = ModelIssue;

const TimeDist = distributionSchema(false);
const LengthDist = distributionSchema(true);

const Probability = z
  .number({ error: (iss) => `expected a probability (a number in [0, 1]), found ${describeValue(iss.input)}` })
  .min(0, { error: (iss) => `expected a probability in [0, 1], found ${describeValue(iss.input)}` })
  .max(1, { error: (iss) => `expected a probability in [0, 1], found ${describeValue(iss.input)}` });

const Cap = z
  .number({ error: (iss) => `expected a cap (a level in [0, 1)), found ${describeValue(iss.input)}` })
  .min(0, { error: (iss) => `expected a cap in [0, 1), found ${describeValue(iss.input)}` })
  .lt(1, { error: (iss) => `expected a cap in [0, 1) (1 would be no hit), found ${describeValue(iss.input)}` });

/** Which assets a step or an entry aims at. Fields are ANDed, the values of one field ORed. */
export const Selector = z.strictObject({
  assets: z.array(Id).min(1).optional(),
  kind: z.array(AssetKind).min(1).optional(),
  layer: z.array(Layer).min(1).optional(),
  zone: z.array(Id).min(1).optional(),
  sector: z.array(Sector).min(1).optional(),
  exposed: z.boolean().optional(),
  monitored: z.boolean().optional(),
  vendor: z.array(Id).min(1).optional(),
});
export type Selector = z.infer<typeof Selector>;

/**
 * What the attacker is after [SCN-4]: reached in a run when a target service (of these sectors, or these ids;
 * neither: any service) falls below `below` (default 1: loses any level).
 */
const Objective = z.strictObject({
  description: z.string().min(1),
  sectors: z.array(Sector).min(1).optional(),
  services: z.array(z.string().min(1)).min(1).optional(),
  below: z
    .number()
    .gt(0, { error: "expected a level in (0, 1]" })
    .max(1, { error: "expected a level in (0, 1]" })
    .optional(),
});
export type Objective = z.infer<typeof Objective>;
/** One selector, or a list of them: an asset matching any of them is selected. */
const Targets = z.union([Selector, z.array(Selector).min(1)]).default({});
export type Targets = Selector | Selector[];

const Event = z
  .strictObject({
    at: TimeDist,
    down: z.array(Id).min(1, { error: "expected at least one asset or service id" }).optional(),
    hit: z.array(Id).min(1, { error: "expected at least one asset or service id" }).optional(),
    cap: Cap.optional(),
    for: LengthDist.optional(),
  })
  .transform((e, ctx) => {
    if ((e.down === undefined) === (e.hit === undefined)) {
      ctx.addIssue({
        code: "custom",
        message: "expected exactly one of down: [ids] (cap 0) or hit: [ids] with cap",
        params: { rampart: "bad-event" },
      });
      return z.NEVER;
    }
    if (e.hit !== undefined && e.cap === undefined) {
      ctx.addIssue({
        code: "custom",
        message: "expected cap with hit (the level that remains, in [0, 1))",
        params: { rampart: "bad-event" },
      });
      return z.NEVER;
    }
    if (e.down !== undefined && e.cap !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["cap"],
        message: "cap goes with hit; down always means cap 0",
        params: { rampart: "bad-event" },
      });
      return z.NEVER;
    }
    return {
      at: e.at,
      nodes: (e.down ?? e.hit) as string[],
      field: e.down !== undefined ? ("down" as const) : ("hit" as const),
      cap: e.cap ?? 0,
      for: e.for,
    };
  });
export type ScenarioEvent = {
  at: Distribution;
  nodes: string[];
  field: "down" | "hit";
  cap: number;
  for?: Distribution;
};

export const ACTIONS = ["compromise", "deny", "encrypt", "destroy", "manipulate"] as const;
export type Action = (typeof ACTIONS)[number];

const Step = z.strictObject({
  id: z.string().min(1).optional(),
  action: z.enum(ACTIONS),
  targets: Targets,
  /** held: assets the attacker holds; reachable: assets reachable from them ([NET-1]). */
  on: z.enum(["held", "reachable"]).optional(),
  time: TimeDist.optional(),
  max: z.number().int().min(1).optional(),
  /** manipulate: the level that remains while undetected (default 0.5); deny: the cap (default 0). */
  level: Cap.optional(),
  /** deny only: the effect ends by itself after this (a DDoS), without crew work. */
  for: LengthDist.optional(),
  /**
   * deny and manipulate: crew work to restore after containment (default: recovery.deny; for manipulate
   * recovery.manipulate, else the per-kind verify-and-restore time of bind.ts DEFAULT_VERIFY).
   */
  restore: LengthDist.optional(),
  probability: Probability.optional(),
  why: z.string().optional(),
});
export type AttackStep = Omit<z.infer<typeof Step>, "on"> & { on: "held" | "reachable" };

const Entry = z.strictObject({
  via: z.enum(["phishing", "exposed", "vendor", "insider"]),
  targets: Targets,
  attempts: z.number().int().min(1).optional(),
  time: TimeDist.optional(),
  probability: Probability.optional(),
});
export type Entry = z.infer<typeof Entry>;

const Level = z
  .number({ error: (iss) => `expected a level (a number in [0, 1]), found ${describeValue(iss.input)}` })
  .min(0, { error: (iss) => `expected a level in [0, 1], found ${describeValue(iss.input)}` })
  .max(1, { error: (iss) => `expected a level in [0, 1], found ${describeValue(iss.input)}` });

const ZoneThreshold = z
  .number({ error: (iss) => `expected a number of assets (an integer >= 1), found ${describeValue(iss.input)}` })
  .int({ error: (iss) => `expected a whole number of assets (an integer >= 1), found ${describeValue(iss.input)}` })
  .min(1, { error: (iss) => `expected a number of assets >= 1, found ${describeValue(iss.input)}` });

const DetectionOf = z.strictObject({ probability: Probability.optional(), delay: LengthDist.optional() });

export const ScenarioSchema = z.strictObject({
  id: Id,
  name: z.string().min(1),
  description: z.string().optional(),
  horizon: Length.optional(),
  /** Expected occurrences per year (docs/invest.md [BUY-1]); only `rampart invest` uses it. */
  likelihood: z
    .number({ error: (iss) => `expected occurrences per year (a number >= 0), found ${describeValue(iss.input)}` })
    .min(0, { error: (iss) => `expected occurrences per year (a number >= 0), found ${describeValue(iss.input)}` })
    .optional(),
  events: z.array(Event).default([]),
  /** Defenders' actions at fixed times [SCN-5] (src/simulate/actions.ts). */
  actions: z.array(ActionSchema).max(1000, { error: "expected at most 1000 actions" }).default([]),
  attack: z
    .strictObject({
      /** Absent: the attacker acts from the internet only (a DDoS). */
      entry: Entry.optional(),
      steps: z.array(Step).default([]),
    })
    .optional(),
  detection: z.strictObject({ monitored: DetectionOf.optional(), unmonitored: DetectionOf.optional() }).optional(),
  objective: Objective.optional(),
  containment: z
    .strictObject({
      delay: LengthDist.optional(),
      isolation: LengthDist.optional(),
      impact: Level.optional(),
      /** Held assets in a zone from which the whole zone is isolated (fewer: only the hosts). */
      zoneThreshold: ZoneThreshold.optional(),
      /** Overrides the model's containment scope (docs/simulate.md "Containment policy"). */
      scope: z.enum(["proportionate", "host", "zone"]).optional(),
    })
    .optional(),
  recovery: z
    .strictObject({
      deny: LengthDist.optional(),
      rebuild: LengthDist.optional(),
      spare: LengthDist.optional(),
      manipulate: LengthDist.optional(),
    })
    .optional(),
});

/** The documented defaults (docs/simulate.md "Defaults"). */
export const DEFAULTS = {
  horizon: 30 * 24,
  entryAttempts: { phishing: 20, exposed: 5, vendor: 5, insider: 1 },
  entryTime: { kind: "lognormal", median: 24, p90: 5 * 24 } as Distribution,
  stepTime: { kind: "lognormal", median: 4, p90: 24 } as Distribution,
  effectTime: { kind: "lognormal", median: 0.5, p90: 2 } as Distribution,
  manipulateLevel: 0.5,
  detection: {
    monitored: { probability: 0.05, delay: { kind: "lognormal", median: 12, p90: 72 } as Distribution },
    unmonitored: { probability: 0.005, delay: { kind: "lognormal", median: 7 * 24, p90: 30 * 24 } as Distribution },
  },
  containmentDelay: { kind: "lognormal", median: 8, p90: 48 } as Distribution,
  /** How long the isolated zones stay cut off (docs/simulate.md "Containment policy"). */
  isolation: { kind: "lognormal", median: 24, p90: 96 } as Distribution,
  /** How long an isolated host stays cut off and is re-imaged (docs/simulate.md "Containment policy"). */
  hostIsolation: { kind: "lognormal", median: 4, p90: 24 } as Distribution,
  scope: "proportionate" as "proportionate" | "host" | "zone",
  decidedBy: "not stated in the model",
  /** The cap on an asset whose requirement is cut by the isolation (its `degrade` if higher). */
  isolationImpact: 0,
  /** Held assets in a zone (none in the OT layer) from which the zone, not just the hosts, is isolated. */
  zoneThreshold: 2,
  recovery: {
    deny: { kind: "lognormal", median: 4, p90: 24 } as Distribution,
  },
} as const;

export type Scenario = {
  id: string;
  name: string;
  description?: string;
  horizon: number;
  /** Expected occurrences per year, when the scenario gives one ([BUY-1]). */
  likelihood?: number;
  events: ScenarioEvent[];
  /** Defenders' actions at fixed times [SCN-5]. */
  actions: ScenarioAction[];
  attack?: { entry?: Entry; steps: AttackStep[] };
  detection: {
    monitored: { probability: number; delay: Distribution };
    unmonitored: { probability: number; delay: Distribution };
  };
  /**
   * The scenario's own containment fields; each overrides the model's `city.containment`, which overrides
   * DEFAULTS (resolved in bind.ts: docs/simulate.md "Containment policy").
   */
  containment: {
    delay?: Distribution;
    /** Both zone and host isolation, when given. */
    isolation?: Distribution;
    impact?: number;
    zoneThreshold?: number;
    scope?: "proportionate" | "host" | "zone";
  };
  /** What the attacker is after [SCN-4]; absent: success is any attack effect applied. */
  objective?: Objective;
  /** Absent rebuild/spare/manipulate: the per-kind defaults of bind.ts apply. */
  recovery: { deny: Distribution; rebuild?: Distribution; spare?: Distribution; manipulate?: Distribution };
  /** Where a field path stands in the scenario's source (for binding errors). */
  where: (path: (string | number)[]) => { file: string; line: number; column: number };
  /** The raw object (serializable: built-ins and workers re-parse it). */
  raw: unknown;
  file: string;
};

export type ScenarioResult = { ok: true; scenario: Scenario } | { ok: false; issues: ScenarioIssue[] };

function locator(src: ParsedSource | undefined, file: string) {
  return (path: (string | number)[], atKey = false) => {
    if (!src) return { file, line: 1, column: 1 };
    const off = path.length ? offsetOf(src, src.data, path, atKey) : (containerOffset(src, src.data) ?? 0);
    const loc = locate(src, off);
    return { file, line: loc.line, column: loc.column };
  };
}

/** Parses a scenario from a plain object (a built-in, or YAML already read). */
export function parseScenarioObject(raw: unknown, file = "<scenario>", src?: ParsedSource): ScenarioResult {
  const where = locator(src, file);
  const issue = (path: (string | number)[], code: string, message: string, atKey = false): ScenarioIssue => ({
    severity: "error",
    code,
    ...where(path, atKey),
    path: formatPath(path),
    message,
  });
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    return {
      ok: false,
      issues: [issue([], "not-a-mapping", "expected a scenario: a mapping with id, name and events or attack")],
    };
  const clean = stripExtensions(raw);
  const r = ScenarioSchema.safeParse(clean, { reportInput: true });
  if (!r.success) {
    return {
      ok: false,
      issues: convertZodIssues(r.error.issues, []).map((i) => issue(i.path, i.code, i.message, i.atKey)),
    };
  }
  const s = r.data;
  const issues: ScenarioIssue[] = [];
  if (s.events.length === 0 && !s.attack)
    issues.push(issue([], "empty-scenario", "expected events: [...] or attack: {...}: this scenario does nothing"));
  if (s.attack) {
    s.attack.steps.forEach((st, i) => {
      if (st.for && st.action !== "deny")
        issues.push(issue(["attack", "steps", i, "for"], "bad-step", "for applies to deny steps only", true));
      if (st.restore && st.action !== "deny" && st.action !== "manipulate")
        issues.push(
          issue(
            ["attack", "steps", i, "restore"],
            "bad-step",
            "restore applies to deny and manipulate steps only",
            true,
          ),
        );
      if (st.level !== undefined && st.action !== "deny" && st.action !== "manipulate")
        issues.push(
          issue(["attack", "steps", i, "level"], "bad-step", "level applies to deny and manipulate steps only", true),
        );
    });
  }
  if (issues.length) return { ok: false, issues };
  const det = s.detection ?? {};
  return {
    ok: true,
    scenario: {
      id: s.id,
      name: s.name,
      description: s.description,
      horizon: s.horizon ?? DEFAULTS.horizon,
      likelihood: s.likelihood,
      events: s.events,
      actions: s.actions,
      attack: s.attack
        ? {
            entry: s.attack.entry,
            steps: s.attack.steps.map((st) => ({
              ...st,
              on: st.on ?? (st.action === "compromise" ? "reachable" : "held"),
            })),
          }
        : undefined,
      detection: {
        monitored: {
          probability: det.monitored?.probability ?? DEFAULTS.detection.monitored.probability,
          delay: det.monitored?.delay ?? DEFAULTS.detection.monitored.delay,
        },
        unmonitored: {
          probability: det.unmonitored?.probability ?? DEFAULTS.detection.unmonitored.probability,
          delay: det.unmonitored?.delay ?? DEFAULTS.detection.unmonitored.delay,
        },
      },
      containment: { ...s.containment },
      objective: s.objective,
      recovery: {
        deny: s.recovery?.deny ?? DEFAULTS.recovery.deny,
        rebuild: s.recovery?.rebuild,
        spare: s.recovery?.spare,
        manipulate: s.recovery?.manipulate,
      },
      where: (path) => where(path),
      raw: clean,
      file,
    },
  };
}

/** Parses a scenario file's text. */
export function parseScenarioText(file: string, text: string): ScenarioResult {
  const p = parseYaml(file, text);
  if ("error" in p) return { ok: false, issues: [{ severity: "error", path: "", ...p.error }] };
  return parseScenarioObject(p.source.data, file, p.source);
}

function stripExtensions(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripExtensions);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (!k.startsWith("x-")) out[k] = stripExtensions(x);
    return out;
  }
  return v;
}
