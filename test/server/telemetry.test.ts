/** Telemetry on the server: the live pipeline with trained detectors, counts on /metrics and the API. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { train } from "../../src/detect/engine.ts";
import { synthNetwork } from "../../src/detect/synth.ts";
import { streamFor } from "../../src/model/rng.ts";
import { detectEngine, loadEngines } from "../../src/server/engines.ts";
import { loadServerDetectors, startTelemetry, TelemetryError } from "../../src/server/telemetry.ts";
import { fixtureFiles, METRICS_TOKEN, type TestServer, testServer } from "./helpers.ts";

let s: TestServer;
const dir = mkdtempSync(join(tmpdir(), "rampart-telemetry-"));
const syn = synthNetwork(streamFor(5), 24 * 7 * 6 + 48, 2, 1);
const m = syn.signals.length;
const trainRows = 24 * 7 * 6;
const detector = train(syn.signals, [
  { wall: syn.wall.slice(0, trainRows), values: syn.values.slice(0, trainRows * m) },
]);

beforeAll(async () => {
  s = await testServer({ engines: await loadEngines() });
  expect((await s.req(s.as.analyst, "POST", "/api/models", { id: "tiny", files: fixtureFiles() })).status).toBe(201);
});
afterAll(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

function detectorsDir(files: Record<string, string>): string {
  const d = mkdtempSync(join(dir, "det-"));
  mkdirSync(d, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(d, f), text);
  return d;
}

describe("server telemetry", () => {
  test("[LIV-5] detector files are checked at start: file name, model, asset and content", async () => {
    const good = JSON.stringify(detector);
    const refused = async (files: Record<string, string>) => {
      try {
        await loadServerDetectors(detectorsDir(files), detectEngine, s.models);
        return "";
      } catch (e) {
        expect(e).toBeInstanceOf(TelemetryError);
        return (e as Error).message;
      }
    };
    expect(await refused({ "plc-1.json": good })).toContain("expected a file name <model>.<asset>.json");
    expect(await refused({ "nomodel.plc-1.json": good })).toContain('no model "nomodel"');
    expect(await refused({ "tiny.ghost.json": good })).toContain('has no asset "ghost"');
    expect(await refused({ "tiny.plc-1.json": "{" })).toContain("not valid JSON");
    const ok = await loadServerDetectors(detectorsDir({ "tiny.plc-1.json": good }), detectEngine, s.models);
    expect(ok.list).toEqual([{ model: "tiny", asset: "plc-1" }]);
    expect(ok.detectors.has("tiny/plc-1")).toBe(true);
  });

  test("[LIV-5] [LIV-4] a trained detector judges its asset on the server; counts on /metrics and /api/telemetry; alerts carry the zone", async () => {
    const t = await startTelemetry({
      engines: await loadEngines(),
      hub: s.alerts,
      models: s.models,
      metrics: s.metrics,
      detectorsDir: detectorsDir({ "tiny.plc-1.json": JSON.stringify(detector) }),
      mqttPort: 0,
      print: () => {},
    });
    expect(t).toBeDefined();
    if (!t) return;
    try {
      const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${t.port}`, { reconnectPeriod: 0 });
      let sent = 0;
      for (let i = trainRows; i < trainRows + 48; i++)
        for (let j = 0; j < m; j++) {
          let v = syn.values[i * m + j];
          if (i === trainRows + 10 && syn.signals[j] === "P_J1") v += 50;
          await c.publishAsync(`rampart/tiny/plc-1/${syn.signals[j]}`, JSON.stringify({ t: syn.wall[i], v }), {
            qos: 1,
          });
          sent++;
        }
      await c.publishAsync("rampart/tiny/ghost/level", "1", { qos: 1 });
      await c.publishAsync("rampart/nomodel/plc-1/level", "1", { qos: 1 });
      await c.publishAsync("rampart/tiny/plc-1/level", "not a number", { qos: 1 });
      await c.endAsync();
      for (let k = 0; k < 300 && t.pipeline.received < sent + 3; k++) await new Promise((r) => setTimeout(r, 10));
      t.pipeline.flush();
      const api = await s.req(s.as.viewer, "GET", "/api/telemetry");
      expect(api.status).toBe(200);
      expect(api.json).toMatchObject({
        enabled: true,
        stats: { received: sent + 3, accepted: sent, judged: sent },
        detectors: [{ model: "tiny", asset: "plc-1" }],
      });
      expect(api.json.stats.dropped).toMatchObject({ "unknown-asset": 1, "unknown-model": 1, payload: 1, topic: 0 });
      const metrics = (
        await s.app.inject({ method: "GET", url: "/metrics", headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
      ).body;
      expect(metrics).toContain(`rampart_readings_total ${sent + 3}`);
      expect(metrics).toContain('rampart_readings_dropped_total{reason="unknown-asset"} 1');
      expect(metrics).toContain('rampart_readings_dropped_total{reason="unknown-model"} 1');
      for (let k = 0; k < 200 && (await s.store.listAlerts({ modelId: "tiny" })).length === 0; k++)
        await new Promise((r) => setTimeout(r, 10));
      const alerts = await s.store.listAlerts({ modelId: "tiny" });
      expect(alerts.length).toBeGreaterThan(0);
      expect(alerts.some((a) => a.assetId === "plc-1" && a.zone === "ot" && a.services.includes("water"))).toBe(true);
      const listed = await s.req(s.as.viewer, "GET", "/api/alerts?model=tiny");
      expect(listed.json.alerts[0].zone).toBe("ot");
    } finally {
      await t.close();
    }
  });
});
