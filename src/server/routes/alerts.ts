/** Alerts: list, live stream, acknowledge. */

import { z } from "zod";
import type { ServerContext } from "../context.ts";
import { type AnyRoute, HttpError, IdParam, Limit, route } from "../http.ts";
import { headersOf, openSse } from "../transport/sse.ts";
import { actorOf } from "./common.ts";

const AlertOut = z.object({
  id: z.number(),
  at: z.string(),
  source: z.string(),
  modelId: z.string().nullable(),
  assetId: z.string().nullable(),
  signal: z.string().nullable(),
  severity: z.enum(["info", "warning", "critical"]),
  score: z.number(),
  message: z.string(),
  services: z.array(z.string()),
  ackedBy: z.string().nullable(),
  ackedAt: z.string().nullable(),
});

export function alertsRoutes(ctx: ServerContext): AnyRoute[] {
  const { store, alerts } = ctx;
  return [
    route({
      method: "GET",
      url: "/api/alerts",
      tag: "alerts",
      summary: "List alerts (newest first).",
      permission: "alert.read",
      query: z.strictObject({
        limit: Limit.optional(),
        before: z
          .string()
          .regex(/^[1-9][0-9]{0,15}$/, { error: "expected an alert id" })
          .transform(Number)
          .optional(),
        model: IdParam.optional(),
        open: z.enum(["true", "false"], { error: "expected true or false" }).optional(),
      }),
      response: z.object({ alerts: z.array(AlertOut) }),
      handler: async ({ query }) => ({
        alerts: await store.listAlerts({
          limit: query.limit,
          before: query.before,
          modelId: query.model,
          open: query.open === "true",
        }),
      }),
    }),
    route({
      method: "GET",
      url: "/api/alerts/stream",
      tag: "alerts",
      summary: "Live alerts as server-sent events (event: alert).",
      permission: "alert.read",
      sse: true,
      handler: async ({ req, reply }) => {
        const sse = openSse(req, reply, headersOf(req));
        sse.onClose(alerts.subscribe((a) => sse.send("alert", a)));
        sse.send("ready", { detect: !!ctx.engines.detect });
      },
    }),
    route({
      method: "POST",
      url: "/api/alerts/:id/ack",
      tag: "alerts",
      summary: "Acknowledge an alert.",
      permission: "alert.ack",
      params: z.strictObject({
        id: z
          .string()
          .regex(/^[1-9][0-9]{0,15}$/, { error: "expected an alert id" })
          .transform(Number),
      }),
      response: AlertOut,
      handler: async ({ req, params, session }) => {
        const a = await store.ackAlert(params.id, actorOf(req, session));
        if (!a) throw new HttpError(404, "not-found", `no alert ${params.id}`, "path.id");
        return a;
      },
    }),
  ];
}
