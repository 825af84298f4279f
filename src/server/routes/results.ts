/** Stored results (assessments and simulations): list, read, follow, cancel. */

import type { JobEvent } from "../../contracts/jobs.ts";
import type { Session } from "../../store/types.ts";
import type { ServerContext } from "../context.ts";
import { type AnyRoute, endpoint, HttpError, PreparedJson } from "../http.ts";
import { allowed } from "../roles.ts";
import { envelope, sendReady } from "../transport/cache.ts";
import { headersOf, openSse } from "../transport/sse.ts";
import { actorOf } from "./common.ts";

export function resultsRoutes(ctx: ServerContext): AnyRoute[] {
  const { store, jobs } = ctx;
  /** A result's stored info, or 404 naming the id. */
  const infoOf = async (id: string) => {
    const info = await store.getResultInfo(id);
    if (!info) throw new HttpError(404, "not-found", `no result ${id}`, "path.id");
    return info;
  };
  return [
    endpoint("GET /api/results", {
      tag: "results",
      summary: "List results (newest first).",
      permission: "result.read",
      handler: async ({ query }) => ({
        results: await store.listResults({
          modelId: query.model,
          kind: query.kind,
          version: query.version,
          limit: query.limit,
        }),
      }),
    }),
    endpoint("GET /api/results/:id", {
      tag: "results",
      summary: "A result: its status and, when done, its body (the engine's report).",
      permission: "result.read",
      handler: async ({ req, reply, params }) => {
        let hit = ctx.results.get(params.id);
        if (!hit) {
          const info = await infoOf(params.id);
          const body = info.status === "done" ? await store.getResultBody(params.id) : null;
          // the stored body is spliced in as it is: no parse and re-serialize on the read path
          const text = envelope(info, body);
          // a finished result never changes: keep it ready to send, plain and compressed
          if (info.status !== "done" && info.status !== "failed" && info.status !== "cancelled")
            return new PreparedJson(text);
          hit = await ctx.results.put(params.id, text);
        }
        return sendReady(req, reply, hit);
      },
    }),
    endpoint("GET /api/results/:id/events", {
      tag: "results",
      summary: "Progress of a job (assessment or simulation) as server-sent events (progress, then status).",
      permission: "result.read",
      handler: async ({ req, reply, params }) => {
        const info = await infoOf(params.id);
        const sse = openSse(req, reply, headersOf(req));
        const send = (e: JobEvent) => {
          sse.send(e.type, e);
          if (e.type === "status") sse.close();
        };
        const sub = jobs.subscribe(params.id, send);
        if (sub) {
          sse.send("progress", { type: "progress", ...sub.last });
          sse.onClose(sub.off);
          return;
        }
        // [RPL-4] running on another replica: its events come through PostgreSQL
        const remote = info.status === "running" ? jobs.follow(params.id, send) : undefined;
        if (remote) {
          sse.onClose(remote.off);
          if (remote.last) sse.send("progress", { type: "progress", ...remote.last });
          // it may have ended before we listened
          const now = await store.getResultInfo(params.id);
          if (now && now.status !== "running") {
            remote.off();
            send({ type: "status", status: now.status, error: now.error });
          }
          return;
        }
        // not running here: it may have ended since `info` was read (a warm job thread is quick), so read again
        const now = (await store.getResultInfo(params.id)) ?? info;
        sse.send("status", { type: "status", status: now.status, error: now.error });
        sse.close();
      },
    }),
    endpoint("POST /api/results/:id/cancel", {
      tag: "results",
      summary: "Cancel a running job (simulations need simulation.run, assessments assessment.run).",
      permission: "simulation.run",
      handler: async ({ req, params, session }) => {
        const info = await infoOf(params.id);
        const role = (session as Session).role;
        if (info.kind === "assessment" && !allowed(role, "assessment.run"))
          throw new HttpError(403, "forbidden", `role ${role} may not assessment.run`);
        const ok = info.status === "running" ? await jobs.cancelAnywhere(params.id) : jobs.cancel(params.id);
        if (!ok)
          throw new HttpError(409, "not-running", `result ${params.id} is ${info.status}, not running`, "path.id");
        await store.audit(`${info.kind}.cancel`, `results/${params.id}`, {}, actorOf(req, session));
        return { ok: true };
      },
    }),
  ];
}
