/**
 * STIX 2.1 basics: object shape, deterministic identifiers (UUIDv5 in Rampart's namespace, so the same
 * finding exported twice keeps its id), TLP 2.0 marking definitions ([SHR-2]) and timestamps.
 */
import { createHash } from "node:crypto";

export type StixObject = {
  type: string;
  id: string;
  spec_version?: string;
  created?: string;
  modified?: string;
  [k: string]: unknown;
};
export type Bundle = { type: "bundle"; id: string; objects: StixObject[] };

export const TLP_LEVELS = ["clear", "green", "amber", "amber+strict", "red"] as const;
export type Tlp = (typeof TLP_LEVELS)[number];

/** The TLP 2.0 marking definitions as published by OASIS (fixed ids; created 2022-10-01). */
export const TLP_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";
const TLP_IDS: Record<Tlp, string> = {
  clear: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
  green: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
  amber: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
  "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
  red: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
};

export function tlpMarking(level: Tlp): StixObject {
  return {
    type: "marking-definition",
    spec_version: "2.1",
    id: TLP_IDS[level],
    created: "2022-10-01T00:00:00.000Z",
    name: `TLP:${level.toUpperCase()}`,
    extensions: { [TLP_EXTENSION]: { extension_type: "property-extension", tlp_2_0: level } },
  };
}

export function tlpOfMarkingId(id: string): Tlp | undefined {
  for (const l of TLP_LEVELS) if (TLP_IDS[l] === id) return l;
  return undefined;
}

/** "clear", "TLP:GREEN", "amber+strict" ... -> the level, or undefined. */
export function parseTlp(s: string): Tlp | undefined {
  const v = s
    .trim()
    .toLowerCase()
    .replace(/^tlp:/, "")
    .replace(/^white$/, "clear");
  return (TLP_LEVELS as readonly string[]).includes(v) ? (v as Tlp) : undefined;
}

/** Levels at which nothing internal may leave the city ([SHR-3]). */
export const sanitised = (t: Tlp) => t === "clear" || t === "green";

// UUIDv5 (RFC 4122 section 4.3) in a namespace of Rampart's own.
const NS = Buffer.from("6b3a1f4e9c2d4e8fa1b27c5d3e9f0a11", "hex");
export function uuid5(name: string): string {
  const h = createHash("sha1").update(NS).update(name).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
export const stixId = (type: string, name: string) => `${type}--${uuid5(`${type}|${name}`)}`;

export const ID_RE =
  /^([a-z][a-z0-9-]+[a-z0-9])--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$/;
/** RFC 3339 in UTC with a Z, as STIX and TAXII require. */
export const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

export function isTimestamp(s: unknown): s is string {
  return typeof s === "string" && TIMESTAMP_RE.test(s) && !Number.isNaN(Date.parse(s));
}

/** Quotes a value for a STIX pattern string literal. */
export const patternString = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
