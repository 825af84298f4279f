/** The recover endpoints: plans and DRPs through the API, refusals naming the request field, roles. */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DrpResponse, RecoveryPlan } from "../../src/contracts/recover.ts";
import { recoverEngine } from "../../src/server/engines.ts";
import { fixtureFiles, type TestServer, testServer } from "../server/helpers.ts";

let s: TestServer;
beforeAll(async () => {
  s = await testServer({ engines: { recover: recoverEngine } });
  const r = await s.req(s.as.analyst, "POST", "/api/models", { id: "tiny", files: fixtureFiles(), message: "first" });
  expect(r.status).toBe(201);
});
afterAll(async () => s?.close());

const PLANS = "/api/models/tiny/versions/1/recover/plans";

describe("POST recover/plans", () => {
  test("[RCV-3] [RCV-4] an analyst gets an optimal plan in the contract's shape", async () => {
    const r = await s.req(s.as.analyst, "POST", PLANS, { down: ["scada", "plc-1", "portal"] });
    expect(r.status).toBe(200);
    const plan = RecoveryPlan.parse(r.json);
    expect(plan.optimal).toBe(true);
    expect(plan.tasks.map((t) => t.id).sort()).toEqual(["plc-1", "portal", "scada"]);
    expect(plan.services.find((x) => x.id === "water")?.rto).toBe(12);
  });

  test("[RCV-6] completions re-plan: the reported repair is done at its time", async () => {
    const first = await s.req(s.as.analyst, "POST", PLANS, {
      down: ["scada", "plc-1"],
      crews: [{ id: "ot", count: 1, layers: ["ot"] }],
    });
    const plan = RecoveryPlan.parse(first.json);
    const t0 = plan.tasks.find((t) => t.start === 0);
    if (!t0) throw new Error("no first task");
    const r = await s.req(s.as.analyst, "POST", PLANS, {
      down: ["scada", "plc-1"],
      crews: [{ id: "ot", count: 1, layers: ["ot"] }],
      completions: [{ id: t0.id, at: t0.finish + 5 }],
    });
    expect(r.status).toBe(200);
    const np = RecoveryPlan.parse(r.json);
    expect(np.tasks.find((t) => t.id === t0.id)).toMatchObject({ state: "done", finish: t0.finish + 5 });
  });

  test("[RCV-7] refusals name the field: unknown asset, impossible skill, bad layer, zero crews; viewers may not plan", async () => {
    const a = await s.req(s.as.analyst, "POST", PLANS, { down: ["scadaa"] });
    expect(a.status).toBe(400);
    expect(a.json.error).toMatchObject({ code: "unknown-asset", parameter: "body.down[0]" });
    const b = await s.req(s.as.analyst, "POST", PLANS, {
      down: ["scada"],
      crews: [{ id: "it", count: 1, layers: ["it"] }],
    });
    expect(b.status).toBe(400);
    expect(b.json.error.code).toBe("no-crew");
    const c = await s.req(s.as.analyst, "POST", PLANS, {
      down: ["scada"],
      crews: [{ id: "x", count: 1, layers: ["mainframe"] }],
    });
    expect(c.status).toBe(400);
    expect(c.json.error.parameter).toBe("body.crews[0].layers[0]");
    const d = await s.req(s.as.analyst, "POST", PLANS, { down: ["scada"], crews: [] });
    expect(d.status).toBe(400);
    const e = await s.req(s.as.analyst, "POST", PLANS, { down: ["scada"], crews: [{ id: "x", count: 0 }] });
    expect(e.status).toBe(400);
    const v = await s.req(s.as.viewer, "POST", PLANS, { down: ["scada"] });
    expect(v.status).toBe(403);
  });
});

describe("POST recover/plans from an incident case", () => {
  test("[RCV-10] a case's assets down now are the down set; restored ones are not; another model's case is not found", async () => {
    const open = await s.req(s.as.admin, "POST", "/api/cases", {
      model: "tiny",
      title: "Pump trouble",
      down: ["plc-1", "scada"],
    });
    expect(open.status).toBe(201);
    const id = String(open.json.id);
    const back = await s.req(s.as.admin, "POST", `/api/cases/${id}/assets`, { assets: ["scada"], state: "restored" });
    expect(back.status).toBe(200);
    const r = await s.req(s.as.analyst, "POST", PLANS, { case: id });
    expect(r.status).toBe(200);
    const plan = RecoveryPlan.parse(r.json);
    expect(plan.tasks.map((t) => t.id)).toEqual(["plc-1"]);
    const none = await s.req(s.as.analyst, "POST", PLANS, { case: "00000000-0000-4000-8000-000000000000" });
    expect(none.status).toBe(404);
    expect(none.json.error.parameter).toBe("body.case");
    const two = await s.req(s.as.analyst, "POST", PLANS, { case: id, down: ["scada"] });
    expect(two.status).toBe(400);
  });
});

describe("POST recover/drp", () => {
  test("[DRP-1] [DRP-2] [DRP-3] [DRP-4] a service's DRP: its needs in order, objectives, people, odds", async () => {
    const r = await s.req(s.as.analyst, "POST", "/api/models/tiny/versions/1/recover/drp", {
      service: "water",
      runs: 20,
    });
    expect(r.status).toBe(200);
    const { drp } = DrpResponse.parse(r.json);
    expect(drp.restoration.steps.map((x) => x.asset).sort()).toEqual(["plc-1", "scada"]);
    expect(drp.objectives.rto).toBe(12);
    expect(drp.people.map((p) => p.name)).toEqual(["Ana"]);
    for (const o of drp.odds.objectives)
      if (o.probabilityMet !== null) expect(o.probabilityMet).toBeGreaterThanOrEqual(0);
    const u = await s.req(s.as.analyst, "POST", "/api/models/tiny/versions/1/recover/drp", { service: "sewer" });
    expect(u.status).toBe(400);
    expect(u.json.error.parameter).toBe("body.service");
  });
});
