/**
 * Jobs and their results: assessments and simulations both run as jobs, are stored as results, and report
 * progress as server-sent events (`progress`, then one `status`).
 */
import { z } from "zod";
import { AssessReport } from "./assessment.ts";
import { InvestResult } from "./invest.ts";
import { SimulationResult } from "./simulation.ts";

export const ResultKind = z.enum(["assessment", "simulation", "invest"]);
export type ResultKind = z.infer<typeof ResultKind>;
export const ResultStatus = z.enum(["queued", "running", "done", "failed", "cancelled"]);
export type ResultStatus = z.infer<typeof ResultStatus>;

export const ResultInfo = z.object({
  id: z.string(),
  kind: ResultKind,
  modelId: z.string(),
  version: z.number(),
  status: ResultStatus,
  /** Parameters of the run (asOf; or scenario, controls, runs, seed). */
  params: z.unknown(),
  error: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ResultInfo = z.infer<typeof ResultInfo>;

export const Progress = z.object({ done: z.number(), total: z.number(), phase: z.string().optional() });
export type Progress = z.infer<typeof Progress>;

/** The events of `GET /api/results/{id}/events`. */
export const JobEvent = z.discriminatedUnion("type", [
  Progress.extend({ type: z.literal("progress") }),
  z.object({ type: z.literal("status"), status: ResultStatus, error: z.string().nullable().optional() }),
]);
export type JobEvent = z.infer<typeof JobEvent>;

/** `GET /api/results/{id}`: the result's info and, when done, the engine's output (by kind). */
export const ResultBody = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("assessment"), info: ResultInfo, result: AssessReport.nullable() }),
  z.object({ kind: z.literal("simulation"), info: ResultInfo, result: SimulationResult.nullable() }),
  z.object({ kind: z.literal("invest"), info: ResultInfo, result: InvestResult.nullable() }),
]);
export type ResultBody = z.infer<typeof ResultBody>;
