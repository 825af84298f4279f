/**
 * One restoration plan or disaster recovery plan in its own thread, so that the server's event loop stays free
 * while the planner runs the simulator (a plan on a large city takes seconds). Input: the model and the
 * request; output: one message, the engine's answer or its refusal.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { DrpRequest, RecoverPlanRequest } from "../contracts/recover.ts";
import type { CityModel } from "../model/model.ts";
import { drpFromRequest, planFromRequest } from "../recover/request.ts";

export type RecoverWorkerInput =
  | { kind: "plan"; model: CityModel; request: RecoverPlanRequest }
  | { kind: "drp"; model: CityModel; request: DrpRequest };

const input = workerData as RecoverWorkerInput;
const port = parentPort as NonNullable<typeof parentPort>;
try {
  port.postMessage(
    input.kind === "plan" ? planFromRequest(input.model, input.request) : drpFromRequest(input.model, input.request),
  );
} catch (e) {
  port.postMessage({ ok: false, internal: (e as Error)?.message ?? String(e) });
}
