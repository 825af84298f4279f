/** Accepted risks of a model ([FND-3]): list, accept, revoke; every change audited; assessments use them. */
import type { ServerContext } from "../context.ts";
import { type AnyRoute, endpoint, HttpError } from "../http.ts";
import { actorOf, guard } from "./common.ts";

export function risksRoutes(ctx: ServerContext): AnyRoute[] {
  const { store } = ctx;
  return [
    endpoint("GET /api/models/:model/accepted-risks", {
      tag: "models",
      summary: "List the model's accepted risks (owner, justification, expiry).",
      permission: "model.read",
      handler: async ({ params }) => {
        if (!(await store.getModel(params.model)))
          throw new HttpError(404, "not-found", `no model ${params.model}`, "path.model");
        return { risks: await store.listAcceptedRisks(params.model) };
      },
    }),
    endpoint("POST /api/models/:model/accepted-risks", {
      tag: "models",
      summary: "Accept a finding's risk (a rule or group id, optionally one target) until a date; audited.",
      permission: "model.write",
      status: 201,
      handler: async ({ req, params, body, session }) =>
        guard(store.addAcceptedRisk(params.model, body, actorOf(req, session))),
    }),
    endpoint("DELETE /api/models/:model/accepted-risks/:id", {
      tag: "models",
      summary: "Revoke an accepted risk; audited.",
      permission: "model.write",
      handler: async ({ req, params, session }) => {
        if (!(await store.deleteAcceptedRisk(params.model, params.id, actorOf(req, session))))
          throw new HttpError(404, "not-found", `no accepted risk ${params.id}`, "path.id");
        return { ok: true };
      },
    }),
  ];
}
