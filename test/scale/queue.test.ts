/**
 * The PostgreSQL work queue (docs/specs/scale.md): chunks computed by other workers merge into the same bytes
 * as one process; a worker process killed mid-chunk loses nothing. Runs under CI=true always (PostgreSQL is
 * part of CI); elsewhere it skips with a reason when no server answers.
 */
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { afterAll, describe, expect, test } from "vitest";
import { invest } from "../../src/invest/index.ts";
import { generateRaw } from "../../src/model/generate.ts";
import { validateRaw } from "../../src/model/load.ts";
import { PgQueue } from "../../src/scale/queue.ts";
import { simulate } from "../../src/simulate/index.ts";
import { BUILT_IN } from "../../src/simulate/library.ts";
import { parseScenarioObject } from "../../src/simulate/scenario.ts";
import { CI, PG_URL, pgReachable, type Spawned, spawnRampart, testSchema } from "./helpers.ts";

const pgOk = await pgReachable();
if (!pgOk && !CI) console.log(`skip: queue tests: no PostgreSQL at ${PG_URL} (they run under CI=true)`);

const raw = generateRaw({ assets: 600, seed: 3 });
const model = validateRaw(raw, () => {});
if (!model) throw new Error("generated city invalid");
const loaded = { model, raw };

function scenario(id: string) {
  const p = parseScenarioObject(BUILT_IN[id], `built-in:${id}`);
  if (!p.ok) throw new Error(p.issues[0].message);
  return p.scenario;
}

const schemas: ReturnType<typeof testSchema>[] = [];
const children: Spawned[] = [];
afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null) c.child.kill("SIGKILL");
  await Promise.all(children.map((c) => c.exited));
  for (const s of schemas) await s.drop(PG_URL).catch(() => {});
});

describe.skipIf(!pgOk && !CI)("work queue on PostgreSQL", () => {
  test("[SCL-1] chunks run by queue workers merge into the same bytes as one process (simulate and invest)", async () => {
    const s = testSchema("scl1");
    schemas.push(s);
    const q = await PgQueue.open({ url: PG_URL, schema: s.schema, chunkRuns: 16, pollMs: 20, idleMs: 20 });
    const stop = new AbortController();
    // two workers of their own (one connection each), as two hosts would be
    const w1 = await PgQueue.open({ url: PG_URL, schema: s.schema, idleMs: 20 });
    const w2 = await PgQueue.open({ url: PG_URL, schema: s.schema, idleMs: 20 });
    const by = new Set<string>();
    const working = [w1.work({ signal: stop.signal, worker: "w1" }), w2.work({ signal: stop.signal, worker: "w2" })];
    try {
      const opts = { runs: 120, seed: 42, with: [], compare: [["mfa-vendor-0", "mfa-vendor-1"]], trace: true };
      const one = await simulate(loaded, scenario("ransomware"), { ...opts, workers: 1 });
      const progress: number[] = [];
      const queued = await simulate(loaded, scenario("ransomware"), {
        ...opts,
        workers: 1,
        executor: q.executor("scl1", { onChunk: (_t, w) => by.add(w) }),
        onProgress: (d) => progress.push(d),
      });
      expect(one.ok && queued.ok).toBe(true);
      expect(JSON.stringify(queued)).toBe(JSON.stringify(one));
      expect(progress.at(-1)).toBe(240);
      expect(progress.length).toBe(16); // 2 sets x 8 chunks of at most 16 runs
      expect([...by].sort()).toEqual(["w1", "w2"]);

      const iopts = {
        budget: 400_000,
        years: 5,
        runs: 40,
        seed: 3,
        workers: 1,
        candidates: ["mfa-vendor-0", "mfa-vendor-1"],
      };
      const scs = [scenario("ransomware")];
      const local = invest(loaded, scs, iopts);
      const remote = invest(loaded, scs, { ...iopts, executor: q.executor("scl1-invest") });
      expect(JSON.stringify(await remote)).toBe(JSON.stringify(await local));
    } finally {
      stop.abort();
      await Promise.all(working);
      await Promise.all([w1.close(), w2.close(), q.close()]);
    }
  }, 120_000);

  test("[SCL-2] a worker process killed mid-chunk loses nothing: its chunk is retried on another, same bytes", async () => {
    const s = testSchema("scl2");
    schemas.push(s);
    const env = { DATABASE_URL: PG_URL, RAMPART_QUEUE_SCHEMA: s.schema };
    // the coordinator here; three `rampart worker` processes; a lost chunk expires after 2 s
    const q = await PgQueue.open({
      url: PG_URL,
      schema: s.schema,
      chunkRuns: 20,
      expireInSeconds: 2,
      maintenanceIntervalSeconds: 1,
      pollMs: 50,
    });
    const workers = ["a", "b", "c"].map((n) =>
      spawnRampart(["worker", "--name", `w-${n}`, "--maintenance", "1"], env, n),
    );
    children.push(...workers);
    try {
      await Promise.all(workers.map((w) => w.waitFor(/ready: queue/)));
      const opts = { runs: 300, seed: 11, with: [], compare: [["mfa-vendor-0"]], workers: 1 };
      const delivered = new Map<string, string>();
      const key = (t: { set: number; from: number }) => `${t.set}/${t.from}`;
      const queued = simulate(loaded, scenario("ransomware"), {
        ...opts,
        executor: q.executor("scl2", { onChunk: (t, w) => delivered.set(key(t), w), keep: false }),
      });
      // freeze worker a as it starts a chunk; kill it if that chunk is not stored yet, else let it go on
      const victim = workers[0];
      const started = /^chunk scl2:0 set (\d+) runs (\d+)-\d+ started/;
      const db = new pg.Client({ connectionString: PG_URL });
      await db.connect();
      let killed: { set: number; from: number } | undefined;
      try {
        for (let n = 1; !killed; n++) {
          while (victim.lines.filter((l) => started.test(l)).length < n) await sleep(10);
          victim.child.kill("SIGSTOP");
          await sleep(300); // lines already written reach us; a statement already sent completes
          const m = started.exec(victim.lines.filter((l) => started.test(l)).at(-1) as string) as RegExpExecArray;
          const inHand = { set: Number(m[1]), from: Number(m[2]) };
          const stored = await db.query(
            `SELECT 1 FROM ${s.schema}.rampart_chunk WHERE key = 'scl2:0' AND set = $1 AND first = $2`,
            [inHand.set, inHand.from],
          );
          if (stored.rowCount === 0) {
            killed = inHand;
            victim.child.kill("SIGKILL");
          } else victim.child.kill("SIGCONT");
        }
      } finally {
        await db.end();
      }
      await victim.exited;
      const result = await queued;
      const one = await simulate(loaded, scenario("ransomware"), opts);
      expect(result.ok && one.ok).toBe(true);
      expect(JSON.stringify(result)).toBe(JSON.stringify(one));
      // the killed chunk was computed again by another worker
      expect(delivered.get(key(killed))).toMatch(/^w-[bc]$/);
      expect(delivered.size).toBe(30);
    } finally {
      for (const w of workers) if (w.child.exitCode === null) w.child.kill("SIGTERM");
      await Promise.all(workers.map((w) => w.exited));
      await q.close();
    }
  }, 180_000);

  test("[SCL-4] a chunk the engine refuses fails its job at once; a cancelled job's chunks are dropped", async () => {
    const s = testSchema("scl4");
    schemas.push(s);
    const q = await PgQueue.open({ url: PG_URL, schema: s.schema, pollMs: 20, idleMs: 20 });
    const w = await PgQueue.open({ url: PG_URL, schema: s.schema, idleMs: 20 });
    const stop = new AbortController();
    const events: string[] = [];
    const working = w.work({ signal: stop.signal, worker: "w", onEvent: (e) => events.push(e.type) });
    const db = new pg.Client({ connectionString: PG_URL });
    await db.connect();
    try {
      const bad = { models: [model], scenarioRaw: { id: 1 }, scenarioFile: "bad.yaml", seed: 1 };
      await expect(q.executor("bad").run(bad, [{ set: 0, from: 0, to: 5 }], () => {})).rejects.toThrow(
        /set 0 runs 0-5: scenario bad.yaml does not parse in the worker/,
      );
      expect(events).toContain("error");

      // cancel after the first chunk: the job's description and chunks are gone, the rest is skipped
      const cancel = new AbortController();
      const sc = scenario("ransomware");
      const job = { models: [model], scenarioRaw: sc.raw, scenarioFile: sc.file, seed: 2 };
      const tasks = Array.from({ length: 40 }, (_, i) => ({ set: 0, from: i * 4, to: i * 4 + 4 }));
      let got = 0;
      const run = q.executor("cancelled", { signal: cancel.signal }).run(job, tasks, () => {
        if (++got === 1) cancel.abort();
      });
      await expect(run).rejects.toThrow(/cancelled/);
      const left = await db.query(`SELECT count(*)::int AS n FROM ${s.schema}.rampart_spec`);
      expect(left.rows[0].n).toBe(0);
      // the worker drains what was queued without running it
      for (let i = 0; i < 500 && (await q.backlog()) > 0; i++) await sleep(20);
      expect(await q.backlog()).toBe(0);
      expect(events.filter((e) => e === "done").length).toBeLessThan(40);
      const chunks = await db.query(`SELECT count(*)::int AS n FROM ${s.schema}.rampart_chunk`);
      expect(chunks.rows[0].n).toBe(0);
    } finally {
      stop.abort();
      await working;
      await db.end();
      await Promise.all([w.close(), q.close()]);
    }
  }, 120_000);
});
