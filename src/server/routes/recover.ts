/** Restoration plans and disaster recovery plans of a model version (docs/recover.md); computed, not stored. */
import { downNow } from "../../respond/impact.ts";
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
        let request = body;
        if (body.case !== undefined) {
          // an incident case of this model: the assets down in it now
          const c = await ctx.store.cases.getCase(body.case);
          if (!c || c.modelId !== params.model)
            throw new HttpError(404, "not-found", "no such case for this model", "body.case");
          const rec = await ctx.store.cases.records(c.id);
          const down = downNow(rec.assets.map((a) => ({ at: a.at, asset: a.asset, state: a.state })));
          if (down.length === 0) throw new HttpError(400, "nothing-down", "no asset is down in this case", "body.case");
          request = { ...body, case: undefined, down };
        }
        const r = await e.plan(l.model, request);
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
