import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterAll, describe, expect, test } from "vitest";
import { train } from "../../src/detect/engine.ts";
import { parsePayload, parseTopic } from "../../src/detect/ingest.ts";
import { startWatch } from "../../src/detect/io/watch.ts";
import { synthNetwork } from "../../src/detect/synth.ts";
import { streamFor } from "../../src/model/rng.ts";
import { mosquittoPresent } from "../helpers/services.ts";

const dir = mkdtempSync(join(tmpdir(), "rampart-detect-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("live ingestion", () => {
  test("[DET-M1] topics and payloads: errors name the topic", () => {
    expect(parseTopic("rampart/north/pump-7/F_PU1")).toEqual({ site: "north", asset: "pump-7", signal: "F_PU1" });
    expect(parseTopic("city/x")).toMatchObject({ code: "MQTT_TOPIC", topic: "city/x" });
    expect(parsePayload("12.5", "t")).toEqual({ t: Number.NaN, v: 12.5 });
    expect(parsePayload('{"t":"2020-01-01T00:00:00Z","v":3}', "t")).toEqual({ t: Date.UTC(2020, 0, 1), v: 3 });
    expect(parsePayload('{"v":"x"}', "rampart/a/b/c")).toMatchObject({ code: "MQTT_PAYLOAD", topic: "rampart/a/b/c" });
  });

  test("[DET-M2] MQTT round trip through the embedded broker: QoS 1 readings judged, stored, alert raised", async () => {
    const syn = synthNetwork(streamFor(5), 24 * 7 * 6 + 48, 2, 1);
    const m = syn.signals.length;
    const trainRows = 24 * 7 * 6;
    const model = train(syn.signals, [
      { wall: syn.wall.slice(0, trainRows), values: syn.values.slice(0, trainRows * m) },
    ]);
    const alerts: string[] = [];
    const issues: string[] = [];
    const h = await startWatch({
      db: join(dir, "a.sqlite"),
      port: 0,
      httpPort: 0,
      models: new Map([["tank-1", model]]),
      catalog: (_site, id) =>
        id === "tank-1"
          ? { zone: "z-water", services: ["svc-water"] }
          : id === "meter-2"
            ? { zone: null, services: [] }
            : "unknown-asset",
      clock: () => 0,
      onAlert: (line) => alerts.push(line),
      onDrop: (reason, i) => issues.push(`${reason} ${i.code} ${i.topic}`),
    });
    expect(h.ok).toBe(true);
    if (!h.ok) return;
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${h.value.port}`, { reconnectPeriod: 0 });
    let sent = 0;
    for (let i = trainRows; i < trainRows + 48; i++) {
      for (let j = 0; j < m; j++) {
        let v = syn.values[i * m + j];
        if (i === trainRows + 10 && syn.signals[j] === "P_J1") v += 50; // a spike
        await c.publishAsync(`rampart/north/tank-1/${syn.signals[j]}`, JSON.stringify({ t: syn.wall[i], v }), {
          qos: 1,
        });
        sent++;
      }
    }
    await c.publishAsync("rampart/north/tank-1", "1", { qos: 1 });
    await c.endAsync();
    for (let k = 0; k < 200 && h.value.live.received < sent + 1; k++) await new Promise((r) => setTimeout(r, 10));
    // HTTP NDJSON bulk ingestion on the same service
    const res = await fetch(`http://127.0.0.1:${h.value.httpPort}/ingest`, {
      method: "POST",
      body: '{"site":"north","asset":"meter-2","signal":"flow","t":1,"v":3}\n{"topic":"bad","v":1}\n',
    });
    const body = (await res.json()) as { accepted: number; issues: { line: number; code: string }[] };
    expect(body.accepted).toBe(1);
    expect(body.issues[0]).toMatchObject({ line: 2, code: "MQTT_TOPIC" });
    h.value.live.flush();
    expect(h.value.live.store.count("readings")).toBe(sent + 1);
    expect(issues).toEqual(["topic MQTT_TOPIC rampart/north/tank-1", "topic MQTT_TOPIC bad"]);
    const st = h.value.live.stats();
    expect(st).toMatchObject({ received: sent + 3, accepted: sent + 1, judged: sent + 1, alerts: expect.any(Number) });
    expect(st.dropped).toEqual({ topic: 2, payload: 0, "unknown-model": 0, "unknown-asset": 0, sink: 0, duplicate: 0 });
    expect(
      alerts.some(
        (a) =>
          a.includes("asset=tank-1") && a.includes("zone=z-water") && a.includes("svc-water") && a.includes("P_J1"),
      ),
    ).toBe(true);
    expect(h.value.live.store.count("alerts")).toBeGreaterThan(0);
    await h.value.close();
  });
});

const mosquitto = await mosquittoPresent();
describe.skipIf(!mosquitto)(
  "external broker (Mosquitto on 127.0.0.1:1883; runs when CI=true, else skipped if unreachable)",
  () => {
    test("[DET-M3] watch subscribes to an external broker and judges QoS 1 readings", async () => {
      const h = await startWatch({
        db: join(dir, "b.sqlite"),
        port: 0,
        broker: "mqtt://127.0.0.1:1883",
        clock: () => 0,
      });
      expect(h.ok).toBe(true);
      if (!h.ok) return;
      const c = await mqtt.connectAsync("mqtt://127.0.0.1:1883", { reconnectPeriod: 0 });
      const site = `t${process.pid}`;
      for (let i = 0; i < 50; i++)
        await c.publishAsync(`rampart/${site}/m-1/flow`, JSON.stringify({ t: i * 60_000, v: i % 5 }), { qos: 1 });
      await c.endAsync();
      for (let k = 0; k < 300 && h.value.live.judged < 50; k++) await new Promise((r) => setTimeout(r, 10));
      expect(h.value.live.judged).toBe(50);
      await h.value.close();
    });
  },
);
