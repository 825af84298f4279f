/**
 * Decisions: the menu the engine understands [EXR-3], role checks [EXR-4], times [EXR-5], and scripted
 * decision files (YAML or JSON) read with every error located by file, line, column and field path [EXR-6].
 */
import { z } from "zod";
import { DECISION_KINDS, type Decision, type DecisionKind, type ExerciseDef } from "../contracts/exercise.ts";
import { formatPath, type ModelIssue, nearest } from "../model/issues.ts";
import { describeValue, Id, Length, parseDuration } from "../model/primitives.ts";
import { containerOffset, locate, offsetOf, type ParsedSource, parseYaml } from "../model/source.ts";
import { convertZodIssues } from "../model/zod-issues.ts";
import { ACTION_KINDS, type ScenarioAction } from "../simulate/actions.ts";

export const DEFAULT_ROLES: ExerciseDef["roles"] = [
  { id: "incident-commander", name: "Incident commander", may: [...DECISION_KINDS] },
  {
    id: "it-operations",
    name: "IT operations",
    may: ["isolate", "restore", "crew", "contain", "nothing", "note"],
  },
  {
    id: "ot-operations",
    name: "OT and utility operations",
    may: ["isolate", "fallback", "restore", "crew", "nothing", "note"],
  },
  { id: "communications", name: "Communications", may: ["nothing", "note"] },
];

/** Whole seconds: decisions are timed to the second, so a decision and its scenario action are the same time. */
export const toSeconds = (hours: number) => Math.round(hours * 3600);

/** Hours as a duration string that parses back to exactly the same number ("6h10m", "199h30m15s"). */
export function durationText(hours: number): string {
  const sec = toSeconds(hours);
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  const out = `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s ? `${s}s` : ""}`;
  return out || "0h";
}

/** Normalised time of a decision: whole seconds, as `parseDuration(durationText(h))` gives it. */
export const decisionTime = (hours: number) => parseDuration(durationText(hours)) as number;

/** The scenario actions of decisions (nothing and notes do nothing), in the raw form a scenario file has. */
export function actionsOf(decisions: Decision[], offset = 0): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const d of decisions) {
    if (d.kind === "nothing" || d.kind === "note") continue;
    const a: Record<string, unknown> = { at: durationText(offset + d.at) };
    if (d.kind === "contain") a.contain = true;
    else if (d.kind === "crew") {
      a.crew = d.targets[0];
      if (d.count !== undefined && d.count !== 1) a.count = d.count;
    } else a[d.kind] = [...d.targets];
    if (d.kind === "isolate" && d.for !== undefined) a.for = durationText(d.for);
    out.push(a);
  }
  return out;
}

/** The scenario actions as the simulator reads them (for the engine's own binding checks). */
export function parsedActionsOf(decisions: Decision[], offset = 0): { action: ScenarioAction; decision: number }[] {
  const out: { action: ScenarioAction; decision: number }[] = [];
  decisions.forEach((d, i) => {
    if (d.kind === "nothing" || d.kind === "note") return;
    out.push({
      decision: i,
      action: {
        at: decisionTime(offset + d.at),
        kind: d.kind,
        targets: d.kind === "contain" ? [] : d.targets,
        count: d.count ?? 1,
        for: d.kind === "isolate" && d.for !== undefined ? decisionTime(d.for) : undefined,
      },
    });
  });
  return out;
}

export type Refusal = { code: "unknown-role" | "not-allowed" | "before-start" | "after-end"; message: string };

/**
 * [EXR-4] [EXR-5] Whether a role may take this decision at this time: the role must exist and may take the
 * kind; the time must be at or after the exercise's start (0) and within its horizon.
 */
export function checkDecision(ex: ExerciseDef, d: Pick<Decision, "role" | "kind" | "at">): Refusal | null {
  const role = ex.roles.find((r) => r.id === d.role);
  if (!role) {
    const guess = nearest(
      d.role,
      ex.roles.map((r) => r.id),
    );
    return {
      code: "unknown-role",
      message: `unknown role "${d.role}"${guess ? `; did you mean ${guess}?` : ""}; roles: ${ex.roles.map((r) => r.id).join(", ")}`,
    };
  }
  if (!role.may.includes(d.kind))
    return {
      code: "not-allowed",
      message: `role ${role.id} may not take a "${d.kind}" decision; it may take: ${role.may.join(", ")}`,
    };
  if (!(d.at >= 0))
    return {
      code: "before-start",
      message: `decision at ${Number.isFinite(d.at) ? `${Math.round(d.at * 100) / 100}h` : String(d.at)}: before the exercise started (hour 0)`,
    };
  if (d.at > ex.horizon - ex.offset)
    return {
      code: "after-end",
      message: `decision at ${Math.round(d.at * 100) / 100}h: after the exercise's end (${ex.horizon - ex.offset}h)`,
    };
  return null;
}

const Ids = z.array(Id).min(1, { error: "expected at least one id" });
const FileDecision = z.strictObject({
  at: z.string({ error: (iss) => `expected a time such as "6h10m" or "06:10", found ${describeValue(iss.input)}` }),
  role: z.string().min(1),
  isolate: Ids.optional(),
  fallback: Ids.optional(),
  crew: Id.optional(),
  count: z.number().int().min(1).max(100).optional(),
  restore: Ids.optional(),
  contain: z.literal(true).optional(),
  nothing: z.literal(true).optional(),
  note: z.string().min(1).max(2000).optional(),
  for: Length.optional(),
  answers: z.string().optional(),
});
const DecisionsFile = z.strictObject({ decisions: z.array(FileDecision).max(10_000) });

/**
 * A decision time: a duration from the start ("6h10m", "-30m" is before it) or a clock time on the exercise's
 * wall clock ("06:10", "day 2 06:10"), which is before the start when earlier than `startClock` on day 1.
 */
export function parseDecisionTime(text: string, startClock: string): number | string {
  const t = text.trim();
  const c = /^(?:day\s+(\d+)\s+)?(\d{1,2}):(\d{2})$/.exec(t);
  if (c) {
    const s = /^(\d{1,2}):(\d{2})$/.exec(startClock);
    const start = s ? Number(s[1]) + Number(s[2]) / 60 : 0;
    const day = c[1] === undefined ? 1 : Number(c[1]);
    if (day < 1 || Number(c[2]) > 23 || Number(c[3]) > 59)
      return `expected a clock time such as "06:10" or "day 2 06:10"`;
    const h = (day - 1) * 24 + Number(c[2]) + Number(c[3]) / 60 - start;
    return h < 0 ? h : decisionTime(h);
  }
  if (t.startsWith("-")) {
    const h = parseDuration(t.slice(1));
    if (h !== undefined) return -h;
  }
  const h = parseDuration(t);
  if (h === undefined)
    return `expected a time: a duration from the start such as "6h10m", or a clock time such as "06:10" or "day 2 06:10"`;
  return decisionTime(h);
}

export type DecisionsResult = { ok: true; decisions: Decision[] } | { ok: false; issues: ModelIssue[] };

/** Reads a scripted decisions file (YAML or JSON) for an exercise; every error located [EXR-6]. */
/** Checks a decision's targets against the model: each bad one by its position in `targets`. */
export type TargetCheck = (d: Decision) => { target: number; code: string; message: string }[];

/**
 * Reads a scripted decisions file (YAML or JSON) for an exercise; every error located [EXR-6]. Decisions are
 * returned in the file's order.
 */
export function parseDecisionsText(
  file: string,
  text: string,
  ex: ExerciseDef,
  checkTargets?: TargetCheck,
): DecisionsResult {
  const p = parseYaml(file, text);
  if ("error" in p) return { ok: false, issues: [{ severity: "error", path: "", ...p.error }] };
  return parseDecisionsObject(p.source.data, file, ex, p.source, checkTargets);
}

export function parseDecisionsObject(
  raw: unknown,
  file: string,
  ex: ExerciseDef,
  src?: ParsedSource,
  checkTargets?: TargetCheck,
): DecisionsResult {
  const where = (path: (string | number)[], atKey = false) => {
    if (!src) return { file, line: 1, column: 1 };
    const off = path.length ? offsetOf(src, src.data, path, atKey) : (containerOffset(src, src.data) ?? 0);
    const loc = locate(src, off);
    return { file, line: loc.line, column: loc.column };
  };
  const issue = (path: (string | number)[], code: string, message: string, atKey = false): ModelIssue => ({
    severity: "error",
    code,
    ...where(path, atKey),
    path: formatPath(path),
    message,
  });
  const r = DecisionsFile.safeParse(raw, { reportInput: true });
  if (!r.success)
    return {
      ok: false,
      issues: convertZodIssues(r.error.issues, []).map((i) => issue(i.path, i.code, i.message, i.atKey)),
    };
  const issues: ModelIssue[] = [];
  const decisions: Decision[] = [];
  r.data.decisions.forEach((d, i) => {
    const at = parseDecisionTime(d.at, ex.startClock);
    if (typeof at === "string") {
      issues.push(issue(["decisions", i, "at"], "bad-time", at));
      return;
    }
    const kinds = [...ACTION_KINDS, "nothing" as const].filter((k) => d[k] !== undefined);
    if (kinds.length > 1) {
      issues.push(
        issue(
          ["decisions", i, kinds[1]],
          "bad-decision",
          `expected one of ${[...ACTION_KINDS, "nothing"].join(", ")} per decision (found ${kinds.join(" and ")})`,
          true,
        ),
      );
      return;
    }
    if (kinds.length === 0 && d.note === undefined) {
      issues.push(
        issue(
          ["decisions", i],
          "bad-decision",
          `expected one of ${[...ACTION_KINDS, "nothing"].join(", ")}, or a free-text note`,
        ),
      );
      return;
    }
    const kind = (kinds[0] ?? "note") as DecisionKind;
    if (d.count !== undefined && kind !== "crew") {
      issues.push(issue(["decisions", i, "count"], "bad-decision", "count goes with crew only", true));
      return;
    }
    if (d.for !== undefined && kind !== "isolate") {
      issues.push(issue(["decisions", i, "for"], "bad-decision", "for goes with isolate only", true));
      return;
    }
    const dec: Decision = {
      at,
      role: d.role,
      kind,
      targets:
        kind === "crew"
          ? [d.crew as string]
          : kind === "contain" || kind === "nothing" || kind === "note"
            ? []
            : (d[kind] as string[]),
      count: kind === "crew" ? (d.count ?? 1) : undefined,
      for: d.for,
      text: d.note,
      answers: d.answers,
    };
    const refusal = checkDecision(ex, dec);
    if (refusal) {
      const path =
        refusal.code === "unknown-role"
          ? ["decisions", i, "role"]
          : refusal.code === "not-allowed"
            ? ["decisions", i, kind === "note" ? "note" : kind]
            : ["decisions", i, "at"];
      issues.push(issue(path, refusal.code, refusal.message, refusal.code === "not-allowed"));
      return;
    }
    for (const bad of checkTargets?.(dec) ?? [])
      issues.push(issue(decisionPath(i, kind, bad.target), bad.code, bad.message));
    decisions.push(dec);
  });
  if (issues.length) return { ok: false, issues };
  return { ok: true, decisions };
}

/** Where a decision's targets stand in a decisions file (for binding errors). */
export function decisionPath(decision: number, kind: DecisionKind, target: number): (string | number)[] {
  return kind === "crew" ? ["decisions", decision, "crew"] : ["decisions", decision, kind, target];
}
