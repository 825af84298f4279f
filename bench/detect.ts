/**
 * Detection benchmarks. One JSON line per figure:
 *  - detect.readings: readings/s through the trained multi-signal detector (43 signals, BATADAL-shaped;
 *    BATADAL dataset03 when the reference data is present, else synthetic), one core.
 *  - detect.mqtt: end to end over MQTT: a separate publisher process publishes QoS 1 messages, each reading is
 *    judged and stored in SQLite; reports msgs/s and loss. Two lines: through the embedded aedes broker
 *    (broker "aedes-embedded"), and through a private Mosquitto started on a free port with its own config
 *    (broker "mosquitto"; skipped with a note when /usr/sbin/mosquitto is absent).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createNetServer, connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCsv } from "../src/detect/csv.ts";
import { Detector, train } from "../src/detect/engine.ts";
import { startWatch } from "../src/detect/io/watch.ts";
import { synthNetwork } from "../src/detect/synth.ts";
import { streamFor } from "../src/model/rng.ts";

const BATADAL = join(import.meta.dirname, "..", "..", "shared", "data", "batadal", "BATADAL_dataset03.csv");

function emit(o: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...o, node: process.version })}\n`);
}

function batadalShaped(): { signals: string[]; wall: Float64Array; values: Float64Array; source: string } {
  if (existsSync(BATADAL)) {
    const r = parseCsv(readFileSync(BATADAL, "utf8"), BATADAL, { labelColumn: "ATT_FLAG" });
    if (r.ok) return { ...r.value, source: "batadal-dataset03" };
  }
  // 8 tanks x 5 + 3 pressures = 43 signals
  return { ...synthNetwork(streamFor(7), 8760, 8, 3), source: "synthetic" };
}

export async function benchReadings(): Promise<void> {
  const d = batadalShaped();
  const model = train(d.signals, [{ wall: d.wall, values: d.values }]);
  const m = d.signals.length;
  const n = d.wall.length;
  const det = new Detector(model);
  // warm up
  for (let i = 0; i < n; i++) det.step(d.wall[i], d.values.subarray(i * m, (i + 1) * m));
  let rows = 0;
  const t0 = performance.now();
  let el = 0;
  const step = 3_600_000 * n;
  for (let rep = 1; el < 3000; rep++) {
    for (let i = 0; i < n; i++) det.step(d.wall[i] + rep * step, d.values.subarray(i * m, (i + 1) * m));
    rows += n;
    el = performance.now() - t0;
  }
  emit({
    bench: "detect.readings",
    value: Math.round((rows * m) / (el / 1000)),
    unit: "readings/s",
    signals: m,
    rows,
    data: d.source,
  });
}

const PUBLISHER = `
import mqtt from "mqtt";
const [url, total, signals] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const c = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
const t0 = performance.now();
let sent = 0; const window = Number(process.env.PUB_WINDOW ?? 20000); let pending = [];
for (let i = 0; sent < total; i++) {
  for (let j = 0; j < signals && sent < total; j++, sent++) {
    pending.push(c.publishAsync("rampart/bench/a1/s" + j, '{"t":' + (1e12 + i * 3600000) + ',"v":' + ((i * 7 + j) % 100) / 10 + '}', { qos: 1 }));
  }
  if (pending.length >= window) { await Promise.all(pending); pending = []; }
}
await Promise.all(pending);
process.stdout.write(JSON.stringify({ sent, ms: performance.now() - t0 }) + "\\n");
await c.endAsync();
`;

/** A free TCP port on 127.0.0.1 (bind to 0, read it, release it). */
async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createNetServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address();
      const port = typeof a === "object" && a ? a.port : 0;
      srv.close(() => res(port));
    });
  });
}

async function reachable(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = netConnect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      res(true);
    });
    s.once("error", () => res(false));
  });
}

const MOSQUITTO = "/usr/sbin/mosquitto";

/**
 * Starts a private Mosquitto on a free 127.0.0.1 port with limits raised for bursts (its defaults, 20 in
 * flight and 1000 queued per client, drop QoS 1 bursts), no persistence. Returns null when not installed.
 */
async function startMosquitto(dir: string): Promise<{ url: string; stop: () => Promise<void> } | null> {
  if (!existsSync(MOSQUITTO)) return null;
  const port = await freePort();
  const conf = join(dir, "mosquitto.conf");
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      "allow_anonymous true",
      "persistence false",
      "max_inflight_messages 0",
      "max_queued_messages 0",
      "max_queued_bytes 0",
      "log_dest none",
      "",
    ].join("\n"),
  );
  const child = spawn(MOSQUITTO, ["-c", conf], { stdio: ["ignore", "ignore", "inherit"] });
  for (let k = 0; k < 200 && !(await reachable(port)); k++) await new Promise((r) => setTimeout(r, 25));
  if (!(await reachable(port))) {
    child.kill("SIGTERM");
    return null;
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((r) => {
        if (child.exitCode !== null) return r();
        child.once("exit", () => r());
        child.kill("SIGTERM");
      }),
  };
}

export async function benchMqtt(
  broker: "aedes-embedded" | "mosquitto",
  total = Number(process.env.MQTT_MSGS ?? 300_000),
  signals = 43,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "rampart-detect-bench-"));
  // the asset gets a trained 43-signal detector, so rows are assembled and judged as in production
  const syn = synthNetwork(streamFor(3), 2000, 8, 3);
  const model = train(
    Array.from({ length: signals }, (_, j) => `s${j}`),
    [{ wall: syn.wall, values: syn.values }],
  );
  const mosq = broker === "mosquitto" ? await startMosquitto(dir) : null;
  if (broker === "mosquitto" && !mosq) {
    process.stderr.write(`detect.mqtt: ${MOSQUITTO} not available; mosquitto figure skipped\n`);
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  const h = await startWatch({
    db: join(dir, "alerts.sqlite"),
    port: 0,
    broker: mosq?.url,
    storeReadings: !process.env.NOSTORE,
    models: new Map([["a1", model]]),
    clock: () => 0,
  });
  if (!h.ok) throw new Error(h.issues.map((i) => i.message).join("; "));
  const url = mosq ? mosq.url : `mqtt://127.0.0.1:${h.value.port}`;
  const t0 = performance.now();
  const child = spawn(process.execPath, ["--input-type=module", "-e", PUBLISHER, url, String(total), String(signals)], {
    cwd: join(import.meta.dirname, ".."),
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (c) => {
    out += c;
  });
  await new Promise<void>((r) => child.on("exit", () => r()));
  // wait until every message is judged and stored (the last row is judged at flush); stop waiting when
  // nothing has arrived for 2 s (lost messages never arrive)
  let last = h.value.live.received;
  let lastAt = performance.now();
  while (h.value.live.received < total && performance.now() - lastAt < 2000) {
    await new Promise((r) => setTimeout(r, 2));
    if (h.value.live.received !== last) {
      last = h.value.live.received;
      lastAt = performance.now();
    }
  }
  h.value.live.flush();
  const el = performance.now() - t0;
  const stored = h.value.live.store.readingsStored;
  const pub = out ? JSON.parse(out) : { sent: 0, ms: 0 };
  await h.value.close();
  if (mosq) await mosq.stop();
  rmSync(dir, { recursive: true, force: true });
  emit({
    bench: "detect.mqtt",
    value: Math.round(stored / (el / 1000)),
    unit: "msgs/s",
    broker,
    qos: 1,
    published: pub.sent,
    received: h.value.live.received,
    stored,
    lost: total - stored,
    publisher: "separate process",
    publishMs: Math.round(pub.ms),
  });
}

export async function run(): Promise<void> {
  await benchReadings();
  await benchMqtt("aedes-embedded");
  await benchMqtt("mosquitto");
}

if (process.argv[1] && import.meta.filename === process.argv[1]) await run();
