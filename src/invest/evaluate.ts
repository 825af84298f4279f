/**
 * Evaluating portfolios ([BUY-3], [BUY-8]): per portfolio and scenario, every run's weighted loss and
 * person-hours, with the same stream per run whatever the portfolio (common random numbers). A portfolio whose
 * bound scenario has the same fingerprint as one already evaluated (a control that changes nothing this
 * scenario reads) reuses its runs; every distinct (scenario, fingerprint) is simulated once per evaluator, on
 * the shared pool, in chunks of runs merged by run index (the same result for any number of workers).
 */

import { weightedLoss } from "../model/consequence.ts";
import { buildIndex } from "../model/graph.ts";
import { formatIssue } from "../model/issues.ts";
import type { RawModel } from "../model/load.ts";
import type { CityModel } from "../model/model.ts";
import { bindScenario } from "../simulate/bind.ts";
import type { ChunkResult, Job } from "../simulate/chunk.ts";
import { withControls } from "../simulate/index.ts";
import { type ChunkExecutor, splitTasks } from "../simulate/run.ts";
import type { Scenario } from "../simulate/scenario.ts";
import { type EvalChunk, type EvalTask, placeChunk } from "./chunk.ts";
import { fingerprint } from "./fingerprint.ts";
import type { EvalPool } from "./pool.ts";

/** Per scenario (in the evaluator's order): per run weighted loss and person-hours. */
export type Eval = { wl: Float64Array[]; ph: Float64Array[] };

export type EvalError = { code: string; parameter: string; message: string };

let contexts = 0;

export class Evaluator {
  readonly ctx: string;
  private readonly fps = new Map<string, string[]>();
  /** Patched models by portfolio key, kept only when chunks go to an executor (which is sent whole models). */
  private readonly models = new Map<string, CityModel>();
  private readonly store = new Map<string, { wl: Float64Array; ph: Float64Array }>();
  /** Distinct (scenario, fingerprint) pairs simulated, and the simulation runs they took. */
  simulated = 0;
  runsSimulated = 0;
  /** (portfolio, scenario) pairs asked for, and those answered from an equal fingerprint without simulating. */
  asked = 0;
  shared = 0;

  constructor(
    private readonly loaded: { model: CityModel; raw: RawModel },
    private readonly scenarios: Scenario[],
    /** Candidate control ids; a portfolio is a list of indices into them. */
    private readonly ids: string[],
    private readonly o: {
      runs: number;
      seed: number;
      horizon?: number;
      parameter: string;
      /** Where chunks run instead of the pool (e.g. a PostgreSQL queue): the simulator's own jobs and chunks. */
      executor?: ChunkExecutor;
      /** Cancels the evaluation (the server's job cancel). */
      signal?: AbortSignal;
    },
    private readonly pool: EvalPool,
  ) {
    this.ctx = `invest-${++contexts}`;
    pool.register(this.ctx, {
      raw: loaded.raw,
      model: loaded.model,
      scenarios: scenarios.map((s) => ({ raw: s.raw, file: s.file })),
      horizon: o.horizon,
    });
  }

  /** Forgets the context in the pool's workers. */
  release(): void {
    this.pool.release(this.ctx);
  }

  /** The canonical order of a portfolio: candidate indices ascending. */
  controls(idx: number[]): string[] {
    return [...idx].sort((a, b) => a - b).map((i) => this.ids[i]);
  }

  private prepare(idx: number[]): { ok: true; key: string; fps: string[] } | { ok: false; error: EvalError } {
    const controls = this.controls(idx);
    const key = controls.join(",");
    const have = this.fps.get(key);
    if (have) return { ok: true, key, fps: have };
    const m = withControls(this.loaded.raw, this.loaded.model, controls, this.o.parameter);
    if (!m.ok) return { ok: false, error: m.error };
    const index = buildIndex(m.model);
    const fps: string[] = [];
    for (const sc of this.scenarios) {
      const b = bindScenario(m.model, sc, { index, horizon: this.o.horizon });
      if (!b.ok)
        return {
          ok: false,
          error: {
            code: "scenario-does-not-bind",
            parameter: this.o.parameter,
            message: `with ${controls.join(", ") || "no candidate"}: ${b.issues.map(formatIssue).join("; ")}`,
          },
        };
      fps.push(`${sc.id}|${fingerprint(b.compiled, m.model)}`);
    }
    this.fps.set(key, fps);
    if (this.o.executor) this.models.set(key, m.model);
    return { ok: true, key, fps };
  }

  /** The simulator's chunks on an executor, reduced to weighted loss and person-hours per run, by run index. */
  private async viaExecutor(
    executor: ChunkExecutor,
    key: string,
    outs: Map<number, { wl: Float64Array; ph: Float64Array }>,
    take: (c: EvalChunk) => void,
  ): Promise<void> {
    const model = this.models.get(key) as CityModel;
    const R = this.o.runs;
    const S = model.services.length;
    await Promise.all(
      [...outs.keys()].map((k) => {
        const sc = this.scenarios[k];
        const job: Job = {
          models: [model],
          scenarioRaw: sc.raw,
          scenarioFile: sc.file,
          horizon: this.o.horizon,
          seed: this.o.seed,
        };
        return executor.run(job, splitTasks(1, R, executor.chunkSize?.(R) ?? R), (r: ChunkResult) => {
          const n = r.to - r.from;
          const wl = new Float64Array(n);
          const ph = new Float64Array(n);
          for (let i = 0; i < n; i++) {
            wl[i] = weightedLoss(model.services, r.personHours, i * S);
            let t = 0;
            for (let j = 0; j < S; j++) t += r.personHours[i * S + j];
            ph[i] = t;
          }
          take({ ctx: this.ctx, scenario: k, key, from: r.from, to: r.to, wl, ph });
        });
      }),
    );
  }

  /** Every portfolio's runs; simulates only what no earlier portfolio (of this evaluator) already gave. */
  async evaluate(
    portfolios: number[][],
    onProgress?: (done: number, total: number) => void,
  ): Promise<{ ok: true; evals: Eval[] } | { ok: false; error: EvalError }> {
    const R = this.o.runs;
    const W = Math.max(1, this.pool.size);
    // whole run ranges when there are jobs enough to keep every worker busy (a worker then binds each once)
    const expected = portfolios.length * this.scenarios.length;
    const pieces = expected >= 4 * W ? 1 : Math.ceil((4 * W) / Math.max(1, expected));
    const size = Math.max(1, Math.ceil(R / pieces));
    const prepared: { key: string; fps: string[] }[] = [];
    const jobs: { fp: string; out: { wl: Float64Array; ph: Float64Array } }[] = [];
    const running: Promise<void>[] = [];
    let total = 0;
    let done = 0;
    const onChunk = (outs: Map<number, { wl: Float64Array; ph: Float64Array }>) => (c: EvalChunk) => {
      const out = outs.get(c.scenario);
      if (out) placeChunk(out, c);
      done += c.to - c.from;
      onProgress?.(done, total);
    };
    // each portfolio's new simulations go to the pool as soon as it is bound, so binding overlaps simulating
    for (const p of portfolios) {
      const r: ReturnType<Evaluator["prepare"]> = this.o.signal?.aborted
        ? { ok: false, error: { code: "cancelled", parameter: "signal", message: "cancelled" } }
        : this.prepare(p);
      if (!r.ok) {
        await Promise.allSettled(running);
        for (const j of jobs) this.store.delete(j.fp);
        return r;
      }
      prepared.push(r);
      const controls = this.controls(p);
      const tasks: EvalTask[] = [];
      const outs = new Map<number, { wl: Float64Array; ph: Float64Array }>();
      r.fps.forEach((fp, k) => {
        this.asked++;
        if (this.store.has(fp)) {
          this.shared++;
          return;
        }
        const out = { wl: new Float64Array(R), ph: new Float64Array(R) };
        this.store.set(fp, out);
        jobs.push({ fp, out });
        outs.set(k, out);
        for (let from = 0; from < R; from += size)
          tasks.push({
            ctx: this.ctx,
            scenario: k,
            controls,
            key: r.key,
            seed: this.o.seed,
            from,
            to: Math.min(R, from + size),
          });
      });
      for (const t of tasks) total += t.to - t.from;
      if (tasks.length) {
        const run = this.o.executor
          ? this.viaExecutor(this.o.executor, r.key, outs, onChunk(outs))
          : this.pool.run(tasks, onChunk(outs), this.o.signal);
        run.catch(() => {});
        running.push(run);
      }
      await new Promise<void>((res) => setImmediate(res));
    }
    const settled = await Promise.allSettled(running);
    const failed = settled.find((x) => x.status === "rejected");
    if (failed) {
      for (const j of jobs) this.store.delete(j.fp);
      const e = (failed as PromiseRejectedResult).reason;
      return {
        ok: false,
        error: {
          code: "simulation-failed",
          parameter: this.o.parameter,
          message: e instanceof Error ? e.message : String(e),
        },
      };
    }
    this.simulated += jobs.length;
    this.runsSimulated += total;
    const evals = prepared.map((p) => {
      const e: Eval = { wl: [], ph: [] };
      for (const fp of p.fps) {
        const s = this.store.get(fp) as { wl: Float64Array; ph: Float64Array };
        e.wl.push(s.wl);
        e.ph.push(s.ph);
      }
      return e;
    });
    return { ok: true, evals };
  }
}
