/**
 * Jobs: assessments and simulations, started on request, run in a worker thread in the background, progress
 * pushed to subscribers (the SSE route), cancellable. The result row is created at start and finished with
 * the body, so a job that a crash interrupted is visible and marked failed at the next start.
 */
import { randomUUID } from "node:crypto";
import type { AcceptedRisk, AssessmentRequest } from "../contracts/assessment.ts";
import type { JobEvent, Progress, ResultKind } from "../contracts/jobs.ts";
import type { SimulationRequest } from "../contracts/simulation.ts";
import type { Actor, ResultInfo, ResultStatus, Store } from "../store/types.ts";
import type { Engines, JobHooks } from "./engines.ts";
import { HttpError } from "./http.ts";
import type { Metrics } from "./metrics.ts";
import type { Loaded, Models } from "./models.ts";
import { envelope, type ResultCache } from "./transport/cache.ts";

export type { JobEvent };

type Job = { id: string; user: string; abort: AbortController; last: Progress; listeners: Set<(e: JobEvent) => void> };

const NAMES: Record<ResultKind, string> = { assessment: "assessments", simulation: "simulations" };

export class Jobs {
  private readonly jobs = new Map<string, Job>();

  constructor(
    private readonly store: Store,
    private readonly models: Models,
    private readonly engines: Engines,
    private readonly metrics: Metrics,
    private readonly results?: ResultCache,
    private readonly maxRunning = 4,
    /** [SEC-15] one user cannot take every slot */
    private readonly perUser = 2,
  ) {
    metrics.gauge("rampart_jobs_running", "Jobs (assessments and simulations) running now.", () => this.jobs.size);
  }

  get running(): number {
    return this.jobs.size;
  }

  /** Starts an assessment job (`asOf` already resolved). */
  async startAssessment(
    modelId: string,
    version: number | "latest",
    req: Required<AssessmentRequest>,
    actor: Actor,
    context: { today: string; accepted: AcceptedRisk[] } = {
      today: new Date().toISOString().slice(0, 10),
      accepted: [],
    },
  ): Promise<ResultInfo> {
    const engine = this.engines.assess;
    if (!engine) throw new HttpError(501, "engine-unavailable", "the assessment engine is not available in this build");
    this.checkCapacity(actor);
    const loaded = await this.models.load(modelId, version);
    return this.launch("assessment", loaded, req, 1, actor, (hooks) =>
      engine.run(loaded.model, loaded.raw, { ...req, ...context }, hooks),
    );
  }

  async startSimulation(
    modelId: string,
    version: number | "latest",
    req: SimulationRequest,
    actor: Actor,
  ): Promise<ResultInfo> {
    const engine = this.engines.simulate;
    if (!engine) throw new HttpError(501, "engine-unavailable", "the simulation engine is not available in this build");
    this.checkCapacity(actor);
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
    return this.launch("simulation", loaded, req, req.runs, actor, (hooks) =>
      engine.run(loaded.model, loaded.raw, req, hooks),
    );
  }

  private checkCapacity(actor: Actor) {
    const mine = [...this.jobs.values()].filter((j) => j.user === actor.user).length;
    if (mine >= this.perUser) {
      throw new HttpError(429, "too-many-jobs", `you have ${this.perUser} jobs running; wait for one to end`);
    }
    if (this.jobs.size >= this.maxRunning) {
      throw new HttpError(429, "too-many-jobs", `${this.maxRunning} jobs are running; wait for one to end`);
    }
  }

  private async launch(
    kind: ResultKind,
    loaded: Loaded,
    params: unknown,
    total: number,
    actor: Actor,
    run: (hooks: JobHooks) => Promise<unknown>,
  ): Promise<ResultInfo> {
    const id = randomUUID();
    const modelId = loaded.info.modelId;
    const info = await this.store.createResult(
      { id, kind, modelId, version: loaded.info.version, params, status: "running" },
      actor,
    );
    const job: Job = {
      id,
      user: actor.user,
      abort: new AbortController(),
      last: { done: 0, total },
      listeners: new Set(),
    };
    this.jobs.set(id, job);
    const name = NAMES[kind];
    this.metrics.inc(`rampart_${name}_started_total`, `${kind} jobs started.`);
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
        const out = await run({
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
          error = e instanceof Error ? e.message.slice(0, 500) : `${kind} failed`;
        }
      }
      try {
        await this.store.finishResult(id, status, body, error);
        // the first read is usually right after: have it compressed by then (errors surface on that read)
        const finished = this.results && (await this.store.getResultInfo(id));
        if (finished) this.results?.put(id, envelope(finished, body)).catch(() => {});
      } catch {
        status = "failed";
        error = "could not store the result";
      }
      this.jobs.delete(id);
      this.metrics.inc(`rampart_${name}_${status}_total`, `${kind} jobs ended ${status}.`);
      console.log(
        `${kind} ${id} of ${modelId} v${loaded.info.version} ${status} in ${Math.round(performance.now() - t0)} ms`,
      );
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
