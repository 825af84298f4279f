/** Assessments, simulation jobs with SSE progress and cancel, and the live alert stream, on the real engines. */

import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadEngines } from "../../src/server/engines.ts";
import { pickEncoding } from "../../src/server/transport/encoding.ts";
import { type Client, finished, fixtureFiles, PASSWORD, type TestServer, testServer } from "./helpers.ts";

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

/** One server-sent event's parsed data. */
type SseData = Record<string, unknown>;

/** Reads server-sent events until `stop` says so (or the stream ends). */
async function events(c: Client, path: string, stop: (event: string, data: SseData) => boolean, onOpen?: () => void) {
  const res = await fetch(base + path, { headers: { cookie: c.cookie } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const dec = new TextDecoder();
  const seen: [string, SseData][] = [];
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
  test("[API-8] an assessment runs as a job, streams its status, and is read back as the engine reported it", async () => {
    const r = await s.req(s.as.analyst, "POST", "/api/models/tiny/versions/latest/assessments", { asOf: "2026-06-01" });
    expect(r.status).toBe(202);
    expect(r.json).toMatchObject({ kind: "assessment", status: "running", params: { asOf: "2026-06-01" } });
    const seen = await events(s.as.viewer, `/api/results/${r.json.id}/events`, (ev) => ev === "status");
    expect(seen.at(-1)).toEqual(["status", { type: "status", status: "done", error: null }]);
    const g = await finished(s, s.as.viewer, String(r.json.id));
    expect(g.json.kind).toBe("assessment");
    expect(g.json.info).toMatchObject({ kind: "assessment", modelId: "tiny", version: 1 });
    expect(g.json.result.model.services).toBe(2);
    expect(Array.isArray(g.json.result.findings)).toBe(true);
    expect((await s.req(s.as.operator, "POST", "/api/models/tiny/versions/latest/assessments", {})).status).toBe(403);
  });

  test("[FND-3] accepted risks through the API: analysts accept and revoke, viewers read, assessments apply them", async () => {
    const first = await s.req(s.as.analyst, "POST", "/api/models/tiny/versions/latest/assessments", {
      asOf: "2026-06-01",
    });
    const before = await finished(s, s.as.viewer, String(first.json.id));
    const f = before.json.result.findings[0] as unknown as { rule: string; targets: string[] };
    expect(f).toBeDefined();
    const body = {
      rule: f.rule,
      target: f.targets[0],
      owner: "ciso",
      justification: "compensating control",
      expires: "2026-12-31",
    };
    expect((await s.req(s.as.viewer, "POST", "/api/models/tiny/accepted-risks", body)).status).toBe(403);
    const bad = await s.req(s.as.analyst, "POST", "/api/models/tiny/accepted-risks", {
      ...body,
      expires: "2026-31-12",
    });
    expect(bad.status).toBe(400);
    const add = await s.req(s.as.analyst, "POST", "/api/models/tiny/accepted-risks", body);
    expect(add.status).toBe(201);
    expect(add.json).toMatchObject({ ...body, acceptedBy: "analyst" });
    const list = await s.req(s.as.viewer, "GET", "/api/models/tiny/accepted-risks");
    expect(list.json.risks.map((x) => String(x.id))).toEqual([add.json.id]);
    const run = await s.req(s.as.analyst, "POST", "/api/models/tiny/versions/latest/assessments", {
      asOf: "2026-06-01",
    });
    const after = await finished(s, s.as.viewer, String(run.json.id));
    const same = (
      after.json.result.findings as unknown as { rule: string; targets: string[]; acceptance?: unknown }[]
    ).find((x) => x.rule === f.rule && x.targets[0] === f.targets[0]);
    expect(same?.acceptance).toMatchObject({ status: "accepted", owner: "ciso", expires: "2026-12-31" });
    // after its expiry the finding is raised again
    const late = await s.req(s.as.analyst, "POST", "/api/models/tiny/versions/latest/assessments", {
      asOf: "2027-01-01",
    });
    const raised = await finished(s, s.as.viewer, String(late.json.id));
    const again = (
      raised.json.result.findings as unknown as { rule: string; targets: string[]; acceptance?: { status: string } }[]
    ).find((x) => x.rule === f.rule && x.targets[0] === f.targets[0]);
    expect(again?.acceptance?.status).toBe("expired");
    const audit = await s.req(s.as.admin, "GET", "/api/audit?limit=20");
    expect(JSON.stringify(audit.json)).toContain("risk.accept");
    const del = await s.req(s.as.analyst, "DELETE", `/api/models/tiny/accepted-risks/${add.json.id}`);
    expect(del.status).toBe(200);
    expect((await s.req(s.as.viewer, "GET", "/api/models/tiny/accepted-risks")).json.risks).toEqual([]);
  });

  test("[API-9] a simulation job streams progress, then its curves are stored", async () => {
    const sc = await s.req(s.as.viewer, "GET", "/api/models/tiny/versions/1/scenarios");
    expect(sc.json.scenarios.map((x) => String(x.id))).toContain("ransomware");
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

describe("finished results served as prepared", () => {
  test("[API-11] a finished result is the same report in brotli, gzip or plain; its ETag revalidates with 304", async () => {
    const r = await s.req(s.as.analyst, "POST", "/api/models/tiny/versions/latest/assessments", { asOf: "2026-06-01" });
    await finished(s, s.as.analyst, String(r.json.id));
    const url = `/api/results/${r.json.id}`;
    const plain = await s.app.inject({ method: "GET", url, headers: { cookie: s.as.viewer.cookie } });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    const report = JSON.parse(plain.body);
    expect(report.info.id).toBe(r.json.id);
    const gz = await s.app.inject({
      method: "GET",
      url,
      headers: { cookie: s.as.viewer.cookie, "accept-encoding": "gzip" },
    });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(JSON.parse(gunzipSync(gz.rawPayload).toString())).toEqual(report);
    // brotli is made in the background after the result is stored: gzip is served until it is ready
    let br = gz;
    for (let i = 0; i < 100 && br.headers["content-encoding"] !== "br"; i++) {
      await new Promise((res) => setTimeout(res, 20));
      br = await s.app.inject({
        method: "GET",
        url,
        headers: { cookie: s.as.viewer.cookie, "accept-encoding": "gzip, deflate, br, zstd" },
      });
    }
    expect(br.headers["content-encoding"]).toBe("br");
    expect(JSON.parse(brotliDecompressSync(br.rawPayload).toString())).toEqual(report);
    for (const a of [plain, gz, br]) {
      expect(a.headers.vary).toBe("accept-encoding");
      expect(a.headers["cache-control"]).toBe("no-store");
      expect(a.headers["content-security-policy"]).toContain("default-src 'none'");
    }
    expect(new Set([plain, gz, br].map((a) => a.headers.etag)).size).toBe(3);
    const again = await s.app.inject({
      method: "GET",
      url,
      headers: { cookie: s.as.viewer.cookie, "accept-encoding": "br", "if-none-match": String(br.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe("");
  });

  test("[SEC-1] a prepared result still needs a live session: none, or one logged out, gets 401", async () => {
    const r = await s.req(s.as.analyst, "POST", "/api/models/tiny/versions/latest/assessments", { asOf: "2026-06-01" });
    await finished(s, s.as.analyst, String(r.json.id));
    const url = `/api/results/${r.json.id}`;
    const login = await s.req(null, "POST", "/api/auth/login", { username: "viewer", password: PASSWORD });
    const c: Client = {
      cookie: String(login.headers["set-cookie"]).split(";")[0],
      csrf: String(login.json.csrfToken),
      role: "viewer",
    };
    expect((await s.req(c, "GET", url)).status).toBe(200);
    expect((await s.req(null, "GET", url)).status).toBe(401);
    expect((await s.req(c, "POST", "/api/auth/logout")).status).toBe(200);
    const after = await s.req(c, "GET", url);
    expect(after.status).toBe(401);
    expect(after.text).not.toContain(String(r.json.id));
  });

  test("[API-11] Accept-Encoding picks brotli, then gzip, and honours q=0", () => {
    expect(pickEncoding(undefined)).toBe("identity");
    expect(pickEncoding("gzip, deflate, br, zstd")).toBe("br");
    expect(pickEncoding("gzip")).toBe("gzip");
    expect(pickEncoding("br;q=0, gzip;q=0.5")).toBe("gzip");
    expect(pickEncoding("gzip;q=0")).toBe("identity");
    expect(pickEncoding("*")).toBe("gzip");
    expect(pickEncoding("identity")).toBe("identity");
  });
});
