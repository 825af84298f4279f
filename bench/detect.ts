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
import { createServer as createNetServer } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseCsv } from "../src/detect/csv.ts";
import { Detector, train } from "../src/detect/engine.ts";
import { startWatch } from "../src/detect/io/watch.ts";
import { synthNetwork } from "../src/detect/synth.ts";
import { streamFor } from "../src/model/rng.ts";
import { reachable } from "../test/helpers/services.ts";

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

/**
 * Load generator (a separate process): a raw MQTT 3.1.1 client that writes QoS 1 PUBLISH packets in batches
 * with at most WINDOW unacknowledged (PUBACKs counted off the socket), so the publisher costs little CPU on a
 * 2-core machine and the figure measures the broker and the detector. Prints {sent, acked, ms}.
 */
const PUBLISHER = `
import { connect } from "node:net";
const [host, port, total, signals] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3]), Number(process.argv[4])];
const WINDOW = Number(process.env.PUB_WINDOW ?? 10000), BATCH = 500;
const s = connect(port, host); s.setNoDelay(true);
const id = Buffer.from("rampart-bench-pub");
const varh = Buffer.from([0, 4, 77, 81, 84, 84, 4, 2, 0, 60, 0, id.length]);
s.write(Buffer.concat([Buffer.from([0x10, varh.length + id.length]), varh, id]));
let connacked = false, acked = 0, sent = 0, i = 0, j = 0, pend = Buffer.alloc(0), t0 = 0;
function packet(mid) {
  const topic = Buffer.from("rampart/bench/a1/s" + j);
  const payload = Buffer.from('{"t":' + (1e12 + i * 3600000) + ',"v":' + ((i * 7 + j) % 100) / 10 + '}');
  const len = 2 + topic.length + 2 + payload.length;
  const head = len < 128 ? Buffer.from([0x32, len]) : Buffer.from([0x32, (len & 127) | 128, len >> 7]);
  const b = Buffer.concat([head, Buffer.from([topic.length >> 8, topic.length & 255]), topic, Buffer.from([mid >> 8, mid & 255]), payload]);
  if (++j === signals) { j = 0; i++; }
  return b;
}
function pump() {
  while (sent < total && sent - acked < WINDOW) {
    const n = Math.min(BATCH, total - sent, WINDOW - (sent - acked));
    const parts = [];
    for (let k = 0; k < n; k++) parts.push(packet((sent + k) % 65535 + 1));
    sent += n;
    if (!s.write(Buffer.concat(parts))) { s.once("drain", pump); return; }
  }
}
s.on("data", (d) => {
  let b = pend.length ? Buffer.concat([pend, d]) : d, o = 0;
  while (o + 2 <= b.length) {
    const len = b[o + 1];
    if (o + 2 + len > b.length) break;
    const type = b[o] >> 4;
    if (type === 2 && !connacked) { connacked = true; if (b[o + 3] !== 0) { console.error("connack refused"); process.exit(1); } t0 = performance.now(); pump(); }
    else if (type === 4) acked++;
    o += 2 + len;
  }
  pend = b.subarray(o);
  if (acked === total) {
    const cpu = process.cpuUsage();
    process.stdout.write(JSON.stringify({ sent, acked, ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 }) + "\\n");
    s.end(Buffer.from([0xe0, 0]));
  } else pump();
});
s.on("error", (e) => { console.error("publisher: " + e.message); process.exit(1); });
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

const MOSQUITTO = "/usr/sbin/mosquitto";

/**
 * Starts a private Mosquitto on a free 127.0.0.1 port with limits raised for bursts (its defaults, 20 in
 * flight and 1000 queued per client, drop QoS 1 bursts), no persistence. Returns null when not installed.
 */
async function startMosquitto(
  dir: string,
): Promise<{ url: string; port: number; cpuMs: () => number; stop: () => Promise<void> } | null> {
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
    port,
    cpuMs: () => {
      // utime + stime in clock ticks (fields 14 and 15 of /proc/<pid>/stat; 100 ticks/s on Linux)
      try {
        const f = readFileSync(`/proc/${child.pid}/stat`, "utf8");
        const rest = f.slice(f.lastIndexOf(")") + 2).split(" ");
        return (Number(rest[11]) + Number(rest[12])) * 10;
      } catch {
        return Number.NaN;
      }
    },
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
  const port = mosq ? mosq.port : h.value.port;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const child = spawn(
    process.execPath,
    ["--input-type=module", "-e", PUBLISHER, "127.0.0.1", String(port), String(total), String(signals)],
    {
      cwd: join(import.meta.dirname, ".."),
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
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
  const cpu = process.cpuUsage(cpu0);
  const brokerCpuMs = mosq ? mosq.cpuMs() : Number.NaN;
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
    acked: pub.acked,
    received: h.value.live.received,
    stored,
    lost: total - stored,
    publisher: "separate process",
    publishMs: Math.round(pub.ms),
    // CPU per message (µs) of each process: the machine is shared, so these show where the time goes
    cpuUsPerMsg: {
      detector: +((cpu.user + cpu.system) / stored || 0).toFixed(2),
      publisher: +((pub.cpuMs * 1000) / total || 0).toFixed(2),
      ...(mosq ? { mosquitto: +((brokerCpuMs * 1000) / total).toFixed(2) } : {}),
    },
    load1: +loadavg()[0].toFixed(2),
  });
}

export async function run(): Promise<void> {
  await benchReadings();
  await benchMqtt("aedes-embedded");
  await benchMqtt("mosquitto");
}

if (process.argv[1] && import.meta.filename === process.argv[1]) await run();
