/** STIX export of Harborview: schema-valid, marked, sanitised, deterministic ([SHR-1]..[SHR-6]). */
import { beforeAll, describe, expect, test } from "vitest";
import { assess } from "../../src/assess/assess.ts";
import { TECHNIQUES } from "../../src/assess/catalogue.ts";
import type { AssessReport } from "../../src/assess/types.ts";
import { buildIndex } from "../../src/model/graph.ts";
import { loadModel } from "../../src/model/load.ts";
import type { CityModel } from "../../src/model/model.ts";
import { streamFor } from "../../src/model/rng.ts";
import { type AlertLike, exportBundle, MAX_CVES } from "../../src/share/export.ts";
import { findLeaks, readableText, type Term } from "../../src/share/sanitise.ts";
import { type Bundle, type StixObject, TLP_LEVELS, type Tlp, tlpMarking } from "../../src/share/stix.ts";
import { bundleErrors, HAVE_SCHEMAS } from "./oasis.ts";

const NOW = "2026-12-04T10:00:00.000Z";
let model: CityModel;
let report: AssessReport;
let alerts: AlertLike[];
const bundles = new Map<Tlp, Bundle>();

beforeAll(async () => {
  const r = await loadModel("examples/harborview");
  if (!r.ok) throw new Error("Harborview does not load");
  model = r.model;
  report = assess(buildIndex(model), { asOf: "2026-12-01" });
  const plc = model.assets.find((a) => a.kind === "plc");
  alerts = [
    {
      id: 7,
      at: "2026-12-04T09:00:00.000Z",
      assetId: plc?.id ?? null,
      signal: "flow",
      severity: "critical",
      score: 4.2,
      message: `${plc?.name} flow`,
      services: ["water-supply"],
    },
  ];
  for (const tlp of TLP_LEVELS) {
    const e = exportBundle({ model, report, tlp, now: NOW, alerts });
    if (!e.ok) throw new Error(`export at ${tlp} refused: ${e.leaks.map((l) => l.term).join(", ")}`);
    bundles.set(tlp, e.bundle);
  }
}, 120_000);

/** Every distinct key and string value of a bundle, one per line (the text a reader would see). */
function strings(b: Bundle): string {
  const out = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === "string") out.add(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object")
      for (const [k, x] of Object.entries(v)) {
        out.add(k);
        walk(x);
      }
  };
  walk(b);
  return [...out].join("\n");
}

const get = (t: Tlp) => bundles.get(t) as Bundle;
const text = (t: Tlp) => JSON.stringify(get(t));

describe.skipIf(!HAVE_SCHEMAS)("OASIS schemas", () => {
  test("[SHR-1] every exported Harborview bundle validates against the OASIS STIX 2.1 schemas", () => {
    for (const tlp of ["clear", "green", "amber", "red"] as const)
      expect(bundleErrors(get(tlp)).slice(0, 5), tlp).toEqual([]);
  }, 120_000);
  test("[SHR-1] the schema check can fail: a broken object is reported", () => {
    const b = structuredClone(get("green"));
    (b.objects[1] as StixObject).created = "yesterday";
    expect(bundleErrors(b).length).toBeGreaterThan(0);
  });
});
if (!HAVE_SCHEMAS) console.log("skip: OASIS STIX schemas: ../shared/data/stix2-schemas is absent");

test("[SHR-2] every object carries the chosen TLP 2.0 marking, defined in the bundle", () => {
  for (const tlp of TLP_LEVELS) {
    const b = get(tlp);
    const m = tlpMarking(tlp);
    expect(b.objects[0]).toEqual(m);
    for (const o of b.objects.slice(1)) expect(o.object_marking_refs, `${o.id} at ${tlp}`).toEqual([m.id]);
  }
  expect(get("green").objects[0].id).toBe("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb");
});

test("[SHR-3] a sanitised Harborview export holds no asset id, asset name, address, zone, control or person", () => {
  // searched here independently of the exporter's own check: plain case-insensitive substrings
  const terms: [string, string][] = [];
  for (const a of model.assets) {
    terms.push([a.id, "asset id"], [a.name, "asset name"]);
    if (a.location) terms.push([String(a.location.lat), "location"], [String(a.location.lon), "location"]);
  }
  for (const p of model.people) terms.push([p.id, "person id"], [p.name, "person name"]);
  for (const d of model.districts) terms.push([d.name ?? d.id, "district"]);
  for (const z of model.zones) if (z.id !== "internet") terms.push([z.id, "zone id"]);
  for (const c of model.controls) terms.push([c.id, "control id"], [c.name, "control name"]);
  terms.push([model.city.name, "city"]);
  expect(terms.length).toBeGreaterThan(500);
  for (const tlp of ["clear", "green"] as const) {
    const t = strings(get(tlp)).toLowerCase();
    const found = terms.filter(([term]) => t.includes(term.toLowerCase()));
    expect(found, tlp).toEqual([]);
  }
  // the same search finds them at AMBER, where the findings' own messages are shared
  const amber = strings(get("amber")).toLowerCase();
  expect(
    terms.filter(([term, what]) => what === "asset id" && amber.includes(term.toLowerCase())).length,
  ).toBeGreaterThan(50);
});

test("[SHR-3] the exporter refuses a bundle that would leak, naming what", () => {
  const m = structuredClone(model);
  // a control whose framework reference names an asset: the text would reach the course of action
  const target = m.assets[0].id;
  m.controls[0] = { ...m.controls[0], frameworks: [`CSF:${target}`] };
  const e = exportBundle({ model: m, report, tlp: "green", now: NOW });
  expect(e.ok).toBe(false);
  if (!e.ok) expect(e.leaks.map((l) => l.term)).toContain(target);
  expect(exportBundle({ model: m, report, tlp: "amber", now: NOW }).ok).toBe(true);
});

test("[SHR-4] export is deterministic and levels do not share ids", () => {
  const again = exportBundle({ model, report, tlp: "green", now: NOW, alerts });
  expect(again.ok && JSON.stringify(again.bundle)).toBe(text("green"));
  const ids = (t: Tlp) =>
    new Set(
      get(t)
        .objects.filter((o) => o.type === "vulnerability" && o.labels)
        .map((o) => o.id),
    );
  const g = ids("green");
  for (const id of ids("amber")) expect(g.has(id)).toBe(false);
});

test("[SHR-5] findings, KEV CVEs, ATT&CK for ICS techniques, indicators and alerts map to their STIX types", () => {
  const b = get("green");
  const of = (t: string) => b.objects.filter((o) => o.type === t);
  expect(
    of("vulnerability").filter((o) => (o.labels as string[] | undefined)?.includes("rampart-finding")).length,
  ).toBe(report.findings.length);
  const cves = new Set(report.findings.flatMap((f) => (f.kev?.cves ?? []).slice(0, MAX_CVES)));
  expect(cves.size).toBeGreaterThan(0);
  const cveObjs = of("vulnerability").filter((o) => /^CVE-\d{4}-\d+$/.test(String(o.name)));
  expect(new Set(cveObjs.map((o) => o.name))).toEqual(cves);
  for (const o of cveObjs) expect(o.external_references).toEqual([{ source_name: "cve", external_id: o.name }]);
  const techniques = new Set(report.paths.flatMap((p) => p.steps.map((s) => s.technique)));
  expect(of("attack-pattern").length).toBeGreaterThanOrEqual(techniques.size);
  for (const ap of of("attack-pattern")) {
    const ref = (ap.external_references as { source_name: string; external_id: string; url: string }[])[0];
    expect(ref.source_name).toBe("mitre-ics-attack");
    expect(TECHNIQUES.get(ref.external_id)?.name).toBe(ap.name);
    expect(ref.url).toBe(`https://attack.mitre.org/techniques/${ref.external_id}/`);
  }
  const ports = of("indicator").filter((o) => o.pattern_type === "stix");
  expect(ports.length).toBeGreaterThan(0);
  for (const i of ports) expect(i.pattern).toMatch(/^\[network-traffic:dst_port = \d+\]$/);
  const s = of("sighting");
  expect(s.length).toBe(1);
  const ind = b.objects.find((o) => o.id === s[0].sighting_of_ref);
  expect(ind?.pattern).toBe("kind = 'plc'");
  const amberInd = get("amber").objects.find((o) => o.type === "indicator" && o.pattern_type === "rampart-telemetry");
  expect(amberInd?.pattern).toBe(`asset = '${alerts[0].assetId}' AND signal = 'flow'`);
});

test("[SHR-6] controls become courses of action; every relationship's ends are in the bundle", () => {
  for (const tlp of ["green", "red"] as const) {
    const b = get(tlp);
    const ids = new Set(b.objects.map((o) => o.id));
    expect(b.objects.filter((o) => o.type === "course-of-action").length).toBe(model.controls.length);
    const rels = b.objects.filter((o) => o.type === "relationship");
    for (const r of rels) {
      expect(ids.has(String(r.source_ref))).toBe(true);
      expect(ids.has(String(r.target_ref))).toBe(true);
    }
    const mitigates = rels.filter((r) => r.relationship_type === "mitigates");
    expect(mitigates.length).toBeGreaterThan(0);
    for (const r of mitigates) expect(String(r.source_ref)).toMatch(/^course-of-action--/);
  }
});

/** The slow obvious oracle of findLeaks: one regular expression per term, its words joined by any separator. */
function slowLeaks(text: string, terms: Term[]): string[] {
  const esc = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return terms
    .filter((t) => {
      const words = t.term.split(/[^A-Za-z0-9-]+/).filter(Boolean);
      if (!words.length) return false;
      const re = new RegExp(`(?<![A-Za-z0-9-])${words.map(esc).join("[^A-Za-z0-9-]+")}(?![A-Za-z0-9-])`, "i");
      return re.test(text);
    })
    .map((t) => t.term)
    .sort();
}

test("[SHR-3] findLeaks agrees with a slow search on random texts and terms", () => {
  const rng = streamFor(20261204);
  const alphabet = "ab-1 .A'";
  const str = (n: number) => Array.from({ length: n }, () => alphabet[rng.int(alphabet.length)]).join("");
  let hits = 0;
  for (let round = 0; round < 500; round++) {
    const terms: Term[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < 1 + rng.int(6); i++) {
      const t = str(3 + rng.int(4)).trim();
      if (t.length >= 3 && !seen.has(t)) {
        seen.add(t);
        terms.push({ term: t, what: "x" });
      }
    }
    const text = str(60);
    const fast = findLeaks(text, terms).map((t) => t.term);
    const slow = slowLeaks(text, terms);
    expect(fast, `${round}: ${JSON.stringify(text)} ${JSON.stringify(terms.map((t) => t.term))}`).toEqual(slow);
    hits += slow.length;
  }
  expect(hits).toBeGreaterThan(50);
});

test("[SHR-3] the leak check reads every key and value but identifiers and timestamps in their own properties", () => {
  const objs = [
    {
      id: "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
      created: "2026-01-01T00:00:00.000Z",
      source_ref: "pump-station-north", // not an id: read
      object_refs: ["indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"],
      x_note: { "ashford-plc-1": ["fine"] },
    },
  ];
  const text = readableText(objs);
  expect(text).not.toContain("8e2e2d2b");
  const terms = ["pump-station-north", "ashford-plc-1", "fine"].map((term) => ({ term, what: "x" }));
  expect(findLeaks(text, terms).map((t) => t.term)).toEqual(["ashford-plc-1", "fine", "pump-station-north"]);
});
