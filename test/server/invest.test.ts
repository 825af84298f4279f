/**
 * Invest as a server job [BUY-14]: started on a model version, followed to the end, read back as the engine's
 * report (frontier, recommendation, guarantee); bad requests are 400s naming the field; the route needs
 * simulation.run; two jobs share the server's one evaluation pool and give the same report for the same seed.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { InvestResult } from "../../src/contracts/invest.ts";
import { loadEngines } from "../../src/server/engines.ts";
import { finished, type TestServer, testServer } from "./helpers.ts";

const HARBORVIEW = join(import.meta.dirname, "..", "..", "examples", "harborview");

function files(dir: string, prefix = ""): { file: string; text: string }[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) return files(p, `${prefix}${f}-`);
      return f.endsWith(".yaml") ? [{ file: `${prefix}${f}`, text: readFileSync(p, "utf8") }] : [];
    });
}

let s: TestServer;
beforeAll(async () => {
  s = await testServer({ engines: await loadEngines() });
  const r = await s.req(s.as.analyst, "POST", "/api/models", { id: "harbor", files: files(HARBORVIEW) });
  expect(r.status).toBe(201);
});
afterAll(async () => {
  await s.close();
});

const body = {
  budget: 150_000,
  years: 2,
  scenarios: ["ransomware", "supply-chain"],
  candidates: ["ctl-immutable-backups", "ctl-vendor-access-mfa", "ctl-default-credentials"],
  runs: 20,
  seed: 5,
};

test("[BUY-14] an invest job runs on the server and is read back as the engine's report", async () => {
  const a = await s.req(s.as.analyst, "POST", "/api/models/harbor/versions/latest/invest", body);
  expect(a.status).toBe(202);
  expect(a.json).toMatchObject({ kind: "invest", status: "running" });
  const b = await s.req(s.as.analyst, "POST", "/api/models/harbor/versions/latest/invest", body);
  expect(b.status).toBe(202);
  const ga = await finished(s, s.as.viewer, String(a.json.id), 240_000);
  const gb = await finished(s, s.as.viewer, String(b.json.id), 240_000);
  expect(ga.json.info.status).toBe("done");
  expect(ga.json.kind).toBe("invest");
  const report = InvestResult.parse(ga.json.result);
  expect(report.method).toBe("exact");
  expect(report.frontier.length).toBeGreaterThan(0);
  expect(report.optimality.method).toBe("all-subsets");
  expect(report.candidates.map((c) => c.id)).toEqual(body.candidates);
  // same seed, same report, whichever job ran first on the shared pool
  expect(gb.json.result).toEqual(ga.json.result);
}, 300_000);

test("[BUY-14] bad requests are 400s naming the field; the route needs simulation.run", async () => {
  const bad = await s.req(s.as.analyst, "POST", "/api/models/harbor/versions/latest/invest", {
    ...body,
    candidates: ["ctl-immutable-backups", "ctl-nope"],
  });
  expect(bad.status).toBe(400);
  expect(bad.text).toContain("body.candidates[1]");
  const neg = await s.req(s.as.analyst, "POST", "/api/models/harbor/versions/latest/invest", { ...body, budget: -1 });
  expect(neg.status).toBe(400);
  expect(neg.text).toContain("budget");
  const sc = await s.req(s.as.analyst, "POST", "/api/models/harbor/versions/latest/invest", {
    ...body,
    scenarios: ["no-such-scenario"],
  });
  expect(sc.status).toBe(400);
  expect(sc.text).toContain("body.scenarios");
  expect((await s.req(s.as.viewer, "POST", "/api/models/harbor/versions/latest/invest", body)).status).toBe(403);
});
