/** Harborview, the example city: every planted mistake is found, and nothing absurd is reported. */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { assess } from "../../src/assess/assess.ts";
import { buildIndex } from "../../src/model/graph.ts";
import { loadModel } from "../../src/model/load.ts";

const DIR = "examples/harborview";

describe.skipIf(!existsSync(`${DIR}/vendors.yaml`))("Harborview (examples/harborview)", async () => {
  const loaded = await loadModel(DIR);
  if (!loaded.ok) throw new Error(`Harborview does not load: ${loaded.issues[0]?.message}`);
  const model = loaded.model;
  const r = assess(buildIndex(model), { asOf: "2026-06-01" });
  const has = (rule: string, target: string) => r.findings.some((f) => f.rule === rule && f.targets.includes(target));

  test("planted: the vendor's password-only, always-on VPN into water SCADA [vendor-no-mfa] [vendor-always-on]", () => {
    const i = model.vendors
      .flatMap((v) => v.remote_access.map((ra, k) => ({ v, ra, k })))
      .find(({ ra }) => ra.to === "wtr-control" && !ra.mfa);
    expect(i).toBeDefined();
    const path = `vendors.${i!.v.id}.remote_access[${i!.k}]`;
    expect(has("vendor-no-mfa", path)).toBe(true);
    expect(has("vendor-always-on", path)).toBe(true);
    expect(r.findings.find((f) => f.rule === "vendor-no-mfa" && f.targets.includes(path))!.severity).toBe("critical");
    // and it is a choke point of the compromised-vendor actor
    expect(r.chokepoints.some((c) => c.actor === "vendor" && c.ids.includes(path))).toBe(true);
  });

  test("planted: the flat corporate route into the Ashford plant [no-dmz] [cleartext-crossing]", () => {
    expect(has("no-dmz", "corp-to-ashford-flat")).toBe(true);
    expect(has("cleartext-crossing", "corp-to-ashford-flat")).toBe(true);
  });

  test("planted: the water SCADA lead has no backup person [no-deputy]", () => {
    expect(has("no-deputy", "padraig-nolan")).toBe(true);
  });

  test("every id a finding, path or choke point names exists in the model", () => {
    const ids = new Set<string>([
      ...model.assets.map((a) => a.id),
      ...model.services.map((s) => s.id),
      ...model.zones.map((z) => z.id),
      ...model.conduits.map((c) => c.id),
      ...model.vendors.map((v) => v.id),
      ...model.people.map((p) => p.id),
      ...model.vendors.flatMap((v) => v.remote_access.map((_, i) => `vendors.${v.id}.remote_access[${i}]`)),
    ]);
    for (const f of r.findings)
      for (const t of [...f.targets, ...f.services]) expect(ids.has(t), `${f.rule}: ${t}`).toBe(true);
    for (const p of r.paths) {
      expect(ids.has(p.target)).toBe(true);
      for (const s of p.steps) expect(ids.has(s.asset)).toBe(true);
    }
    for (const c of r.chokepoints) for (const id of c.ids) expect(ids.has(id), id).toBe(true);
  });

  test("nothing absurd: probabilities in (0, 1], criticality sorted, no NaN, SPOFs really stop a service", () => {
    for (const p of r.paths) {
      expect(p.probability).toBeGreaterThan(0);
      expect(p.probability).toBeLessThanOrEqual(1);
      expect(p.steps.length).toBeGreaterThan(0);
    }
    for (let i = 1; i < r.criticality.length; i++)
      expect(r.criticality[i - 1].personHoursPerDay).toBeGreaterThanOrEqual(r.criticality[i].personHoursPerDay);
    for (const c of r.criticality) {
      expect(Number.isFinite(c.personHoursPerDay)).toBe(true);
      if (c.spof) expect(Object.values(c.levels)).toContain(0);
    }
    // a person-hours figure above the city's whole population x 24 x services would be absurd
    const cap = model.city.population * 24 * model.services.length;
    expect(r.criticality[0].personHoursPerDay).toBeLessThanOrEqual(cap);
    // backups of device configurations are not held to a data RPO
    for (const f of r.findings.filter((x) => x.rule === "backup-over-rpo")) {
      const a = model.assets.find((x) => x.id === f.targets[0])!;
      expect(["plc", "rtu", "ied", "switch", "firewall", "router"]).not.toContain(a.kind);
    }
  });

  test.skipIf(!existsSync(`${DIR}/README.md`))(
    "every planted mistake the README lists names an id the assessment reports",
    () => {
      const text = readFileSync(`${DIR}/README.md`, "utf8");
      const section = /planted[\s\S]*?(?=\n#{1,3} |$)/i.exec(text)?.[0] ?? "";
      const named = [...section.matchAll(/`([a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+(?:\[\d+\])?)*)`/g)].map((m) => m[1]);
      const reported = new Set<string>([
        ...r.findings.flatMap((f) => f.targets),
        ...r.pairs.flatMap((p) => p.ids),
        ...r.criticality.filter((c) => c.spof).map((c) => c.id),
        ...r.chokepoints.flatMap((c) => c.ids),
      ]);
      const known = new Set<string>([
        ...model.assets.map((a) => a.id),
        ...model.conduits.map((c) => c.id),
        ...model.vendors.map((v) => v.id),
        ...model.people.map((p) => p.id),
        ...model.zones.map((z) => z.id),
        ...model.services.map((s) => s.id),
      ]);
      const missing = named.filter((id) => known.has(id) && !reported.has(id));
      expect(missing).toEqual([]);
    },
  );
});
