/**
 * Telemetry in: readings over MQTT (an embedded broker with --mqtt-port, or an existing one at MQTT_URL),
 * topic `rampart/<model>/<asset>/<signal>`, payload a number or `{"t": time, "v": n}` (the detection
 * engine's format). Readings go to
 * the detection engine; its detections become alerts tied to the asset and the services at risk. Without
 * a detection engine nothing is ingested (no alert is invented). Readings are never logged.
 */
import { createServer, type Server as NetServer } from "node:net";
import type { CityModel } from "../model/model.ts";
import type { Store } from "../store/types.ts";
import type { AlertHub } from "./alerts.ts";
import type { Detection, Engines } from "./engines.ts";
import type { Models } from "./models.ts";

export type Telemetry = { port?: number; close(): Promise<void> };

/** Services whose level can depend on a node (transitively through requirements), the node itself if a service. */
export function servicesAtRisk(model: CityModel, id: string): string[] {
  const usedBy = new Map<string, string[]>();
  const add = (owner: string, reqs: { members: string[] }[]) => {
    for (const r of reqs) for (const m of r.members) usedBy.set(m, [...(usedBy.get(m) ?? []), owner]);
  };
  for (const a of model.assets) add(a.id, a.requires);
  for (const s of model.services) add(s.id, s.requires);
  const services = new Set(model.services.map((s) => s.id as string));
  const seen = new Set<string>([id]);
  const stack = [id];
  while (stack.length) {
    const n = stack.pop() as string;
    for (const o of usedBy.get(n) ?? []) {
      if (!seen.has(o)) {
        seen.add(o);
        stack.push(o);
      }
    }
  }
  return [...seen].filter((x) => services.has(x)).sort();
}

export async function startTelemetry(o: {
  engines: Engines;
  hub: AlertHub;
  models: Models;
  store: Store;
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
  const detector = detect.create();
  const modelCache = new Map<string, CityModel | null>();
  const modelOf = async (site: string) => {
    if (!modelCache.has(site)) {
      try {
        modelCache.set(site, (await o.models.load(site, "latest")).model);
      } catch {
        modelCache.set(site, null);
      }
      setTimeout(() => modelCache.delete(site), 60_000).unref();
    }
    return modelCache.get(site) ?? null;
  };
  let readings = 0;
  let refused = 0;
  let chain = Promise.resolve();
  client.on("message", (topic, payload) => {
    const r = detect.parse(topic, payload.toString("utf8", 0, Math.min(payload.length, 4096)));
    if (typeof r === "string") {
      refused++;
      return;
    }
    readings++;
    if (Number.isNaN(r.t)) r.t = Date.now();
    let found: Detection[];
    try {
      found = detector.push(r);
    } catch {
      refused++;
      return;
    }
    if (found.length === 0) return;
    // alerts are stored in arrival order
    chain = chain.then(async () => {
      const model = await modelOf(r.site);
      for (const x of found) {
        const known = !!model && !!x.assetId && model.assets.some((a) => a.id === x.assetId);
        await o.hub
          .publish({
            at: x.at,
            source: "mqtt",
            modelId: model ? r.site : null,
            assetId: x.assetId,
            signal: x.signal,
            severity: x.severity,
            score: x.score,
            message: x.message,
            services: known && model && x.assetId ? servicesAtRisk(model, x.assetId) : [],
          })
          .catch(() => {
            refused++;
          });
      }
    });
  });
  closers.unshift(async () => {
    await client.endAsync();
  });
  o.print(`telemetry: MQTT ${port ? `broker on port ${port}` : "client"}, topic rampart/<model>/<asset>/<signal>`);
  return {
    port,
    async close() {
      for (const c of closers) await c();
      if (readings || refused) console.log(`telemetry: ${readings} readings, ${refused} refused`);
    },
  };
}
