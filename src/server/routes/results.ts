/** Stored results (assessments and simulations): list, read, follow, cancel. */

import { z } from "zod";
import type { ServerContext } from "../context.ts";
import { type AnyRoute, HttpError, IdParam, Limit, route } from "../http.ts";
import { sendReady } from "../transport/cache.ts";
import { headersOf, openSse } from "../transport/sse.ts";
import { actorOf, ResultInfoOut } from "./common.ts";

export function resultsRoutes(ctx: ServerContext): AnyRoute[] {
  const { store, jobs } = ctx;
  return [
    route({
      method: "GET",
      url: "/api/results",
      tag: "results",
      summary: "List results (newest first).",
      permission: "result.read",
      query: z.strictObject({
        model: IdParam.optional(),
        kind: z.enum(["assessment", "simulation"], { error: "expected assessment or simulation" }).optional(),
        version: z
          .string()
          .regex(/^[1-9][0-9]{0,8}$/, { error: "expected a version number" })
          .transform(Number)
          .optional(),
        limit: Limit.optional(),
      }),
      response: z.object({ results: z.array(ResultInfoOut) }),
      handler: async ({ query }) => ({
        results: await store.listResults({
          modelId: query.model,
          kind: query.kind,
          version: query.version,
          limit: query.limit,
        }),
      }),
    }),
    route({
      method: "GET",
      url: "/api/results/:id",
      tag: "results",
      summary: "A result: its status and, when done, its body (the engine's report).",
      permission: "result.read",
      params: z.strictObject({ id: z.uuid({ error: "expected a result id (a UUID)" }) }),
      handler: async ({ req, reply, params }) => {
        let hit = ctx.results.get(params.id);
        if (!hit) {
          const info = await store.getResultInfo(params.id);
          if (!info) throw new HttpError(404, "not-found", `no result ${params.id}`, "path.id");
          const body = info.status === "done" ? await store.getResultBody(params.id) : null;
          // the stored body is spliced in as it is: no parse and re-serialize on the read path
          const text = `{"info":${JSON.stringify(info)},"result":${body ?? "null"}}`;
          // a finished result never changes: keep it ready to send, plain and compressed
          if (info.status !== "done" && info.status !== "failed" && info.status !== "cancelled") return text;
          hit = await ctx.results.put(params.id, text);
        }
        return sendReady(req, reply, hit);
      },
    }),
    route({
      method: "GET",
      url: "/api/results/:id/events",
      tag: "results",
      summary: "Progress of a simulation job as server-sent events (progress, then status).",
      permission: "result.read",
      sse: true,
      params: z.strictObject({ id: z.uuid({ error: "expected a result id (a UUID)" }) }),
      handler: async ({ req, reply, params }) => {
        const info = await store.getResultInfo(params.id);
        if (!info) throw new HttpError(404, "not-found", `no result ${params.id}`, "path.id");
        const sse = openSse(req, reply, headersOf(req));
        const sub = jobs.subscribe(params.id, (e) => {
          sse.send(e.type, e);
          if (e.type === "status") sse.close();
        });
        if (!sub) {
          sse.send("status", { type: "status", status: info.status, error: info.error });
          sse.close();
          return;
        }
        sse.send("progress", { type: "progress", ...sub.last });
        sse.onClose(sub.off);
      },
    }),
    route({
      method: "POST",
      url: "/api/results/:id/cancel",
      tag: "results",
      summary: "Cancel a running simulation job.",
      permission: "simulation.run",
      params: z.strictObject({ id: z.uuid({ error: "expected a result id (a UUID)" }) }),
      handler: async ({ req, params, session }) => {
        const info = await store.getResultInfo(params.id);
        if (!info) throw new HttpError(404, "not-found", `no result ${params.id}`, "path.id");
        const ok = jobs.cancel(params.id);
        if (!ok)
          throw new HttpError(409, "not-running", `result ${params.id} is ${info.status}, not running`, "path.id");
        await store.audit("simulation.cancel", `results/${params.id}`, {}, actorOf(req, session));
        return { ok: true };
      },
    }),
  ];
}
