import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { ModelIssue } from "../../src/model/issues.ts";
import { loadModel, loadModelFromSources } from "../../src/model/load.ts";
import { parseDuration } from "../../src/model/primitives.ts";

const HEAD = `rampart: 1
city: { name: Testville, population: 1000 }
zones:
  - { id: it, level: 4 }
  - { id: ot, level: 2 }
`;

function load(text: string) {
  return loadModelFromSources([{ file: "m.yaml", text }]);
}
function errors(text: string): ModelIssue[] {
  const r = load(text);
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.issues;
}
const asset = (id: string, extra = "") => `  - { id: ${id}, name: ${id}, kind: plc, layer: ot, zone: ot${extra} }\n`;

describe("syntax (spec §1)", () => {
  test("durations: units w d h m s, any order, decimals; bare numbers refused", () => {
    expect(parseDuration("1d12h")).toBe(36);
    expect(parseDuration("12h1d")).toBe(36);
    expect(parseDuration("90s")).toBeCloseTo(0.025);
    expect(parseDuration("0.5h")).toBe(0.5);
    expect(parseDuration("1w")).toBe(168);
    expect(parseDuration("0h")).toBe(0);
    expect(parseDuration("12")).toBeUndefined();
    expect(parseDuration("h")).toBeUndefined();
    expect(parseDuration("1y")).toBeUndefined();
    const e = errors(`${HEAD}assets:\n${asset("a", ", rebuild: 12")}`);
    expect(e[0].code).toBe("invalid-type");
    expect(e[0].message).toMatch(/bare numbers are refused/);
    expect(e[0].line).toBe(7);
  });
  test("a length must be > 0, a time may be 0", () => {
    const e = errors(`${HEAD}assets:\n${asset("a", ", rebuild: 0h")}`);
    expect(e[0].message).toMatch(/greater than zero/);
    expect(e[0].path).toBe("assets[0].rebuild");
  });
  test("dates stay strings (YAML 1.2 core schema)", () => {
    const r = load(`${HEAD}assets:\n${asset("a", ", backup: { every: 1d, tested: 2026-03-01, restore: 8h }")}`);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.model.assets[0].backup?.tested).toBe("2026-03-01");
  });
  test("a duplicate key is an error, located", () => {
    const e = errors(`${HEAD}assets:\n  - id: a\n    id: b\n    name: x\n`);
    expect(e[0].code).toBe("duplicate-key");
    expect(e[0].line).toBe(8);
  });
  test("anchors and aliases are allowed", () => {
    const r = load(
      `${HEAD}x-common: &plc { kind: plc, layer: ot, zone: ot }\nassets:\n  - { id: a, name: A, kind: plc, layer: ot, zone: ot }\n  - id: b\n    name: B\n    kind: plc\n    layer: ot\n    zone: ot\n`,
    );
    expect(r.ok).toBe(true);
  });
  test("unknown keys are errors except x- keys", () => {
    const e = errors(`${HEAD}assets:\n${asset("a", ", colour: red, x-note: fine")}`);
    expect(e).toHaveLength(1);
    expect(e[0].code).toBe("unknown-key");
    expect(e[0].message).toContain("colour");
    expect(e[0].column).toBe(55);
  });
  test("every file starts with rampart: 1", () => {
    const e = errors(`city: { name: T, population: 5 }\n`);
    expect(e[0].code).toBe("bad-version");
    const e2 = errors(`rampart: 2\ncity: { name: T, population: 5 }\n`);
    expect(e2[0].message).toMatch(/expected rampart: 1/);
  });
  test("ids must match ^[a-z0-9][a-z0-9-]*$ and be unique across the whole model", () => {
    const e = errors(`${HEAD}assets:\n${asset("Pump_1")}`);
    expect(e[0].message).toMatch(/expected an id matching/);
    const d = errors(`${HEAD}assets:\n${asset("it")}`);
    expect(d[0].code).toBe("duplicate-id");
    expect(d[0].message).toMatch(/already used by an? (zone|asset) at (zones|assets)\[0\]/);
  });
  test("reserved ids: internet is the zone outside the city, all is reserved", () => {
    expect(errors(`${HEAD}assets:\n${asset("all")}`)[0].code).toBe("reserved-id");
    expect(errors(`${HEAD}assets:\n${asset("internet")}`).some((i) => i.code === "reserved-id")).toBe(true);
    const r = load(`${HEAD}conduits:\n  - { id: c, from: internet, to: it }\n`);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.model.zones.find((z) => z.id === "internet")?.level).toBe(5);
  });
  test("syntax errors are located", () => {
    const e = errors(`${HEAD}assets:\n  - { id: a, name: [\n`);
    expect(e[0].code).toBe("yaml-syntax");
    expect(e[0].line).toBeGreaterThanOrEqual(7);
  });
});

describe("references (spec §1 errors)", () => {
  test("an unknown reference names the nearest existing id", () => {
    const e = errors(`${HEAD}assets:\n${asset("pump-plc")}${asset("hmi", ", requires: [{ asset: pump-pcl }]")}`);
    expect(e).toHaveLength(1);
    expect(e[0].code).toBe("unknown-ref");
    expect(e[0].message).toContain("did you mean pump-plc?");
    expect(e[0].path).toBe("assets[1].requires[0].asset");
    expect(e[0].line).toBe(8);
  });
  test("a reference of the wrong kind says so", () => {
    const e = errors(`${HEAD}assets:\n${asset("fw-1")}conduits:\n  - { id: c, from: it, to: fw-1 }\n`);
    expect(e[0].code).toBe("wrong-kind-ref");
    expect(e[0].message).toBe("fw-1 is an asset; a zone was expected");
  });
  test("paths name list positions: services[0].requires[1].of[2]", () => {
    const e = errors(
      `${HEAD}assets:\n${asset("a")}${asset("b")}services:\n  - id: s\n    name: S\n    sector: water\n    population: 10\n    impact: { confidentiality: low, integrity: low, availability: high }\n    requires:\n      - asset: a\n      - { k: 1, of: [a, b, c] }\n`,
    );
    expect(e[0].path).toBe("services[0].requires[1].of[2]");
    expect(e[0].line).toBe(17);
    expect(e[0].column).toBe(28);
  });
});

describe("semantic rules (spec §2, §3)", () => {
  const svc = (extra: string) =>
    `services:\n  - { id: s, name: S, sector: water, impact: { confidentiality: low, integrity: low, availability: high }${extra} }\n`;
  test("k <= number of members", () => {
    const e = errors(`${HEAD}assets:\n${asset("a")}${svc(", population: 5, requires: [{ k: 2, of: [a] }]")}`);
    expect(e[0].message).toMatch(/k <= 1/);
  });
  test("a service gives population or districts, exactly one", () => {
    expect(errors(`${HEAD}${svc("")}`)[0].code).toBe("population");
    const r = load(
      `${HEAD}districts:\n  - { id: d1, population: 30 }\n  - { id: d2, population: 12 }\n${svc(", districts: [d1, d2]")}`,
    );
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.model.services[0].population).toBe(42);
  });
  test("fallback level in (0, 1); restore level in (0, 1]", () => {
    expect(errors(`${HEAD}${svc(", population: 5, fallback: { level: 1, after: 1h }")}`)[0].path).toBe(
      "services[0].fallback.level",
    );
    expect(
      errors(`${HEAD}${svc(", population: 5, objectives: { restore: [{ level: 0, within: 1h }] }")}`)[0].path,
    ).toBe("services[0].objectives.restore[0].level");
  });
  test("a requirement has exactly one form", () => {
    const e = errors(`${HEAD}assets:\n${asset("a")}${asset("b", ", requires: [{ asset: a, any: [a] }]")}`);
    expect(e[0].message).toMatch(/exactly one of/);
  });
  test("degrade is a level in [0, 1]", () => {
    const e = errors(`${HEAD}assets:\n${asset("a")}${asset("b", ", requires: [{ asset: a, degrade: 1.5 }]")}`);
    expect(e[0].message).toMatch(/level in \[0, 1\]/);
  });
  test("conduits join zones, via names an asset", () => {
    const e = errors(`${HEAD}conduits:\n  - { id: c, from: it, to: ot, via: it }\n`);
    expect(e[0].message).toBe("it is a zone; an asset was expected");
  });
  test("warnings are separate from errors", () => {
    const r = load(`${HEAD}assets:\n${asset("a")}${svc(", population: 5")}`);
    expect(r.ok).toBe(true);
    const codes = r.warnings.map((w) => w.code).sort();
    expect(codes).toEqual(["empty-zone", "no-objectives", "unneeded-asset"]);
  });
});

describe("controls [CTL-1]", () => {
  const ctl = (patch: string) => `controls:\n  - { id: fix, name: Fix, status: candidate, patch: ${patch} }\n`;
  test("a patch that applies and validates is accepted", () => {
    const r = load(
      `${HEAD}assets:\n${asset("a", ", auth: default")}${ctl("[{ target: assets.a, set: { auth: mfa } }]")}`,
    );
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.model.assets[0].auth).toBe("default"); // nothing applied on load
  });
  test("a patch whose target is missing is located", () => {
    const e = errors(`${HEAD}assets:\n${asset("a")}${ctl("[{ target: assets.b, set: { auth: mfa } }]")}`);
    expect(e[0].code).toBe("bad-patch");
    expect(e[0].path).toBe("controls[0].patch[0].target");
  });
  test("a patch that makes the model invalid is rejected", () => {
    const e = errors(`${HEAD}assets:\n${asset("a")}${ctl("[{ target: zones.ot, remove: true }]")}`);
    expect(e[0].code).toBe("patched-invalid");
    expect(e[0].message).toMatch(/unknown zone "ot"/);
    const e2 = errors(`${HEAD}assets:\n${asset("a")}${ctl("[{ target: assets.a, set: { auth: sometimes } }]")}`);
    expect(e2[0].code).toBe("patched-invalid");
  });
  test("add appends entities to a top-level list", () => {
    const r = load(`${HEAD}${ctl("[{ target: zones, add: [{ id: dmz, level: 3.5 }] }]")}`);
    expect(r.ok).toBe(true);
  });
});

describe("folders (spec §1 files)", () => {
  test("top-level lists merge in path order; an id defined in two files is an error; city once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rampart-"));
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "a-city.yaml"), HEAD);
    writeFileSync(join(dir, "assets", "one.yaml"), `rampart: 1\nassets:\n${asset("a")}`);
    writeFileSync(join(dir, "assets", "two.yml"), `rampart: 1\nassets:\n${asset("b")}`);
    writeFileSync(join(dir, "notes.txt"), "ignored");
    const ok = await loadModel(dir);
    expect(ok.ok).toBe(true);
    if (ok.ok) expect(ok.model.assets.map((a) => a.id)).toEqual(["a", "b"]);
    writeFileSync(join(dir, "assets", "two.yml"), `rampart: 1\nassets:\n${asset("a")}`);
    const dup = await loadModel(dir);
    expect(dup.ok).toBe(false);
    if (!dup.ok) {
      expect(dup.issues[0].code).toBe("duplicate-id");
      expect(dup.issues[0].file).toMatch(/two\.yml$/);
      expect(dup.issues[0].line).toBe(3);
    }
    writeFileSync(join(dir, "assets", "two.yml"), `rampart: 1\ncity: { name: X, population: 1 }\n`);
    const twice = await loadModel(dir);
    expect(!twice.ok && twice.issues[0].code).toBe("city-duplicate");
  });
  test("a missing path is reported, not thrown", async () => {
    const r = await loadModel("/nonexistent/model");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0].code).toBe("not-found");
  });
});

test("[spec §1] errors after an x- key are still located exactly", () => {
  const r = loadModelFromSources([
    {
      file: "m.yaml",
      text: `${HEAD}assets:\n  - x-note: first\n    id: a\n    name: A\n    kind: plcc\n    layer: ot\n    zone: ot\n`,
    },
  ]);
  expect(r.ok).toBe(false);
  if (!r.ok) {
    expect(r.issues[0].path).toBe("assets[0].kind");
    expect([r.issues[0].line, r.issues[0].column]).toEqual([10, 11]);
  }
});

test("[spec §1] large files take the fast path (no positions) yet every issue is still located exactly", async () => {
  const { generateRaw } = await import("../../src/model/generate.ts");
  const yaml = (await import("js-yaml")).default;
  const text = `${yaml.dump(generateRaw({ assets: 1500, seed: 2 }), { lineWidth: 200 })}`;
  expect(text.length).toBeGreaterThan(200_000);
  const lines = text.split("\n").length;
  const bad = `${text}x-extra: { note: fine }\n`.replace(
    "assets:\n",
    "assets:\n  - x-note: ignored\n    id: odd-one\n    name: Odd\n    kind: plc\n    layer: ot\n    zone: nowhere-zone\n",
  );
  const r = loadModelFromSources([{ file: "big.yaml", text: bad }]);
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.issues).toHaveLength(1);
  const i = r.issues[0];
  expect(i.code).toBe("unknown-ref");
  expect(i.path).toBe("assets[0].zone");
  const expectedLine = bad.split("\n").findIndex((l) => l.includes("zone: nowhere-zone")) + 1;
  expect([i.line, i.column]).toEqual([expectedLine, 11]);
  expect(lines).toBeGreaterThan(1000);
});

describe("objectives that contradict each other (warnings, located)", () => {
  const svc = (objectives: string, fallback = "") => `rampart: 1
city: { name: T, population: 100 }
zones: [ { id: z } ]
assets:
  - { id: a, name: A, kind: server, layer: it, zone: z }
services:
  - id: s
    name: S
    sector: water
    population: 100
    impact: { confidentiality: low, integrity: low, availability: high }
    objectives: ${objectives}
${fallback}    requires: [ { asset: a } ]
`;
  const warn = (text: string) => {
    const r = loadModelFromSources([{ file: "c.yaml", text }]);
    expect(r.ok).toBe(true);
    return r.warnings.filter((w) => w.code !== "unneeded-asset");
  };
  test("[OBJ-1] rto beyond mtd is a warning at the rto", () => {
    const w = warn(svc("{ rto: 3d, mtd: 1d }"));
    expect(w.map((x) => x.code)).toEqual(["rto-beyond-mtd"]);
    expect(w[0]).toMatchObject({ line: 12, path: "services[0].objectives.rto" });
    expect(warn(svc("{ rto: 1d, mtd: 1d }"))).toEqual([]);
  });
  test("[OBJ-2] a restore level that goes down over time is a warning at that step", () => {
    const w = warn(svc("{ restore: [ { level: 0.5, within: 20h }, { level: 0.9, within: 12h } ] }"));
    expect(w.map((x) => x.code)).toEqual(["restore-level-down"]);
    expect(w[0].path).toBe("services[0].objectives.restore[0]");
    expect(warn(svc("{ restore: [ { level: 0.5, within: 12h }, { level: 0.9, within: 20h } ] }"))).toEqual([]);
  });
  test("[OBJ-3] [DEP-8] full service promised after the mtd without a fallback; with one, its level counts", () => {
    const w = warn(svc("{ mtd: 12h, restore: [ { level: 0.8, within: 6h }, { level: 1, within: 2d } ] }"));
    expect(w.map((x) => x.code)).toEqual(["restore-beyond-mtd"]);
    expect(w[0].path).toBe("services[0].objectives.restore[1].within");
    // a fallback at 0.6: the mtd counts time below 0.6, and 0.8 comes within 6 h
    const fb = "    fallback: { level: 0.6, after: 1h }\n";
    expect(warn(svc("{ mtd: 12h, restore: [ { level: 0.8, within: 6h }, { level: 1, within: 2d } ] }", fb))).toEqual(
      [],
    );
    expect(warn(svc("{ mtd: 12h, restore: [ { level: 0.5, within: 6h } ] }", fb)).map((x) => x.code)).toEqual([
      "restore-beyond-mtd",
    ]);
  });
});
