/** `rampart recover` as a user runs it: exit codes, located errors, no stack traces, the HTML report. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";

function rampart(...args: string[]) {
  const r = spawnSync(process.execPath, ["bin/rampart", ...args], { encoding: "utf8", timeout: 300_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), "rampart-recover-"));
const HV = "examples/harborview";
const DOWN = "pwr-adms-a,pwr-adms-b,tel-mpls-pe-util";

describe("rampart recover plan", () => {
  test("[RCV-3] [RCV-4] a small down set: an optimal plan as text, JSON and HTML with the Gantt chart", () => {
    const html = join(dir, "plan.html");
    const r = rampart("recover", "plan", HV, "--down", DOWN, "--html", html);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/optimal \(exact search\)/);
    expect(r.out).toMatch(/gap 0%/);
    const j = rampart("recover", "plan", HV, "--down", DOWN, "--json");
    const plan = JSON.parse(j.out);
    expect(plan.optimal).toBe(true);
    expect(plan.tasks).toHaveLength(3);
    const page = readFileSync(html, "utf8");
    expect(page).toContain("<svg");
    expect(page).toContain("pwr-adms-a");
  });

  test("[RCV-7] an unknown asset id: exit 1, the option named, a suggestion, no stack trace", () => {
    const r = rampart("recover", "plan", HV, "--down", "pwr-adms-z");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--down: unknown asset "pwr-adms-z"; did you mean pwr-adms-/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  test("[RCV-7] zero crews and a crew count of 0 are located in the crews file; exit 1", () => {
    const none = join(dir, "none.yaml");
    writeFileSync(none, "crews: []\n");
    const r = rampart("recover", "plan", HV, "--down", DOWN, "--crews", none);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${none}:1:8: error: expected at least one crew`);
    const zero = join(dir, "zero.yaml");
    writeFileSync(zero, "crews:\n  - { id: grid, count: 0, layers: [ot] }\n");
    const z = rampart("recover", "plan", HV, "--down", DOWN, "--crews", zero);
    expect(z.code).toBe(1);
    expect(z.err).toMatch(
      new RegExp(
        `${zero.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2:\\d+: error: expected a whole number of teams >= 1, found number 0 \\[crews\\[0\\]\\.count\\]`,
      ),
    );
  });

  test("[RCV-7] an impossible skill: no crew of the file can repair an asset; exit 1, nothing planned", () => {
    const f = join(dir, "it-only.yaml");
    writeFileSync(f, "crews:\n  - { id: it, count: 2, layers: [it] }\n");
    const r = rampart("recover", "plan", HV, "--down", DOWN, "--crews", f);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no crew can repair pwr-adms-a \(layer ot/);
    expect(r.out).toBe("");
  });

  test("[RCV-6] a progress file re-plans; a malformed one is located", () => {
    const ok = join(dir, "progress.yaml");
    writeFileSync(ok, "done:\n  - { id: tel-mpls-pe-util, at: 2h }\n");
    const r = rampart("recover", "plan", HV, "--down", DOWN, "--progress", ok, "--json");
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.out);
    expect(plan.now).toBe(2);
    expect(plan.tasks.find((t: { id: string }) => t.id === "tel-mpls-pe-util").state).toBe("done");
    const bad = join(dir, "bad-progress.yaml");
    writeFileSync(bad, "done:\n  - { id: tel-mpls-pe-util, at: soon }\n");
    const b = rampart("recover", "plan", HV, "--down", DOWN, "--progress", bad);
    expect(b.code).toBe(1);
    expect(b.err).toMatch(/bad-progress\.yaml:2:\d+: error: expected a duration/);
  });

  test("usage errors exit 2: no down set, two of them, --scenario without --seed", () => {
    expect(rampart("recover", "plan", HV).code).toBe(2);
    expect(rampart("recover", "plan", HV, "--down", "a", "--scenario", "ransomware").code).toBe(2);
    expect(rampart("recover", "plan", HV, "--scenario", "ransomware").code).toBe(2);
    expect(existsSync(join(dir, "nothing.html"))).toBe(false);
  });
});

describe("rampart recover drp", () => {
  test("[DRP-1] [DRP-2] [DRP-3] [DRP-4] water supply: needs in order, objectives, fallback, people, seeded odds", () => {
    const run = () =>
      rampart("recover", "drp", HV, "--service", "water-supply", "--runs", "20", "--seed", "3", "--json");
    const r = run();
    expect(r.code).toBe(0);
    const d = JSON.parse(r.out);
    expect(d.objectives).toMatchObject({ rto: 12, mtd: 48 });
    expect(d.fallback).toMatchObject({ level: 0.6, after: 4 });
    expect(d.restoration.steps.length).toBeGreaterThan(10);
    const finishes = d.restoration.steps.map((s: { finish: number }) => s.finish);
    expect(finishes).toEqual([...finishes].sort((a: number, b: number) => a - b));
    expect(d.people.length).toBeGreaterThan(0);
    expect(d.odds.scenarios).toContain("water-manipulation");
    for (const o of d.odds.objectives) expect(o.probabilityMet).toBeGreaterThanOrEqual(0);
    expect(run().out).toBe(r.out); // same seed, same document
    const html = join(dir, "drp.html");
    expect(rampart("recover", "drp", HV, "--service", "water-supply", "--runs", "5", "--html", html).code).toBe(0);
    expect(readFileSync(html, "utf8")).toContain("<svg");
  });
  test("an unknown service: exit 1 with a suggestion", () => {
    const r = rampart("recover", "drp", HV, "--service", "water-suply");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/unknown service "water-suply"; did you mean water-supply\?/);
  });
});
