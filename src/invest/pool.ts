/**
 * One pool of worker threads for every evaluation ([BUY-8]): started once, reused across scenarios, candidate
 * sets and invest calls (the server keeps one for all its invest jobs). Contexts (model + scenarios) are sent
 * to a worker once, before its first task of that context; workers keep the patched models and bound scenarios
 * they have built. With size <= 1 tasks run in this thread, through the same ContextRunner.
 */
import type { Worker } from "node:worker_threads";
import { startTsWorker } from "../simulate/run.ts";
import { ContextRunner, type EvalChunk, type EvalTask, type InvestContext } from "./chunk.ts";
import type { ToWorker } from "./worker.ts";

type Batch = {
  left: number;
  failed: boolean;
  onChunk: (c: EvalChunk) => void;
  resolve: () => void;
  reject: (e: Error) => void;
};

type Slot = { w: Worker; ctxs: Set<string>; current: { task: EvalTask; batch: Batch } | null };

export class EvalPool {
  private readonly contexts = new Map<string, InvestContext>();
  private readonly local = new Map<string, ContextRunner>();
  private readonly slots: Slot[] = [];
  private readonly queue: { task: EvalTask; batch: Batch }[] = [];
  private closed = false;

  constructor(readonly size: number) {}

  register(id: string, context: InvestContext): void {
    this.contexts.set(id, context);
  }

  /** Forgets a context here and in every worker. */
  release(id: string): void {
    this.contexts.delete(id);
    this.local.delete(id);
    for (const s of this.slots) if (s.ctxs.delete(id)) s.w.postMessage({ type: "drop", id } satisfies ToWorker);
  }

  /** Runs the tasks; `onChunk` gets each result (in any order). */
  async run(tasks: EvalTask[], onChunk: (c: EvalChunk) => void, signal?: AbortSignal): Promise<void> {
    if (this.closed) throw new Error("evaluation pool closed");
    if (tasks.length === 0) return;
    if (this.size <= 1) {
      for (const t of tasks) {
        if (signal?.aborted) throw new Error("cancelled");
        let r = this.local.get(t.ctx);
        if (!r) {
          const c = this.contexts.get(t.ctx);
          if (!c) throw new Error(`evaluation pool: unknown context ${t.ctx}`);
          r = new ContextRunner(c);
          this.local.set(t.ctx, r);
        }
        onChunk(r.run(t));
        // let other work (server requests, progress) through between chunks
        await new Promise<void>((res) => setImmediate(res));
      }
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const batch: Batch = { left: tasks.length, failed: false, onChunk, resolve, reject };
      if (signal?.aborted) return reject(new Error("cancelled"));
      // cancelled: its queued tasks are dropped; chunks running finish on their workers and are ignored
      signal?.addEventListener("abort", () => this.fail(batch, new Error("cancelled")), { once: true });
      for (const task of tasks) this.queue.push({ task, batch });
      while (this.slots.length < this.size) this.slots.push(this.start());
      for (const s of this.slots) if (!s.current) this.feed(s);
    });
  }

  private start(): Slot {
    const w = startTsWorker(new URL("./worker.ts", import.meta.url), null);
    const slot: Slot = { w, ctxs: new Set(), current: null };
    w.on("message", (msg: { type: "chunk"; chunk: EvalChunk } | { type: "error"; message: string }) => {
      const cur = slot.current;
      slot.current = null;
      if (cur) {
        const b = cur.batch;
        if (msg.type === "error") this.fail(b, new Error(msg.message));
        else if (!b.failed) {
          b.onChunk(msg.chunk);
          if (--b.left === 0) b.resolve();
        }
      }
      this.feed(slot);
    });
    w.on("error", (e) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      if (slot.current) this.fail(slot.current.batch, e instanceof Error ? e : new Error(String(e)));
      slot.current = null;
      // the rest of the queue goes to the other workers, or to a new one
      if (!this.closed && this.queue.length) {
        const s = this.start();
        this.slots.push(s);
        this.feed(s);
      }
    });
    w.unref();
    return slot;
  }

  private fail(b: Batch, e: Error): void {
    if (b.failed) return;
    b.failed = true;
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i].batch === b) this.queue.splice(i, 1);
    b.reject(e);
  }

  private feed(slot: Slot): void {
    const next = this.queue.shift();
    if (!next) {
      slot.w.unref();
      return;
    }
    const id = next.task.ctx;
    if (!slot.ctxs.has(id)) {
      const context = this.contexts.get(id);
      if (!context) {
        this.fail(next.batch, new Error(`evaluation pool: unknown context ${id}`));
        this.feed(slot);
        return;
      }
      slot.w.postMessage({ type: "ctx", id, context } satisfies ToWorker);
      slot.ctxs.add(id);
    }
    slot.current = next;
    slot.w.ref();
    slot.w.postMessage({ type: "task", task: next.task } satisfies ToWorker);
  }

  /** Stops the workers (pending batches fail). */
  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queue.splice(0)) this.fail(q.batch, new Error("evaluation pool closed"));
    await Promise.all(this.slots.splice(0).map((s) => s.w.terminate()));
  }
}
