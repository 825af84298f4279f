/**
 * A job thread of the server's pool (pool.ts): it takes one job (an assessment or a simulation) at a time as a
 * message, answers with progress then one `done` or `error`, and waits for the next; the server stays
 * responsive, and cancelling terminates the thread. Messages are the contract's `WorkerRequest` and
 * `WorkerMessage`.
 */
import { parentPort } from "node:worker_threads";
import { assess } from "../assess/assess.ts";
import type { WorkerMessage, WorkerRequest } from "../contracts/worker.ts";
import { buildIndex } from "../model/graph.ts";
import { PgQueue } from "../scale/queue.ts";
import { resolveScenario, simulate } from "../simulate/index.ts";

/** The simulation request's field for each of the engine's parameters. */
const REQUEST_FIELD: Record<string, string> = {
  scenario: "body.scenario",
  with: "body.controls",
  compare: "body.compare",
};
const port = parentPort as NonNullable<typeof parentPort>;
const post = (m: WorkerMessage) => port.postMessage(m);

async function runSimulation(input: Extract<WorkerRequest, { kind: "simulation" }>) {
  const req = input.request;
  // built-in scenarios only: the server never reads a scenario file named by a request
  const sc = await resolveScenario(req.scenario, async () => {
    throw new Error("scenario files are not read by the server");
  });
  if (!sc.ok) {
    post({ type: "error", message: sc.issues[0]?.message ?? "unknown scenario" });
    return;
  }
  let last = 0;
  // with the work queue, the chunks run on `rampart worker`s and this thread merges them ([SCL-1], [SCL-3])
  const queue = input.queue ? await PgQueue.open({ url: input.queue.url, schema: input.queue.schema }) : undefined;
  const out = await simulate({ model: input.model, raw: input.raw }, sc.scenario, {
    executor: input.queue ? queue?.executor(input.queue.key) : undefined,
    runs: req.runs,
    seed: req.seed,
    workers: 1,
    with: req.controls,
    compare: req.compare,
    trace: true,
    onProgress: (done, total) => {
      const now = performance.now();
      if (now - last > 100 || done === total) {
        last = now;
        post({ type: "progress", done, total });
      }
    },
  }).finally(() => queue?.close());
  if (!out.ok) {
    const e = out.error;
    // [CLI-2] the engine names its parameter; the API names its request field for it
    const message = e ? `${REQUEST_FIELD[e.parameter] ?? e.parameter}: ${e.message}` : out.issues?.[0]?.message;
    post({ type: "error", message: message ?? "the simulation was refused" });
    return;
  }
  post({
    type: "done",
    kind: "simulation",
    result: { report: out.report, sets: out.sets, representative: out.representative },
  });
}

function runAssessment(input: Extract<WorkerRequest, { kind: "assessment" }>) {
  post({ type: "progress", done: 0, total: 1, phase: "assess" });
  const { asOf, today, accepted } = input.request;
  const report = assess(buildIndex(input.model), { asOf, today, accepted });
  post({ type: "done", kind: "assessment", result: report });
}

async function runJob(input: WorkerRequest) {
  if (input.kind === "simulation") await runSimulation(input);
  else runAssessment(input);
}

// one job at a time: the pool sends the next only after this one answered
port.on("message", (input: WorkerRequest) => {
  runJob(input).catch((e) => post({ type: "error", message: e instanceof Error ? e.message : String(e) }));
});
