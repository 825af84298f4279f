/** Editing one control or person of a model (each edit is a new version). */
import type { ServerContext } from "../context.ts";
import { type AnyRoute, endpoint } from "../http.ts";
import { actorOf } from "./common.ts";

export function entitiesRoutes(ctx: ServerContext): AnyRoute[] {
  const { models } = ctx;
  return (["controls", "people"] as const).flatMap((list) => [
    endpoint(`PUT /api/models/:model/${list}/:id`, {
      tag: "models",
      summary: `Add or replace one of a model's ${list} (a new version).`,
      permission: "model.write",
      handler: async ({ req, params, body, session }) => {
        const { id: _ignored, ...entity } = body;
        const r = await models.editEntity(params.model, list, params.id, entity, actorOf(req, session));
        return { version: r.info, warnings: r.warnings };
      },
    }),
    endpoint(`DELETE /api/models/:model/${list}/:id`, {
      tag: "models",
      summary: `Remove one of a model's ${list} (a new version).`,
      permission: "model.write",
      handler: async ({ req, params, session }) => {
        const r = await models.editEntity(params.model, list, params.id, null, actorOf(req, session));
        return { version: r.info, warnings: r.warnings };
      },
    }),
  ]);
}
