/**
 * Running a range of runs of one defence set: the unit of work of a worker thread (or of the main thread).
 * Run r always uses stream r of the seed, so results do not depend on how runs are spread over workers.
 */
import { buildIndex } from "../model/graph.ts";
import { LevelsEngine } from "../model/levels.ts";
import type { CityModel } from "../model/model.ts";
import { streamFor } from "../model/rng.ts";
import { bindScenario, type Compiled } from "./bind.ts";
import { RunSink, Simulator, type TraceEntry } from "./engine.ts";
import { parseScenarioObject } from "./scenario.ts";

export type Job = { models: CityModel[]; scenarioRaw: unknown; scenarioFile: string; horizon?: number; seed: number };

export type ChunkResult = {
  set: number;
  from: number;
  to: number;
  personHours: Float64Array;
  phNoContain: Float64Array;
  phDirect: Float64Array;
  peakLoss: Float64Array;
  severe: Float64Array;
  downtime: Float64Array;
  firstLoss: Float64Array;
  met: Uint8Array;
  attackSucceeded: Uint8Array;
  effectApplied: Uint8Array;
  compromised: Int32Array;
  detectedAt: Float64Array;
  endTime: Float64Array;
  /** Flat triples: cell, level, runs. */
  hist: Float64Array;
};

/** A compiled set: bound scenario and a simulator with its own levels engine. */
export class SetRunner {
  readonly compiled: Compiled;
  readonly sim: Simulator;
  /** `lean`: the simulator records person-hours and objectives only (see Simulator). */
  constructor(model: CityModel, scenarioRaw: unknown, scenarioFile: string, horizon?: number, lean = false) {
    const p = parseScenarioObject(scenarioRaw, scenarioFile);
    if (!p.ok) throw new Error(`scenario ${scenarioFile} does not parse in the worker: ${p.issues[0]?.message}`);
    const index = buildIndex(model);
    const b = bindScenario(model, p.scenario, { index, horizon });
    if (!b.ok) throw new Error(`scenario ${scenarioFile} does not bind in the worker: ${b.issues[0]?.message}`);
    this.compiled = b.compiled;
    this.sim = new Simulator(b.compiled, new LevelsEngine(index), lean);
  }

  runRange(seed: number, set: number, from: number, to: number): ChunkResult {
    const c = this.compiled;
    const n = to - from;
    const sink = new RunSink(n, c.index.serviceCount, c.objSvc.length);
    for (let r = from; r < to; r++) this.sim.run(streamFor(seed, r), sink, r - from);
    const flat: number[] = [];
    for (const [cell, m] of sink.hist) for (const [lv, k] of m) flat.push(cell, lv, k);
    return {
      set,
      from,
      to,
      personHours: sink.personHours,
      phNoContain: sink.phNoContain,
      phDirect: sink.phDirect,
      peakLoss: sink.peakLoss,
      severe: sink.severe,
      downtime: sink.downtime,
      firstLoss: sink.firstLoss,
      met: sink.met,
      attackSucceeded: sink.attackSucceeded,
      effectApplied: sink.effectApplied,
      compromised: sink.compromised,
      detectedAt: sink.detectedAt,
      endTime: sink.endTime,
      hist: Float64Array.from(flat),
    };
  }

  /** Replays run r with a trace (the representative run of the HTML report). */
  trace(seed: number, r: number): TraceEntry[] {
    const c = this.compiled;
    const sink = new RunSink(1, c.index.serviceCount, c.objSvc.length);
    return this.sim.run(streamFor(seed, r), sink, 0, true) ?? [];
  }
}
