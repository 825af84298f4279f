/** Worker thread of the evaluation pool (pool.ts): keeps contexts and runs chunks ([BUY-8]). */
import { parentPort } from "node:worker_threads";
import { ContextRunner, type EvalTask, type InvestContext } from "./chunk.ts";

export type ToWorker =
  | { type: "ctx"; id: string; context: InvestContext }
  | { type: "drop"; id: string }
  | { type: "task"; task: EvalTask };

const contexts = new Map<string, ContextRunner>();

parentPort?.on("message", (msg: ToWorker) => {
  if (msg.type === "ctx") {
    contexts.set(msg.id, new ContextRunner(msg.context));
    return;
  }
  if (msg.type === "drop") {
    contexts.delete(msg.id);
    return;
  }
  try {
    const c = contexts.get(msg.task.ctx);
    if (!c) throw new Error(`evaluation worker: unknown context ${msg.task.ctx}`);
    const r = c.run(msg.task);
    parentPort?.postMessage({ type: "chunk", chunk: r }, [r.wl.buffer, r.ph.buffer] as ArrayBuffer[]);
  } catch (e) {
    parentPort?.postMessage({ type: "error", message: e instanceof Error ? e.message : String(e) });
  }
});
