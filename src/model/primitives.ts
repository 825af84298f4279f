/**
 * Shared primitives of the city model (spec §1): ids, durations, levels, distributions and vocabularies.
 * Durations are parsed into hours (floating point): engines work in hours.
 */
import { z } from "zod";

export const ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
export const RESERVED_IDS = new Set(["internet", "all"]);

/** Any id in the model. Entity files brand it. */
export const Id = z
  .string({ error: (iss) => `expected an id (a string such as "pump-plc"), found ${describeValue(iss.input)}` })
  .regex(ID_PATTERN, {
    error: (iss) => `expected an id matching ^[a-z0-9][a-z0-9-]*$, found ${describeValue(iss.input)}`,
  });

const DURATION_PART = /(\d+(?:\.\d+)?|\.\d+)([wdhms])/g;
const DURATION_WHOLE = /^(?:(?:\d+(?:\.\d+)?|\.\d+)[wdhms])+$/;
const UNIT_HOURS: Record<string, number> = { w: 168, d: 24, h: 1, m: 1 / 60, s: 1 / 3600 };

/** Parses "1d12h" into hours; returns undefined if the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (!DURATION_WHOLE.test(t)) return undefined;
  let hours = 0;
  for (const m of t.matchAll(DURATION_PART)) hours += Number(m[1]) * UNIT_HOURS[m[2]];
  return hours;
}

/** Formats hours back into a compact duration string ("36h" -> "1d12h"). */
export function formatDuration(hours: number): string {
  if (!Number.isFinite(hours)) return String(hours);
  if (hours === 0) return "0h";
  const parts: string[] = [];
  let rest = hours;
  const d = Math.floor(rest / 24 + 1e-9);
  if (d > 0) {
    parts.push(`${d}d`);
    rest -= d * 24;
  }
  if (rest > 1e-9) {
    const h = Math.round(rest * 1000) / 1000;
    parts.push(`${h}h`);
  }
  return parts.join("");
}

export function describeValue(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  return `${typeof v} ${String(v)}`;
}

function durationSchema(positive: boolean) {
  const expected = `expected a duration such as "12h" or "1d12h" (units w d h m s; bare numbers are refused)`;
  return z
    .string({ error: (iss) => `${expected}, found ${describeValue(iss.input)}` })
    .regex(DURATION_WHOLE, { error: (iss) => `${expected}, found ${describeValue(iss.input)}` })
    .transform((v, ctx) => {
      const h = parseDuration(v) as number;
      if (positive && !(h > 0)) {
        ctx.addIssue({
          code: "custom",
          message: `expected a duration greater than zero, found ${describeValue(v)}`,
          params: { rampart: "bad-duration" },
        });
        return z.NEVER;
      }
      return h;
    });
}

/** A point in time or a delay: zero allowed. Output: hours. */
export const Time = durationSchema(false);
/** A length (for, buffer, rebuild, restore...): must be > 0. Output: hours. */
export const Length = durationSchema(true);

/** A level in [0, 1]: 1 = full service, 0 = none. */
export const Level = z
  .number({ error: (iss) => `expected a level (a number in [0, 1]), found ${describeValue(iss.input)}` })
  .min(0, { error: (iss) => `expected a level in [0, 1], found ${describeValue(iss.input)}` })
  .max(1, { error: (iss) => `expected a level in [0, 1], found ${describeValue(iss.input)}` });

/** A probability distribution over durations (hours). */
export type Distribution =
  | { kind: "fixed"; value: number }
  | { kind: "uniform"; a: number; b: number }
  | { kind: "triangular"; min: number; mode: number; max: number }
  | { kind: "lognormal"; median: number; p90: number };

export function distributionSchema(positive: boolean) {
  const D = positive ? Length : Time;
  return z.union([
    D.transform((value): Distribution => ({ kind: "fixed", value })),
    z
      .strictObject({ uniform: z.tuple([D, D]) })
      .refine((o) => o.uniform[0] <= o.uniform[1], { message: "expected uniform [a, b] with a <= b" })
      .transform((o): Distribution => ({ kind: "uniform", a: o.uniform[0], b: o.uniform[1] })),
    z
      .strictObject({ triangular: z.tuple([D, D, D]) })
      .refine((o) => o.triangular[0] <= o.triangular[1] && o.triangular[1] <= o.triangular[2], {
        message: "expected triangular [min, mode, max] with min <= mode <= max",
      })
      .transform(
        (o): Distribution => ({
          kind: "triangular",
          min: o.triangular[0],
          mode: o.triangular[1],
          max: o.triangular[2],
        }),
      ),
    z
      .strictObject({ lognormal: z.strictObject({ median: Length, p90: Length }) })
      .refine((o) => o.lognormal.p90 >= o.lognormal.median, { message: "expected lognormal p90 >= median" })
      .transform((o): Distribution => ({ kind: "lognormal", median: o.lognormal.median, p90: o.lognormal.p90 })),
  ]);
}

export const ImpactLevel = z.enum(["low", "moderate", "high"]);
export type ImpactLevel = z.infer<typeof ImpactLevel>;

export const Impact = z.strictObject({
  confidentiality: ImpactLevel,
  integrity: ImpactLevel,
  availability: ImpactLevel,
});
export type Impact = z.infer<typeof Impact>;

export const AuthKind = z.enum(["none", "default", "password", "mfa", "certificate"]);
export type AuthKind = z.infer<typeof AuthKind>;

export const SECTORS = [
  "power",
  "water",
  "wastewater",
  "transport",
  "traffic",
  "emergency",
  "health",
  "telecom",
  "government",
  "finance",
  "port",
  "lighting",
  "environment",
  "other",
] as const;
export const Sector = z.enum(SECTORS);
export type Sector = z.infer<typeof Sector>;

export const LAYERS = ["it", "ot", "iot", "network", "cloud"] as const;
export const Layer = z.enum(LAYERS);
export type Layer = z.infer<typeof Layer>;

export const ASSET_KINDS = [
  "workstation",
  "server",
  "domain-controller",
  "scada-server",
  "hmi",
  "historian",
  "engineering-workstation",
  "plc",
  "rtu",
  "ied",
  "sensor",
  "actuator",
  "traffic-controller",
  "camera",
  "smart-meter",
  "gateway",
  "firewall",
  "switch",
  "router",
  "vpn",
  "radio",
  "cloud-service",
  "saas",
  "database",
  "application",
  "other",
] as const;
export const AssetKind = z.enum(ASSET_KINDS);

/** Physical devices in the field (Purdue levels 0-1): controllers, instruments, field radios, cameras, meters. */
export const FIELD_DEVICE_KINDS: ReadonlySet<string> = new Set<AssetKind>([
  "plc",
  "rtu",
  "ied",
  "sensor",
  "actuator",
  "traffic-controller",
  "camera",
  "smart-meter",
  "radio",
]);

/** Devices that carry traffic: gateways (serial-to-Ethernet, protocol, LPWAN), firewalls, switches, routers, VPNs. */
export const NETWORK_DEVICE_KINDS: ReadonlySet<string> = new Set<AssetKind>([
  "gateway",
  "firewall",
  "switch",
  "router",
  "vpn",
]);
export type AssetKind = z.infer<typeof AssetKind>;

/** A date written as YYYY-MM-DD (YAML 1.2 core schema keeps it a string). */
export const DateString = z
  .string({ error: (iss) => `expected a date YYYY-MM-DD, found ${describeValue(iss.input)}` })
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: (iss) => `expected a date YYYY-MM-DD, found ${describeValue(iss.input)}` });

export const Protocol = z.string().regex(/^[a-z0-9][a-z0-9._+-]*$/, {
  error: (iss) => `expected a lowercase protocol name, found ${describeValue(iss.input)}`,
});
