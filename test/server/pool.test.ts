/** The server's warm job threads (src/server/pool.ts): reuse, bounds, cancel, failures and shutdown. */
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, test } from "vitest";
import type { WorkerRequest } from "../../src/contracts/worker.ts";
import { loadModel } from "../../src/model/load.ts";
import { type JobHooks, WorkerPool } from "../../src/server/pool.ts";

/** A stand-in job thread in plain JavaScript (no TypeScript loader): answers by the request's `mode`. */
const FAKE = `
const { parentPort, threadId } = require("node:worker_threads");
parentPort.on("message", (m) => {
  const mode = m.request.mode;
  if (mode === "hang") return;
  if (mode === "fail") return parentPort.postMessage({ type: "error", message: "refused: " + m.request.n });
  if (mode === "crash") process.exit(3);
  parentPort.postMessage({ type: "progress", done: 0, total: 1 });
  setTimeout(() => parentPort.postMessage({ type: "done", kind: m.kind, result: { n: m.request.n, threadId } }), 5);
});`;

const fake = () => new Worker(FAKE, { eval: true });
const job = (mode: string, n = 0) => ({ kind: "assessment", request: { mode, n } }) as unknown as WorkerRequest;
const hooks = (signal = new AbortController().signal, progress: JobHooks["progress"] = () => {}): JobHooks => ({
  progress,
  signal,
});
type Echo = { n: number; threadId: number };
const echo = (m: { result: unknown }) => m.result as Echo;

let pools: WorkerPool[] = [];
const pool = (o: ConstructorParameters<typeof WorkerPool>[0] = {}) => {
  const p = new WorkerPool({ start: fake, ...o });
  pools.push(p);
  return p;
};
afterEach(async () => {
  await Promise.all(pools.map((p) => p.close()));
  pools = [];
});

describe("warm job threads", () => {
  test("[JOB-1] a finished job's thread runs the next one: one thread for jobs in a row", async () => {
    const p = pool();
    const seen: number[] = [];
    const a = echo(
      await p.run(
        job("ok", 1),
        hooks(undefined, (x) => seen.push(x.done)),
      ),
    );
    const b = echo(await p.run(job("ok", 2), hooks()));
    expect([a.n, b.n]).toEqual([1, 2]);
    expect(b.threadId).toBe(a.threadId);
    expect(p.started).toBe(1);
    expect(seen).toEqual([0]);
  });

  test("[JOB-1] a refused job leaves its thread healthy and reused", async () => {
    const p = pool();
    await expect(p.run(job("fail", 7), hooks())).rejects.toThrow("refused: 7");
    expect(echo(await p.run(job("ok", 8), hooks())).n).toBe(8);
    expect(p.started).toBe(1);
  });

  test("[JOB-2] at most `max` threads: more jobs wait for one, and all finish", async () => {
    const p = pool({ max: 2, keepIdle: 2 });
    const out = await Promise.all([1, 2, 3, 4, 5].map((n) => p.run(job("ok", n), hooks())));
    expect(out.map((m) => echo(m).n)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(out.map((m) => echo(m).threadId)).size).toBeLessThanOrEqual(2);
    expect(p.started).toBe(2);
    expect(p.size).toBe(2);
  });

  test("[JOB-2] idle threads beyond `keepIdle` are ended", async () => {
    const p = pool({ max: 3, keepIdle: 1 });
    await Promise.all([1, 2, 3].map((n) => p.run(job("ok", n), hooks())));
    expect(p.started).toBe(3);
    expect(p.size).toBe(1);
  });

  test("[JOB-2] an idle thread ends after idleMs unused, except the ones warm() asked for", async () => {
    const p = pool({ max: 2, keepIdle: 2, idleMs: 30 });
    await p.run(job("ok", 1), hooks());
    expect(p.size).toBe(1);
    for (let i = 0; i < 100 && p.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(p.size).toBe(0);
    const w = pool({ max: 2, keepIdle: 2, idleMs: 30 });
    w.warm(1);
    expect(w.size).toBe(1);
    await Promise.all([1, 2].map((n) => w.run(job("ok", n), hooks())));
    expect(w.size).toBe(2);
    for (let i = 0; i < 100 && w.size > 1; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    expect(w.size).toBe(1);
    expect(echo(await w.run(job("ok", 3), hooks())).n).toBe(3);
  });

  test("[JOB-3] cancelling ends the job's thread; a waiting job is cancelled without a thread", async () => {
    const p = pool({ max: 1 });
    const running = new AbortController();
    const r = p.run(job("hang"), hooks(running.signal));
    const queued = new AbortController();
    const q = p.run(job("ok", 2), hooks(queued.signal));
    queued.abort();
    await expect(q).rejects.toThrow("cancelled");
    running.abort();
    await expect(r).rejects.toThrow("cancelled");
    // the next job gets a fresh thread
    expect(echo(await p.run(job("ok", 3), hooks())).n).toBe(3);
    expect(p.started).toBe(2);
  });

  test("[JOB-3] a thread that dies fails its job, and the pool starts another for the next", async () => {
    const p = pool({ max: 1 });
    await expect(p.run(job("crash"), hooks())).rejects.toThrow("thread ended");
    expect(echo(await p.run(job("ok", 4), hooks())).n).toBe(4);
    expect(p.started).toBe(2);
  });

  test("[JOB-3] close() ends every thread, fails running and waiting jobs, and refuses new ones", async () => {
    const p = pool({ max: 1 });
    const r = expect(p.run(job("hang"), hooks())).rejects.toThrow();
    const q = expect(p.run(job("ok"), hooks())).rejects.toThrow("stopping");
    await p.close();
    await q;
    await r;
    await expect(p.run(job("ok"), hooks())).rejects.toThrow("stopping");
    expect(p.size).toBe(0);
  });

  test("[JOB-1] the real job thread (src/server/worker.ts) answers two assessments in a row on one thread", async () => {
    const loaded = await loadModel(join(import.meta.dirname, "fixtures", "tiny"));
    if (!loaded.ok) throw new Error("fixture does not load");
    const p = new WorkerPool();
    pools.push(p);
    const req: WorkerRequest = {
      kind: "assessment",
      model: loaded.model,
      raw: loaded.raw,
      request: { asOf: "2026-06-01", today: "2026-06-01", accepted: [] },
    } as WorkerRequest;
    const a = await p.run(req, hooks());
    const b = await p.run(req, hooks());
    expect(a.kind).toBe("assessment");
    expect(JSON.stringify(b.result)).toBe(JSON.stringify(a.result));
    expect(p.started).toBe(1);
  });
});
