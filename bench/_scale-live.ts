/**
 * Sections `ingest` and `replicas` of `npm run bench -- scale` (bench/scale.ts; `docs/scale.md`). Real
 * processes on this machine's 2 cores:
 *
 * - `scale.ingest.watchers-K` (K = 1, 2): readings/s judged and committed to PostgreSQL by K
 *   `detect watch --partitions 8` processes sharing a Mosquitto of the bench's own. The readings are queued
 *   in the broker first (the watchers paused with SIGSTOP once they hold their shares; leases long enough),
 *   then the watchers resume: the figure is readings / time from SIGCONT until the last one is stored, so
 *   the publisher's own cost is not in it. 64 assets x 4 signals, streaming detectors. With it, the CPU
 *   seconds the watchers and the broker spent meanwhile (from /proc; PostgreSQL's are the rest).
 * - `scale.api.replicas-K` (K = 1, 2): requests/s of `GET /api/alerts?limit=20` (a session check and a
 *   PostgreSQL read per request) against K `rampart serve` replicas on one PostgreSQL schema, autocannon
 *   in this process spreading 40 connections over the replicas.
 *
 * The load average is printed with each figure: other jobs share this machine.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import mqtt from "mqtt";
import pg from "pg";
import { partitionTopic } from "../src/detect/live/partition.ts";
import { freePort, pgSchema, startMosquitto, stopChild, waitFor } from "../test/scale/live-helpers.ts";

const BIN = join(import.meta.dirname, "..", "bin", "rampart");
const PARTS = 8;
const ASSETS = Array.from({ length: 64 }, (_, i) => `meter-${i + 1}`);
const SIGNALS = ["flow", "pressure", "level", "power"];
const ROWS = Number(process.env.SCALE_BENCH_ROWS ?? 400); // 64 x 4 x 400 = 102,400 readings

const load = () => loadavg().map((x) => Math.round(x * 10) / 10);

/** CPU seconds (user + system) used so far by these processes, from /proc (Linux, 100 ticks a second). */
function cpuOf(pids: number[]): number {
  let t = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      t += (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      // gone
    }
  }
  return t;
}

function cityYaml(): string {
  return `rampart: 1
city: { name: Benchtown, population: 1000 }
zones:
  - { id: ot, level: 1 }
assets:
${ASSETS.map((a) => `  - { id: ${a}, name: ${a}, kind: sensor, layer: ot, zone: ot }`).join("\n")}
services:
  - id: water
    name: Water
    sector: water
    population: 1000
    impact: { confidentiality: low, integrity: high, availability: high }
    requires: [ { asset: meter-1 } ]
`;
}

async function ingest(k: number, dir: string): Promise<void> {
  const broker = await startMosquitto();
  const db = await pgSchema("bench_prt");
  const client = new pg.Client({ connectionString: db.url });
  const procs: ChildProcess[] = [];
  try {
    const model = join(dir, "city.yaml");
    writeFileSync(model, cityYaml());
    for (let i = 0; i < k; i++) {
      const c = spawn(
        process.execPath,
        [
          BIN,
          "detect",
          "watch",
          model,
          "--broker",
          broker.url,
          "--partitions",
          String(PARTS),
          "--group",
          "bench",
        ].concat(["--lease-ms", "60000", "--checkpoint-ms", "60000", "--db", join(dir, `w${i}.sqlite`)]),
        { env: { ...process.env, DATABASE_URL: db.url }, stdio: "ignore" },
      );
      procs.push(c);
    }
    await waitFor("the watchers' shares", async () => {
      await client.connect().catch(() => {});
      const r = await client
        .query("SELECT COUNT(DISTINCT owner)::int AS o, COUNT(*)::int AS n FROM ingest_leases WHERE expires_at > 0")
        .catch(() => null);
      return r?.rows[0].o === k && r.rows[0].n === PARTS;
    });
    await new Promise((r) => setTimeout(r, 500));
    for (const c of procs) c.kill("SIGSTOP");
    const pub = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    const inflight = new Set<Promise<unknown>>();
    const t0 = 1.7e12;
    let n = 0;
    for (let i = 0; i < ROWS; i++)
      for (const a of ASSETS)
        for (const s of SIGNALS) {
          const p = pub.publishAsync(
            partitionTopic(PARTS, "b", a, s),
            `{"t":${t0 + i * 60_000},"v":${(i % 17) + (n++ % 5)}}`,
            {
              qos: 1,
            },
          );
          const q: Promise<unknown> = p.then((): void => {
            inflight.delete(q);
          });
          inflight.add(q);
          if (inflight.size >= 1000) await Promise.race(inflight);
        }
    await Promise.all(inflight);
    await pub.endAsync();
    const watchers = procs.map((c) => c.pid ?? 0);
    const cpu0 = cpuOf(watchers);
    const bcpu0 = cpuOf([broker.pid]);
    const start = performance.now();
    for (const c of procs) c.kill("SIGCONT");
    await waitFor(
      "every reading stored",
      async () => (await client.query("SELECT COUNT(*)::int AS n FROM ingest_readings")).rows[0].n >= n,
      600_000,
    );
    const ms = performance.now() - start;
    const watcherCpu = cpuOf(watchers) - cpu0;
    const brokerCpu = cpuOf([broker.pid]) - bcpu0;
    console.log(
      JSON.stringify({
        figure: `scale.ingest.watchers-${k}`,
        readings: n,
        ms: Math.round(ms),
        perSecond: Math.round(n / (ms / 1000)),
        partitions: PARTS,
        watcherCpuS: Math.round(watcherCpu * 100) / 100,
        readingsPerWatcherCpuS: Math.round(n / Math.max(watcherCpu, 0.01)),
        brokerCpuS: Math.round(brokerCpu * 100) / 100,
        load: load(),
      }),
    );
  } finally {
    for (const c of procs) {
      c.kill("SIGCONT");
      await stopChild(c);
    }
    await client.end().catch(() => {});
    await broker.stop();
    await db.drop();
  }
}

const PASSWORD = "bench-replica-Correct-Horse-7";

async function api(k: number, dir: string): Promise<void> {
  const db = await pgSchema("bench_rpl");
  const procs: { child: ChildProcess; base: string }[] = [];
  try {
    for (let i = 0; i < k; i++) {
      const port = await freePort();
      const lines: string[] = [];
      const child = spawn(process.execPath, [BIN, "serve", "--port", String(port), "--data", join(dir, `r${k}-${i}`)], {
        env: { ...process.env, DATABASE_URL: db.url, RAMPART_ADMIN_PASSWORD: PASSWORD, RAMPART_WEB: "off" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout?.on("data", (b) => lines.push(String(b)));
      procs.push({ child, base: `http://127.0.0.1:${port}` });
      await waitFor("replica", async () => lines.join("").includes("Rampart is serving"));
    }
    const login = await fetch(`${procs[0].base}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: PASSWORD }),
    });
    const cookie = String(login.headers.get("set-cookie")).split(";")[0];
    const results = await Promise.all(
      procs.map((p) =>
        autocannon({
          url: `${p.base}/api/alerts?limit=20`,
          connections: Math.round(40 / k),
          duration: 10,
          headers: { cookie },
        }),
      ),
    );
    const reqs = results.reduce((a, r) => a + r.requests.total, 0);
    const errors = results.reduce((a, r) => a + r.non2xx + r.errors, 0);
    console.log(
      JSON.stringify({
        figure: `scale.api.replicas-${k}`,
        requestsPerSecond: Math.round(reqs / 10),
        p99ms: Math.max(...results.map((r) => r.latency.p99)),
        errors,
        load: load(),
      }),
    );
  } finally {
    for (const p of procs) await stopChild(p.child);
    await db.drop();
  }
}

async function inTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "rampart-bench-scale-"));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `ingest`: 1 and 2 partitioned watch processes. */
export const ingestSection = {
  name: "ingest",
  run: () =>
    inTemp(async (dir) => {
      for (const k of [1, 2]) await ingest(k, dir);
    }),
};

/** `replicas`: 1 and 2 API replicas. */
export const replicasSection = {
  name: "replicas",
  run: () =>
    inTemp(async (dir) => {
      for (const k of [1, 2]) await api(k, dir);
    }),
};
