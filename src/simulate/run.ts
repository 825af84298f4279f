/**
 * Monte Carlo driver: runs `runs` simulations of every defence set over worker threads (or in this thread
 * when workers <= 1), run r with stream r of the seed, and merges the chunks in run order. Results are the
 * same for any number of workers: per-run values are placed by run index and histogram counts are sums.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { CityModel } from "../model/model.ts";
import { type ChunkResult, type Job, SetRunner } from "./chunk.ts";

/** Every run's figures of one defence set, merged from the chunks in run order. */
export type Merged = Omit<ChunkResult, "set" | "from" | "to" | "hist"> & {
  runs: number;
  services: number;
  objectives: number;
  hist: Map<number, Map<number, number>>;
};

export type MonteCarloOptions = {
  runs: number;
  seed: number;
  workers: number;
  horizon?: number;
  onProgress?: (done: number, total: number) => void;
  /** Where chunks run; absent: worker threads (or this thread when workers <= 1). */
  executor?: ChunkExecutor;
};

/** A range of runs of one defence set: the unit of work. */
export type Task = { set: number; from: number; to: number };

/**
 * Runs the tasks of a job somewhere (threads here, or processes on other hosts through a queue) and hands
 * each chunk's result to `onChunk` as it arrives, in any order: the driver places them by run index.
 */
export type ChunkExecutor = {
  /** Runs per chunk for this many runs (the split does not change the result, only the overheads). */
  chunkSize?(runs: number): number;
  run(job: Job, tasks: Task[], onChunk: (r: ChunkResult) => void): Promise<void>;
};

function emptyMerged(runs: number, services: number, objectives: number): Merged {
  return {
    runs,
    services,
    objectives,
    personHours: new Float64Array(runs * services),
    phNoContain: new Float64Array(runs * services),
    phDirect: new Float64Array(runs * services),
    peakLoss: new Float64Array(runs * services),
    severe: new Float64Array(runs * services),
    downtime: new Float64Array(runs * services),
    firstLoss: new Float64Array(runs * services),
    met: new Uint8Array(runs * objectives),
    attackSucceeded: new Uint8Array(runs),
    effectApplied: new Uint8Array(runs),
    compromised: new Int32Array(runs),
    detectedAt: new Float64Array(runs),
    endTime: new Float64Array(runs),
    hist: new Map(),
  };
}

/** Places one chunk's runs at their run indices and adds its histogram counts. */
export function mergeChunk(m: Merged, r: ChunkResult): void {
  const S = m.services;
  const O = m.objectives;
  m.personHours.set(r.personHours, r.from * S);
  m.phNoContain.set(r.phNoContain, r.from * S);
  m.phDirect.set(r.phDirect, r.from * S);
  m.peakLoss.set(r.peakLoss, r.from * S);
  m.severe.set(r.severe, r.from * S);
  m.downtime.set(r.downtime, r.from * S);
  m.firstLoss.set(r.firstLoss, r.from * S);
  m.met.set(r.met, r.from * O);
  m.attackSucceeded.set(r.attackSucceeded, r.from);
  m.effectApplied.set(r.effectApplied, r.from);
  m.compromised.set(r.compromised, r.from);
  m.detectedAt.set(r.detectedAt, r.from);
  m.endTime.set(r.endTime, r.from);
  const h = r.hist;
  for (let i = 0; i < h.length; i += 3) {
    let cell = m.hist.get(h[i]);
    if (!cell) {
      cell = new Map();
      m.hist.set(h[i], cell);
    }
    cell.set(h[i + 1], (cell.get(h[i + 1]) ?? 0) + h[i + 2]);
  }
}

function chunkSize(runs: number, workers: number): number {
  return Math.max(8, Math.min(500, Math.ceil(runs / Math.max(1, workers * 8))));
}

/** The ESM entry of tsx's register API (the package's exports map, "./esm/api" import condition). */
function tsxEsmApi(): string {
  const req = createRequire(import.meta.url);
  const pkgPath = req.resolve("tsx/package.json");
  const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(join(dirname(pkgPath), pkg.exports["./esm/api"].import.default)).href;
}

/** Starts a worker thread running the TypeScript module `url`: it registers the loader (tsx) first, then imports it. */
export function startTsWorker(url: URL, workerData: unknown): Worker {
  const api = tsxEsmApi();
  const boot = `import(${JSON.stringify(api)}).then((m) => { (m.register ?? m.default.register)(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { eval: true, workerData });
}

/** Starts a worker running worker.ts. */
function startWorker(job: Job): Worker {
  return startTsWorker(new URL("./worker.ts", import.meta.url), job);
}

/** The tasks of a job: each set's runs cut into ranges of `size`, set by set. */
export function splitTasks(sets: number, runs: number, size: number): Task[] {
  const tasks: Task[] = [];
  for (let s = 0; s < sets; s++)
    for (let from = 0; from < runs; from += size) tasks.push({ set: s, from, to: Math.min(runs, from + size) });
  return tasks;
}

/** Runs chunks over `workers` worker threads, each taking the next task when it posts a result. */
export function threadExecutor(workers: number): ChunkExecutor {
  return {
    chunkSize: (runs) => chunkSize(runs, workers),
    run: (job, tasks, onChunk) => {
      const nWorkers = Math.min(workers, tasks.length);
      let next = 0;
      return new Promise<void>((resolve, reject) => {
        let finished = 0;
        let failed = false;
        const all: Worker[] = [];
        const fail = (e: Error) => {
          if (failed) return;
          failed = true;
          for (const x of all) void x.terminate();
          reject(e);
        };
        const feed = (w: Worker) => {
          if (next < tasks.length) w.postMessage(tasks[next++]);
          else {
            w.postMessage({ stop: true });
            finished++;
            if (finished === nWorkers) resolve();
          }
        };
        for (let i = 0; i < nWorkers; i++) {
          const w = startWorker(job);
          all.push(w);
          w.on("message", (msg: ChunkResult | { error: string }) => {
            if ("error" in msg) return fail(new Error(msg.error));
            try {
              onChunk(msg);
            } catch (e) {
              return fail(e as Error);
            }
            feed(w);
          });
          w.on("error", fail);
          feed(w);
        }
      });
    },
  };
}

/** Runs every set; returns one merged result per set, in set order. */
export async function monteCarlo(
  models: CityModel[],
  scenarioRaw: unknown,
  scenarioFile: string,
  opts: MonteCarloOptions,
): Promise<{ merged: Merged[]; runners: SetRunner[] }> {
  const runners = models.map((m) => new SetRunner(m, scenarioRaw, scenarioFile, opts.horizon));
  const merged = runners.map((r) => emptyMerged(opts.runs, r.compiled.index.serviceCount, r.compiled.objSvc.length));
  const executor = opts.executor ?? (opts.workers > 1 ? threadExecutor(opts.workers) : undefined);
  const size = executor?.chunkSize?.(opts.runs) ?? chunkSize(opts.runs, opts.workers);
  const tasks = splitTasks(models.length, opts.runs, size);
  const total = opts.runs * models.length;
  let done = 0;
  const take = (r: ChunkResult) => {
    mergeChunk(merged[r.set], r);
    done += r.to - r.from;
    opts.onProgress?.(done, total);
  };
  if (!executor || (tasks.length <= 1 && !opts.executor)) {
    for (const t of tasks) take(runners[t.set].runRange(opts.seed, t.set, t.from, t.to));
    return { merged, runners };
  }
  const job: Job = { models, scenarioRaw, scenarioFile, horizon: opts.horizon, seed: opts.seed };
  await executor.run(job, tasks, take);
  return { merged, runners };
}
