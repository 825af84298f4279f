/**
 * The weakness -> step success probability model the simulator uses for attack steps. It is meant to be the
 * same model as the assessment's attack paths (src/assess, PathStep.probability); src/assess exports no such
 * function yet, so this small table lives here until it does (then this file re-exports it). Every number is
 * documented in docs/simulate.md ("Step success probabilities").
 */
import type { Asset, RemoteAccess } from "../model/model.ts";

export type StepHow = "lateral" | "exposed" | "phishing" | "command";

export type StepChance = { probability: number; weakness: string };

/** By authentication; absent = unknown, which no rule treats as weak (so it counts like a password). */
const AUTH: Record<string, number> = { none: 0.9, default: 0.85, password: 0.35, mfa: 0.1, certificate: 0.1 };
const UNKNOWN_AUTH = 0.35;
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
const FIELD_KINDS = new Set([
  "plc",
  "rtu",
  "ied",
  "sensor",
  "actuator",
  "traffic-controller",
  "gateway",
  "smart-meter",
]);

/** Probability that one attempt on `asset` succeeds, and the weakness it exploits. */
export function stepChance(asset: Asset, how: StepHow): StepChance {
  if (how === "phishing") {
    // a user opens the lure and the attacker gets a session; MFA stops stolen passwords, not every payload
    return asset.auth === "mfa" || asset.auth === "certificate"
      ? { probability: 0.05, weakness: "phishing (MFA)" }
      : { probability: 0.15, weakness: "phishing" };
  }
  let p = asset.auth === undefined ? UNKNOWN_AUTH : AUTH[asset.auth];
  let weakness =
    asset.auth === "none" ? "no authentication" : asset.auth === "default" ? "default credentials" : "credentials";
  if (
    (how === "command" || how === "lateral") &&
    FIELD_KINDS.has(asset.kind) &&
    asset.protocols.some((x) => INSECURE_PROTOCOLS.has(x))
  ) {
    if (p < 0.8) {
      p = 0.8;
      weakness = "unauthenticated industrial protocol";
    }
  }
  if (asset.end_of_life) {
    p = p + (1 - p) * 0.5;
    weakness += ", end of life";
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
  if (ra.mfa) return { probability: ra.always_on ? 0.08 : 0.05, weakness: "vendor remote access (MFA)" };
  return {
    probability: ra.always_on ? 0.75 : 0.5,
    weakness: ra.always_on ? "always-on vendor access without MFA" : "vendor access without MFA",
  };
}
