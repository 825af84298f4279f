/** The audit log and its hash-chain check. */
import type { ServerContext } from "../context.ts";
import { type AnyRoute, endpoint } from "../http.ts";

export function auditRoutes(ctx: ServerContext): AnyRoute[] {
  const { store } = ctx;
  return [
    endpoint("GET /api/audit", {
      tag: "audit",
      summary: "The audit log, newest first.",
      permission: "audit.read",
      handler: async ({ query }) => ({ entries: await store.listAudit({ limit: query.limit, before: query.before }) }),
    }),
    endpoint("GET /api/audit/verify", {
      tag: "audit",
      summary: "Verify the audit log's hash chain.",
      permission: "audit.read",
      handler: async () => store.verifyAudit(),
    }),
  ];
}
