/** Alerts: list, live stream, acknowledge. */

import type { ServerContext } from "../context.ts";
import { type AnyRoute, endpoint, HttpError } from "../http.ts";
import { headersOf, openSse } from "../transport/sse.ts";
import { actorOf } from "./common.ts";

export function alertsRoutes(ctx: ServerContext): AnyRoute[] {
  const { store, alerts } = ctx;
  return [
    endpoint("GET /api/alerts", {
      tag: "alerts",
      summary: "List alerts (newest first).",
      permission: "alert.read",
      handler: async ({ query }) => ({
        alerts: await store.listAlerts({
          limit: query.limit,
          before: query.before,
          modelId: query.model,
          open: query.open === "true",
        }),
      }),
    }),
    endpoint("GET /api/alerts/stream", {
      tag: "alerts",
      summary: "Live alerts as server-sent events (event: alert).",
      permission: "alert.read",
      handler: async ({ req, reply }) => {
        const sse = openSse(req, reply, headersOf(req));
        sse.onClose(alerts.subscribe((a) => sse.send("alert", a)));
        sse.send("ready", { detect: !!ctx.engines.detect });
      },
    }),
    endpoint("GET /api/telemetry", {
      tag: "alerts",
      summary: "Live telemetry counts: readings received, judged and dropped by reason; trained detectors.",
      permission: "alert.read",
      handler: async () =>
        alerts.telemetry?.() ?? {
          enabled: false,
          stats: { received: 0, accepted: 0, judged: 0, dropped: {}, alerts: 0 },
          alertsFailed: 0,
          detectors: [],
        },
    }),
    endpoint("POST /api/alerts/:id/ack", {
      tag: "alerts",
      summary: "Acknowledge an alert.",
      permission: "alert.ack",
      handler: async ({ req, params, session }) => {
        const a = await store.ackAlert(params.id, actorOf(req, session));
        if (!a) throw new HttpError(404, "not-found", `no alert ${params.id}`, "path.id");
        return a;
      },
    }),
  ];
}
