/** The audit log and its hash-chain check. */
import { z } from "zod";
import type { ServerContext } from "../context.ts";
import { type AnyRoute, Limit, route } from "../http.ts";

export function auditRoutes(ctx: ServerContext): AnyRoute[] {
  const { store } = ctx;
  return [
    route({
      method: "GET",
      url: "/api/audit",
      tag: "audit",
      summary: "The audit log, newest first.",
      permission: "audit.read",
      query: z.strictObject({
        limit: Limit.optional(),
        before: z
          .string()
          .regex(/^[1-9][0-9]{0,15}$/, { error: "expected an entry number" })
          .transform(Number)
          .optional(),
      }),
      handler: async ({ query }) => ({ entries: await store.listAudit({ limit: query.limit, before: query.before }) }),
    }),
    route({
      method: "GET",
      url: "/api/audit/verify",
      tag: "audit",
      summary: "Verify the audit log's hash chain.",
      permission: "audit.read",
      handler: async () => store.verifyAudit(),
    }),
  ];
}
