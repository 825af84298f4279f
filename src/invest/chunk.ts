/**
 * The unit of work of an evaluation ([BUY-8]): runs `from`..`to`-1 of one portfolio on one scenario, each run r
 * with stream r of the seed (common random numbers: the same stream whatever the portfolio), reduced to the
 * two figures invest needs per run: the weighted loss ([CON-2]) and the person-hours. A chunk depends only on
 * its task, so chunks can run on any worker (or machine) in any order; `placeChunk` merges by run index.
 */
import { weightedLoss } from "../model/consequence.ts";
import type { RawModel } from "../model/load.ts";
import type { CityModel } from "../model/model.ts";
import { SetRunner } from "../simulate/chunk.ts";
import { withControls } from "../simulate/index.ts";

/** What every chunk of one evaluation shares: the model and the scenarios (as parsed objects). */
export type InvestContext = {
  raw: RawModel;
  model: CityModel;
  scenarios: { raw: unknown; file: string }[];
  horizon?: number;
};

export type EvalTask = {
  /** The context's id (see EvalPool.register). */
  ctx: string;
  scenario: number;
  /** Control ids applied in this order; `key` names the portfolio (the same controls give the same key). */
  controls: string[];
  key: string;
  seed: number;
  from: number;
  to: number;
};

export type EvalChunk = {
  ctx: string;
  scenario: number;
  key: string;
  from: number;
  to: number;
  /** Per run: weighted loss and person-hours summed over services. */
  wl: Float64Array;
  ph: Float64Array;
};

const CACHE_MAX = 96;

/** Runs tasks of one context, keeping the patched models and bound scenarios it has built. */
export class ContextRunner {
  private readonly models = new Map<string, CityModel>();
  private readonly runners = new Map<string, SetRunner>();
  constructor(readonly context: InvestContext) {}

  private model(t: EvalTask): CityModel {
    let m = this.models.get(t.key);
    if (!m) {
      const r = withControls(this.context.raw, this.context.model, t.controls, "candidates");
      if (!r.ok) throw new Error(r.error.message);
      if (this.models.size >= CACHE_MAX) this.models.clear();
      m = r.model;
      this.models.set(t.key, m);
    }
    return m;
  }

  run(t: EvalTask): EvalChunk {
    const id = `${t.scenario}|${t.key}`;
    const model = this.model(t);
    let runner = this.runners.get(id);
    if (!runner) {
      const sc = this.context.scenarios[t.scenario];
      runner = new SetRunner(model, sc.raw, sc.file, this.context.horizon, true);
      if (this.runners.size >= CACHE_MAX) this.runners.clear();
      this.runners.set(id, runner);
    }
    const r = runner.runRange(t.seed, 0, t.from, t.to);
    const n = t.to - t.from;
    const S = model.services.length;
    const wl = new Float64Array(n);
    const ph = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      wl[i] = weightedLoss(model.services, r.personHours, i * S);
      let s = 0;
      for (let j = 0; j < S; j++) s += r.personHours[i * S + j];
      ph[i] = s;
    }
    return { ctx: t.ctx, scenario: t.scenario, key: t.key, from: t.from, to: t.to, wl, ph };
  }
}

/** Deterministic merge: a chunk's runs go to their run indices, whatever order chunks arrive in. */
export function placeChunk(into: { wl: Float64Array; ph: Float64Array }, c: EvalChunk): void {
  into.wl.set(c.wl, c.from);
  into.ph.set(c.ph, c.from);
}
