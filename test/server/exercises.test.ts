/**
 * Exercises over the API: roles, the facilitator's clock and injects, decisions refused or played, the review,
 * and a lesson accepted into a new model version whose re-assessment and re-simulation show the delta.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { assess } from "../../src/assess/assess.ts";
import { clockNow, newClock, pauseClock, runClock, setSpeed } from "../../src/exercise/clock.ts";
import { buildIndex } from "../../src/model/graph.ts";
import { loadModelFromSources } from "../../src/model/load.ts";
import { exerciseEngine } from "../../src/server/engines.ts";
import { type TestServer, testServer } from "./helpers.ts";

function files(dir: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith(".yaml")) out.push({ file: relative(dir, p), text: readFileSync(p, "utf8") });
    }
  };
  walk(dir);
  return out;
}

let s: TestServer;
beforeAll(async () => {
  s = await testServer({ engines: { exercise: exerciseEngine } });
  const r = await s.req(s.as.analyst, "POST", "/api/models", { id: "hv", files: files("examples/harborview") });
  expect(r.status).toBe(201);
});
afterAll(async () => {
  await s.close();
});

describe("exercise clock", () => {
  test("[EXR-10] run, pause and speed: exercise time = time at the last change + wall time since x speed", () => {
    let c = newClock(60);
    expect(clockNow(c, 5000)).toBe(0);
    c = runClock(c, 1000);
    expect(c.started).toBe(true);
    expect(clockNow(c, 1000 + 60_000)).toBe(1); // 60 s at 60x = 1 h
    c = pauseClock(c, 1000 + 30_000);
    expect(clockNow(c, 10_000_000)).toBe(0.5);
    c = setSpeed(runClock(c, 100_000), 3600, 100_000);
    expect(clockNow(c, 101_000)).toBe(1.5);
  });
});

describe("exercises over the API", () => {
  let id = "";
  test("[EXR-11][EXR-4][EXR-5] facilitator, participants by role, refusals that change nothing", async () => {
    const c = await s.req(s.as.analyst, "POST", "/api/exercises", { model: "hv", scenario: "ransomware", seed: 3 });
    expect(c.status).toBe(201);
    id = String(c.json.exercise.id);
    expect(c.json.facilitator).toBe(true);
    expect(c.json.injects.length).toBeGreaterThan(3);
    // a participant sees nothing before the clock runs
    const op = await s.req(s.as.operator, "GET", `/api/exercises/${id}`);
    expect(op.json).toMatchObject({ facilitator: false, injects: [], myRole: null });
    expect(op.json.upcoming).toBe(c.json.injects.length);
    expect((await s.req(s.as.viewer, "GET", `/api/exercises/${id}`)).status).toBe(403);
    // only the facilitator runs the clock
    const notFac = await s.req(s.as.operator, "POST", `/api/exercises/${id}/clock`, { action: "run" });
    expect(notFac.status).toBe(403);
    expect(notFac.json.error.code).toBe("forbidden");
    // joined as communications; a decision before the clock ever ran is refused
    expect((await s.req(s.as.operator, "POST", `/api/exercises/${id}/join`, { role: "communications" })).status).toBe(
      200,
    );
    const early = await s.req(s.as.operator, "POST", `/api/exercises/${id}/decisions`, { kind: "note", text: "hello" });
    expect(early.status).toBe(409);
    expect(early.json.error.code).toBe("before-start");
    const run = await s.req(s.as.analyst, "POST", `/api/exercises/${id}/clock`, { action: "run" });
    expect(run.json.clock).toMatchObject({ running: true, started: true });
    // a decision the role may not take: refused, nothing changes
    const iso = await s.req(s.as.operator, "POST", `/api/exercises/${id}/decisions`, {
      kind: "isolate",
      targets: ["wtr-control"],
    });
    expect(iso.status).toBe(403);
    expect(iso.json.error.code).toBe("not-allowed");
    expect(iso.json.error.message).toContain("role communications may not take");
    // timed before the start: refused
    await s.req(s.as.operator, "POST", `/api/exercises/${id}/join`, { role: "ot-operations" });
    const neg = await s.req(s.as.operator, "POST", `/api/exercises/${id}/decisions`, { kind: "nothing", at: -1 });
    expect(neg.status).toBe(422);
    expect(neg.json.error.code).toBe("before-start");
    const unknown = await s.req(s.as.operator, "POST", `/api/exercises/${id}/decisions`, {
      kind: "fallback",
      targets: ["district-heating"],
    });
    expect(unknown.status).toBe(422);
    expect(unknown.json.error.code).toBe("no-fallback");
    expect((await s.req(s.as.analyst, "GET", `/api/exercises/${id}`)).json.decisions).toEqual([]);
    // a decision that stands
    const ok = await s.req(s.as.operator, "POST", `/api/exercises/${id}/decisions`, {
      kind: "fallback",
      targets: ["water-supply"],
      text: "manual pumping",
    });
    expect(ok.status).toBe(200);
    expect(ok.json.decisions).toHaveLength(1);
    expect(ok.json.decisions[0]).toMatchObject({ role: "ot-operations", kind: "fallback", by: "operator" });
    const audit = await s.req(s.as.admin, "GET", "/api/audit?limit=50");
    const actions = audit.json.entries.map((e) => String(e.action));
    expect(actions).toEqual(
      expect.arrayContaining(["exercise.create", "exercise.clock", "exercise.join", "exercise.decision"]),
    );
  });

  test("[EXR-2][EXR-8] the facilitator adds an inject; the review shows the decision", async () => {
    const add = await s.req(s.as.analyst, "POST", `/api/exercises/${id}/injects`, {
      op: "add",
      at: 0,
      title: "Call from the mayor",
      text: "The mayor wants a briefing in 30 minutes.",
    });
    expect(add.status).toBe(200);
    expect(add.json.injects[0]).toMatchObject({ id: "fac-1", source: "facilitator" });
    const bad = await s.req(s.as.analyst, "POST", `/api/exercises/${id}/injects`, { op: "remove", id: "sim-nope" });
    expect(bad.status).toBe(422);
    const rv = await s.req(s.as.operator, "GET", `/api/exercises/${id}/review`);
    expect(rv.status).toBe(200);
    expect(
      rv.json.timeline.some((e) => String(e.type) === "decision" && String(e.title) === "fallback water-supply"),
    ).toBe(true);
    expect(rv.json.latency[0]).toMatchObject({ role: "ot-operations", decisions: 1 });
  });

  test("[LSN-1][LSN-2][LSN-3][LSN-4] a lesson simulated, accepted into a version; re-assessment and re-simulation show the delta", async () => {
    const patch = [
      { target: "crews.city-it-ops", set: { count: 12 } },
      {
        target: "assets.wtr-historian",
        set: { backup: { every: "24h", offline: true, tested: "2026-06-01", restore: "6h" } },
      },
    ];
    const badPatch = await s.req(s.as.analyst, "POST", `/api/exercises/${id}/lessons`, {
      title: "x",
      patch: [{ target: "crews.no-such-crew", set: { count: 2 } }],
    });
    expect(badPatch.status).toBe(422);
    expect((await s.req(s.as.analyst, "GET", "/api/models/hv/lessons")).json.lessons).toEqual([]);
    const l = await s.req(s.as.analyst, "POST", `/api/exercises/${id}/lessons`, {
      title: "more IT crews, offline historian backup",
      patch,
      runs: 30,
    });
    expect(l.status).toBe(201);
    expect(l.json).toMatchObject({ status: "proposed", baseVersion: 1 });
    const cmp = l.json.compare[0];
    expect(cmp.scenario).toBe("ransomware");
    expect(Number(cmp.patched.personHours)).toBeLessThan(Number(cmp.base.personHours));
    expect(Number(cmp.diff.mean)).toBeCloseTo(Number(cmp.patched.personHours) - Number(cmp.base.personHours), 3);
    // operators may not accept; analysts may
    expect((await s.req(s.as.operator, "POST", `/api/lessons/${l.json.id}/accept`)).status).toBe(403);
    const acc = await s.req(s.as.analyst, "POST", `/api/lessons/${l.json.id}/accept`);
    expect(acc.status).toBe(200);
    expect(acc.json.version).toBe(2);
    expect((await s.req(s.as.analyst, "POST", `/api/lessons/${l.json.id}/accept`)).status).toBe(409);
    const versions = await s.req(s.as.analyst, "GET", "/api/models/hv/versions");
    expect(versions.json.versions.map((v) => String(v.message))[1]).toMatch(/^lesson lesson-[0-9a-f]+: more IT crews/);
    // re-assessment: the historian's backup findings are gone in version 2
    const load = async (v: number) => {
      const src = await s.req(s.as.analyst, "GET", `/api/models/hv/versions/${v}/sources`);
      const m = loadModelFromSources(src.json.files as unknown as { file: string; text: string }[]);
      if (!m.ok) throw new Error("stored version does not load");
      return m.model;
    };
    const findingsOn = (m: Awaited<ReturnType<typeof load>>) =>
      assess(buildIndex(m), { asOf: "2026-12-01" })
        .findings.filter((f) => f.targets.includes("wtr-historian"))
        .map((f) => f.rule);
    const before = findingsOn(await load(1));
    const after = findingsOn(await load(2));
    expect(before).toContain("backup-online");
    expect(after).not.toContain("backup-online");
    expect(after.length).toBeLessThan(before.length);
    // re-simulation: the resilience overview shows the delta between the versions, same seed and runs
    const res = await s.req(s.as.analyst, "GET", "/api/models/hv/resilience?runs=30");
    expect(res.status).toBe(200);
    const [v1, v2] = res.json.rows;
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(Number(v1.scenarios[0].personHours)).toBeCloseTo(Number(cmp.base.personHours), 3);
    expect(Number(v2.scenarios[0].personHours)).toBeCloseTo(Number(cmp.patched.personHours), 3);
  });
});
