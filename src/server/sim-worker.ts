/** A simulation in its own thread: the server stays responsive, and cancelling terminates the thread. */
import { parentPort, workerData } from "node:worker_threads";
import type { RawModel } from "../model/load.ts";
import type { CityModel } from "../model/model.ts";
import { resolveScenario, simulate } from "../simulate/index.ts";

type Input = {
  model: CityModel;
  raw: RawModel;
  scenario: string;
  runs: number;
  seed: number;
  controls: string[];
  compare: string[][];
};

const input = workerData as Input;
const port = parentPort as NonNullable<typeof parentPort>;

async function main() {
  // built-in scenarios only: the server never reads a scenario file named by a request
  const sc = await resolveScenario(input.scenario, async () => {
    throw new Error("scenario files are not read by the server");
  });
  if (!sc.ok) {
    port.postMessage({ type: "error", message: sc.issues[0]?.message ?? "unknown scenario" });
    return;
  }
  let last = 0;
  const out = await simulate({ model: input.model, raw: input.raw }, sc.scenario, {
    runs: input.runs,
    seed: input.seed,
    workers: 1,
    with: input.controls,
    compare: input.compare,
    trace: true,
    onProgress: (done, total) => {
      const now = performance.now();
      if (now - last > 100 || done === total) {
        last = now;
        port.postMessage({ type: "progress", done, total });
      }
    },
  });
  if (!out.ok) {
    port.postMessage({
      type: "error",
      message: out.error?.message ?? out.issues?.[0]?.message ?? "the simulation was refused",
    });
    return;
  }
  port.postMessage({
    type: "done",
    result: { report: out.report, sets: out.sets, representative: out.representative },
  });
}

main().catch((e) => port.postMessage({ type: "error", message: e instanceof Error ? e.message : String(e) }));
