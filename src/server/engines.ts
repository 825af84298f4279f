/**
 * The engines as the server sees them, through small adapters: the only place that knows the engines' own
 * exports. An engine missing from a build is left out (the API answers 501 and the UI leaves its section
 * out: nothing is faked).
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { AssessmentRun, AssessReport } from "../contracts/assessment.ts";
import type { ExerciseDef } from "../contracts/exercise.ts";
import type { InvestRequest, InvestResult } from "../contracts/invest.ts";
import type { Progress } from "../contracts/jobs.ts";
import type { DrpRequest, DrpResponse, RecoverError, RecoverPlanRequest, RecoveryPlan } from "../contracts/recover.ts";
import type { ScenarioInfo, SimulationRequest, SimulationResult } from "../contracts/simulation.ts";
import type { QueueRef } from "../contracts/worker.ts";
import type { DetectorModel } from "../detect/engine.ts";
import type { Result } from "../detect/errors.ts";
import { readDetectorFile } from "../detect/io/files.ts";
import { type StoredAlert, toStoredAlert } from "../detect/live/alert.ts";
import { type AssetPlaces, assetPlaces, unknownDetectorAssets } from "../detect/live/city.ts";
import { LivePipeline, type PipelineOptions } from "../detect/live/pipeline.ts";
import { clockNow, newClock, pauseClock, runClock, setSpeed, wallUntil } from "../exercise/clock.ts";
import { checkDecision, decisionTime } from "../exercise/decisions.ts";
import { bindingError, buildExercise, injectsOf, review, targetChecker } from "../exercise/engine.ts";
import { editInjects } from "../exercise/injects.ts";
import { applyLesson, compareLesson, resilience } from "../exercise/lessons.ts";
import { EvalPool, invest } from "../invest/index.ts";
import type { RawModel } from "../model/load.ts";
import type { CityModel } from "../model/model.ts";
import { BUILT_IN, BUILT_IN_IDS } from "../simulate/library.ts";
import { parseScenarioObject, type Scenario } from "../simulate/scenario.ts";
import { type JobHooks, type JobRunner, type PoolOptions, WorkerPool } from "./pool.ts";
import type { RecoverWorkerInput } from "./recover-worker.ts";

export type { JobHooks, JobRunner } from "./pool.ts";
export type { Progress, SimulationRequest };

export type AssessEngine = {
  run(model: CityModel, raw: RawModel, req: AssessmentRun, hooks: JobHooks): Promise<AssessReport>;
};

export type SimulateEngine = {
  /** Scenarios offered for a model (id and name). */
  scenarios(model: CityModel, raw: RawModel): ScenarioInfo[];
  /** With `queue`, the runs go to `rampart worker`s through the PostgreSQL queue ([SCL-1]). */
  run(
    model: CityModel,
    raw: RawModel,
    req: SimulationRequest,
    hooks: JobHooks,
    queue?: QueueRef,
  ): Promise<SimulationResult>;
};

/** Live detection: the one pipeline `detect watch` uses too, with the server's catalog and sink. */
export type DetectEngine = {
  pipeline(o: PipelineOptions): LivePipeline;
  /** Each asset of a model with its zone and services at risk. */
  places(model: CityModel): AssetPlaces;
  /** Detector keys naming assets a model does not have. */
  unknownAssets(places: AssetPlaces, keys: string[]): string[];
  /** A trained detector file, checked. */
  readDetector(file: string): Result<DetectorModel>;
  toStored: typeof toStoredAlert;
};
export type { DropReason, LivePipeline, LiveSink, LiveStats } from "../detect/live/pipeline.ts";
export { DROP_REASONS, formatStats } from "../detect/live/pipeline.ts";
export type { StoredAlert };

/** Restoration plans and disaster recovery plans (src/recover), each in its own thread. */
export type RecoverEngine = {
  plan(model: CityModel, request: RecoverPlanRequest): Promise<RecoverAnswer<RecoveryPlan>>;
  drp(model: CityModel, request: DrpRequest): Promise<RecoverAnswer<DrpResponse>>;
};
export type RecoverAnswer<T> = { ok: true; value: T } | { ok: false; error: RecoverError };
/** Tabletop exercises and lessons (src/exercise): pure functions, run in the server's thread. */
export type ExerciseEngine = {
  build: typeof buildExercise;
  binding: typeof bindingError;
  injects: typeof injectsOf;
  review: typeof review;
  check: typeof checkDecision;
  targets: typeof targetChecker;
  edit: typeof editInjects;
  clock: {
    now: typeof clockNow;
    run: typeof runClock;
    pause: typeof pauseClock;
    speed: typeof setSpeed;
    create: typeof newClock;
    until: typeof wallUntil;
  };
  time: typeof decisionTime;
  applyLesson: typeof applyLesson;
  compareLesson: typeof compareLesson;
  resilience: typeof resilience;
  /** A built-in scenario by id (parsed), or null. */
  scenario(id: string): Scenario | null;
  /** An exercise's own scenario (kept in its definition). */
  scenarioOf(def: ExerciseDef): Scenario;
};

export const exerciseEngine: ExerciseEngine = {
  build: buildExercise,
  binding: bindingError,
  injects: injectsOf,
  review,
  check: checkDecision,
  targets: targetChecker,
  edit: editInjects,
  clock: { now: clockNow, run: runClock, pause: pauseClock, speed: setSpeed, create: newClock, until: wallUntil },
  time: decisionTime,
  applyLesson,
  compareLesson,
  resilience,
  scenarioOf(def) {
    const p = parseScenarioObject(def.scenario.raw, def.scenario.file);
    if (!p.ok) throw new Error(`exercise ${def.id}: its scenario no longer parses`);
    return p.scenario;
  },
  scenario(id) {
    if (!Object.hasOwn(BUILT_IN, id)) return null;
    const p = parseScenarioObject(BUILT_IN[id], `built-in:${id}`);
    return p.ok ? p.scenario : null;
  },
};

/** Investment planning ([BUY-1]..[BUY-12]): on one evaluation pool shared by every invest job of the server. */
export type InvestEngine = {
  /** Resolves with the report, or rejects with an error naming the engine's parameter (`candidates`: ...). */
  run(model: CityModel, raw: RawModel, req: InvestRequest, hooks: JobHooks): Promise<InvestResult>;
};

export type Engines = {
  assess?: AssessEngine;
  simulate?: SimulateEngine;
  detect?: DetectEngine;
  recover?: RecoverEngine;
  /** Starts `n` job threads ahead of the first job. */
  warm?(n: number): void;
  /** Ends what the engines keep running (the job threads); the server calls it when it stops. */
  close?(): Promise<void>;
  exercise?: ExerciseEngine;
  invest?: InvestEngine;
};

export function available(e: Engines): { assess: boolean; simulate: boolean; detect: boolean } {
  return { assess: !!e.assess, simulate: !!e.simulate, detect: !!e.detect };
}

/** The assessment engine, its jobs run by `runner` (the warm thread pool). */
export function assessEngineOn(runner: JobRunner): AssessEngine {
  return {
    run: async (model, raw, request, hooks) => {
      const m = await runner.run({ kind: "assessment", model, raw, request }, hooks);
      if (m.kind !== "assessment") throw new Error("the assessment thread answered with a simulation");
      return m.result;
    },
  };
}

/** The simulation engine, its jobs run by `runner`. */
export function simulateEngineOn(runner: JobRunner): SimulateEngine {
  return {
    scenarios: () =>
      BUILT_IN_IDS.map((id) => {
        const s = BUILT_IN[id] as { name?: string; description?: string };
        return { id, name: s.name ?? id, description: s.description };
      }),
    run: async (model, raw, request, hooks, queue) => {
      const m = await runner.run({ kind: "simulation", model, raw, request, queue }, hooks);
      if (m.kind !== "simulation") throw new Error("the simulation thread answered with an assessment");
      return m.result;
    },
  };
}

export const detectEngine: DetectEngine = {
  pipeline: (o) => new LivePipeline(o),
  places: assetPlaces,
  unknownAssets: unknownDetectorAssets,
  readDetector: readDetectorFile,
  toStored: toStoredAlert,
};

let investPool: EvalPool | undefined;

/** An invest engine error, in the API's words: the request field for the engine's parameter. */
export class InvestRefused extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export const investEngine: InvestEngine = {
  run: async (model, raw, req, hooks) => {
    // built-in scenarios only: the server never reads a scenario file named by a request
    const scenarios: Scenario[] = [];
    for (const id of req.scenarios ?? BUILT_IN_IDS) {
      const p = Object.hasOwn(BUILT_IN, id) ? parseScenarioObject(BUILT_IN[id], `built-in:${id}`) : null;
      if (!p?.ok) throw new InvestRefused("body.scenarios", `no built-in scenario ${id}`);
      scenarios.push(p.scenario);
    }
    investPool ??= new EvalPool(Math.max(1, Math.min(4, availableParallelism())));
    let last = 0;
    const r = await invest({ model, raw }, scenarios, {
      ...req,
      workers: investPool.size,
      pool: investPool,
      signal: hooks.signal,
      onProgress: (done, total) => {
        const now = performance.now();
        if (now - last > 100 || done === total) {
          last = now;
          hooks.progress({ done, total });
        }
      },
    });
    if (!r.ok) throw new InvestRefused(`body.${r.error.parameter}`, r.error.message);
    return r.report as InvestResult;
  },
};

function inRecoverWorker<T>(data: RecoverWorkerInput): Promise<RecoverAnswer<T>> {
  const url = new URL("./recover-worker.ts", import.meta.url);
  const api = import.meta.resolve("tsx/esm/api");
  const boot = `import(${JSON.stringify(api)}).then((m) => { (m.register ?? m.default.register)(); return import(${JSON.stringify(url.href)}); });`;
  return new Promise((resolve, reject) => {
    const w = new Worker(boot, { eval: true, workerData: data });
    let settled = false;
    w.on("message", (m: RecoverAnswer<T> | { ok: false; internal: string }) => {
      settled = true;
      void w.terminate();
      if ("internal" in m) reject(new Error(m.internal));
      else resolve(m);
    });
    w.on("error", (e) => {
      if (!settled) reject(e);
      settled = true;
    });
    w.on("exit", () => {
      if (!settled) reject(new Error(`the recover ${data.kind} thread ended`));
      settled = true;
    });
  });
}

export const recoverEngine: RecoverEngine = {
  plan: (model, request) => inRecoverWorker({ kind: "plan", model, request }),
  drp: (model, request) => inRecoverWorker({ kind: "drp", model, request }),
};

/**
 * The engines of this build, their jobs on one warm thread pool of their own (`close()` ends it). `warm`
 * (the option, or the method later) starts that many threads ahead, so that even the first job finds one ready.
 */
export async function loadEngines(o: PoolOptions & { runner?: JobRunner; warm?: number } = {}): Promise<Engines> {
  const runner = o.runner ?? new WorkerPool(o);
  if (o.warm) runner.warm?.(o.warm);
  return {
    assess: assessEngineOn(runner),
    simulate: simulateEngineOn(runner),
    detect: detectEngine,
    recover: recoverEngine,
    warm: (n) => runner.warm?.(n),
    exercise: exerciseEngine,
    invest: investEngine,
    close: async () => {
      await runner.close();
      await investPool?.close();
      investPool = undefined;
    },
  };
}
