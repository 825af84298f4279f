/**
 * Telemetry in: readings over MQTT (an embedded broker with --mqtt-port, or an existing one at MQTT_URL),
 * topic `rampart/<model>/<asset>/<signal>`, payload a number or `{"t": time, "v": n}`. Readings go through
 * the live pipeline that `detect watch` uses ([LIV-1]); its alerts are stored and pushed through the alert
 * hub with the asset's zone and services at risk ([LIV-3]). Trained detectors are files in the data folder's
 * `detectors/`, `<model>.<asset>.json`, checked at start ([LIV-5]). A reading for a model or asset the store
 * does not have is dropped and counted ([LIV-2]); the counts are on /metrics, GET /api/telemetry and the
 * Monitoring page ([LIV-4]). Readings themselves are never stored or logged.
 */
import { existsSync, readdirSync } from "node:fs";
import { createServer, type Server as NetServer } from "node:net";
import { join } from "node:path";
import type { TelemetryStatus } from "../contracts/alerts.ts";
import type { DetectorModel } from "../detect/engine.ts";
import type { AlertHub } from "./alerts.ts";
import { type DetectEngine, DROP_REASONS, type Engines, formatStats, type LivePipeline } from "./engines.ts";
import type { Metrics } from "./metrics.ts";
import type { Models } from "./models.ts";

export type Telemetry = { port?: number; status(): TelemetryStatus; pipeline: LivePipeline; close(): Promise<void> };

/** A refusal at start: the message names the file and what is wrong. */
export class TelemetryError extends Error {}

/** Reads `<dir>/<model>.<asset>.json`; every file must name a stored model and one of its assets. */
export async function loadServerDetectors(
  dir: string,
  detect: DetectEngine,
  models: Models,
): Promise<{ detectors: Map<string, DetectorModel>; list: { model: string; asset: string }[] }> {
  const detectors = new Map<string, DetectorModel>();
  const list: { model: string; asset: string }[] = [];
  if (!existsSync(dir)) return { detectors, list };
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith(".json")) continue;
    const file = join(dir, f);
    const m = /^([a-z0-9][a-z0-9-]*)\.([a-z0-9][a-z0-9-]*)\.json$/.exec(f);
    if (!m) throw new TelemetryError(`${file}: expected a file name <model>.<asset>.json`);
    const [, model, asset] = m;
    let places: ReturnType<DetectEngine["places"]>;
    try {
      places = detect.places((await models.load(model, "latest")).model);
    } catch {
      throw new TelemetryError(`${file}: the store has no model "${model}"`);
    }
    if (detect.unknownAssets(places, [asset]).length)
      throw new TelemetryError(`${file}: model "${model}" has no asset "${asset}"`);
    const d = detect.readDetector(file);
    if (!d.ok) throw new TelemetryError(`${file}: ${d.issues[0]?.message ?? "not a detector"}`);
    detectors.set(`${model}/${asset}`, d.value);
    list.push({ model, asset });
  }
  return { detectors, list };
}

export async function startTelemetry(o: {
  engines: Engines;
  hub: AlertHub;
  models: Models;
  metrics: Metrics;
  /** Folder of trained detectors (`<data>/detectors`). */
  detectorsDir?: string;
  mqttPort?: number;
  mqttUrl?: string;
  print: (s: string) => void;
}): Promise<Telemetry | undefined> {
  if (o.mqttPort === undefined && !o.mqttUrl) return undefined;
  const detect = o.engines.detect;
  if (!detect) {
    o.print("telemetry: the detection engine is not available; MQTT readings are not ingested");
    return undefined;
  }
  const trained = o.detectorsDir
    ? await loadServerDetectors(o.detectorsDir, detect, o.models)
    : { detectors: new Map(), list: [] };

  // the catalog: model id (the topic's site) -> its assets' places, refreshed when an unknown site shows up
  // (a model imported since) and every 30 s (new versions)
  const places = new Map<string, ReturnType<DetectEngine["places"]>>();
  const versions = new Map<string, number>();
  let refreshing: Promise<void> | null = null;
  let lastRefresh = 0;
  const refresh = () => {
    refreshing ??= (async () => {
      let changed = false;
      try {
        const list = await o.models.store.listModels();
        for (const m of list) {
          if (versions.get(m.id) === m.latestVersion) continue;
          const l = await o.models.load(m.id, m.latestVersion);
          places.set(m.id, detect.places(l.model));
          versions.set(m.id, m.latestVersion);
          changed = true;
        }
        for (const id of [...places.keys()])
          if (!list.some((m) => m.id === id)) {
            places.delete(id);
            versions.delete(id);
            changed = true;
          }
      } catch {
        // the store did not answer: keep the catalog as it was and try again later
      }
      if (changed) pipeline.forget();
      lastRefresh = performance.now();
      refreshing = null;
    })();
    return refreshing;
  };

  let alertsFailed = 0;
  let chain = Promise.resolve();
  const pipeline = detect.pipeline({
    detectors: trained.detectors,
    now: () => Date.now(),
    catalog: (site, asset) => {
      const p = places.get(site);
      if (!p) {
        if (performance.now() - lastRefresh > 2000) void refresh();
        return "unknown-model";
      }
      return p.get(asset) ?? "unknown-asset";
    },
    sink: {
      // readings are judged, not stored on the server; alerts are stored in arrival order
      verdict() {},
      alert(a) {
        const stored = detect.toStored(a, "mqtt", a.site);
        chain = chain.then(() =>
          o.hub.publish(stored).then(
            () => {},
            () => {
              alertsFailed++;
            },
          ),
        );
      },
    },
  });
  await refresh();
  const timer = setInterval(() => void refresh(), 30_000);
  timer.unref();

  const status = (): TelemetryStatus => ({
    enabled: true,
    stats: pipeline.stats(),
    alertsFailed,
    detectors: trained.list,
  });
  o.metrics.gauge("rampart_readings_total", "Telemetry readings received.", () => pipeline.received);
  o.metrics.gauge("rampart_readings_judged_total", "Telemetry readings judged by a detector.", () => pipeline.judged);
  o.metrics.labelled("rampart_readings_dropped_total", "Telemetry readings dropped, by reason.", "reason", () =>
    Object.fromEntries(DROP_REASONS.map((r) => [r, pipeline.dropped[r]])),
  );
  o.hub.telemetry = status;

  const closers: (() => Promise<void>)[] = [];
  let port: number | undefined;
  let url = o.mqttUrl;
  if (o.mqttPort !== undefined) {
    const { Aedes } = await import("aedes");
    const broker = await Aedes.createBroker();
    const net: NetServer = createServer(broker.handle as never);
    await new Promise<void>((res) => net.listen(o.mqttPort, "127.0.0.1", res));
    const a = net.address();
    port = typeof a === "object" && a ? a.port : o.mqttPort;
    url = `mqtt://127.0.0.1:${port}`;
    closers.push(() => new Promise<void>((res) => broker.close(() => net.close(() => res()))));
  }
  const mqtt = await import("mqtt");
  const client = await mqtt.connectAsync(url as string, {
    clientId: `rampart-server-${process.pid}`,
    reconnectPeriod: 2000,
  });
  await client.subscribeAsync("rampart/+/+/+", { qos: 1 });
  client.on("message", (topic, payload) => {
    // a payload over 4 KiB is no reading: counted as a bad payload without being read
    pipeline.message(topic, payload.length > 4096 ? "" : payload);
  });
  closers.unshift(async () => {
    clearInterval(timer);
    await client.endAsync();
    pipeline.flush();
    await chain;
  });
  o.print(
    `telemetry: MQTT ${port ? `broker on port ${port}` : "client"}, topic rampart/<model>/<asset>/<signal>` +
      (trained.list.length
        ? `; trained detectors: ${trained.list.map((d) => `${d.model}/${d.asset}`).join(", ")}`
        : ""),
  );
  return {
    port,
    status,
    pipeline,
    async close() {
      for (const c of closers) await c();
      o.hub.telemetry = undefined;
      const s = pipeline.stats();
      if (s.received) console.log(`telemetry: readings ${formatStats(s)}`);
    },
  };
}
