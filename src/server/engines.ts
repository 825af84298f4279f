/**
 * The engines as the server sees them. Each is optional: an engine another issue has not delivered yet is
 * absent, the API answers 501 for it and the UI leaves its section out (nothing is faked). The adapters
 * below are the only place that knows the engines' own exports.
 */
import type { CityModel } from "../model/model.ts";
import type { RawModel } from "../model/load.ts";

export type Progress = { done: number; total: number; phase?: string };

export type SimulationRequest = {
  scenario: string;
  controls: string[];
  runs: number;
  seed: number;
};

export type AssessEngine = {
  run(model: CityModel, raw: RawModel, opts: { asOf: string }): unknown;
};

export type SimulateEngine = {
  /** Scenarios the model offers (id and name). */
  scenarios(model: CityModel, raw: RawModel): { id: string; name: string }[];
  run(
    model: CityModel,
    raw: RawModel,
    req: SimulationRequest,
    hooks: { progress(p: Progress): void; signal: AbortSignal },
  ): Promise<unknown>;
};

/** A reading: one value of one signal of one asset at a time. */
export type Reading = { asset: string; signal: string; value: number; at: string };
export type Detection = {
  assetId: string | null;
  signal: string | null;
  severity: "info" | "warning" | "critical";
  score: number;
  message: string;
};
export type DetectEngine = {
  /** A stateful detector for one model; readings in, detections out. */
  create(model: CityModel): { push(r: Reading): Detection[] };
};

export type Engines = { assess?: AssessEngine; simulate?: SimulateEngine; detect?: DetectEngine };

export function available(e: Engines): { assess: boolean; simulate: boolean; detect: boolean } {
  return { assess: !!e.assess, simulate: !!e.simulate, detect: !!e.detect };
}

/** Imports a module if it exists; undefined otherwise (a path in a variable keeps the type checker out). */
async function tryImport(rel: string): Promise<Record<string, unknown> | undefined> {
  try {
    return (await import(new URL(rel, import.meta.url).href)) as Record<string, unknown>;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "ENOENT") return undefined;
    throw e;
  }
}

/** Finds the engines that exist in this build. */
export async function loadEngines(): Promise<Engines> {
  const out: Engines = {};
  const assess = await tryImport("../assess/index.ts");
  if (assess && typeof assess.assess === "function") {
    const fn = assess.assess as (m: CityModel, o: unknown) => unknown;
    out.assess = { run: (model, _raw, opts) => fn(model, opts) };
  }
  return out;
}
