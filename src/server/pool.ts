/**
 * The server's job threads: a bounded pool of warm worker threads. Starting a thread that loads the TypeScript
 * sources costs 1-4 s; a finished job leaves its thread idle for the next one instead. Cancelling a job
 * terminates its thread (a CPU-bound job cannot be interrupted otherwise); a thread that fails is dropped;
 * `close()` ends them all (the server calls it when it stops).
 *
 * `JobRunner` is the small interface the engine adapters use, so another way to run jobs (a queue) can
 * replace the pool without touching them.
 */
import { Worker } from "node:worker_threads";
import type { Progress } from "../contracts/jobs.ts";
import type { WorkerMessage, WorkerRequest } from "../contracts/worker.ts";

/** What a job gets besides its input: a progress callback and a cancel signal. */
export type JobHooks = { progress(p: Progress): void; signal: AbortSignal };

export type WorkerDone = Extract<WorkerMessage, { type: "done" }>;

/** Runs one job (an assessment or a simulation) somewhere off the event loop. */
export interface JobRunner {
  run(data: WorkerRequest, hooks: JobHooks): Promise<WorkerDone>;
  /** Starts threads ahead of the first job (optional: a runner may have nothing to warm). */
  warm?(n: number): void;
  /** Ends every thread; jobs still running or waiting fail. */
  close(): Promise<void>;
}

export type PoolOptions = {
  /** Most jobs running at once; more wait for a thread (default 4, the server's job limit). */
  max?: number;
  /** Idle threads kept warm (default 2); a thread finishing beyond that is ended. */
  keepIdle?: number;
  /** An idle thread is ended after this long unused (default 10 minutes), except the ones `warm` asked for. */
  idleMs?: number;
  /** Starts a thread (tests and benchmarks may pass their own). */
  start?: () => Worker;
};

/** A thread running src/server/worker.ts: it registers the TypeScript loader (tsx) itself, then imports it. */
export function startJobThread(): Worker {
  const url = new URL("./worker.ts", import.meta.url);
  // loader hooks of the parent thread are not always inherited
  const api = import.meta.resolve("tsx/esm/api");
  const boot = `import(${JSON.stringify(api)}).then((m) => { (m.register ?? m.default.register)(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { eval: true });
}

/** How long `close()` waits for threads to end. */
const CLOSE_WAIT_MS = 2000;

type Idle = { w: Worker; timer?: NodeJS.Timeout };

export class WorkerPool implements JobRunner {
  private readonly max: number;
  private readonly keepIdle: number;
  private readonly idleMs: number;
  private readonly start: () => Worker;
  private readonly idle: Idle[] = [];
  private readonly busy = new Set<Worker>();
  private readonly waiting: { resolve: (w: Worker) => void; reject: (e: Error) => void }[] = [];
  private closed = false;
  /** Idle threads kept however long they are unused (what `warm` asked for). */
  private minIdle = 0;
  /** Threads started since the pool was made (for tests and metrics). */
  started = 0;

  constructor(o: PoolOptions = {}) {
    this.max = Math.max(1, o.max ?? 4);
    this.keepIdle = Math.max(0, Math.min(this.max, o.keepIdle ?? 2));
    this.idleMs = o.idleMs ?? 10 * 60_000;
    this.start = o.start ?? startJobThread;
  }

  /** Threads alive now (idle and busy). */
  get size(): number {
    return this.idle.length + this.busy.size;
  }

  warm(n: number): void {
    this.minIdle = Math.min(Math.max(0, n), this.keepIdle);
    while (!this.closed && this.idle.length < Math.min(n, this.keepIdle) && this.size < this.max)
      this.park(this.spawn());
  }

  run(data: WorkerRequest, hooks: JobHooks): Promise<WorkerDone> {
    return new Promise((resolve, reject) => {
      if (hooks.signal.aborted) return reject(new Error("cancelled"));
      let w: Worker | undefined;
      let settled = false;
      const waiter = {
        resolve: (got: Worker) => begin(got),
        reject: (e: Error) => settle(() => reject(e)),
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        settle(() => reject(new Error("cancelled")), true);
      };
      const onMessage = (m: WorkerMessage) => {
        if (m.type === "progress") hooks.progress({ done: m.done, total: m.total, phase: m.phase });
        else if (m.type === "error") settle(() => reject(new Error(m.message)));
        else settle(() => resolve(m));
      };
      const onError = (e: Error) => settle(() => reject(e), true);
      const onExit = () => settle(() => reject(new Error(`the ${data.kind} thread ended`)), true);
      /** Ends the job once; a thread that failed or was cancelled is ended, a healthy one goes back. */
      const settle = (f: () => void, broken = false) => {
        if (settled) return;
        settled = true;
        hooks.signal.removeEventListener("abort", onAbort);
        if (w) {
          w.off("message", onMessage).off("error", onError).off("exit", onExit);
          if (broken) this.discard(w);
          else this.release(w);
        }
        f();
      };
      const begin = (got: Worker) => {
        if (settled) return this.release(got);
        w = got;
        w.on("message", onMessage).on("error", onError).on("exit", onExit);
        w.postMessage(data);
      };
      if (this.closed) return reject(new Error("the server is stopping"));
      hooks.signal.addEventListener("abort", onAbort);
      const got = this.acquire();
      if (got) begin(got);
      else this.waiting.push(waiter);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.waiting.splice(0)) q.reject(new Error("the server is stopping"));
    const all = [...this.idle.map((i) => i.w), ...this.busy];
    for (const i of this.idle) clearTimeout(i.timer);
    this.idle.length = 0;
    this.busy.clear();
    // a thread blocked in a native call ends only when the call returns: stop waiting after a while, so the
    // server's shutdown never hangs on one (the process ends it anyway)
    let timer: NodeJS.Timeout | undefined;
    const enough = new Promise<void>((res) => {
      timer = setTimeout(res, CLOSE_WAIT_MS);
      timer.unref();
    });
    await Promise.race([Promise.all(all.map((w) => w.terminate())), enough]);
    clearTimeout(timer);
  }

  private spawn(): Worker {
    const w = this.start();
    this.started++;
    // a thread that dies while idle is dropped; a busy one is reported to its job by run()
    w.on("error", () => this.dropIdle(w));
    w.on("exit", () => this.dropIdle(w));
    return w;
  }

  /** A thread for a job now, or undefined if all `max` are busy (the job then waits in `waiting`). */
  private acquire(): Worker | undefined {
    const idle = this.idle.pop();
    if (idle) {
      clearTimeout(idle.timer);
      idle.w.ref();
      this.busy.add(idle.w);
      return idle.w;
    }
    if (this.size < this.max) {
      const w = this.spawn();
      this.busy.add(w);
      return w;
    }
    return undefined;
  }

  private release(w: Worker): void {
    this.busy.delete(w);
    if (this.closed) {
      void w.terminate();
      return;
    }
    const next = this.waiting.shift();
    if (next) {
      this.busy.add(w);
      next.resolve(w);
      return;
    }
    if (this.idle.length >= this.keepIdle) {
      void w.terminate();
      return;
    }
    this.park(w);
  }

  private park(w: Worker): void {
    // an idle thread does not keep the process alive; beyond the warm ones, it ends after idleMs unused
    w.unref();
    if (this.idle.length < this.minIdle) {
      this.idle.push({ w });
      return;
    }
    const timer = setTimeout(() => {
      this.dropIdle(w);
      void w.terminate();
    }, this.idleMs);
    timer.unref();
    this.idle.push({ w, timer });
  }

  /** Ends a thread whose job failed or was cancelled; a job waiting gets a new thread. */
  private discard(w: Worker): void {
    this.busy.delete(w);
    void w.terminate();
    const next = this.waiting.shift();
    if (next && !this.closed) {
      const fresh = this.spawn();
      this.busy.add(fresh);
      next.resolve(fresh);
    }
  }

  private dropIdle(w: Worker): void {
    const i = this.idle.findIndex((x) => x.w === w);
    if (i >= 0) {
      clearTimeout(this.idle[i].timer);
      this.idle.splice(i, 1);
    }
  }
}
