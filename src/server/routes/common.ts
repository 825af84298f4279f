/** Helpers shared by several route files (their schemas are in src/contracts/api.ts). */
import type { FastifyRequest } from "fastify";
import { type Actor, type Session, StoreError } from "../../store/types.ts";
import { HttpError } from "../http.ts";

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
