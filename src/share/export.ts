/**
 * STIX 2.1 export ([SHR-1]..[SHR-6]): an assessment (findings, attack paths, KEV matches), the model's
 * controls and, optionally, alerts become one bundle, every object marked with the chosen TLP 2.0 level.
 * Pure: the clock is the `now` argument, ids are derived from content (same input, same bundle).
 *
 * At TLP:CLEAR and TLP:GREEN ([SHR-3]) no asset, zone, conduit, control, district or person id or name,
 * no location and no city name is written: assets are counted by kind and layer, services named by sector,
 * controls described by what their patch does. The result is checked with `findLeaks` before it is returned.
 */
import { RULES } from "../assess/rules.ts";
import type { AssessReport, Finding } from "../assess/types.ts";
import type { CityModel, Control } from "../model/model.ts";
import { findLeaks, readableText, sensitiveTerms, type Term } from "./sanitise.ts";
import { type Bundle, patternString, type StixObject, sanitised, stixId, type Tlp, tlpMarking } from "./stix.ts";

/** An alert as the store keeps it (only the fields the export reads). */
export type AlertLike = {
  id: number | string;
  at: string;
  assetId: string | null;
  signal: string | null;
  severity: string;
  score: number;
  message: string;
  services: string[];
};

export type ExportInput = {
  model: CityModel;
  report: AssessReport;
  tlp: Tlp;
  /** The export time (RFC 3339, UTC): created/modified of every object. */
  now: string;
  alerts?: readonly AlertLike[];
};

export type ExportResult = { ok: true; bundle: Bundle; counts: Record<string, number> } | { ok: false; leaks: Term[] };

/** Pattern language of telemetry indicators: `kind = 'plc'`, `asset = 'id' AND signal = 'flow'` ([SHR-5]). */
export const TELEMETRY_PATTERN = "rampart-telemetry";

/** CVEs linked per KEV finding, newest first (Windows alone matches hundreds; the count is in the text). */
export const MAX_CVES = 20;

const TITLES = new Map(RULES.map((r) => [r.id, r.title]));

/** Well-known ports of the protocols a model names (for indicators on internet-exposed services). */
export const PROTOCOL_PORTS: Record<string, number> = {
  modbus: 502,
  umas: 502,
  dnp3: 20000,
  iec104: 2404,
  "iec-104": 2404,
  iec61850: 102,
  s7: 102,
  s7comm: 102,
  bacnet: 47808,
  "ethernet-ip": 44818,
  enip: 44818,
  cip: 44818,
  "opc-ua": 4840,
  fins: 9600,
  profinet: 34964,
  mqtt: 1883,
  rdp: 3389,
  ssh: 22,
  telnet: 23,
  smb: 445,
  vnc: 5900,
  snmp: 161,
  ftp: 21,
  http: 80,
  https: 443,
  sip: 5060,
};

const SECTOR_STIX: Record<string, string> = {
  power: "utilities",
  water: "utilities",
  wastewater: "utilities",
  transport: "transportation",
  traffic: "transportation",
  port: "transportation",
  emergency: "government-emergency-services",
  health: "healthcare",
  telecom: "telecommunications",
  government: "government-local",
  finance: "financial-services",
  lighting: "utilities",
  environment: "government-local",
  other: "government-local",
};

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;

export function exportBundle(input: ExportInput): ExportResult {
  const { model, report, tlp, now } = input;
  const safe = sanitised(tlp);
  const marking = tlpMarking(tlp);
  const seed = `${model.city.name}|${tlp}`;
  const objects: StixObject[] = [];
  const byId = new Map<string, StixObject>();
  const put = (o: StixObject) => {
    if (byId.has(o.id)) return byId.get(o.id) as StixObject;
    byId.set(o.id, o);
    objects.push(o);
    return o;
  };

  const identity = put({
    type: "identity",
    spec_version: "2.1",
    id: stixId("identity", seed),
    created: now,
    modified: now,
    name: safe ? "A city sharing through Rampart" : model.city.name,
    identity_class: "organization",
    sectors: ["government-local"],
    object_marking_refs: [marking.id],
  });
  const common = () => ({
    spec_version: "2.1",
    created: now,
    modified: now,
    created_by_ref: identity.id,
    object_marking_refs: [marking.id],
  });
  const rel = (source: string, type: string, target: string) =>
    put({
      type: "relationship",
      id: stixId("relationship", `${seed}|${source}|${type}|${target}`),
      ...common(),
      relationship_type: type,
      source_ref: source,
      target_ref: target,
    });

  // lookups
  const assets = new Map(model.assets.map((a) => [a.id as string, a]));
  const sectorOf = new Map(model.services.map((s) => [s.id as string, s.sector as string]));
  const sectorsOf = (services: readonly string[]) =>
    [...new Set(services.map((s) => sectorOf.get(s)).filter((x): x is string => !!x))].sort();
  const describeTargets = (targets: readonly string[]) => {
    const kinds = new Map<string, number>();
    let other = 0;
    for (const t of targets) {
      const a = assets.get(t);
      if (!a) {
        other++;
        continue;
      }
      const k = `${a.kind} (${a.layer.toUpperCase()})`;
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
    }
    const parts = [...kinds].sort().map(([k, n]) => `${n} x ${k}`);
    if (other) parts.push(plural(other, "other element"));
    return parts.join(", ");
  };

  // attack patterns: every technique on a reported path
  const techniqueOnAsset = new Map<string, Set<string>>(); // asset -> attack-pattern ids
  const patterns = new Map<string, StixObject>();
  const attackPattern = (tid: string, name: string) => {
    let ap = patterns.get(tid);
    if (!ap) {
      ap = put({
        type: "attack-pattern",
        id: stixId("attack-pattern", `mitre-ics|${tid}`),
        ...common(),
        name,
        external_references: [
          {
            source_name: "mitre-ics-attack",
            external_id: tid,
            url: `https://attack.mitre.org/techniques/${tid}/`,
          },
        ],
      });
      patterns.set(tid, ap);
    }
    return ap;
  };
  for (const p of report.paths)
    for (const s of p.steps) {
      const ap = attackPattern(s.technique, s.techniqueName);
      const set = techniqueOnAsset.get(s.asset) ?? new Set<string>();
      techniqueOnAsset.set(s.asset, set);
      set.add(ap.id);
    }

  // findings -> vulnerability objects (a weakness of the city's systems), KEV CVEs -> vulnerabilities
  const findingObjs: { f: Finding; o: StixObject }[] = [];
  const cves = new Map<string, StixObject>();
  const indicators = new Map<number, StixObject>();
  for (const f of report.findings) {
    const title = TITLES.get(f.rule) ?? f.rule;
    const sectors = sectorsOf(f.services);
    const refs = [
      ...f.frameworks.csf.map((id) => ({ source_name: "nist-csf-2.0", external_id: id })),
      ...f.frameworks.caf.map((id) => ({ source_name: "ncsc-caf-4.0", external_id: id })),
      ...f.frameworks.iec62443.map((id) => ({ source_name: "iec-62443-3-3", external_id: id })),
    ];
    const what = describeTargets(f.targets);
    const kevNote = f.kev
      ? ` ${f.kev.count} known exploited CVEs (${f.kev.ransomware} used by ransomware) in ${f.kev.kevProducts.join(", ")}.`
      : "";
    const description = safe
      ? `${title}.${kevNote} Severity ${f.severity}.${what ? ` Affects ${what}.` : ""}${sectors.length ? ` Services at risk in the ${sectors.join(", ")} sector${sectors.length === 1 ? "" : "s"}.` : ""}`
      : `${f.message} ${f.remediation}${kevNote}`;
    const o = put({
      type: "vulnerability",
      id: stixId("vulnerability", `${seed}|finding|${f.rule}|${f.targets.join(",")}|${f.kev?.software ?? ""}`),
      ...common(),
      name: safe ? title : `${title}: ${f.targets.slice(0, 5).join(", ")}${f.targets.length > 5 ? ", ..." : ""}`,
      description,
      labels: ["rampart-finding", `severity-${f.severity}`, ...sectors.map((s) => `sector-${s}`)],
      ...(refs.length ? { external_references: refs } : {}),
      x_rampart_rule: f.rule,
      x_rampart_severity: f.severity,
      ...(safe || !f.targets.length ? {} : { x_rampart_targets: f.targets }),
      ...(safe || !f.services.length ? {} : { x_rampart_services: f.services }),
    });
    findingObjs.push({ f, o });
    for (const cve of (f.kev?.cves ?? []).slice(0, MAX_CVES)) {
      let v = cves.get(cve);
      if (!v) {
        v = put({
          type: "vulnerability",
          id: stixId("vulnerability", `cve|${cve}`),
          ...common(),
          name: cve,
          description: `Listed in the CISA Known Exploited Vulnerabilities catalogue (${f.kev?.kevProducts.join(", ")}).`,
          external_references: [{ source_name: "cve", external_id: cve }],
        });
        cves.set(cve, v);
      }
      rel(o.id, "related-to", v.id);
    }
    // a path technique used on a target of this finding targets the weakness
    for (const t of f.targets) for (const ap of techniqueOnAsset.get(t) ?? []) rel(ap, "targets", o.id);
    // indicators: traffic to an internet-exposed asset's protocols
    for (const t of f.targets) {
      const a = assets.get(t);
      if (!a?.exposed) continue;
      for (const proto of a.protocols) {
        const port = PROTOCOL_PORTS[proto];
        if (port === undefined) continue;
        let ind = indicators.get(port);
        if (!ind) {
          ind = put({
            type: "indicator",
            id: stixId("indicator", `${seed}|dst_port|${port}`),
            ...common(),
            name: `Inbound ${proto} (port ${port}) from the internet`,
            description: `Connections from the internet to port ${port}, which an internet-exposed ${a.kind} offers.`,
            indicator_types: ["anomalous-activity"],
            pattern: `[network-traffic:dst_port = ${port}]`,
            pattern_type: "stix",
            pattern_version: "2.1",
            valid_from: now,
          });
          indicators.set(port, ind);
          rel(ind.id, "indicates", attackPattern("T0883", "Internet Accessible Device").id);
        }
        rel(ind.id, "related-to", o.id);
      }
    }
  }

  // controls -> courses of action; they mitigate the findings and path techniques their patch touches
  for (const c of model.controls) {
    const touched = touchedIds(c);
    const coa = put({
      type: "course-of-action",
      id: stixId("course-of-action", `${seed}|control|${c.id}`),
      ...common(),
      name: safe ? `${cap(c.status)} control: ${controlSummary(c, model)}` : c.name,
      description: safe
        ? `A ${c.status} control of the city: ${controlSummary(c, model)}.`
        : `${c.name} (${c.status}; ${controlSummary(c, model)}).`,
      ...(c.frameworks.length
        ? {
            external_references: c.frameworks.map((f) => {
              const [src, id] = f.includes(":") ? [f.slice(0, f.indexOf(":")), f.slice(f.indexOf(":") + 1)] : ["", f];
              const name = { csf: "nist-csf-2.0", caf: "ncsc-caf-4.0", "62443": "iec-62443-3-3" }[src.toLowerCase()];
              return { source_name: name ?? "framework", external_id: id };
            }),
          }
        : {}),
      x_rampart_status: c.status,
    });
    for (const { f, o } of findingObjs) if (f.targets.some((t) => touched.has(t))) rel(coa.id, "mitigates", o.id);
    for (const id of touched) for (const ap of techniqueOnAsset.get(id) ?? []) rel(coa.id, "mitigates", ap);
  }

  // alerts -> sightings of a telemetry indicator (STIX `incident` is not among the types the OASIS bundle
  // schema accepts, and Rampart has no incident records yet: alerts are what exists)
  for (const al of input.alerts ?? []) {
    const a = al.assetId ? assets.get(al.assetId) : undefined;
    const sectors = sectorsOf(al.services);
    const kind = a?.kind ?? "system";
    const key = safe ? `kind = ${patternString(kind)}` : `asset = ${patternString(al.assetId ?? "")}`;
    const pattern = al.signal && !safe ? `${key} AND signal = ${patternString(al.signal)}` : key;
    const ind = put({
      type: "indicator",
      id: stixId("indicator", `${seed}|telemetry|${pattern}`),
      ...common(),
      name: safe
        ? `Telemetry anomaly on a ${kind}`
        : `Telemetry anomaly on ${al.assetId}${al.signal ? ` ${al.signal}` : ""}`,
      indicator_types: ["anomalous-activity"],
      pattern,
      pattern_type: TELEMETRY_PATTERN,
      valid_from: now,
    });
    put({
      type: "sighting",
      id: stixId("sighting", `${seed}|alert|${al.id}`),
      ...common(),
      description: safe
        ? `Telemetry anomaly on a ${kind}${a ? ` (${a.layer.toUpperCase()})` : ""}${sectors.length ? ` in the ${sectors.join(", ")} sector` : ""}: severity ${al.severity}, score ${al.score.toFixed(2)}.`
        : `${al.message} (severity ${al.severity}, score ${al.score.toFixed(2)}).`,
      first_seen: al.at,
      last_seen: al.at,
      count: 1,
      sighting_of_ref: ind.id,
      where_sighted_refs: [identity.id],
      x_rampart_severity: al.severity,
      ...(safe || !al.services.length ? {} : { x_rampart_services: al.services }),
    });
  }

  const sectorsAll = [...new Set(model.services.map((s) => SECTOR_STIX[s.sector] ?? "government-local"))].sort();
  identity.sectors = ["government-local", ...sectorsAll.filter((s) => s !== "government-local")];

  const reportObj: StixObject = {
    type: "report",
    id: stixId("report", `${seed}|assessment|${report.asOf}`),
    ...common(),
    name: safe ? `City resilience assessment of ${report.asOf}` : `${model.city.name}: assessment of ${report.asOf}`,
    report_types: ["vulnerability", "attack-pattern"],
    published: now,
    object_refs: objects.map((o) => o.id),
  };
  const all = [marking, ...objects, reportObj];
  const bundle: Bundle = { type: "bundle", id: stixId("bundle", `${seed}|${now}`), objects: all };
  if (safe) {
    const leaks = findLeaks(readableText(bundle.objects), sensitiveTerms(model));
    if (leaks.length) return { ok: false, leaks };
  }
  const counts: Record<string, number> = {};
  for (const o of all) counts[o.type] = (counts[o.type] ?? 0) + 1;
  return { ok: true, bundle, counts };
}

const cap = (s: string) => s[0].toUpperCase() + s.slice(1);

/** Ids a control's patch touches: `assets.x` -> x, `vendors.v.remote_access[0]` -> that path and v. */
export function touchedIds(c: Control): Set<string> {
  const out = new Set<string>();
  for (const op of c.patch) {
    const parts = op.target.split(".");
    if (parts.length >= 2) out.add(parts[1]);
    if (parts.length === 3) out.add(op.target);
    if ("add" in op)
      for (const e of op.add) {
        const id = (e as { id?: unknown })?.id;
        if (typeof id === "string") out.add(id);
      }
  }
  return out;
}

/** What a control's patch does, in generic words (no ids, no names). */
export function controlSummary(c: Control, model: CityModel): string {
  const acts = new Set<string>();
  const kinds = new Map(model.assets.map((a) => [a.id as string, a.kind as string]));
  for (const op of c.patch) {
    const [list, id] = op.target.split(".");
    const kind = list === "assets" && id ? (kinds.get(id) ?? "asset") : list.replace(/s$/, "");
    if ("remove" in op) acts.add(op.target.includes("remote_access") ? "remove a vendor access" : `remove a ${kind}`);
    else if ("add" in op) {
      for (const e of op.add) {
        const k = (e as { kind?: unknown })?.kind;
        acts.add(`add a ${typeof k === "string" ? k : list.replace(/s$/, "")}`);
      }
    } else {
      const s = op.set;
      if (s.auth === "mfa" || s.auth === "certificate" || s.mfa === true)
        acts.add(`strong authentication on a ${kind}`);
      else if (s.auth) acts.add(`change authentication on a ${kind}`);
      if (s.exposed === false) acts.add(`take a ${kind} off the internet`);
      if (s.monitored === true) acts.add(`monitor a ${kind}`);
      if (s.backup) acts.add(`back up a ${kind}`);
      if (s.encrypted === true) acts.add("encrypt a conduit");
      if (s.always_on === false) acts.add("vendor access on request only");
      if (s.end_of_life === false || s.software) acts.add(`replace or upgrade software on a ${kind}`);
      if (s.protocols) acts.add(`restrict protocols on a ${kind}`);
      if (s.requires) acts.add(`add redundancy for a ${kind}`);
      if (s.vendor || s.remote_access) acts.add("change vendor arrangements");
    }
  }
  const list = [...acts];
  return list.length ? list.slice(0, 6).join("; ") + (list.length > 6 ? "; ..." : "") : "organisational measure";
}

/** The STIX pattern for a watch rule value (used by tests and the docs). */
export const portPattern = (port: number) => `[network-traffic:dst_port = ${port}]`;
export const valuePattern = (type: string, value: string) => `[${type}:value = ${patternString(value)}]`;
