/** The CLI as a user runs it: exit codes 0 ok, 1 invalid input, 2 usage; errors located; no stack traces. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";

function rampart(...args: string[]) {
  const r = spawnSync(process.execPath, ["bin/rampart", ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), "rampart-cli-"));
const bad = join(dir, "bad.yaml");
writeFileSync(
  bad,
  `rampart: 1\ncity: { name: T, population: 10 }\nzones: [ { id: ot } ]\nassets:\n  - { id: plc-1, name: P, kind: plc, layer: ot, zone: ot, auth: defualt }\n  - { id: hmi-1, name: H, kind: hmi, layer: ot, zone: ot, requires: [ { asset: plc-l } ] }\n`,
);

describe("rampart CLI", () => {
  test("validate: an invalid model exits 1 and every mistake is located by line", () => {
    const r = rampart("validate", bad);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `${bad}:5:65: error: expected one of none, default, password, mfa, certificate; found "defualt"`,
    );
    expect(r.err).toContain(`${bad}:6:80: error: unknown asset "plc-l"; did you mean plc-1?`);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    const j = rampart("validate", bad, "--json");
    expect(j.code).toBe(1);
    expect(JSON.parse(j.out).issues).toHaveLength(2);
  });
  test("validate: a missing path exits 1 with a message", () => {
    const r = rampart("validate", join(dir, "nope"));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no such file or folder/);
  });
  test("audit verify on a folder without a store fails and creates nothing", () => {
    const none = join(dir, "no-store-here");
    const r = rampart("audit", "verify", "--data", none);
    expect(r.code).toBe(1);
    expect(r.err).toContain("no Rampart store");
    expect(existsSync(none)).toBe(false);
  });
  test("usage errors exit 2", () => {
    expect(rampart("frobnicate").code).toBe(2);
    expect(rampart("validate").code).toBe(2);
    expect(rampart("generate", "--assets", "ten", "--out", dir).code).toBe(2);
    expect(rampart("graph", bad, "--format", "png").code).toBe(2);
    expect(rampart("--help").code).toBe(0);
  });
  test("generate is deterministic and its city validates; describe and graph read it", () => {
    const a = join(dir, "a");
    const b = join(dir, "b");
    expect(rampart("generate", "--assets", "500", "--seed", "5", "--out", a).code).toBe(0);
    expect(rampart("generate", "--assets", "500", "--seed", "5", "--out", b).code).toBe(0);
    const files = readdirSync(join(a, "assets"));
    for (const f of files)
      expect(readFileSync(join(a, "assets", f), "utf8")).toBe(readFileSync(join(b, "assets", f), "utf8"));
    expect(rampart("validate", a).code).toBe(0);
    const d = rampart("describe", a, "--json");
    expect(d.code).toBe(0);
    const desc = JSON.parse(d.out);
    expect(desc.counts.assets).toBe(500);
    expect(Object.keys(desc.counts)).toEqual(
      expect.arrayContaining(["assets", "services", "zones", "conduits", "vendors", "controls", "people"]),
    );
    const dot = rampart("graph", a, "--service", "water-1");
    expect(dot.code).toBe(0);
    expect(dot.out).toMatch(/^digraph rampart \{/);
    expect(dot.out).toContain('"water-1" -> "water-1-scada-1"');
    const g = JSON.parse(rampart("graph", a, "--format", "json", "--service", "water-1").out);
    expect(g.nodes.some((n: { id: string }) => n.id === "electricity-1")).toBe(true);
    expect(rampart("graph", a, "--service", "nope").code).toBe(2);
  });
});
