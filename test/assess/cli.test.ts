/** `rampart assess` as a user runs it: exit codes, JSON shape, HTML self-contained, errors located. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";

function rampart(...args: string[]) {
  const r = spawnSync(process.execPath, ["bin/rampart", ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), "rampart-assess-"));
const good = join(dir, "city.yaml");
writeFileSync(
  good,
  `rampart: 1
city: { name: Testville, population: 5000 }
zones:
  - { id: it, level: 4 }
  - { id: ot, level: 1 }
conduits:
  - { id: it-ot, from: it, to: ot, protocols: [modbus] }
assets:
  - { id: web, name: Web, kind: server, layer: it, zone: it, exposed: true, auth: default }
  - { id: plc-1, name: PLC, kind: plc, layer: ot, zone: ot, auth: none }
services:
  - id: water
    name: Water
    sector: water
    population: 5000
    impact: { confidentiality: low, integrity: high, availability: high }
    requires: [ { asset: plc-1 } ]
x-actors:
  - { id: drone-pilot, name: Drone pilot, skill: 0.3, entries: { physical: 1 } }
`,
);
const bad = join(dir, "bad.yaml");
writeFileSync(
  bad,
  `rampart: 1\ncity: { name: T, population: 10 }\nzones: [ { id: ot } ]\nassets:\n  - { id: plc-1, name: P, kind: plc, layer: ot, zone: ot, auth: defualt }\n`,
);

describe("rampart assess", () => {
  test("terminal summary, exit 0", () => {
    const r = rampart("assess", good, "--as-of", "2026-06-01");
    expect(r.code).toBe(0);
    expect(r.out).toContain("Findings:");
    expect(r.out).toContain("Choke points");
    expect(r.out).toContain("drone-pilot");
  });

  test("--json has the issue's shape, criticality worst first", () => {
    const r = rampart("assess", good, "--json", "--as-of", "2026-06-01");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(
      expect.arrayContaining(["categorization", "criticality", "findings", "paths", "chokepoints"]),
    );
    expect(Object.keys(j.categorization[0])).toEqual(
      expect.arrayContaining(["id", "confidentiality", "integrity", "availability"]),
    );
    expect(Object.keys(j.criticality[0])).toEqual(
      expect.arrayContaining(["id", "personHoursPerDay", "spof", "services"]),
    );
    expect(j.criticality[0]).toMatchObject({ id: "plc-1", personHoursPerDay: 120000, spof: true, services: ["water"] });
    expect(Object.keys(j.findings[0])).toEqual(
      expect.arrayContaining(["rule", "severity", "targets", "services", "frameworks", "message", "remediation"]),
    );
    expect(Object.keys(j.findings[0].frameworks)).toEqual(["csf", "caf", "iec62443"]);
    const p = j.paths.find((x: { actor: string }) => x.actor === "hacktivist");
    expect(p).toMatchObject({ entry: "internet", target: "plc-1" });
    expect(p.steps.map((s: { asset: string }) => s.asset)).toEqual(["web", "plc-1"]);
    expect(Object.keys(p.steps[0])).toEqual(expect.arrayContaining(["asset", "technique"]));
    expect(j.chokepoints.some((c: { ids: string[] }) => c.ids.includes("it-ot"))).toBe(true);
    expect(j.actors.find((a: { id: string }) => a.id === "drone-pilot").source).toBe("model");
    const rules = new Set(j.findings.map((f: { rule: string }) => f.rule));
    for (const r of ["weak-auth", "cleartext-crossing", "no-dmz", "no-owner", "spof"]) expect(rules.has(r)).toBe(true);
  });

  test("[FND-1] [KEV-3] --html writes one self-contained file with the finding groups, the KEV warning and FIPS 199 categories", () => {
    const out = join(dir, "report.html");
    const r = rampart("assess", good, "--html", out, "--as-of", "2026-06-01");
    expect(r.code).toBe(0);
    const html = readFileSync(out, "utf8");
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain("<svg");
    expect(html).toContain("NIST CSF 2.0");
    expect(html).toContain("The MITRE Corporation");
    expect(html).toMatch(/findings in \d+ groups by root cause and fix/);
    expect(html).toContain('<table class="groups">');
    expect(html).toMatch(/Warning:<\/b> the KEV catalogue/);
    expect(html).toContain("FIPS 199 security categories");
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/url\((?!#)/);
  });

  test("an invalid model exits 1 with file:line:col: error: lines and no stack trace", () => {
    const r = rampart("assess", bad);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:5:\\d+: error: `));
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  test("bad option values are usage errors (exit 2)", () => {
    expect(rampart("assess", good, "--as-of", "tomorrow").code).toBe(2);
    expect(rampart("assess", good, "--paths", "-3").code).toBe(2);
    expect(rampart("assess").code).toBe(2);
  });

  test("--kev and --actors files: accepted when valid, exit 1 with a located error when not", () => {
    const kev = join(dir, "kev.json");
    writeFileSync(
      kev,
      JSON.stringify({
        catalogVersion: "2099.01.01",
        vulnerabilities: [{ cveID: "CVE-2099-0001", vendorProject: "Acme", product: "Web", dateAdded: "2099-01-01" }],
      }),
    );
    const withKev = join(dir, "kev-city.yaml");
    writeFileSync(
      withKev,
      readFileSync(good, "utf8").replace(
        "auth: default }",
        "auth: mfa, software: [ { product: Web Server, vendor: ACME Inc. } ] }",
      ),
    );
    const r = rampart("assess", withKev, "--kev", kev, "--json", "--as-of", "2026-06-01");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.kevCatalogue).toBe("2099.01.01");
    expect(j.findings.find((f: { rule: string }) => f.rule === "kev").message).toContain("CVE-2099-0001");

    const badKev = join(dir, "bad-kev.json");
    writeFileSync(badKev, `{"vulnerabilities": [{"cveID": 3}]}`);
    const b = rampart("assess", good, "--kev", badKev);
    expect(b.code).toBe(1);
    expect(b.err).toContain(`${badKev}:1:1: error: vulnerabilities[0]`);

    const actors = join(dir, "actors.yaml");
    writeFileSync(actors, `- { id: apt-x, name: APT X, skill: 0.95, entries: { phishing: 0.6 } }\n`);
    const a = rampart("assess", good, "--actors", actors, "--json", "--as-of", "2026-06-01");
    expect(a.code).toBe(0);
    expect(JSON.parse(a.out).actors.map((x: { id: string }) => x.id)).toContain("apt-x");

    const badActors = join(dir, "bad-actors.yaml");
    writeFileSync(badActors, `- { id: apt-x, name: APT X, skill: 3, entries: { phishing: 0.6 } }\n`);
    const ba = rampart("assess", good, "--actors", badActors);
    expect(ba.code).toBe(1);
    expect(ba.err).toContain(`${badActors}:1:1: error: actors[0].skill`);
    expect(ba.err).not.toMatch(/\n\s+at /);
  });

  test("[FND-3] [FND-4] --accepted marks findings until they expire; filters narrow; bad filter values exit 2", () => {
    const acc = join(dir, "accepted.yaml");
    writeFileSync(
      acc,
      `- { rule: weak-auth, target: plc-1, owner: ops, justification: "gateway in front", expires: 2026-07-01 }\n- { rule: weak-auth, target: web, owner: ops, justification: "old", expires: 2026-05-01 }\n`,
    );
    const r = rampart("assess", good, "--accepted", acc, "--json", "--as-of", "2026-06-01");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    const wa = (t: string) =>
      j.findings.find((f: { rule: string; targets: string[] }) => f.rule === "weak-auth" && f.targets[0] === t);
    expect(wa("plc-1").acceptance).toMatchObject({ status: "accepted", owner: "ops", expires: "2026-07-01" });
    expect(wa("web").acceptance).toMatchObject({ status: "expired" });
    expect(wa("web").acceptance.note).toMatch(/raised again/);
    expect(j.groups.length).toBeGreaterThan(0);
    expect(r.err).toMatch(/warning: the KEV catalogue/);

    const f = rampart("assess", good, "--severity", "critical,high", "--zone", "ot", "--json", "--as-of", "2026-06-01");
    expect(f.code).toBe(0);
    const fj = JSON.parse(f.out);
    expect(fj.findings.length).toBeGreaterThan(0);
    for (const x of fj.findings) {
      expect(["critical", "high"]).toContain(x.severity);
      expect(x.zones).toContain("ot");
    }
    const t = rampart("assess", good, "--rule", "weak-auth", "--as-of", "2026-06-01");
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/filtered: --rule weak-auth/);
    expect(t.out).toMatch(/weak-auth\s+web/);

    for (const [opt, val] of [
      ["--severity", "urgent"],
      ["--rule", "nope"],
      ["--zone", "dmz"],
    ]) {
      const b = rampart("assess", good, opt, val);
      expect(b.code, opt).toBe(2);
      expect(b.err).toContain(`option ${opt}: expected`);
    }
    const badAcc = join(dir, "bad-accepted.yaml");
    writeFileSync(badAcc, `- { rule: weak-auth, owner: ops, expires: 2026-13-01 }\n`);
    const ba = rampart("assess", good, "--accepted", badAcc);
    expect(ba.code).toBe(1);
    expect(ba.err).toContain(`${badAcc}:1:1: error: accepted[0].justification: required`);
    expect(ba.err).toContain("accepted[0].expires");
  }, 300_000);
});
