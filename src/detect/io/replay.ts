/**
 * `detect replay`: publishes a CSV to MQTT (QoS 1) at a chosen speed, paced by the broker ([LIV-6]): at most
 * `inflight` messages are unacknowledged at once (default 20, Mosquitto's default per-client window, and
 * never more than the Receive Maximum the broker announces over MQTT 5), so a burst can never outrun what
 * the broker accepts, and the time the broker takes to acknowledge slows the replay down.
 *
 * A broker acknowledges a message when it has it, not when every subscriber has it: a subscriber that falls
 * behind fills its queue at the broker (Mosquitto keeps 1000 by default, then drops). So the replay also
 * follows the watchers it finds on the broker (`detect watch --broker` publishes its received count on
 * `rampart-status/<client>`): it keeps at most `lead` messages (default 500) ahead of the slowest one that
 * was there when it started, until that watcher goes quiet for 15 s.
 */
import mqtt from "mqtt";
import type { Table } from "../csv.ts";
import type { Result } from "../errors.ts";

export type ReplayResult = { messages: number; acked: number; window: number; ms: number; watchers: number };

const STATUS = "rampart-status/";

export async function replayTable(
  t: Table,
  o: { broker: string; site: string; asset: string; speed: number; inflight?: number; lead?: number },
): Promise<Result<ReplayResult>> {
  let client: mqtt.MqttClient;
  let receiveMaximum = 65535;
  try {
    client = mqtt.connect(o.broker, { reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 5 });
    await new Promise<void>((resolve, reject) => {
      client.once("connect", (connack) => {
        receiveMaximum = connack.properties?.receiveMaximum ?? receiveMaximum;
        resolve();
      });
      client.once("error", reject);
      client.once("close", () => reject(new Error("the broker closed the connection")));
    });
  } catch (e) {
    return {
      ok: false,
      issues: [{ code: "MQTT_CONNECT", message: `cannot connect: ${(e as Error).message}`, path: o.broker }],
    };
  }
  const window = Math.max(1, Math.min(o.inflight ?? 20, receiveMaximum));
  let messages = 0;
  let acked = 0;
  let failed: Error | null = null;
  let open = 0;
  let wake: (() => void) | null = null;
  let following = false;
  // watchers: client -> received at start, latest received, when last heard
  const watchers = new Map<string, { base: number; now: number; at: number }>();
  client.on("message", (topic, payload) => {
    const m = /^\{"received":(\d+)\}$/.exec(payload.toString("utf8", 0, 64));
    if (!m || !topic.startsWith(STATUS)) return;
    const id = topic.slice(STATUS.length);
    const w = watchers.get(id);
    if (w) {
      w.now = Number(m[1]);
      w.at = performance.now();
    } else if (!following) watchers.set(id, { base: Number(m[1]), now: Number(m[1]), at: performance.now() });
    const f = wake;
    wake = null;
    f?.();
  });
  await client.subscribeAsync(`${STATUS}+`, { qos: 0 });
  // every watcher speaks at least twice a second: listen that long, then follow those that spoke
  await new Promise((r) => setTimeout(r, 700));
  following = true;
  const lead = o.lead ?? 500;
  /** How far the slowest live watcher is behind what was published (0 without watchers). */
  const behind = () => {
    let worst = 0;
    const now = performance.now();
    for (const [id, w] of watchers) {
      if (now - w.at > 15_000) {
        watchers.delete(id);
        continue;
      }
      worst = Math.max(worst, messages - (w.now - w.base));
    }
    return worst;
  };
  const m = t.signals.length;
  const n = t.epoch.length;
  const topics = t.signals.map((s) => `rampart/${o.site}/${o.asset}/${s.replace(/[^A-Za-z0-9_.:-]/g, "_")}`);
  const start = performance.now();
  const done = (err?: Error) => {
    open--;
    if (err) failed ??= err;
    else acked++;
    const w = wake;
    wake = null;
    w?.();
  };
  for (let i = 0; i < n && !failed; i++) {
    if (o.speed > 0 && i > 0) {
      const due = (t.epoch[i] - t.epoch[0]) / o.speed;
      const wait = due - (performance.now() - start);
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    }
    const tt = t.epoch[i];
    for (let j = 0; j < m && !failed; j++) {
      const v = t.values[i * m + j];
      if (!Number.isFinite(v)) continue;
      while (open >= window || (watchers.size > 0 && behind() >= lead))
        await new Promise<void>((r) => {
          wake = r;
          // a status may never come (the watcher stopped): look again in a while
          setTimeout(() => {
            if (wake === r) {
              wake = null;
              r();
            }
          }, 50);
        });
      open++;
      messages++;
      client.publish(topics[j], `{"t":${tt},"v":${v}}`, { qos: 1 }, (err) => done(err ?? undefined));
    }
  }
  while (open > 0) await new Promise<void>((r) => (wake = r));
  await client.endAsync();
  const err = failed as Error | null; // set by the acknowledgement callbacks
  if (err)
    return {
      ok: false,
      issues: [
        {
          code: "MQTT_PUBLISH",
          message: `publish failed after ${acked} acknowledged: ${err.message}`,
          path: o.broker,
        },
      ],
    };
  return {
    ok: true,
    value: { messages, acked, window, ms: Math.round(performance.now() - start), watchers: watchers.size },
  };
}
