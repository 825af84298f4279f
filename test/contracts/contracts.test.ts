/**
 * The contract (src/contracts/) against what the engines, the store and the server really produce: every
 * report parses with its schema and loses nothing on the way (a field the engine writes that the contract does
 * not name is caught), and every route is declared in the contract.
 */
import { expect, test } from "vitest";
import type { z } from "zod";
import { assess } from "../../src/assess/assess.ts";
import { Alert } from "../../src/contracts/alerts.ts";
import { ENDPOINTS } from "../../src/contracts/api.ts";
import { AssessReport } from "../../src/contracts/assessment.ts";
import { ResultBody } from "../../src/contracts/jobs.ts";
import { SimulationResult } from "../../src/contracts/simulation.ts";
import { buildIndex } from "../../src/model/graph.ts";
import { loadModel } from "../../src/model/load.ts";
import { loadEngines } from "../../src/server/engines.ts";
import { resolveScenario, simulate } from "../../src/simulate/index.ts";
import { finished, fixtureFiles, testServer } from "../server/helpers.ts";

/** Parses the JSON text with the schema and checks that nothing was dropped or changed (NaN is null in JSON). */
function roundTrip(schema: z.ZodType, json: string) {
  const r = schema.safeParse(JSON.parse(json));
  if (!r.success) throw new Error(`does not match the contract: ${JSON.stringify(r.error.issues.slice(0, 3))}`);
  expect(JSON.parse(JSON.stringify(r.data))).toEqual(JSON.parse(json));
}

async function harborview() {
  const l = await loadModel("examples/harborview");
  if (!l.ok) throw new Error(l.issues[0]?.message);
  return l;
}

test("[CTR-1] the assessment the engine writes parses with the contract and keeps every field", async () => {
  const l = await harborview();
  const report = assess(buildIndex(l.model), { asOf: "2026-06-01" });
  expect(report.findings.some((f) => f.kev)).toBe(true);
  expect(report.chokepoints.length).toBeGreaterThan(0);
  roundTrip(AssessReport, JSON.stringify(report));
});

test("[CTR-2] a simulation result with a compared defence set parses with the contract and keeps every field", async () => {
  const l = await harborview();
  const sc = await resolveScenario("ransomware", async () => "");
  if (!sc.ok) throw new Error("no built-in ransomware scenario");
  const control = l.model.controls.find((c) => c.status !== "implemented")?.id as string;
  const out = await simulate(l, sc.scenario, {
    runs: 40,
    seed: 3,
    workers: 1,
    with: [],
    compare: [[control]],
    trace: true,
  });
  if (!out.ok) throw new Error("the simulation was refused");
  expect(out.report.compare.length).toBe(1);
  const result: SimulationResult = { report: out.report, sets: out.sets, representative: out.representative };
  roundTrip(SimulationResult, JSON.stringify(result));
});

test("[CTR-1] [CTR-2] [CTR-3] what the API serves parses with the contract: results of both kinds and alerts", async () => {
  const s = await testServer({ engines: await loadEngines() });
  try {
    expect((await s.req(s.as.analyst, "POST", "/api/models", { id: "tiny", files: fixtureFiles() })).status).toBe(201);
    const a = await s.req(s.as.analyst, "POST", "/api/models/tiny/versions/1/assessments", { asOf: "2026-06-01" });
    const sim = await s.req(s.as.analyst, "POST", "/api/models/tiny/versions/1/simulations", {
      scenario: "ransomware",
      runs: 20,
    });
    for (const id of [a.json.id, sim.json.id]) {
      const g = await finished(s, s.as.viewer, String(id));
      expect(g.json.info.status).toBe("done");
      roundTrip(ResultBody, g.text);
    }
    await s.alerts.publish({
      at: "2026-06-01T00:00:00.000Z",
      source: "test",
      modelId: "tiny",
      assetId: null,
      signal: "level",
      severity: "warning",
      score: 0.8,
      message: "level: test alert",
      services: [],
    });
    const list = await s.req(s.as.viewer, "GET", "/api/alerts");
    expect(list.json.alerts.length).toBe(1);
    roundTrip(Alert, JSON.stringify(list.json.alerts[0]));
  } finally {
    await s.close();
  }
}, 120_000);

test("[CTR-4] every /api route is declared in the contract, and every declared endpoint has a route", async () => {
  const s = await testServer();
  try {
    const served = s.routes.map((r) => `${r.method} ${r.url}`).sort();
    expect(served).toEqual(Object.keys(ENDPOINTS).sort());
    const doc = (await s.req(s.as.viewer, "GET", "/api/openapi.json")).json;
    // response schemas come from the contract too
    const get = doc.paths["/api/results/{id}"].get.responses["200"].content["application/json"].schema;
    expect(JSON.stringify(get)).toContain("chokepoints");
    expect(JSON.stringify(get)).toContain("horizonHours");
  } finally {
    await s.close();
  }
});
