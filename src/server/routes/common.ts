/** Helpers and schemas shared by several route files. */
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { type Actor, type Session, StoreError } from "../../store/types.ts";
import { HttpError, IdParam, VersionParam } from "../http.ts";

export const actorOf = (req: FastifyRequest, s: Session | null): Actor => ({
  user: s?.username ?? "anonymous",
  ip: req.ip,
});

/** Maps store refusals to 4xx. */
export async function guard<T>(p: Promise<T>, parameter?: string): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof StoreError) {
      throw new HttpError(e.code === "conflict" ? 409 : 404, e.code, e.message, parameter);
    }
    throw e;
  }
}

export const ModelParams = z.strictObject({ model: IdParam });
export const VersionParams = z.strictObject({ model: IdParam, version: VersionParam });
export const VersionInfo = z.object({
  modelId: z.string(),
  version: z.number(),
  sha256: z.string(),
  message: z.string(),
  counts: z.record(z.string(), z.number()),
  createdBy: z.string(),
  createdAt: z.string(),
});
export const ResultInfoOut = z.object({
  id: z.string(),
  kind: z.enum(["assessment", "simulation"]),
  modelId: z.string(),
  version: z.number(),
  status: z.enum(["queued", "running", "done", "failed", "cancelled"]),
  params: z.unknown(),
  error: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
