/** Messages between the server and a job's worker thread. */
import { z } from "zod";
import type { RawModel } from "../model/load.ts";
import type { CityModel } from "../model/model.ts";
import { AssessmentRun, AssessReport } from "./assessment.ts";
import { SimulationRequest, SimulationResult } from "./simulation.ts";

const Loaded = { model: z.custom<CityModel>(), raw: z.custom<RawModel>() };

/** Where a simulation's chunks go when the server runs with the work queue (`rampart serve --queue`). */
export const QueueRef = z.object({
  /** PostgreSQL connection string. */
  url: z.string(),
  /** Schema of the queue. */
  schema: z.string(),
  /** The job's key on the queue (its result id): a coordinator started again finds the chunks already done. */
  key: z.string(),
});
export type QueueRef = z.infer<typeof QueueRef>;

/** The worker's `workerData`: the validated model, its raw form and what to run. */
export const WorkerRequest = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("simulation"), ...Loaded, request: SimulationRequest, queue: QueueRef.optional() }),
  z.object({ kind: z.literal("assessment"), ...Loaded, request: AssessmentRun }),
]);
export type WorkerRequest = z.infer<typeof WorkerRequest>;

/** What the worker posts back: progress, then one `done` or `error`. */
export const WorkerMessage = z.union([
  z.object({ type: z.literal("progress"), done: z.number(), total: z.number(), phase: z.string().optional() }),
  z.object({ type: z.literal("done"), kind: z.literal("simulation"), result: SimulationResult }),
  z.object({ type: z.literal("done"), kind: z.literal("assessment"), result: AssessReport }),
  z.object({ type: z.literal("error"), message: z.string() }),
]);
export type WorkerMessage = z.infer<typeof WorkerMessage>;
