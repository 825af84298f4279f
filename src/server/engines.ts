/**
 * The engines as the server sees them, through small adapters: the only place that knows the engines' own
 * exports. An engine missing from a build is left out (the API answers 501 and the UI leaves its section
 * out: nothing is faked).
 */
import { Worker } from "node:worker_threads";
import { assess } from "../assess/assess.ts";
import { type LiveAlert, type LiveVerdict, parsePayload, parseTopic, Router } from "../detect/ingest.ts";
import { buildIndex } from "../model/graph.ts";
import type { RawModel } from "../model/load.ts";
import type { CityModel } from "../model/model.ts";
import { BUILT_IN, BUILT_IN_IDS } from "../simulate/library.ts";

export type Progress = { done: number; total: number; phase?: string };

export type SimulationRequest = {
  scenario: string;
  controls: string[];
  /** Defence sets compared side by side with the baseline (each on top of `controls`). */
  compare: string[][];
  runs: number;
  seed: number;
};

export type AssessEngine = {
  run(model: CityModel, raw: RawModel, opts: { asOf: string }): unknown;
};

export type SimulateEngine = {
  /** Scenarios offered for a model (id and name). */
  scenarios(model: CityModel, raw: RawModel): { id: string; name: string; description?: string }[];
  run(
    model: CityModel,
    raw: RawModel,
    req: SimulationRequest,
    hooks: { progress(p: Progress): void; signal: AbortSignal },
  ): Promise<unknown>;
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

function startWorker(data: unknown): Worker {
  const url = new URL("./sim-worker.ts", import.meta.url);
  // the worker registers tsx itself: loader hooks of the parent thread are not always inherited
  const api = import.meta.resolve("tsx/esm/api");
  const boot = `import(${JSON.stringify(api)}).then((m) => { (m.register ?? m.default.register)(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { eval: true, workerData: data });
}

export const assessEngine: AssessEngine = {
  run: (model, _raw, opts) => assess(buildIndex(model), { asOf: opts.asOf }),
};

export const simulateEngine: SimulateEngine = {
  scenarios: () =>
    BUILT_IN_IDS.map((id) => {
      const s = BUILT_IN[id] as { name?: string; description?: string };
      return { id, name: s.name ?? id, description: s.description };
    }),
  run: (model, raw, req, hooks) =>
    new Promise((resolve, reject) => {
      const w = startWorker({
        model,
        raw,
        scenario: req.scenario,
        runs: req.runs,
        seed: req.seed,
        controls: req.controls,
        compare: req.compare,
      });
      let settled = false;
      const settle = (f: () => void) => {
        if (!settled) {
          settled = true;
          f();
          void w.terminate();
        }
      };
      hooks.signal.addEventListener("abort", () => settle(() => reject(new Error("cancelled"))));
      w.on("message", (m: { type: string; done?: number; total?: number; result?: unknown; message?: string }) => {
        if (m.type === "progress") hooks.progress({ done: m.done ?? 0, total: m.total ?? 0 });
        else if (m.type === "done") settle(() => resolve(m.result));
        else if (m.type === "error") settle(() => reject(new Error(m.message)));
      });
      w.on("error", (e) => settle(() => reject(e)));
      w.on("exit", () => settle(() => reject(new Error("the simulation thread ended"))));
    }),
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
