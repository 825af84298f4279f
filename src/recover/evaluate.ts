/**
 * The loss of a schedule, computed by the simulator itself ([RCV-3]): each down asset becomes an explicit
 * scenario event, down (or hit to its cap) from time 0 until its restore time, and one deterministic run of
 * src/simulate/engine.ts gives every service's person-hours ([DEP-7]) with dependencies, buffers and
 * fallbacks exactly as the simulator applies them ([DEP-1]..[DEP-9]); the weighted loss is
 * src/model/consequence.ts weightedLoss ([CON-2]). Nothing here re-implements cascade semantics.
 */

import type { TraceEntry } from "../contracts/simulation.ts";
import { serviceWeight, weightedLoss } from "../model/consequence.ts";
import type { CityIndex } from "../model/graph.ts";
import { LevelsEngine } from "../model/levels.ts";
import type { CityModel } from "../model/model.ts";
import { streamFor } from "../model/rng.ts";
import { bindScenario, type Compiled, OBJ_MTD, OBJ_RTO } from "../simulate/bind.ts";
import { RunSink, Simulator } from "../simulate/engine.ts";
import { parseScenarioObject } from "../simulate/scenario.ts";
import type { Task } from "./problem.ts";

export type Snapshot = { trace: TraceEntry[]; personHours: Float64Array; firstLoss: Float64Array; met: Uint8Array };

export type ServiceOutcome = {
  id: string;
  name: string;
  sector: string;
  weight: number;
  population: number;
  personHours: number;
  weightedLoss: number;
  /** First time the level drops below 1 (hours), or null when it never does. */
  firstLoss: number | null;
  /** When it is back at 1 for good (hours), or null when it never dropped (or is not back by the horizon). */
  restoredAt: number | null;
  rto: number | null;
  mtd: number | null;
  /** [DEP-8] as the simulator judges it; null without that objective. */
  rtoMet: boolean | null;
  mtdMet: boolean | null;
  lowestLevel: number;
};

/** The scenario the evaluator binds: one event per down asset, from 0 to its restore time. */
export function planScenario(
  tasks: readonly Pick<Task, "id" | "cap">[],
  restore: ArrayLike<number>,
  horizonHours: number,
) {
  return {
    id: "restoration-plan",
    name: "Restoration plan",
    description: "Each down asset from 0 until its planned restore time",
    horizon: `${horizonHours}h`,
    events: tasks.map((t, i) =>
      t.cap > 0
        ? { at: "0h", hit: [t.id], cap: t.cap, for: `${restore[i]}h` }
        : { at: "0h", down: [t.id], for: `${restore[i]}h` },
    ),
  };
}

export class ScheduleEvaluator {
  readonly compiled: Compiled;
  private readonly sim: Simulator;
  private readonly sink: RunSink;
  /** Number of simulator runs made (for reports and benchmarks). */
  evaluations = 0;

  constructor(
    readonly model: CityModel,
    readonly index: CityIndex,
    readonly tasks: readonly Task[],
    readonly horizon: number,
  ) {
    const sc = parseScenarioObject(planScenario(tasks, new Float64Array(tasks.length).fill(1), horizon), "<plan>");
    if (!sc.ok) throw new Error(`internal: plan scenario does not parse: ${sc.issues[0]?.message}`);
    const b = bindScenario(model, sc.scenario, { index, horizon });
    if (!b.ok) throw new Error(`internal: plan scenario does not bind: ${b.issues[0]?.message}`);
    this.compiled = b.compiled;
    this.sim = new Simulator(b.compiled, new LevelsEngine(index), true);
    this.sink = new RunSink(1, index.serviceCount, b.compiled.objSvc.length);
  }

  private setRestore(restore: ArrayLike<number>): void {
    const ev = this.compiled.events;
    for (let i = 0; i < ev.length; i++) ev[i].for = { kind: "fixed", value: restore[i] };
  }

  private lastTrace: TraceEntry[] = [];

  /** Weighted loss [CON-2] of the schedule whose task i is restored at restore[i] (hours from 0). */
  loss(restore: ArrayLike<number>): number {
    this.setRestore(restore);
    this.evaluations++;
    this.lastTrace = this.sim.run(streamFor(0, 0), this.sink, 0, true) ?? [];
    return weightedLoss(this.model.services, this.sink.personHours);
  }

  /** Person-hours per service of the last `loss` call (a copy). */
  personHours(): Float64Array {
    return Float64Array.from(this.sink.personHours);
  }

  /** What the last `loss` call found, kept to report it later without running again. */
  snapshot(): Snapshot {
    return {
      trace: this.lastTrace,
      personHours: Float64Array.from(this.sink.personHours),
      firstLoss: Float64Array.from(this.sink.firstLoss),
      met: Uint8Array.from(this.sink.met),
    };
  }

  /** Every service's outcome under the schedule: restore time against RTO and MTD [DEP-8]. */
  outcomes(restore: ArrayLike<number>): { loss: number; personHours: number; services: ServiceOutcome[] } {
    this.loss(restore);
    return this.outcomesOf(this.snapshot());
  }

  outcomesOf(snap: Snapshot): { loss: number; personHours: number; services: ServiceOutcome[] } {
    const trace = snap.trace;
    const c = this.compiled;
    const ix = this.index;
    const A = ix.assetCount;
    const restored = new Float64Array(ix.serviceCount).fill(Number.NaN);
    const low = new Float64Array(ix.serviceCount).fill(1);
    for (const e of trace) {
      if (e.kind !== "level" || e.to === undefined) continue;
      const n = ix.nodeOf.get(e.id);
      if (n === undefined || n < A) continue;
      const s = n - A;
      if (e.to === 1) restored[s] = e.t;
      else {
        restored[s] = Number.NaN;
        if (e.to < low[s]) low[s] = e.to;
      }
    }
    const services: ServiceOutcome[] = [];
    let total = 0;
    for (let s = 0; s < ix.serviceCount; s++) {
      const svc = this.model.services[s];
      const ph = snap.personHours[s];
      total += ph;
      const first = snap.firstLoss[s];
      let rtoMet: boolean | null = null;
      let mtdMet: boolean | null = null;
      for (let o = c.objStart[s]; o < c.objStart[s + 1]; o++) {
        if (c.objKind[o] === OBJ_RTO) rtoMet = snap.met[o] === 1;
        if (c.objKind[o] === OBJ_MTD) mtdMet = snap.met[o] === 1;
      }
      services.push({
        id: svc.id,
        name: svc.name,
        sector: svc.sector,
        weight: serviceWeight(svc),
        population: svc.population,
        personHours: ph,
        weightedLoss: serviceWeight(svc) * ph,
        firstLoss: Number.isNaN(first) ? null : first,
        restoredAt: Number.isNaN(first) || Number.isNaN(restored[s]) ? null : restored[s],
        rto: svc.objectives?.rto ?? null,
        mtd: svc.objectives?.mtd ?? null,
        rtoMet,
        mtdMet,
        lowestLevel: low[s],
      });
    }
    return { loss: weightedLoss(this.model.services, snap.personHours), personHours: total, services };
  }
}
