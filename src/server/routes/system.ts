/** Liveness, the OpenAPI document and which engines this build has. */

import { z } from "zod";
import type { ServerContext } from "../context.ts";
import { available } from "../engines.ts";
import { type AnyRoute, route } from "../http.ts";

export function systemRoutes(ctx: ServerContext): AnyRoute[] {
  const { store } = ctx;
  return [
    route({
      method: "GET",
      url: "/api/health",
      tag: "system",
      summary: "Liveness and store health (public).",
      permission: null,
      response: z.object({ status: z.enum(["ok", "degraded"]), store: z.string(), version: z.string() }),
      handler: async ({ reply }) => {
        const ok = await store.ping();
        if (!ok) reply.code(503);
        return { status: ok ? "ok" : "degraded", store: store.kind, version: "0.1.0" };
      },
    }),
    route({
      method: "GET",
      url: "/api/openapi.json",
      tag: "system",
      summary: "This document.",
      permission: "session.self",
      handler: async () => ctx.openapi(),
    }),
    route({
      method: "GET",
      url: "/api/engines",
      tag: "system",
      summary: "Which engines this build provides (absent ones answer 501).",
      permission: "session.self",
      response: z.object({ assess: z.boolean(), simulate: z.boolean(), detect: z.boolean() }),
      handler: async () => available(ctx.engines),
    }),
  ];
}
