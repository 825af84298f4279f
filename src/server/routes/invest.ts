/** Invest jobs of a model version ([BUY-1]..[BUY-12]): which defences to buy under a budget. */
import type { ServerContext } from "../context.ts";
import { type AnyRoute, endpoint } from "../http.ts";
import { actorOf } from "./common.ts";

export function investRoutes(ctx: ServerContext): AnyRoute[] {
  const { models, jobs } = ctx;
  return [
    endpoint("POST /api/models/:model/versions/:version/invest", {
      tag: "results",
      summary: "Start an invest job (portfolio under a budget, frontier, plan); follow it at /api/results/{id}/events.",
      permission: "simulation.run",
      status: 202,
      handler: async ({ req, params, body, session }) => {
        const v = await models.resolveVersion(params.model, params.version);
        return jobs.startInvest(params.model, v, body, actorOf(req, session));
      },
    }),
  ];
}
