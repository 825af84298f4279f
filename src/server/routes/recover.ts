/** Restoration plans and disaster recovery plans of a model version (docs/recover.md); computed, not stored. */
import type { ServerContext } from "../context.ts";
import { type AnyRoute, endpoint, HttpError } from "../http.ts";

export function recoverRoutes(ctx: ServerContext): AnyRoute[] {
  const { models } = ctx;
  const engine = () => {
    const e = ctx.engines.recover;
    if (!e) throw new HttpError(501, "engine-unavailable", "the recover engine is not available in this build");
    return e;
  };
  return [
    endpoint("POST /api/models/:model/versions/:version/recover/plans", {
      tag: "recover",
      summary: "A restoration plan: repairs ordered and assigned to crews to minimise the weighted loss ([RCV-3]).",
      permission: "simulation.run",
      handler: async ({ params, body }) => {
        const e = engine();
        const l = await models.load(params.model, params.version);
        const r = await e.plan(l.model, body);
        if (!r.ok) throw new HttpError(400, r.error.code, r.error.message, `body.${r.error.parameter}`);
        return r.value;
      },
    }),
    endpoint("POST /api/models/:model/versions/:version/recover/drp", {
      tag: "recover",
      summary: "A service's disaster recovery plan: restoration order, objectives, fallbacks, people, odds.",
      permission: "simulation.run",
      handler: async ({ params, body }) => {
        const e = engine();
        const l = await models.load(params.model, params.version);
        const r = await e.drp(l.model, body);
        if (!r.ok) throw new HttpError(400, r.error.code, r.error.message, `body.${r.error.parameter}`);
        return r.value;
      },
    }),
  ];
}
