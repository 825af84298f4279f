/** Editing one control or person of a model (each edit is a new version). */
import { z } from "zod";
import type { ServerContext } from "../context.ts";
import { type AnyRoute, IdParam, route } from "../http.ts";
import { actorOf, VersionInfo } from "./common.ts";

const Entity = z.record(z.string(), z.unknown());

export function entitiesRoutes(ctx: ServerContext): AnyRoute[] {
  const { models } = ctx;
  return [
    ...(["controls", "people"] as const).flatMap((list) => [
      route({
        method: "PUT",
        url: `/api/models/:model/${list}/:id`,
        tag: "models",
        summary: `Add or replace one of a model's ${list} (a new version).`,
        permission: "model.write",
        params: z.strictObject({ model: IdParam, id: IdParam }),
        body: Entity,
        response: z.object({ version: VersionInfo, warnings: z.number() }),
        handler: async ({ req, params, body, session }) => {
          const { id: _ignored, ...entity } = body;
          const r = await models.editEntity(params.model, list, params.id, entity, actorOf(req, session));
          return { version: r.info, warnings: r.warnings };
        },
      }),
      route({
        method: "DELETE",
        url: `/api/models/:model/${list}/:id`,
        tag: "models",
        summary: `Remove one of a model's ${list} (a new version).`,
        permission: "model.write",
        params: z.strictObject({ model: IdParam, id: IdParam }),
        response: z.object({ version: VersionInfo, warnings: z.number() }),
        handler: async ({ req, params, session }) => {
          const r = await models.editEntity(params.model, list, params.id, null, actorOf(req, session));
          return { version: r.info, warnings: r.warnings };
        },
      }),
    ]),
  ];
}
