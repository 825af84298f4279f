/**
 * Partitioned ingestion with real processes ([PRT-1]..[PRT-5]): two `rampart detect watch --partitions`
 * processes share a Mosquitto of the test's own through PostgreSQL; one is killed (SIGKILL) mid-stream;
 * every acknowledged reading is then judged exactly once, in per-asset order, with the scores one
 * uninterrupted pipeline gives (the detectors' state went over with the partitions).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { fairShare, partitionOf, partitionTopic, unpartition } from "../../src/detect/live/partition.ts";
import { LivePipeline } from "../../src/detect/live/pipeline.ts";
import { streamFor } from "../../src/model/rng.ts";
import { CI, pgReachable, pgSchema, startMosquitto, stopChild, waitFor } from "./live-helpers.ts";

const BIN = join(import.meta.dirname, "..", "..", "bin", "rampart");
const services = CI || ((await pgReachable()) && spawnSync("mosquitto", ["-h"]).error === undefined);

const ASSETS = Array.from({ length: 8 }, (_, i) => `pump-${i + 1}`);
const SIGNALS = ["flow", "pressure"];
const CITY = `rampart: 1
city: { name: Parttown, population: 1000 }
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
    requires: [ { asset: pump-1 } ]
`;

describe("partitions (pure)", () => {
  test("[PRT-1] an asset always maps to one partition; topics carry it and a wrong one is refused", () => {
    for (const n of [1, 2, 7, 64]) {
      for (const a of ASSETS) {
        const p = partitionOf("s1", a, n);
        expect(p).toBe(partitionOf("s1", a, n));
        expect(p >= 0 && p < n).toBe(true);
        const topic = partitionTopic(n, "s1", a, "flow");
        expect(unpartition(topic, p, n)).toBe(`rampart/s1/${a}/flow`);
        if (n > 1)
          expect(typeof unpartition(topic.replace(`/${p}/`, `/${(p + 1) % n}/`), (p + 1) % n, n)).toBe("object");
      }
    }
    // spread: 1000 assets over 8 partitions, none empty
    const counts = new Array(8).fill(0);
    for (let i = 0; i < 1000; i++) counts[partitionOf("s", `a-${i}`, 8)]++;
    expect(Math.min(...counts)).toBeGreaterThan(60);
  });

  test("[PRT-2] fair shares add up to the partition count whoever counts", () => {
    const rng = streamFor(5);
    for (let k = 0; k < 200; k++) {
      const n = 1 + rng.int(40);
      const members = Array.from({ length: 1 + rng.int(6) }, (_, i) => `m${rng.int(1000)}-${i}`);
      const total = members.reduce((a, m) => a + fairShare(n, members, m), 0);
      expect(total).toBe(n);
    }
  });
});

describe.skipIf(!services)("two watch processes, one killed (PostgreSQL and a Mosquitto of the test's own)", () => {
  const dir = mkdtempSync(join(tmpdir(), "rampart-prt-"));
  const model = join(dir, "city.yaml");
  writeFileSync(model, CITY);
  let broker: Awaited<ReturnType<typeof startMosquitto>>;
  let db: Awaited<ReturnType<typeof pgSchema>>;
  const procs: ChildProcess[] = [];
  const logs: string[] = [];
  const group = `g${process.pid}`;
  const PARTS = 4;

  const watcher = (name: string) => {
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
        group,
        "--lease-ms",
        "2000",
        "--checkpoint-ms",
        "60000",
        "--train-rows",
        "20",
        "--db",
        join(dir, `${name}.sqlite`),
      ],
      { env: { ...process.env, DATABASE_URL: db.url }, stdio: ["ignore", "pipe", "pipe"] },
    );
    c.stderr?.on("data", (b) => logs.push(`${name}: ${b}`));
    c.stdout?.on("data", () => {});
    procs.push(c);
    return c;
  };

  beforeAll(async () => {
    broker = await startMosquitto();
    db = await pgSchema("scale_prt");
  });
  afterAll(async () => {
    for (const c of procs) await stopChild(c);
    await broker?.stop();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("[PRT-3] [PRT-4] [PRT-5] after a SIGKILL every acknowledged reading is judged once, in order, as one process would", async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const a = watcher("a");
      // the first takes every partition; the second joins and gets its share handed over
      await waitFor("watcher a", async () => {
        if (a.exitCode !== null) throw new Error(`watcher a exited ${a.exitCode}`);
        const r = await client
          .query("SELECT COUNT(*)::int AS n FROM ingest_leases WHERE expires_at > 0")
          .catch(() => ({ rows: [{ n: 0 }] }));
        return r.rows[0].n === PARTS;
      });
      // publish: per asset and signal, readings in time order; QoS 1, a window of 100 unacknowledged
      const pub = await mqtt.connectAsync(broker.url, { clean: true, reconnectPeriod: 0 });
      const rng = streamFor(11);
      const readings: { asset: string; signal: string; t: number; v: number }[] = [];
      const ROWS = 240;
      for (let i = 0; i < ROWS; i++)
        for (const asset of ASSETS)
          for (const signal of SIGNALS) {
            const base = signal === "flow" ? 50 : 3;
            const spike = i === 150 && asset === "pump-3" ? 40 : 0;
            readings.push({
              asset,
              signal,
              t: 1.7e12 + i * 60_000,
              v: base + Math.sin(i / 7) * 5 + rng.next() + spike,
            });
          }
      let acked = 0;
      const publish = async (from: number, to: number) => {
        const inflight = new Set<Promise<unknown>>();
        for (let k = from; k < to; k++) {
          const r = readings[k];
          const pr = pub
            .publishAsync(partitionTopic(PARTS, "s1", r.asset, r.signal), `{"t":${r.t},"v":${r.v}}`, { qos: 1 })
            .then(() => {
              acked++;
              inflight.delete(pr);
            });
          inflight.add(pr);
          if (inflight.size >= 100) await Promise.race(inflight);
        }
        await Promise.all(inflight);
      };
      const stored = async (parts?: number[]) =>
        (
          await client.query(
            `SELECT COUNT(*)::int AS n FROM ingest_readings${parts ? " WHERE part = ANY($1::int[])" : ""}`,
            parts ? [parts] : [],
          )
        ).rows[0].n as number;
      const third = Math.floor(readings.length / 3);
      // a judges the first third alone
      await publish(0, third);
      await waitFor("a judging the first third", async () => (await stored()) >= third);
      // b joins: a hands half of the partitions over with their detectors' state (checkpoint on release)
      watcher("b");
      await waitFor("both watchers holding partitions", async () => {
        const r = await client.query(
          "SELECT COUNT(DISTINCT owner)::int AS owners, COUNT(*)::int AS n FROM ingest_leases WHERE expires_at > (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint",
        );
        return r.rows[0].owners === 2 && r.rows[0].n === PARTS;
      });
      const before = new Map(
        (await client.query("SELECT part, owner FROM ingest_leases")).rows.map((r) => [Number(r.part), r.owner]),
      );
      const partsOfA = [...before].filter(([, o]) => o.includes(`-${a.pid}-`)).map(([p]) => p);
      expect(partsOfA.length).toBeGreaterThan(0);
      expect(partsOfA.length).toBeLessThan(PARTS);
      // the second third, then a is killed while the last third is on its way: its partitions are taken
      // over from their last checkpoint (none since start here: every verdict is replayed)
      const aHad = await stored(partsOfA);
      await publish(third, 2 * third);
      await waitFor("a's commits of the second third", async () => (await stored(partsOfA)) > aHad);
      const last = publish(2 * third, readings.length);
      await new Promise((r) => setTimeout(r, 50));
      a.kill("SIGKILL");
      await last;
      await pub.endAsync();
      expect(acked).toBe(readings.length);

      // every acknowledged reading judged and stored: the survivor takes a's partitions over
      await waitFor(
        "all readings stored",
        async () => {
          const r = await client.query("SELECT COUNT(*)::int AS n FROM ingest_readings");
          return r.rows[0].n >= readings.length;
        },
        180_000,
      );
      // nothing more arrives later (no late duplicate)
      await new Promise((r) => setTimeout(r, 1500));
      const rows = (
        await client.query(
          "SELECT part, seq, asset, signal, t, v, score, epoch FROM ingest_readings ORDER BY part, seq",
        )
      ).rows as {
        part: number;
        seq: number;
        asset: string;
        signal: string;
        t: number;
        v: number;
        score: number;
        epoch: number;
      }[];
      expect(rows.length).toBe(readings.length);
      const seen = new Set(rows.map((r) => `${r.asset}/${r.signal}/${r.t}`));
      expect(seen.size).toBe(readings.length);

      // per asset and signal: stored (seq) order is time order, on the asset's own partition
      const lastT = new Map<string, number>();
      for (const r of rows) {
        expect(r.part).toBe(partitionOf("s1", r.asset, PARTS));
        const k = `${r.asset}/${r.signal}`;
        expect(r.t).toBeGreaterThan(lastT.get(k) ?? 0);
        lastT.set(k, r.t);
      }
      // a's partitions were judged under two leases (before and after the handover)
      for (const p of partsOfA) {
        const epochs = new Set(rows.filter((r) => r.part === p).map((r) => r.epoch));
        expect(epochs.size).toBeGreaterThanOrEqual(2);
      }
      // the scores one uninterrupted pipeline gives: the detectors' state went over with the partitions
      const oracle = new Map<string, number>();
      const pipe = new LivePipeline({
        now: () => 0,
        stream: { learn: 20, suppress: Math.max(1, Math.round(20 / 6)) },
        sink: {
          verdict: (_s, asset, signal, t, _v, score) => oracle.set(`${asset}/${signal}/${t}`, score),
          alert() {},
        },
      });
      for (const r of readings) pipe.message(`rampart/s1/${r.asset}/${r.signal}`, `{"t":${r.t},"v":${r.v}}`);
      let differ = 0;
      for (const r of rows) if (oracle.get(`${r.asset}/${r.signal}/${r.t}`) !== r.score) differ++;
      expect(differ).toBe(0);
      expect(rows.some((r) => r.score > 0)).toBe(true);
      if (process.env.PRT_LOG) process.stderr.write(logs.join(""));
    } catch (e) {
      process.stderr.write(logs.join(""));
      throw e;
    } finally {
      await client.end();
    }
  }, 300_000);
});

describe("partitioned watch usage", () => {
  test("[PRT-6] --partitions without DATABASE_URL or without --broker is a usage error naming it", () => {
    const dir = mkdtempSync(join(tmpdir(), "rampart-prt-usage-"));
    try {
      const model = join(dir, "city.yaml");
      writeFileSync(model, CITY);
      const env = { ...process.env };
      delete env.DATABASE_URL;
      const a = spawnSync(
        process.execPath,
        [BIN, "detect", "watch", model, "--broker", "mqtt://127.0.0.1:1", "--partitions", "4"],
        {
          env,
          encoding: "utf8",
        },
      );
      expect(a.status).toBe(2);
      expect(a.stderr).toContain("DATABASE_URL");
      const b = spawnSync(process.execPath, [BIN, "detect", "watch", model, "--partitions", "4"], {
        env: { ...env, DATABASE_URL: "postgres://127.0.0.1:1/none" },
        encoding: "utf8",
      });
      expect(b.status).toBe(2);
      expect(b.stderr).toContain("--broker");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
