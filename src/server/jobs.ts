/**
 * Simulation jobs: started on request, run in the background, progress pushed to subscribers (the SSE
 * route), cancellable. The result row is created at start and finished with the body, so a job that a
 * crash interrupted is visible and marked failed at the next start.
 */
import { randomUUID } from "node:crypto";
import type { Actor, ResultInfo, ResultStatus, Store } from "../store/types.ts";
import type { Engines, Progress, SimulationRequest } from "./engines.ts";
import { HttpError } from "./http.ts";
import type { Metrics } from "./metrics.ts";
import type { Models } from "./models.ts";

export type JobEvent =
  | { type: "progress"; done: number; total: number; phase?: string }
  | { type: "status"; status: ResultStatus; error?: string | null };

type Job = { id: string; abort: AbortController; last: Progress; listeners: Set<(e: JobEvent) => void> };

export class Jobs {
  private readonly jobs = new Map<string, Job>();

  constructor(
    private readonly store: Store,
    private readonly models: Models,
    private readonly engines: Engines,
    private readonly metrics: Metrics,
    private readonly maxRunning = 4,
  ) {
    metrics.gauge("rampart_jobs_running", "Simulation jobs running now.", () => this.jobs.size);
  }

  get running(): number {
    return this.jobs.size;
  }

  async start(modelId: string, version: number, req: SimulationRequest, actor: Actor): Promise<ResultInfo> {
    const engine = this.engines.simulate;
    if (!engine) throw new HttpError(501, "engine-unavailable", "the simulation engine is not available in this build");
    if (this.jobs.size >= this.maxRunning) {
      throw new HttpError(429, "too-many-jobs", `${this.maxRunning} simulations are running; wait for one to end`);
    }
    const loaded = await this.models.load(modelId, version);
    const known = new Set(engine.scenarios(loaded.model, loaded.raw).map((s) => s.id));
    if (!known.has(req.scenario)) {
      throw new HttpError(
        400,
        "invalid-parameter",
        `body.scenario: model ${modelId} has no scenario ${req.scenario}`,
        "body.scenario",
      );
    }
    const controls = new Set(loaded.model.controls.map((c) => c.id as string));
    const unknown = [...req.controls, ...req.compare.flat()].find((c) => !controls.has(c));
    if (unknown !== undefined) {
      throw new HttpError(
        400,
        "invalid-parameter",
        `body.controls: model ${modelId} has no control ${unknown}`,
        "body.controls",
      );
    }
    const id = randomUUID();
    const info = await this.store.createResult(
      { id, kind: "simulation", modelId, version: loaded.info.version, params: req, status: "running" },
      actor,
    );
    const job: Job = { id, abort: new AbortController(), last: { done: 0, total: req.runs }, listeners: new Set() };
    this.jobs.set(id, job);
    this.metrics.inc("rampart_simulations_started_total", "Simulation jobs started.");
    const emit = (e: JobEvent) => {
      for (const l of job.listeners) l(e);
    };
    // Run after this request has answered.
    setImmediate(async () => {
      const t0 = performance.now();
      let status: ResultStatus = "done";
      let body: string | null = null;
      let error: string | null = null;
      try {
        const out = await engine.run(loaded.model, loaded.raw, req, {
          signal: job.abort.signal,
          progress: (p) => {
            job.last = p;
            emit({ type: "progress", ...p });
          },
        });
        if (job.abort.signal.aborted) status = "cancelled";
        else body = JSON.stringify(out);
      } catch (e) {
        if (job.abort.signal.aborted) status = "cancelled";
        else {
          status = "failed";
          error = e instanceof Error ? e.message.slice(0, 500) : "simulation failed";
        }
      }
      try {
        await this.store.finishResult(id, status, body, error);
      } catch {
        status = "failed";
        error = "could not store the result";
      }
      this.jobs.delete(id);
      this.metrics.inc(`rampart_simulations_${status}_total`, `Simulation jobs ended ${status}.`);
      console.log(`simulation ${id} ${status} in ${Math.round(performance.now() - t0)} ms`);
      emit({ type: "status", status, error });
    });
    return info;
  }

  cancel(id: string): boolean {
    const job = this.jobs.get(id);
    if (!job) return false;
    job.abort.abort();
    return true;
  }

  /** Subscribes to a running job; returns undefined when it is not running here. */
  subscribe(id: string, fn: (e: JobEvent) => void): { last: Progress; off: () => void } | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    job.listeners.add(fn);
    return { last: job.last, off: () => job.listeners.delete(fn) };
  }

  cancelAll(): void {
    for (const j of this.jobs.values()) j.abort.abort();
  }
}
