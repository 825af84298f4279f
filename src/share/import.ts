/**
 * STIX 2.1 import ([SHR-7]..[SHR-9]): bounded parsing of a bundle (or a TAXII envelope), a structural check
 * of every object (errors name the object's path and what was expected), de-duplication by id and version,
 * and the watch rules that indicators turn into. Pure: no I/O, no clock.
 */
import { JsonRefused, LIMITS, lineColumn, parseJsonStrict } from "../model/limits.ts";
import { TELEMETRY_PATTERN } from "./export.ts";
import { ID_RE, isTimestamp, type StixObject } from "./stix.ts";

export type ShareIssue = { path: string; message: string };

export type ParseLimits = {
  /** Bytes of JSON text (UTF-8). */
  maxBytes: number;
  maxObjects: number;
  /** Nesting depth of any value. */
  maxDepth: number;
};
/** The defaults are `LIMITS.stix`, defined with every other parser limit in src/model/limits.ts. */
export const DEFAULT_LIMITS: ParseLimits = LIMITS.stix;

/** One object ready to store: the version key is `modified`, else `created`, else "" (SCOs, markings). */
export type Incoming = { id: string; type: string; version: string; specVersion: string; json: string };

export type ParseResult =
  | {
      ok: true;
      objects: Incoming[] /** Objects of the input left out as exact repeats (same id and version). */;
      repeats: number;
    }
  | { ok: false; status: 400 | 413; issues: ShareIssue[] };

/** The depth of a parsed JSON value, stopping once `limit` is passed. */
function tooDeep(v: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[v, 1]];
  while (stack.length) {
    const [x, d] = stack.pop() as [unknown, number];
    if (x === null || typeof x !== "object") continue;
    if (d > limit) return true;
    for (const c of Array.isArray(x) ? x : Object.values(x))
      if (c !== null && typeof c === "object") stack.push([c, d + 1]);
  }
  return false;
}

const TYPE_RE = /^[a-z][a-z0-9-]+[a-z0-9]$/;
/** Types without created/modified (cyber-observable objects) or without modified (marking definitions). */
const SCO = new Set([
  "artifact",
  "autonomous-system",
  "directory",
  "domain-name",
  "email-addr",
  "email-message",
  "file",
  "ipv4-addr",
  "ipv6-addr",
  "mac-addr",
  "mutex",
  "network-traffic",
  "process",
  "software",
  "url",
  "user-account",
  "windows-registry-key",
  "x509-certificate",
]);

/** Checks one object's common properties; returns the issues found (empty = fine). */
export function checkObject(o: unknown, path: string): ShareIssue[] {
  const out: ShareIssue[] = [];
  if (o === null || typeof o !== "object" || Array.isArray(o)) return [{ path, message: "expected a STIX object" }];
  const x = o as Record<string, unknown>;
  if (typeof x.type !== "string" || !TYPE_RE.test(x.type) || x.type.length > 250) {
    out.push({ path: `${path}.type`, message: `expected a STIX type such as "indicator", found ${show(x.type)}` });
    return out;
  }
  if (x.type === "bundle") return [{ path: `${path}.type`, message: "a bundle cannot be nested in a bundle" }];
  const m = typeof x.id === "string" ? ID_RE.exec(x.id) : null;
  if (!m) out.push({ path: `${path}.id`, message: `expected "${x.type}--<uuid>", found ${show(x.id)}` });
  else if (m[1] !== x.type)
    out.push({ path: `${path}.id`, message: `the id's type "${m[1]}" differs from the object's type "${x.type}"` });
  const sco = SCO.has(x.type);
  if (!sco && x.spec_version !== "2.1")
    out.push({ path: `${path}.spec_version`, message: `expected "2.1", found ${show(x.spec_version)}` });
  if (!sco) {
    if (!isTimestamp(x.created))
      out.push({ path: `${path}.created`, message: `expected an RFC 3339 UTC timestamp, found ${show(x.created)}` });
    if (x.type !== "marking-definition" && !isTimestamp(x.modified))
      out.push({ path: `${path}.modified`, message: `expected an RFC 3339 UTC timestamp, found ${show(x.modified)}` });
    else if (isTimestamp(x.created) && isTimestamp(x.modified) && Date.parse(x.modified) < Date.parse(x.created))
      out.push({ path: `${path}.modified`, message: "expected modified at or after created" });
  }
  if (x.type === "indicator") {
    for (const k of ["pattern", "pattern_type"])
      if (typeof x[k] !== "string" || !(x[k] as string).length)
        out.push({ path: `${path}.${k}`, message: `an indicator needs ${k} (a string)` });
    if (!isTimestamp(x.valid_from))
      out.push({
        path: `${path}.valid_from`,
        message: `expected an RFC 3339 UTC timestamp, found ${show(x.valid_from)}`,
      });
  }
  if (x.type === "relationship")
    for (const k of ["source_ref", "target_ref"])
      if (typeof x[k] !== "string" || !ID_RE.test(x[k] as string))
        out.push({ path: `${path}.${k}`, message: `expected a STIX id, found ${show(x[k])}` });
  if (x.type === "sighting" && (typeof x.sighting_of_ref !== "string" || !ID_RE.test(x.sighting_of_ref)))
    out.push({ path: `${path}.sighting_of_ref`, message: `expected a STIX id, found ${show(x.sighting_of_ref)}` });
  return out;
}

const show = (v: unknown) => (v === undefined ? "nothing" : JSON.stringify(v)?.slice(0, 60));

export const versionOf = (o: StixObject): string =>
  typeof o.modified === "string" ? o.modified : typeof o.created === "string" ? o.created : "";

/**
 * Parses STIX JSON text: a bundle `{type: "bundle", objects}`, a TAXII envelope `{objects}` or one object. Too large ->
 * 413; not JSON, too deep, or any object invalid -> 400 with every issue (up to 100), and nothing is kept.
 */
export function parseStix(text: string, limits: ParseLimits = DEFAULT_LIMITS): ParseResult {
  const j = parseJsonBounded(text, limits);
  return j.ok ? parseStixValue(j.data, limits) : j;
}

/**
 * JSON text through the project's guarded parser (src/model/limits.ts): size, nesting depth checked before
 * parsing, no `__proto__` keys. Too large -> 413; the rest -> 400 with the line and column.
 */
export function parseJsonBounded(
  text: string,
  limits: ParseLimits = DEFAULT_LIMITS,
): { ok: true; data: unknown } | { ok: false; status: 400 | 413; issues: ShareIssue[] } {
  try {
    return { ok: true, data: parseJsonStrict(text, { maxBytes: limits.maxBytes, maxDepth: limits.maxDepth }) };
  } catch (e) {
    if (!(e instanceof JsonRefused)) throw e;
    const { line, column } = lineColumn(text, e.offset);
    return {
      ok: false,
      status: e.code === "size-limit" ? 413 : 400,
      issues: [{ path: "", message: `${line}:${column}: ${e.message}` }],
    };
  }
}

export function parseStixValue(data: unknown, limits: ParseLimits = DEFAULT_LIMITS): ParseResult {
  if (data === null || typeof data !== "object" || Array.isArray(data))
    return {
      ok: false,
      status: 400,
      issues: [{ path: "", message: "expected a STIX bundle or a TAXII envelope (an object)" }],
    };
  let d = data as Record<string, unknown>;
  // a file may hold one STIX object rather than a bundle
  if (d.type !== undefined && d.type !== "bundle") d = { objects: [d] };
  if (d.objects === undefined) return { ok: true, objects: [], repeats: 0 };
  if (!Array.isArray(d.objects))
    return { ok: false, status: 400, issues: [{ path: "objects", message: "expected a list of STIX objects" }] };
  if (d.objects.length > limits.maxObjects)
    return {
      ok: false,
      status: 413,
      issues: [
        { path: "objects", message: `${d.objects.length} objects, more than the limit of ${limits.maxObjects}` },
      ],
    };
  if (tooDeep(d, limits.maxDepth))
    return { ok: false, status: 400, issues: [{ path: "", message: `nested deeper than ${limits.maxDepth} levels` }] };
  const issues: ShareIssue[] = [];
  const objects: Incoming[] = [];
  const seen = new Set<string>();
  let repeats = 0;
  d.objects.forEach((o, i) => {
    const found = checkObject(o, `objects[${i}]`);
    if (found.length) {
      if (issues.length < 100) issues.push(...found.slice(0, 100 - issues.length));
      return;
    }
    const s = o as StixObject;
    const version = versionOf(s);
    const key = `${s.id}|${version}`;
    if (seen.has(key)) {
      repeats++;
      return;
    }
    seen.add(key);
    objects.push({
      id: s.id,
      type: s.type,
      version,
      specVersion: typeof s.spec_version === "string" ? s.spec_version : "2.1",
      json: JSON.stringify(s),
    });
  });
  if (issues.length) return { ok: false, status: 400, issues };
  return { ok: true, objects, repeats };
}

/** A rule `detect watch` can apply, from an indicator ([SHR-9]). */
export type WatchRule = {
  indicator: string;
  name: string;
  /** telemetry: asset kind or asset id, optional signal; network: an observable to look for. */
  kind: "telemetry" | "dst-port" | "ipv4" | "ipv6" | "domain" | "url" | "file-hash";
  match: Record<string, string | number>;
  validFrom: string;
  validUntil: string | null;
};

const STIX_CMP = /^\[\s*([a-z0-9-]+):([a-z0-9_.'*[\]-]+)\s*=\s*('(?:[^'\\]|\\.)*'|\d+)\s*\]$/i;
const TELEMETRY_CMP = /^\s*(kind|asset|signal)\s*=\s*'((?:[^'\\]|\\.)*)'\s*$/;
const unquote = (s: string) => (s.startsWith("'") ? s.slice(1, -1).replace(/\\(.)/g, "$1") : Number(s));

/**
 * The watch rule an indicator becomes, or null when its pattern is not one Rampart can watch for: a
 * `rampart-telemetry` pattern (kind/asset/signal equalities joined by AND), or a STIX pattern of exactly one
 * equality on network-traffic:dst_port, ipv4-addr/ipv6-addr/domain-name/url value, or a file hash.
 */
export function watchRuleOf(o: StixObject): WatchRule | null {
  if (o.type !== "indicator" || typeof o.pattern !== "string" || typeof o.valid_from !== "string") return null;
  const base = {
    indicator: o.id,
    name: typeof o.name === "string" ? o.name : o.id,
    validFrom: o.valid_from,
    validUntil: typeof o.valid_until === "string" ? o.valid_until : null,
  };
  if (o.pattern_type === TELEMETRY_PATTERN) {
    const match: Record<string, string> = {};
    for (const part of o.pattern.split(/\s+AND\s+/)) {
      const m = TELEMETRY_CMP.exec(part);
      if (!m || match[m[1]] !== undefined) return null;
      match[m[1]] = m[2].replace(/\\(.)/g, "$1");
    }
    if (!match.kind && !match.asset) return null;
    return { ...base, kind: "telemetry", match };
  }
  if (o.pattern_type !== "stix") return null;
  const m = STIX_CMP.exec(o.pattern.trim());
  if (!m) return null;
  const [, type, prop, raw] = m;
  const value = unquote(raw);
  if (type === "network-traffic" && prop === "dst_port" && typeof value === "number")
    return value >= 0 && value <= 65535 ? { ...base, kind: "dst-port", match: { port: value } } : null;
  if (typeof value !== "string") return null;
  if (prop === "value") {
    const kind = ({ "ipv4-addr": "ipv4", "ipv6-addr": "ipv6", "domain-name": "domain", url: "url" } as const)[
      type as "ipv4-addr"
    ];
    return kind ? { ...base, kind, match: { value } } : null;
  }
  if (type === "file" && prop.startsWith("hashes.")) {
    return { ...base, kind: "file-hash", match: { algorithm: prop.slice(7).replace(/'/g, ""), value } };
  }
  return null;
}
