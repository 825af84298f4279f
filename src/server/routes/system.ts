/** Liveness, the OpenAPI document and which engines this build has. */

import { type ServerContext, VERSION } from "../context.ts";
import { available } from "../engines.ts";
import { type AnyRoute, endpoint } from "../http.ts";

export function systemRoutes(ctx: ServerContext): AnyRoute[] {
  const { store } = ctx;
  return [
    endpoint("GET /api/health", {
      tag: "system",
      summary: "Liveness and store health (public).",
      permission: null,
      handler: async ({ reply }) => {
        const ok = await store.ping();
        if (!ok) reply.code(503);
        return { status: ok ? ("ok" as const) : ("degraded" as const), store: store.kind, version: VERSION };
      },
    }),
    endpoint("GET /api/openapi.json", {
      tag: "system",
      summary: "This document.",
      permission: "session.self",
      handler: async () => ctx.openapi(),
    }),
    endpoint("GET /api/engines", {
      tag: "system",
      summary: "Which engines this build provides (absent ones answer 501).",
      permission: "session.self",
      handler: async () => available(ctx.engines),
    }),
  ];
}
