/**
 * The work queue on PostgreSQL (docs/scale.md, rules [SCL-1]..): Monte Carlo chunks are pg-boss jobs, taken by
 * `rampart worker` processes on any host that reaches the database. A job's description (its models, scenario
 * and seed) is written once to `rampart_spec`; each chunk's result to `rampart_chunk`, keyed by (job, set, first
 * run), so a chunk computed twice (a retry after a worker died, a resumed coordinator) is stored once and merged
 * once. The coordinator (the server, or a CLI run) merges the chunks in run order: the result is the same bytes
 * as in one process.
 *
 * A worker that dies mid-chunk leaves its pg-boss job active; after `expireInSeconds` pg-boss's maintenance
 * (any process of the queue runs it, once per `maintenanceIntervalSeconds`) fails it by timeout and it is
 * retried elsewhere (`retryLimit`). A chunk that throws in the engine fails its whole job at once (the engine
 * is deterministic: a retry would throw again).
 */
import { createHash } from "node:crypto";
import { hostname } from "node:os";
import pg from "pg";
import PgBoss from "pg-boss";
import type { ChunkResult, Job } from "../simulate/chunk.ts";
import { SetRunner } from "../simulate/chunk.ts";
import type { ChunkExecutor, Task } from "../simulate/run.ts";
import { decodeChunk, decodeJob, encodeChunk, encodeJob } from "./codec.ts";

/** The pg-boss queue of Monte Carlo chunks. */
export const CHUNK_QUEUE = "rampart-chunks";
export const DEFAULT_SCHEMA = "rampart_queue";

export type QueueOptions = {
  /** PostgreSQL connection string (DATABASE_URL). */
  url: string;
  /** Schema of pg-boss and of the queue's two tables (default rampart_queue). */
  schema?: string;
  /** A chunk still active after this long is taken to be lost and retried elsewhere (default 120 s). */
  expireInSeconds?: number;
  /** How often expired chunks are looked for, by whichever process of the queue is due (default 10 s). */
  maintenanceIntervalSeconds?: number;
  /** Retries of a chunk whose worker died (default 10). */
  retryLimit?: number;
  /** Runs per chunk (default: runs / 64, between 32 and 1000: a chunk should outweigh its 4 round trips). */
  chunkRuns?: number;
  /**
   * How often the coordinator looks for finished chunks (default 100 ms), and an idle worker for work
   * (default 1000 ms; a new job also wakes idle workers at once through NOTIFY).
   */
  pollMs?: number;
  idleMs?: number;
};

/** What a worker reports: ids and counts only, never model content. */
export type WorkEvent = {
  type: "start" | "done" | "skip" | "error" | "trouble";
  key: string;
  set: number;
  from: number;
  to: number;
  ms?: number;
  message?: string;
};

type ChunkData = { key: string; set: number; from: number; to: number };

const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,49}$/;

export class QueueError extends Error {}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

/** A deterministic pg-boss job id per chunk (a UUID from a hash): sending a chunk again is a no-op. */
function chunkId(key: string, t: Task): string {
  const h = createHash("sha256").update(`${key}\0${t.set}\0${t.from}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export class PgQueue {
  private leaseClient?: pg.Client;
  private readonly specs = new Map<string, { job: Job; runners: SetRunner[] }>();

  private constructor(
    readonly schema: string,
    private readonly boss: PgBoss,
    private readonly pool: pg.Pool,
    private readonly opts: QueueOptions,
  ) {}

  /** Connects, creates pg-boss's schema and the queue's tables when missing. */
  static async open(opts: QueueOptions): Promise<PgQueue> {
    const schema = opts.schema ?? DEFAULT_SCHEMA;
    if (!SCHEMA_RE.test(schema))
      throw new QueueError(`queue schema: expected lower-case letters, digits and _ (at most 50), found "${schema}"`);
    const pool = new pg.Pool({ connectionString: opts.url, max: 4, application_name: "rampart-queue" });
    pool.on("error", () => {
      // an idle client lost its connection: the pool replaces it on the next query
    });
    const boss = new PgBoss({
      connectionString: opts.url,
      schema,
      max: 4,
      application_name: "rampart-queue",
      schedule: false,
      supervise: true,
      maintenanceIntervalSeconds: opts.maintenanceIntervalSeconds ?? 10,
    });
    boss.on("error", () => {
      // maintenance errors (a lost connection) are retried at the next interval; job errors surface to callers
    });
    // one opener at a time per schema (a session lock): pg-boss's and our first-time DDL do not deadlock
    const lock = new pg.Client({ connectionString: opts.url, application_name: "rampart-queue" });
    try {
      await lock.connect();
      await lock.query("SELECT pg_advisory_lock(hashtext($1))", [`rampart-queue-ddl:${schema}`]);
      await boss.start();
      await boss.createQueue(CHUNK_QUEUE, { name: CHUNK_QUEUE, policy: "standard" });
      await lock.query(`CREATE TABLE IF NOT EXISTS ${schema}.rampart_spec (
        key text PRIMARY KEY, body bytea NOT NULL, tasks integer NOT NULL, error text,
        created_on timestamptz NOT NULL DEFAULT now())`);
      await lock.query(`CREATE TABLE IF NOT EXISTS ${schema}.rampart_chunk (
        key text NOT NULL REFERENCES ${schema}.rampart_spec (key) ON DELETE CASCADE,
        set integer NOT NULL, first integer NOT NULL, last integer NOT NULL, body bytea NOT NULL, worker text NOT NULL,
        PRIMARY KEY (key, set, first))`);
      await lock.end();
    } catch (e) {
      await lock.end().catch(() => {});
      await boss.stop({ graceful: false, close: true, wait: false }).catch(() => {});
      await pool.end().catch(() => {});
      throw new QueueError(`queue: cannot open the PostgreSQL queue: ${(e as Error).message}`);
    }
    return new PgQueue(schema, boss, pool, opts);
  }

  /** The NOTIFY channel of this queue's new jobs. */
  private get channel(): string {
    return `rampart_chunks_${this.schema}`;
  }

  private chunkRuns(runs: number): number {
    return this.opts.chunkRuns ?? Math.max(32, Math.min(1000, Math.ceil(runs / 64)));
  }

  /**
   * An executor for the Monte Carlo driver: each `run` is one queue job, keyed `base:n` (the n-th run of this
   * executor), so a coordinator that starts again with the same base finds the chunks already computed.
   */
  executor(
    base: string,
    o: { signal?: AbortSignal; onChunk?: (t: Task, worker: string) => void; keep?: boolean } = {},
  ): ChunkExecutor {
    let n = 0;
    return {
      chunkSize: (runs) => this.chunkRuns(runs),
      run: (job, tasks, onChunk) => this.runJob(`${base}:${n++}`, job, tasks, onChunk, o),
    };
  }

  private async runJob(
    key: string,
    job: Job,
    tasks: Task[],
    onChunk: (r: ChunkResult) => void,
    o: { signal?: AbortSignal; onChunk?: (t: Task, worker: string) => void; keep?: boolean },
  ): Promise<void> {
    const S = this.schema;
    const signal = o.signal;
    await this.pool.query(
      `INSERT INTO ${S}.rampart_spec (key, body, tasks) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING`,
      [key, encodeJob(job), tasks.length],
    );
    const pending = new Map(tasks.map((t) => [`${t.set}/${t.from}`, t]));
    const have = await this.pool.query<{ set: number; first: number }>(
      `SELECT set, first FROM ${S}.rampart_chunk WHERE key = $1`,
      [key],
    );
    const done = new Set(have.rows.map((r) => `${r.set}/${r.first}`));
    const send = tasks.filter((t) => !done.has(`${t.set}/${t.from}`));
    for (let i = 0; i < send.length; i += 500)
      await this.boss.insert(
        send.slice(i, i + 500).map((t) => ({
          id: chunkId(key, t),
          name: CHUNK_QUEUE,
          data: { key, set: t.set, from: t.from, to: t.to } satisfies ChunkData,
          retryLimit: this.opts.retryLimit ?? 10,
          expireInSeconds: this.opts.expireInSeconds ?? 120,
        })),
      );
    if (send.length) await this.pool.query("SELECT pg_notify($1, $2)", [this.channel, key]);
    const cancel = async () => {
      await this.pool.query(`DELETE FROM ${S}.rampart_spec WHERE key = $1`, [key]).catch(() => {});
      await this.boss
        .cancel(
          CHUNK_QUEUE,
          tasks.map((t) => chunkId(key, t)),
        )
        .catch(() => {});
    };
    let polls = 0;
    while (pending.size > 0) {
      if (signal?.aborted) {
        await cancel();
        throw new QueueError("cancelled");
      }
      const got = await this.pool.query<{ set: number; first: number }>(
        `SELECT set, first FROM ${S}.rampart_chunk WHERE key = $1`,
        [key],
      );
      const fresh = got.rows.filter((r) => pending.has(`${r.set}/${r.first}`));
      for (let i = 0; i < fresh.length; i += 16) {
        const part = fresh.slice(i, i + 16);
        const rows = await this.pool.query<{ set: number; first: number; body: Buffer; worker: string }>(
          `SELECT set, first, body, worker FROM ${S}.rampart_chunk WHERE key = $1 AND (set, first) IN (SELECT * FROM unnest($2::int[], $3::int[]))`,
          [key, part.map((r) => r.set), part.map((r) => r.first)],
        );
        for (const row of rows.rows) {
          const k = `${row.set}/${row.first}`;
          const t = pending.get(k);
          if (!t) continue;
          pending.delete(k);
          onChunk(decodeChunk(row.body, t));
          o.onChunk?.(t, row.worker);
        }
      }
      if (pending.size === 0) break;
      if (polls++ % 20 === 0) await this.checkFailed(key, cancel);
      await sleep(this.opts.pollMs ?? 100, signal);
    }
    if (!o.keep) await this.pool.query(`DELETE FROM ${S}.rampart_spec WHERE key = $1`, [key]);
  }

  /** A chunk the engine refused, or one whose retries ran out, fails the job. */
  private async checkFailed(key: string, cancel: () => Promise<void>): Promise<void> {
    const S = this.schema;
    const spec = await this.pool.query<{ error: string | null }>(`SELECT error FROM ${S}.rampart_spec WHERE key = $1`, [
      key,
    ]);
    const error = spec.rows[0]?.error;
    if (error) {
      await cancel();
      throw new QueueError(error);
    }
    // pg-boss's own table (pinned to major 10): a chunk failed for good after its last retry
    const failed = await this.pool.query(
      `SELECT 1 FROM ${S}.job WHERE name = $1 AND state = 'failed' AND data->>'key' = $2 LIMIT 1`,
      [CHUNK_QUEUE, key],
    );
    if (failed.rowCount) {
      await cancel();
      throw new QueueError(
        `a chunk of this job failed ${(this.opts.retryLimit ?? 10) + 1} times (its workers stopped)`,
      );
    }
  }

  private async spec(key: string): Promise<{ job: Job; runners: SetRunner[] } | undefined> {
    const cached = this.specs.get(key);
    if (cached) return cached;
    const r = await this.pool.query<{ body: Buffer }>(`SELECT body FROM ${this.schema}.rampart_spec WHERE key = $1`, [
      key,
    ]);
    if (!r.rows[0]) return undefined;
    const entry = { job: decodeJob(r.rows[0].body), runners: [] as SetRunner[] };
    if (this.specs.size >= 4) this.specs.delete(this.specs.keys().next().value as string);
    this.specs.set(key, entry);
    return entry;
  }

  /**
   * Works chunks until `signal` aborts: takes one chunk at a time, runs it in this thread, stores its result.
   * `onEvent` hears of each chunk (ids and counts only).
   */
  async work(o: { signal: AbortSignal; worker?: string; onEvent?: (e: WorkEvent) => void }): Promise<void> {
    const me = o.worker ?? `${hostname()}:${process.pid}`;
    // new jobs wake an idle worker at once (NOTIFY); polling stays the fallback (retries, a lost connection)
    let wake = new AbortController();
    const listen = new pg.Client({ connectionString: this.opts.url, application_name: "rampart-worker" });
    listen.on("error", () => {});
    listen.on("notification", () => wake.abort());
    try {
      await listen.connect();
      await listen.query(`LISTEN ${this.channel}`);
    } catch {
      // polling alone still finds every chunk
    }
    // armed before each fetch, so a job sent while the fetch runs still cuts the next sleep short
    const arm = () => {
      wake = new AbortController();
      const both = AbortSignal.any([wake.signal, o.signal]);
      return () => sleep(this.opts.idleMs ?? 1000, both);
    };
    try {
      await this.workLoop(me, o, arm);
    } finally {
      await listen.end().catch(() => {});
    }
  }

  private async workLoop(
    me: string,
    o: { signal: AbortSignal; onEvent?: (e: WorkEvent) => void },
    arm: () => () => Promise<void>,
  ): Promise<void> {
    while (!o.signal.aborted) {
      try {
        const idle = arm();
        if (!(await this.workOne(me, o.onEvent))) await idle();
      } catch (e) {
        // the database went away or refused: report, wait, try again (the chunk in hand expires and is retried)
        o.onEvent?.({
          type: "trouble",
          key: "",
          set: -1,
          from: 0,
          to: 0,
          message: (e as Error).message?.slice(0, 200),
        });
        await sleep(2000, o.signal);
      }
    }
  }

  /** Takes and runs one chunk; false when the queue had none. */
  private async workOne(me: string, onEvent?: (e: WorkEvent) => void): Promise<boolean> {
    const S = this.schema;
    const jobs = await this.boss.fetch<ChunkData>(CHUNK_QUEUE, { batchSize: 1 });
    const j = jobs?.[0];
    if (!j) return false;
    const d = j.data;
    const ev = { key: d.key, set: d.set, from: d.from, to: d.to };
    const state = await this.pool.query<{ spec: number | null; done: number | null }>(
      `SELECT (SELECT 1 FROM ${S}.rampart_spec WHERE key = $1) AS spec,
              (SELECT 1 FROM ${S}.rampart_chunk WHERE key = $1 AND set = $2 AND first = $3) AS done`,
      [d.key, d.set, d.from],
    );
    const entry = state.rows[0]?.spec && !state.rows[0]?.done ? await this.spec(d.key) : undefined;
    if (!entry) {
      // cancelled, finished, or already computed by another worker
      onEvent?.({ type: "skip", ...ev });
      await this.boss.complete(CHUNK_QUEUE, j.id);
      return true;
    }
    onEvent?.({ type: "start", ...ev });
    const t0 = performance.now();
    let body: Buffer;
    try {
      entry.runners[d.set] ??= new SetRunner(
        entry.job.models[d.set],
        entry.job.scenarioRaw,
        entry.job.scenarioFile,
        entry.job.horizon,
      );
      body = encodeChunk(entry.runners[d.set].runRange(entry.job.seed, d.set, d.from, d.to));
    } catch (e) {
      const message = `set ${d.set} runs ${d.from}-${d.to}: ${e instanceof Error ? e.message : String(e)}`.slice(
        0,
        500,
      );
      await this.pool.query(`UPDATE ${S}.rampart_spec SET error = $2 WHERE key = $1 AND error IS NULL`, [
        d.key,
        message,
      ]);
      onEvent?.({ type: "error", ...ev, message });
      await this.boss.complete(CHUNK_QUEUE, j.id);
      return true;
    }
    try {
      await this.pool.query(
        `INSERT INTO ${S}.rampart_chunk (key, set, first, last, body, worker) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT DO NOTHING`,
        [d.key, d.set, d.from, d.to, body, me],
      );
    } catch (e) {
      // the job was cancelled while this chunk ran (its description is gone): nothing to keep
      if ((e as { code?: string }).code !== "23503") throw e;
    }
    await this.boss.complete(CHUNK_QUEUE, j.id);
    onEvent?.({ type: "done", ...ev, ms: Math.round(performance.now() - t0) });
    return true;
  }

  /**
   * A lease on `key` held by this process until released or until it dies (a PostgreSQL session advisory
   * lock: the database drops it with the connection). Returns false when another process holds it.
   */
  async lease(key: string): Promise<boolean> {
    if (!this.leaseClient) {
      const c = new pg.Client({ connectionString: this.opts.url, application_name: "rampart-lease" });
      c.on("error", () => {
        // the leases are gone with the connection; the next lease call reconnects
        if (this.leaseClient === c) this.leaseClient = undefined;
      });
      await c.connect();
      this.leaseClient = c;
    }
    const r = await this.leaseClient.query<{ ok: boolean }>(
      "SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS ok",
      [this.schema, key],
    );
    return r.rows[0].ok;
  }

  async release(key: string): Promise<void> {
    await this.leaseClient
      ?.query("SELECT pg_advisory_unlock(hashtext($1), hashtext($2))", [this.schema, key])
      .catch(() => {});
  }

  /** Where this queue is, for a thread or process that opens its own. */
  get settings(): { url: string; schema: string } {
    return { url: this.opts.url, schema: this.schema };
  }

  /** Deletes the descriptions and chunks of every run of executor `base` (a cancelled job); workers drop them. */
  async drop(base: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.schema}.rampart_spec WHERE starts_with(key, $1)`, [`${base}:`]);
  }

  /** Chunks waiting or running, for metrics and the bench. */
  async backlog(): Promise<number> {
    return this.boss.getQueueSize(CHUNK_QUEUE, { before: "completed" });
  }

  async close(): Promise<void> {
    await this.boss.stop({ graceful: false, close: true, wait: true }).catch(() => {});
    await this.pool.end().catch(() => {});
    await this.leaseClient?.end().catch(() => {});
    this.leaseClient = undefined;
  }
}
