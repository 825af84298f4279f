/**
 * The engines as the server sees them, through small adapters: the only place that knows the engines' own
 * exports. An engine missing from a build is left out (the API answers 501 and the UI leaves its section
 * out: nothing is faked).
 */
import { Worker } from "node:worker_threads";
import type { AssessmentRun, AssessReport } from "../contracts/assessment.ts";
import type { Progress } from "../contracts/jobs.ts";
import type { ScenarioInfo, SimulationRequest, SimulationResult } from "../contracts/simulation.ts";
import type { WorkerMessage, WorkerRequest } from "../contracts/worker.ts";
import { type LiveAlert, type LiveVerdict, parsePayload, parseTopic, Router } from "../detect/ingest.ts";
import type { RawModel } from "../model/load.ts";
import type { CityModel } from "../model/model.ts";
import { BUILT_IN, BUILT_IN_IDS } from "../simulate/library.ts";

export type { Progress, SimulationRequest };

/** What a job's engine gets besides its input: a progress callback and a cancel signal. */
export type JobHooks = { progress(p: Progress): void; signal: AbortSignal };

export type AssessEngine = {
  run(model: CityModel, raw: RawModel, req: AssessmentRun, hooks: JobHooks): Promise<AssessReport>;
};

export type SimulateEngine = {
  /** Scenarios offered for a model (id and name). */
  scenarios(model: CityModel, raw: RawModel): ScenarioInfo[];
  run(model: CityModel, raw: RawModel, req: SimulationRequest, hooks: JobHooks): Promise<SimulationResult>;
};

/** A reading as it arrives over MQTT: topic and payload. */
export type Detection = {
  assetId: string | null;
  signal: string | null;
  severity: "info" | "warning" | "critical";
  score: number;
  message: string;
  at: string;
};
export type DetectEngine = {
  /** Parses a topic and payload; a string says what is wrong. */
  parse(topic: string, payload: string): { site: string; asset: string; signal: string; t: number; v: number } | string;
  /** A stateful detector; readings in, detections out. */
  create(): { push(r: { site: string; asset: string; signal: string; t: number; v: number }): Detection[] };
};

export type Engines = { assess?: AssessEngine; simulate?: SimulateEngine; detect?: DetectEngine };

export function available(e: Engines): { assess: boolean; simulate: boolean; detect: boolean } {
  return { assess: !!e.assess, simulate: !!e.simulate, detect: !!e.detect };
}

function startWorker(data: WorkerRequest): Worker {
  const url = new URL("./worker.ts", import.meta.url);
  // the worker registers tsx itself: loader hooks of the parent thread are not always inherited
  const api = import.meta.resolve("tsx/esm/api");
  const boot = `import(${JSON.stringify(api)}).then((m) => { (m.register ?? m.default.register)(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { eval: true, workerData: data });
}

/** Runs one job in its own thread: the event loop stays free, and cancelling terminates the thread. */
function inWorker(data: WorkerRequest, hooks: JobHooks): Promise<Extract<WorkerMessage, { type: "done" }>> {
  return new Promise((resolve, reject) => {
    const w = startWorker(data);
    let settled = false;
    const settle = (f: () => void) => {
      if (!settled) {
        settled = true;
        f();
        void w.terminate();
      }
    };
    hooks.signal.addEventListener("abort", () => settle(() => reject(new Error("cancelled"))));
    w.on("message", (m: WorkerMessage) => {
      if (m.type === "progress") hooks.progress({ done: m.done, total: m.total, phase: m.phase });
      else if (m.type === "error") settle(() => reject(new Error(m.message)));
      else settle(() => resolve(m));
    });
    w.on("error", (e) => settle(() => reject(e)));
    w.on("exit", () => settle(() => reject(new Error(`the ${data.kind} thread ended`))));
  });
}

export const assessEngine: AssessEngine = {
  run: async (model, raw, request, hooks) => {
    const m = await inWorker({ kind: "assessment", model, raw, request }, hooks);
    if (m.kind !== "assessment") throw new Error("the assessment thread answered with a simulation");
    return m.result;
  },
};

export const simulateEngine: SimulateEngine = {
  scenarios: () =>
    BUILT_IN_IDS.map((id) => {
      const s = BUILT_IN[id] as { name?: string; description?: string };
      return { id, name: s.name ?? id, description: s.description };
    }),
  run: async (model, raw, request, hooks) => {
    const m = await inWorker({ kind: "simulation", model, raw, request }, hooks);
    if (m.kind !== "simulation") throw new Error("the simulation thread answered with an assessment");
    return m.result;
  },
};

function severityOf(score: number): Detection["severity"] {
  return score >= 0.9 ? "critical" : score >= 0.7 ? "warning" : "info";
}

export const detectEngine: DetectEngine = {
  parse(topic, payload) {
    const t = parseTopic(topic);
    if ("code" in t) return `${t.message}`;
    const p = parsePayload(payload, topic);
    if ("code" in p) return `${p.message}`;
    return { ...t, ...p };
  },
  create() {
    const router = new Router(new Map());
    const verdicts: LiveVerdict[] = [];
    const alerts: LiveAlert[] = [];
    return {
      push(r) {
        verdicts.length = 0;
        alerts.length = 0;
        router.push(r, verdicts, alerts);
        return alerts.map((a) => {
          const f = a.findings[0];
          const signal = f?.signal ?? verdicts.find((v) => v.flag)?.signal ?? r.signal;
          return {
            assetId: a.asset,
            signal,
            severity: severityOf(a.score),
            score: Math.round(a.score * 1000) / 1000,
            message:
              f && f.sigmas > 0
                ? `${signal}: ${f.component} anomaly (${f.sigmas.toFixed(1)} sigma from normal)`
                : `${signal}: readings unlike what this signal has shown (score ${a.score.toFixed(2)})`,
            at: new Date(Number.isFinite(a.t) ? a.t : Date.now()).toISOString(),
          };
        });
      },
    };
  },
};

/** The engines of this build. */
export async function loadEngines(): Promise<Engines> {
  return { assess: assessEngine, simulate: simulateEngine, detect: detectEngine };
}
