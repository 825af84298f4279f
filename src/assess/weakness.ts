/**
 * The probability model of one attack step (docs/assess.md): the chance that an actor who can reach an asset
 * takes it, from the asset's weakest known point, and the ATT&CK for ICS technique that step uses.
 *
 *   weakness                        base p   technique (lateral / from the internet)
 *   no authentication               0.95     T0886 Remote Services / T0883 Internet Accessible Device
 *   default credentials             0.85     T0812 Default Credentials / T0883 Internet Accessible Device
 *   software in CISA KEV            0.75     T0866 Exploitation of Remote Services / T0819 Exploit Public-Facing App.
 *   end-of-life software            0.60     T0866 / T0819
 *   password only                   0.35     T0859 Valid Accounts / T0822 External Remote Services (vpn, rdp, ssh)
 *   unknown authentication          0.25     T0886 Remote Services / T0883
 *   MFA or certificate              0.08     T0859 Valid Accounts / T0822
 *
 * Skill s in [0, 1] bends it: p = 1 - (1 - base)^(2s) (s = 0.5 gives the base; stronger actors do better on every
 * weakness, weaker ones worse). A monitored asset multiplies p by 0.9 (the step may be seen and stopped).
 */

import type { Asset } from "../model/model.ts";
import { FIELD_DEVICE_KINDS } from "../model/primitives.ts";

export type Weakness = { base: number; label: string; lateral: string; internet: string };

const W_NONE: Weakness = { base: 0.95, label: "no authentication", lateral: "T0886", internet: "T0883" };
const W_DEFAULT: Weakness = { base: 0.85, label: "default credentials", lateral: "T0812", internet: "T0883" };
const W_KEV: Weakness = {
  base: 0.75,
  label: "known exploited vulnerability (KEV)",
  lateral: "T0866",
  internet: "T0819",
};
const W_EOL: Weakness = { base: 0.6, label: "end-of-life software", lateral: "T0866", internet: "T0819" };
const W_PASSWORD: Weakness = { base: 0.35, label: "password only", lateral: "T0859", internet: "T0822" };
const W_UNKNOWN: Weakness = {
  base: 0.25,
  label: "no known weakness (generic lateral movement)",
  lateral: "T0886",
  internet: "T0883",
};
const W_STRONG: Weakness = {
  base: 0.08,
  label: "strong authentication (MFA or certificate)",
  lateral: "T0859",
  internet: "T0822",
};

/** The weakest known point of an asset. `kev`: whether any of its software matches the KEV catalogue. */
export function weaknessOf(a: Asset, kev: boolean): Weakness {
  if (a.auth === "none") return W_NONE;
  if (a.auth === "default") return W_DEFAULT;
  if (kev) return W_KEV;
  if (a.end_of_life) return W_EOL;
  if (a.auth === "password") return W_PASSWORD;
  if (a.auth === undefined) return W_UNKNOWN;
  return W_STRONG;
}

/** Probability that an actor of skill `skill` takes an asset with this weakness in one step. */
export function stepProbability(w: Weakness, skill: number, monitored: boolean): number {
  const s = Math.min(1, Math.max(0, skill));
  const p = 1 - (1 - w.base) ** (2 * s);
  return (monitored ? 0.9 : 1) * p;
}

/** Probability of crossing a conduit: 0.9 when a `via` device enforces it, 1 otherwise; x 0.5 with mfa/certificate. */
export function conduitProbability(c: { via?: string; auth?: string }): number {
  let p = c.via ? 0.9 : 1;
  if (c.auth === "mfa" || c.auth === "certificate") p *= 0.5;
  return p;
}

/**
 * Probability that a vendor's remote access gives a usable session to whoever holds the vendor: 0.9 without MFA
 * (the vendor's stored credentials suffice), 0.3 with it; x 0.6 when not always on (a session must be requested).
 */
export function vendorAccessProbability(r: { mfa: boolean; always_on: boolean }): number {
  return (r.mfa ? 0.3 : 0.9) * (r.always_on ? 1 : 0.6);
}

/** Field devices an attacker with physical access can reach ([NET-1] physical entry). */
export const FIELD_KINDS = FIELD_DEVICE_KINDS;
export const REMOTE_PROTOCOLS = new Set(["rdp", "ssh", "vnc", "telnet", "smb"]);
