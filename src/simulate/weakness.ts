/**
 * The weakness -> step success probability model of attack steps: the assessment's (src/assess/weakness.ts,
 * the same model as its attack paths), for an actor of middle skill (0.5: the base probabilities), without KEV
 * matching (the simulator does not load the catalogue) and without the assessment's x0.9 for monitored assets
 * (the simulator models detection explicitly). Added here: phishing, and field devices that obey unauthenticated
 * industrial protocols when commanded from a held neighbour. Numbers in docs/simulate.md.
 */

import { stepProbability, vendorAccessProbability, weaknessOf } from "../assess/weakness.ts";
import type { Asset, RemoteAccess } from "../model/model.ts";
import { FIELD_DEVICE_KINDS } from "../model/primitives.ts";

export type StepHow = "lateral" | "exposed" | "phishing" | "command";

export type StepChance = { probability: number; weakness: string };

/** Skill of the simulated actor: 0.5 leaves the assessment's base probabilities as they are. */
export const SKILL = 0.5;

/** OT field devices speaking a protocol without authentication obey whoever reaches them. */
const INSECURE_PROTOCOLS = new Set([
  "modbus",
  "dnp3",
  "iec104",
  "bacnet",
  "profinet",
  "s7",
  "ethernet-ip",
  "ntcip",
  "mqtt",
]);
/** Devices that act on commands sent in a cleartext protocol: field controllers and instruments, and the
 * gateways that translate those protocols (not cameras or radios, which carry no process commands). */
const FIELD_KINDS: ReadonlySet<string> = new Set(
  [...FIELD_DEVICE_KINDS, "gateway"].filter((k) => k !== "camera" && k !== "radio"),
);

/** Probability that one attempt on `asset` succeeds, and the weakness it exploits. */
export function stepChance(asset: Asset, how: StepHow): StepChance {
  if (how === "phishing") {
    // a user opens the lure and the attacker gets a session; MFA stops stolen passwords, not every payload
    return asset.auth === "mfa" || asset.auth === "certificate"
      ? { probability: 0.05, weakness: "phishing (MFA)" }
      : { probability: 0.15, weakness: "phishing" };
  }
  const w = weaknessOf(asset, false);
  let p = stepProbability(w, SKILL, false);
  let weakness = w.label;
  if (FIELD_KINDS.has(asset.kind) && asset.protocols.some((x) => INSECURE_PROTOCOLS.has(x)) && p < 0.8) {
    p = 0.8;
    weakness = "unauthenticated industrial protocol";
  }
  if (how === "exposed") {
    // reachable from the internet: scanned continuously
    p = p + (1 - p) * 0.2;
    weakness = `exposed to the internet, ${weakness}`;
  }
  return { probability: Math.min(0.97, p), weakness };
}

/** [NET-2] Probability that an attacker holding a vendor gets through one of its remote accesses. */
export function vendorChance(ra: RemoteAccess): StepChance {
  return {
    probability: vendorAccessProbability(ra),
    weakness: ra.mfa ? "vendor remote access (MFA)" : "vendor remote access without MFA",
  };
}
