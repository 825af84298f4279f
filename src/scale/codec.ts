/**
 * What crosses the queue: a Monte Carlo job (the models of every defence set, the scenario, the seed) and one
 * chunk's result. Both are written with the structured-clone format of node:v8 (what worker threads already
 * receive: typed arrays, Maps and non-finite numbers survive exactly) and gzip, so a chunk computed on another
 * host merges into byte-identical figures. The database is trusted like the store: whoever can write these
 * rows can already change every result.
 */
import { deserialize, serialize } from "node:v8";
import { gunzipSync, gzipSync } from "node:zlib";
import type { ChunkResult, Job } from "../simulate/chunk.ts";
import type { Task } from "../simulate/run.ts";

export function encodeJob(job: Job): Buffer {
  return gzipSync(serialize(job), { level: 1 });
}

export function decodeJob(body: Buffer): Job {
  const job = deserialize(gunzipSync(body)) as Job;
  if (!job || !Array.isArray(job.models) || typeof job.seed !== "number" || typeof job.scenarioFile !== "string")
    throw new Error("queue: a job description does not have the expected shape");
  return job;
}

export function encodeChunk(r: ChunkResult): Buffer {
  return gzipSync(serialize(r), { level: 1 });
}

const FLOAT_FIELDS = [
  "personHours",
  "phNoContain",
  "phDirect",
  "peakLoss",
  "severe",
  "downtime",
  "firstLoss",
  "detectedAt",
  "endTime",
  "hist",
] as const;
const BYTE_FIELDS = ["met", "attackSucceeded", "effectApplied"] as const;

/** Decodes a chunk's result and checks it is the one asked for (set and run range) and well formed. */
export function decodeChunk(body: Buffer, task: Task): ChunkResult {
  const r = deserialize(gunzipSync(body)) as ChunkResult;
  const where = `queue: the result of set ${task.set} runs ${task.from}-${task.to}`;
  if (!r || r.set !== task.set || r.from !== task.from || r.to !== task.to)
    throw new Error(`${where} names another range`);
  for (const f of FLOAT_FIELDS) if (!(r[f] instanceof Float64Array)) throw new Error(`${where}: ${f} is not Float64`);
  for (const f of BYTE_FIELDS) if (!(r[f] instanceof Uint8Array)) throw new Error(`${where}: ${f} is not Uint8`);
  if (!(r.compromised instanceof Int32Array)) throw new Error(`${where}: compromised is not Int32`);
  const n = task.to - task.from;
  if (r.attackSucceeded.length !== n || r.endTime.length !== n || r.personHours.length % n !== 0)
    throw new Error(`${where} has ${r.attackSucceeded.length} runs, expected ${n}`);
  return r;
}
