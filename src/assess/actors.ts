/**
 * Threat actors: who attacks, from where, and how well. A built-in library, extendable by the model (a top-level
 * `x-actors:` list in any model file, validated by the loader: `model.extensions.actors`) or by a list given
 * by the caller (the command line's `--actors FILE`). An actor with the id of a built-in one replaces it.
 *
 * Entries, each with the probability of gaining that foothold:
 * - internet:  the actor starts in the `internet` zone (exposed assets and conduits from the internet are reachable);
 * - phishing:  an IT user's workstation (kind workstation, layer it) is taken by a phishing e-mail;
 * - vendor:    the actor holds a vendor, hence its remote accesses ([NET-2]); `vendors` limits which vendors;
 * - physical:  physical access to a field device (plc, rtu, ied, sensor, actuator, traffic-controller, camera,
 *              smart-meter, radio) in the ot or iot layer;
 * - insider:   an employee's own workstation, HMI or engineering workstation.
 * Skill in [0, 1] scales every exploitation step (docs/assess.md, "probability model").
 */
import { type ModelExtensions, ThreatActorSpec } from "../model/extensions.ts";

export type EntryKind = "internet" | "phishing" | "vendor" | "physical" | "insider";
export const ENTRY_KINDS: readonly EntryKind[] = ["internet", "phishing", "vendor", "physical", "insider"];

export type Actor = {
  id: string;
  name: string;
  skill: number;
  entries: Partial<Record<EntryKind, number>>;
  /** Vendor ids the actor holds (vendor entry); absent = any vendor. */
  vendors?: string[];
  source: "built-in" | "model" | "file";
};

export const BUILT_IN_ACTORS: readonly Actor[] = [
  {
    id: "ransomware",
    name: "Ransomware crew",
    skill: 0.6,
    entries: { internet: 1, phishing: 0.3, vendor: 0.1 },
    source: "built-in",
  },
  {
    id: "state-ics",
    name: "State actor with ICS capability (Ukraine 2015/2016 style)",
    skill: 0.9,
    entries: { phishing: 0.5, internet: 1, vendor: 0.3 },
    source: "built-in",
  },
  { id: "hacktivist", name: "Hacktivist", skill: 0.35, entries: { internet: 1 }, source: "built-in" },
  { id: "insider", name: "Malicious insider", skill: 0.5, entries: { insider: 1, physical: 0.8 }, source: "built-in" },
  { id: "vendor", name: "Compromised vendor", skill: 0.7, entries: { vendor: 1 }, source: "built-in" },
];

export type ActorIssue = { code: string; message: string; path: string };

/** Reads a list of actors from parsed YAML/JSON data; problems come back as data. */
export function parseActors(data: unknown, source: "model" | "file"): { actors: Actor[]; issues: ActorIssue[] } {
  const list =
    data !== null && typeof data === "object" && !Array.isArray(data) && "actors" in (data as object)
      ? (data as { actors: unknown }).actors
      : data;
  if (!Array.isArray(list))
    return {
      actors: [],
      issues: [{ code: "bad-actors", message: "expected a list of actors (or {actors: [...]})", path: "" }],
    };
  const actors: Actor[] = [];
  const issues: ActorIssue[] = [];
  list.forEach((el, i) => {
    const r = ThreatActorSpec.safeParse(el);
    if (r.success) actors.push({ ...r.data, source });
    else
      for (const iss of r.error.issues)
        issues.push({
          code: "bad-actor",
          message: iss.message,
          path: `actors[${i}]${iss.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")}`,
        });
  });
  return { actors, issues };
}

/** The built-in actors, overridden or extended by `extra` (later lists win for the same id). */
export function mergeActors(...extra: Actor[][]): Actor[] {
  const byId = new Map<string, Actor>();
  for (const a of BUILT_IN_ACTORS) byId.set(a.id, a);
  for (const l of extra) for (const a of l) byId.set(a.id, a);
  return [...byId.values()];
}

/** The actors a model declares (`x-actors`, already validated by the loader). */
export function modelActors(ext: ModelExtensions | undefined): Actor[] {
  return (ext?.actors ?? []).map((a) => ({ ...a, source: "model" as const }));
}
