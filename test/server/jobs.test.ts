/** Assessments, simulation jobs with SSE progress and cancel, and the live alert stream, on the real engines. */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadEngines } from "../../src/server/engines.ts";
import { type Client, fixtureFiles, type TestServer, testServer } from "./helpers.ts";

let s: TestServer;
let base: string;
beforeAll(async () => {
  s = await testServer({ engines: await loadEngines() });
  await s.app.listen({ port: 0, host: "127.0.0.1" });
  const a = s.app.server.address();
  base = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
  const r = await s.req(s.as.analyst, "POST", "/api/models", { id: "tiny", files: fixtureFiles() });
  expect(r.status).toBe(201);
});
afterAll(async () => {
  await s.close();
});

/** Reads server-sent events until `stop` says so (or the stream ends). */
async function events(c: Client, path: string, stop: (event: string, data: any) => boolean, onOpen?: () => void) {
  const res = await fetch(base + path, { headers: { cookie: c.cookie } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const dec = new TextDecoder();
  const seen: [string, any][] = [];
  let buf = "";
  onOpen?.();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    let i = buf.indexOf("\n\n");
    while (i >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const ev = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (ev && data) {
        const d = JSON.parse(data);
        seen.push([ev, d]);
        if (stop(ev, d)) {
          await reader.cancel();
          return seen;
        }
      }
      i = buf.indexOf("\n\n");
    }
  }
  return seen;
}

describe("engines through the API", () => {
  test("[API-8] an assessment is stored and read back as the engine reported it", async () => {
    const r = await s.req(s.as.analyst, "POST", "/api/models/tiny/versions/latest/assessments", { asOf: "2026-06-01" });
    expect(r.status).toBe(201);
    expect(r.json.status).toBe("done");
    const g = await s.req(s.as.viewer, "GET", `/api/results/${r.json.id}`);
    expect(g.json.info).toMatchObject({ kind: "assessment", modelId: "tiny", version: 1 });
    expect(g.json.result.model.services).toBe(2);
    expect(Array.isArray(g.json.result.findings)).toBe(true);
    expect((await s.req(s.as.operator, "POST", "/api/models/tiny/versions/latest/assessments", {})).status).toBe(403);
  });

  test("[API-9] a simulation job streams progress, then its curves are stored", async () => {
    const sc = await s.req(s.as.viewer, "GET", "/api/models/tiny/versions/1/scenarios");
    expect(sc.json.scenarios.map((x: { id: string }) => x.id)).toContain("ransomware");
    const r = await s.req(s.as.analyst, "POST", "/api/models/tiny/versions/1/simulations", {
      scenario: "ransomware",
      runs: 400,
      seed: 7,
      compare: [["mfa-portal"]],
    });
    expect(r.status).toBe(202);
    const seen = await events(s.as.viewer, `/api/results/${r.json.id}/events`, (e) => e === "status");
    const last = seen[seen.length - 1];
    expect(last[0]).toBe("status");
    expect(last[1].status).toBe("done");
    expect(seen.some(([e]) => e === "progress")).toBe(true);
    const g = await s.req(s.as.viewer, "GET", `/api/results/${r.json.id}`);
    expect(g.json.info.status).toBe("done");
    expect(g.json.result.report.runs).toBe(400);
    expect(g.json.result.sets.length).toBe(2);
    expect(g.json.result.sets[0].services[0].curve.length).toBeGreaterThan(10);
  });

  test("[API-10] a running simulation can be cancelled; an unknown scenario or control is refused by name", async () => {
    const bad = await s.req(s.as.analyst, "POST", "/api/models/tiny/versions/1/simulations", { scenario: "no-such" });
    expect(bad.json.error.parameter).toBe("body.scenario");
    const bad2 = await s.req(s.as.analyst, "POST", "/api/models/tiny/versions/1/simulations", {
      scenario: "ransomware",
      controls: ["no-such-control"],
    });
    expect(bad2.json.error.parameter).toBe("body.controls");
    const r = await s.req(s.as.analyst, "POST", "/api/models/tiny/versions/1/simulations", {
      scenario: "ransomware",
      runs: 100000,
    });
    const cancel = await s.req(s.as.analyst, "POST", `/api/results/${r.json.id}/cancel`);
    expect(cancel.status).toBe(200);
    const seen = await events(s.as.viewer, `/api/results/${r.json.id}/events`, (e) => e === "status");
    expect(seen[seen.length - 1][1].status).toBe("cancelled");
    const again = await s.req(s.as.analyst, "POST", `/api/results/${r.json.id}/cancel`);
    expect(again.status).toBe(409);
    expect((await s.req(s.as.viewer, "GET", `/api/results/${r.json.id}`)).json.info.status).toBe("cancelled");
  });

  test("[API-11] the live alert stream delivers a new alert to a viewer", async () => {
    const seen = await events(
      s.as.viewer,
      "/api/alerts/stream",
      (e) => e === "alert",
      () => {
        setTimeout(() => {
          void s.alerts.publish({
            at: new Date().toISOString(),
            source: "test",
            modelId: "tiny",
            assetId: "plc-1",
            signal: "flow",
            severity: "warning",
            score: 0.8,
            message: "flow anomaly",
            services: ["water", "billing"],
          });
        }, 50);
      },
    );
    expect(seen[0][0]).toBe("ready");
    expect(seen[seen.length - 1][1]).toMatchObject({ assetId: "plc-1", services: ["water", "billing"] });
  });
});
