/** `detect replay`: publishes a CSV to MQTT (QoS 1) at a chosen speed. */
import mqtt from "mqtt";
import type { Table } from "../csv.ts";
import type { Result } from "../errors.ts";

export async function replayTable(
  t: Table,
  o: { broker: string; site: string; asset: string; speed: number; batch?: number },
): Promise<Result<{ messages: number }>> {
  let client: mqtt.MqttClient;
  try {
    client = await mqtt.connectAsync(o.broker, { reconnectPeriod: 0, connectTimeout: 5000 });
  } catch (e) {
    return {
      ok: false,
      issues: [{ code: "MQTT_CONNECT", message: `cannot connect: ${(e as Error).message}`, path: o.broker }],
    };
  }
  const m = t.signals.length;
  const n = t.epoch.length;
  const topics = t.signals.map((s) => `rampart/${o.site}/${o.asset}/${s.replace(/[^A-Za-z0-9_.:-]/g, "_")}`);
  const start = performance.now();
  let messages = 0;
  const inflight: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    if (o.speed > 0 && i > 0) {
      const due = (t.epoch[i] - t.epoch[0]) / o.speed;
      const wait = due - (performance.now() - start);
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    }
    const tt = t.epoch[i];
    for (let j = 0; j < m; j++) {
      const v = t.values[i * m + j];
      if (!Number.isFinite(v)) continue;
      inflight.push(client.publishAsync(topics[j], `{"t":${tt},"v":${v}}`, { qos: 1 }));
      messages++;
    }
    if (inflight.length >= (o.batch ?? 2000)) {
      await Promise.all(inflight);
      inflight.length = 0;
    }
  }
  await Promise.all(inflight);
  await client.endAsync();
  return { ok: true, value: { messages } };
}
