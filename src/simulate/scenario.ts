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
  /** deny only: crew work to restore after containment (default recovery.deny). */
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

const DetectionOf = z.strictObject({ probability: Probability.optional(), delay: LengthDist.optional() });

export const ScenarioSchema = z.strictObject({
  id: Id,
  name: z.string().min(1),
  description: z.string().optional(),
  horizon: Length.optional(),
  events: z.array(Event).default([]),
  attack: z
    .strictObject({
      /** Absent: the attacker acts from the internet only (a DDoS). */
      entry: Entry.optional(),
      steps: z.array(Step).default([]),
    })
    .optional(),
  detection: z.strictObject({ monitored: DetectionOf.optional(), unmonitored: DetectionOf.optional() }).optional(),
  containment: z.strictObject({ delay: LengthDist.optional() }).optional(),
  recovery: z
    .strictObject({ deny: LengthDist.optional(), rebuild: LengthDist.optional(), spare: LengthDist.optional() })
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
  recovery: {
    deny: { kind: "lognormal", median: 4, p90: 24 } as Distribution,
  },
} as const;

export type Scenario = {
  id: string;
  name: string;
  description?: string;
  horizon: number;
  events: ScenarioEvent[];
  attack?: { entry?: Entry; steps: AttackStep[] };
  detection: {
    monitored: { probability: number; delay: Distribution };
    unmonitored: { probability: number; delay: Distribution };
  };
  containmentDelay: Distribution;
  /** Absent rebuild/spare: the per-kind defaults of bind.ts apply. */
  recovery: { deny: Distribution; rebuild?: Distribution; spare?: Distribution };
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
      if ((st.for || st.restore) && st.action !== "deny")
        issues.push(
          issue(
            ["attack", "steps", i, st.for ? "for" : "restore"],
            "bad-step",
            `${st.for ? "for" : "restore"} applies to deny steps only`,
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
      events: s.events,
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
      containmentDelay: s.containment?.delay ?? DEFAULTS.containmentDelay,
      recovery: {
        deny: s.recovery?.deny ?? DEFAULTS.recovery.deny,
        rebuild: s.recovery?.rebuild,
        spare: s.recovery?.spare,
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
