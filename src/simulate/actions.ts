/**
 * Defenders' actions in a scenario ([SCN-5]..[SCN-7], docs/simulate.md "Actions"): what the city's people do at a
 * fixed time (isolate a zone, switch a service to its fallback, call a crew, restore from backup, contain the
 * attacker). Tabletop exercises (src/exercise) play their decisions into the simulation as these actions, so an
 * exercise and `rampart simulate` on a scenario with the same actions are the same run.
 */
import { z } from "zod";
import type { CityIndex } from "../model/graph.ts";
import { nearest } from "../model/issues.ts";
import { describeValue, Id, Length, Time } from "../model/primitives.ts";

export const ACTION_KINDS = ["isolate", "fallback", "crew", "restore", "contain"] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

const Count = z
  .number({
    error: (iss) => `expected a number of crews (an integer from 1 to 100), found ${describeValue(iss.input)}`,
  })
  .int({ error: (iss) => `expected a whole number of crews, found ${describeValue(iss.input)}` })
  .min(1, { error: "expected a number of crews from 1 to 100" })
  .max(100, { error: "expected a number of crews from 1 to 100" });

const Ids = z.array(Id).min(1, { error: "expected at least one id" });

/** The fields of one action; exactly one of isolate, fallback, crew, restore, contain. */
export const ACTION_FIELDS = {
  /** A fixed time (a duration from the start of the run): actions draw nothing at random. */
  at: Time,
  isolate: Ids.optional(),
  fallback: Ids.optional(),
  crew: Id.optional(),
  count: Count.optional(),
  restore: Ids.optional(),
  contain: z.literal(true, { error: "expected contain: true" }).optional(),
  /** isolate: how long the zones stay cut off (absent: to the end of the run). */
  for: Length.optional(),
  why: z.string().max(2000).optional(),
};

export type ScenarioAction = {
  at: number;
  kind: ActionKind;
  /** Zone ids (isolate), service ids (fallback), asset ids (restore), the crew id (crew); empty for contain. */
  targets: string[];
  count: number;
  for?: number;
  why?: string;
};

type RawAction = {
  at: number;
  isolate?: string[];
  fallback?: string[];
  crew?: string;
  count?: number;
  restore?: string[];
  contain?: true;
  for?: number;
  why?: string;
};

/** Checks one parsed action's shape; returns the action or a message with the field it concerns. */
export function toAction(a: RawAction): ScenarioAction | { path: string[]; message: string } {
  const given = ACTION_KINDS.filter((k) => a[k] !== undefined);
  if (given.length !== 1)
    return {
      path: given.length > 1 ? [given[1]] : [],
      message: `expected exactly one of ${ACTION_KINDS.join(", ")}${given.length > 1 ? ` (found ${given.join(" and ")})` : ""}`,
    };
  const kind = given[0];
  if (a.count !== undefined && kind !== "crew") return { path: ["count"], message: "count goes with crew only" };
  if (a.for !== undefined && kind !== "isolate") return { path: ["for"], message: "for goes with isolate only" };
  const targets = kind === "contain" ? [] : kind === "crew" ? [a.crew as string] : (a[kind] as string[]);
  return { at: a.at, kind, targets, count: a.count ?? 1, for: a.for, why: a.why };
}

export const ActionSchema = z.strictObject(ACTION_FIELDS).transform((a, ctx) => {
  const r = toAction(a);
  if ("message" in r) {
    ctx.addIssue({ code: "custom", path: r.path, message: r.message, params: { rampart: "bad-action" } });
    return z.NEVER;
  }
  return r;
});

export const A_ISOLATE = 0;
export const A_FALLBACK = 1;
export const A_CREW = 2;
export const A_RESTORE = 3;
export const A_CONTAIN = 4;

/** A bound action: zone numbers (isolate), service node numbers (fallback), asset numbers (restore), pool (crew). */
export type CAction = {
  at: number;
  kind: number;
  items: Int32Array;
  count: number;
  for: number;
  label: string;
};

/** Binds actions to a model's index; unknown ids and impossible actions are reported through `err`. */
export function bindActions(
  actions: ScenarioAction[],
  index: CityIndex,
  poolName: string[],
  hasBackup: (asset: number) => boolean,
  err: (path: (string | number)[], code: string, message: string) => void,
): CAction[] {
  const A = index.assetCount;
  const out: CAction[] = [];
  const unknown = (what: string, id: string, among: Iterable<string>) => {
    const guess = nearest(id, among);
    return `unknown ${what} "${id}"${guess ? `; did you mean ${guess}?` : ""}`;
  };
  actions.forEach((a, i) => {
    const items: number[] = [];
    const kind = ACTION_KINDS.indexOf(a.kind);
    a.targets.forEach((id, j) => {
      const path = a.kind === "crew" ? ["actions", i, "crew"] : ["actions", i, a.kind, j];
      if (a.kind === "isolate") {
        const z = index.zoneOf.get(id);
        if (z === undefined || z === index.internetZone)
          err(
            path,
            "unknown-ref",
            unknown(
              "zone",
              id,
              index.zoneId.filter((_, k) => k !== index.internetZone),
            ),
          );
        else items.push(z);
      } else if (a.kind === "fallback") {
        const n = index.nodeOf.get(id);
        if (n === undefined || n < A) err(path, "unknown-ref", unknown("service", id, index.nodeId.slice(A)));
        else if (!index.hasFallback[n])
          err(path, "no-fallback", `service ${id} has no fallback in the model: there is nothing to switch to`);
        else items.push(n);
      } else if (a.kind === "restore") {
        const n = index.nodeOf.get(id);
        if (n === undefined || n >= A) err(path, "unknown-ref", unknown("asset", id, index.nodeId.slice(0, A)));
        else if (!hasBackup(n))
          err(path, "no-backup", `asset ${id} has no backup in the model: it cannot be restored from one`);
        else items.push(n);
      } else if (a.kind === "crew") {
        const p = poolName.indexOf(id);
        if (p < 0) err(path, "unknown-ref", `${unknown("crew", id, poolName)}; crews: ${poolName.join(", ")}`);
        else items.push(p);
      }
    });
    out.push({
      at: a.at,
      kind,
      items: Int32Array.from(items),
      count: a.count,
      for: a.for ?? Number.POSITIVE_INFINITY,
      label: `action ${i + 1} (${a.kind}${a.targets.length ? ` ${a.targets.join(", ")}` : ""})`,
    });
  });
  return out;
}
