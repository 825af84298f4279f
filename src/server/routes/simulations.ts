/** Scenarios and simulation jobs of a model version. */
import type { ServerContext } from "../context.ts";
import { type AnyRoute, endpoint, HttpError } from "../http.ts";
import { actorOf } from "./common.ts";

export function simulationsRoutes(ctx: ServerContext): AnyRoute[] {
  const { models, jobs } = ctx;
  return [
    endpoint("GET /api/models/:model/versions/:version/scenarios", {
      tag: "results",
      summary: "Scenarios a version offers for simulation.",
      permission: "model.read",
      handler: async ({ params }) => {
        const engine = ctx.engines.simulate;
        if (!engine)
          throw new HttpError(501, "engine-unavailable", "the simulation engine is not available in this build");
        const l = await models.load(params.model, params.version);
        return { scenarios: engine.scenarios(l.model, l.raw) };
      },
    }),
    endpoint("POST /api/models/:model/versions/:version/simulations", {
      tag: "results",
      summary: "Start a simulation job; follow it at /api/results/{id}/events.",
      permission: "simulation.run",
      status: 202,
      handler: async ({ req, params, body, session }) => {
        const v = await models.resolveVersion(params.model, params.version);
        return jobs.startSimulation(params.model, v, body, actorOf(req, session));
      },
    }),
  ];
}
