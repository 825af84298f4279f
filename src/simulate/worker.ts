/** Worker thread: runs chunks of runs for the Monte Carlo driver (run.ts). */
import { parentPort, workerData } from "node:worker_threads";
import { type Job, SetRunner } from "./chunk.ts";

const job = workerData as Job;
const runners: SetRunner[] = [];
const runner = (set: number) => {
  runners[set] ??= new SetRunner(job.models[set], job.scenarioRaw, job.scenarioFile, job.horizon);
  return runners[set];
};

parentPort?.on("message", (msg: { set: number; from: number; to: number } | { stop: true }) => {
  if ("stop" in msg) {
    parentPort?.close();
    return;
  }
  try {
    const r = runner(msg.set).runRange(job.seed, msg.set, msg.from, msg.to);
    parentPort?.postMessage(r, [
      r.personHours.buffer,
      r.downtime.buffer,
      r.firstLoss.buffer,
      r.met.buffer,
      r.attackSucceeded.buffer,
      r.compromised.buffer,
      r.detectedAt.buffer,
      r.endTime.buffer,
      r.hist.buffer,
    ] as ArrayBuffer[]);
  } catch (e) {
    parentPort?.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
});
