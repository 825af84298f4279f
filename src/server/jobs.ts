/**
 * Jobs: assessments and simulations, started on request, run in a worker thread in the background, progress
 * pushed to subscribers (the SSE route), cancellable. The result row is created at start and finished with
 * the body, so a job that a crash interrupted is visible and marked failed at the next start.
 *
 * With the work queue (`rampart serve --queue`, src/scale), a simulation's runs go to `rampart worker`s and
 * the thread here only merges them; each job is leased by the process coordinating it, and a server that finds
 * a running job without a live coordinator takes it over ([SCL-3]): the chunks already done are kept.
 */
import { randomUUID } from "node:crypto";
import type { AcceptedRisk, AssessmentRequest } from "../contracts/assessment.ts";
import type { InvestRequest } from "../contracts/invest.ts";
import type { JobEvent, Progress, ResultKind } from "../contracts/jobs.ts";
import { SimulationRequest } from "../contracts/simulation.ts";
import type { Actor, ResultInfo, ResultStatus, Store } from "../store/types.ts";
import type { Engines, JobHooks } from "./engines.ts";
import { HttpError } from "./http.ts";
import type { Metrics } from "./metrics.ts";
import type { Loaded, Models } from "./models.ts";
import type { Replicas } from "./replicas.ts";
import { envelope, type ResultCache } from "./transport/cache.ts";

export type { JobEvent };

/** The work queue as the jobs see it (src/scale/queue.ts). */
export type JobQueue = {
  settings: { url: string; schema: string };
  /** A lease on a job, held by this process until released or until it dies; false when held elsewhere. */
  lease(key: string): Promise<boolean>;
  release(key: string): Promise<void>;
  /** Deletes what a cancelled job left on the queue (its descriptions and chunks). */
  drop(key: string): Promise<void>;
};

type Job = { id: string; user: string; abort: AbortController; last: Progress; listeners: Set<(e: JobEvent) => void> };

const NAMES: Record<ResultKind, string> = { assessment: "assessments", simulation: "simulations", invest: "invest" };

/** A job running on another replica, followed here through its events ([RPL-4]). */
type Remote = { last: Progress | null; listeners: Set<(e: JobEvent) => void> };

export class Jobs {
  private readonly jobs = new Map<string, Job>();
  private replicas: Replicas | null = null;
  private readonly remote = new Map<string, Remote>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly models: Models,
    private readonly engines: Engines,
    private readonly metrics: Metrics,
    private readonly results?: ResultCache,
    private readonly maxRunning = 4,
    /** [SEC-15] one user cannot take every slot */
    private readonly perUser = 2,
    private readonly queue?: JobQueue,
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
    return this.launch("assessment", loaded, req, 1, actor, (_id, hooks) =>
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
    return this.launch("simulation", loaded, req, req.runs, actor, (id, hooks) =>
      engine.run(loaded.model, loaded.raw, req, hooks, this.queue && { ...this.queue.settings, key: id }),
    );
  }

  /**
   * Starts an invest job ([BUY-1]..[BUY-12]): candidates and scenarios are checked here, so a bad request is a
   * 400 naming its field; the engine's own refusals (a control without cost, ...) fail the job with its message.
   */
  async startInvest(
    modelId: string,
    version: number | "latest",
    req: InvestRequest,
    actor: Actor,
  ): Promise<ResultInfo> {
    const engine = this.engines.invest;
    if (!engine) throw new HttpError(501, "engine-unavailable", "the invest engine is not available in this build");
    this.checkCapacity(actor);
    const loaded = await this.models.load(modelId, version);
    const scenarios = new Set(this.engines.simulate?.scenarios(loaded.model, loaded.raw).map((s) => s.id) ?? []);
    const badScenario = (req.scenarios ?? []).find((s) => !scenarios.has(s));
    if (badScenario !== undefined)
      throw new HttpError(
        400,
        "invalid-parameter",
        `body.scenarios: no built-in scenario ${badScenario}`,
        "body.scenarios",
      );
    const controls = new Map(loaded.model.controls.map((c) => [c.id as string, c]));
    for (const [i, id] of (req.candidates ?? []).entries()) {
      const c = controls.get(id);
      const why = !c
        ? `model ${modelId} has no control ${id}`
        : c.status === "implemented"
          ? `${id} is already implemented`
          : null;
      if (why) throw new HttpError(400, "invalid-parameter", `body.candidates[${i}]: ${why}`, `body.candidates[${i}]`);
    }
    return this.launch("invest", loaded, req, 0, actor, (_id, hooks) =>
      engine.run(loaded.model, loaded.raw, req, hooks),
    );
  }

  private adopting?: ReturnType<typeof setInterval>;
  private detached = false;

  /**
   * [SCL-3] With the queue: takes over every running job whose coordinator is gone (its lease is free), now
   * and every `everyMs`. A simulation goes on from the chunks already stored; any other job (it ran in the
   * dead process's thread) is marked failed. Returns how many jobs were taken over at the first pass.
   */
  async adopt(everyMs = 5000): Promise<{ resumed: number; failed: number }> {
    const first = await this.adoptOnce();
    if (this.queue && !this.adopting && everyMs > 0) {
      this.adopting = setInterval(() => {
        this.adoptOnce().catch(() => {});
      }, everyMs);
      this.adopting.unref();
    }
    return first;
  }

  private async adoptOnce(): Promise<{ resumed: number; failed: number }> {
    const out = { resumed: 0, failed: 0 };
    const queue = this.queue;
    if (!queue || this.detached) return out;
    const running = await this.store.listResults({ status: "running", limit: 1000 });
    for (const seen of running) {
      if (this.jobs.has(seen.id) || !(await queue.lease(seen.id))) continue;
      // read again under the lease: its coordinator may have finished it in between
      const info = await this.store.getResultInfo(seen.id);
      if (info?.status !== "running" || this.jobs.has(info.id)) {
        await queue.release(seen.id);
        continue;
      }
      const engine = this.engines.simulate;
      const req = SimulationRequest.safeParse(info.params);
      try {
        if (info.kind !== "simulation" || !engine || !req.success)
          throw new Error("the server running this job stopped");
        const loaded = await this.models.load(info.modelId, info.version);
        const actor = { user: info.createdBy };
        await this.launch(
          "simulation",
          loaded,
          req.data,
          req.data.runs,
          actor,
          (id, hooks) => engine.run(loaded.model, loaded.raw, req.data, hooks, { ...queue.settings, key: id }),
          info,
        );
        out.resumed++;
      } catch (e) {
        await this.store.finishResult(info.id, "failed", null, (e as Error).message.slice(0, 500)).catch(() => {});
        await queue.release(info.id);
        out.failed++;
      }
    }
    return out;
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
    run: (id: string, hooks: JobHooks) => Promise<unknown>,
    /** A running job taken over ([SCL-3]): its row exists and its lease is held. */
    adopted?: ResultInfo,
  ): Promise<ResultInfo> {
    const id = adopted?.id ?? randomUUID();
    const modelId = loaded.info.modelId;
    // the lease before the row, so no other server takes the new job over
    if (this.queue && !adopted && !(await this.queue.lease(id)))
      throw new HttpError(503, "unavailable", "the work queue did not grant a lease; try again");
    let info: ResultInfo;
    try {
      info =
        adopted ??
        (await this.store.createResult(
          { id, kind, modelId, version: loaded.info.version, params, status: "running" },
          actor,
        ));
    } catch (e) {
      await this.queue?.release(id);
      throw e;
    }
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
    let told = 0;
    const emit = (e: JobEvent) => {
      for (const l of job.listeners) l(e);
      // other replicas' followers: every end, progress at most five times a second
      const now = performance.now();
      if (this.replicas && (e.type !== "progress" || now - told >= 200)) {
        told = now;
        void this.replicas.job(id, e);
      }
    };
    await this.replicas?.lockJob(id);
    // Run after this request has answered.
    setImmediate(async () => {
      const t0 = performance.now();
      let status: ResultStatus = "done";
      let body: string | null = null;
      let error: string | null = null;
      try {
        const out = await run(id, {
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
      if (this.detached) {
        // this server is stopping: the job stays running for another server to take over ([SCL-3])
        this.jobs.delete(id);
        await this.queue?.release(id);
        return;
      }
      if (status === "cancelled") await this.queue?.drop(id).catch(() => {});
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
      void this.replicas?.unlockJob(id);
      this.metrics.inc(`rampart_${name}_${status}_total`, `${kind} jobs ended ${status}.`);
      console.log(
        `${kind} ${id} of ${modelId} v${loaded.info.version} ${status} in ${Math.round(performance.now() - t0)} ms`,
      );
      await this.queue?.release(id);
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

  /** Server shutdown: stops every job; with the queue they stay running for another server to finish. */
  cancelAll(): void {
    if (this.adopting) clearInterval(this.adopting);
    if (this.queue) this.detached = true;
    for (const j of this.jobs.values()) j.abort.abort();
    if (this.sweeper) clearInterval(this.sweeper);
  }

  /**
   * [RPL-4] Replicas on one PostgreSQL store: this replica's job events go to the others, theirs can be
   * followed here, cancels reach the replica running the job, and jobs left running by a replica that is
   * gone are marked failed (checked now and every `sweepMs`).
   */
  attach(replicas: Replicas, sweepMs = 5000): void {
    this.replicas = replicas;
    replicas.onJob((id, e) => {
      const r = this.remote.get(id);
      if (!r) return;
      if (e.type === "progress") r.last = { done: e.done, total: e.total };
      for (const l of r.listeners) l(e);
      if (e.type === "status") this.remote.delete(id);
    });
    replicas.onCancel((id) => this.cancel(id));
    this.sweeper = setInterval(() => void this.sweep().catch(() => {}), sweepMs);
    this.sweeper.unref();
  }

  /** Marks failed the jobs whose replica is gone; returns how many. */
  async sweep(): Promise<number> {
    const r = this.replicas;
    // with the work queue, running jobs whose coordinator is gone are taken over by `adopt` ([SCL-3])
    if (!r || this.queue) return 0;
    const running = await this.store.listResults({ status: "running", limit: 1000 });
    const orphans = await r.orphans(running.map((i) => i.id).filter((id) => !this.jobs.has(id)));
    for (const id of orphans) {
      try {
        const info = await this.store.getResultInfo(id);
        if (info?.status !== "running") continue;
        const error = "the server running this job stopped";
        await this.store.finishResult(id, "failed", null, error);
        const e: JobEvent = { type: "status", status: "failed", error };
        const followers = this.remote.get(id);
        if (followers) for (const l of followers.listeners) l(e);
        this.remote.delete(id);
        await r.job(id, e);
      } finally {
        await r.releaseOrphan(id);
      }
    }
    return orphans.length;
  }

  /** Follows a job that another replica runs (undefined without replicas). */
  follow(id: string, fn: (e: JobEvent) => void): { last: Progress | null; off: () => void } | undefined {
    if (!this.replicas) return undefined;
    let r = this.remote.get(id);
    if (!r) {
      r = { last: null, listeners: new Set() };
      this.remote.set(id, r);
    }
    const entry = r;
    entry.listeners.add(fn);
    return {
      last: entry.last,
      off: () => {
        entry.listeners.delete(fn);
        if (entry.listeners.size === 0 && this.remote.get(id) === entry) this.remote.delete(id);
      },
    };
  }

  /** Cancels a job here, or asks the other replicas to (true when it may be running elsewhere). */
  async cancelAnywhere(id: string): Promise<boolean> {
    if (this.cancel(id)) return true;
    if (!this.replicas) return false;
    await this.replicas.cancel(id);
    return true;
  }
}
