/** Scenarios and simulation jobs of a model version. */
import { z } from "zod";
import type { ServerContext } from "../context.ts";
import { type AnyRoute, HttpError, IdParam, route } from "../http.ts";
import { actorOf, ResultInfoOut, VersionParams } from "./common.ts";

export function simulationsRoutes(ctx: ServerContext): AnyRoute[] {
  const { models, jobs } = ctx;
  return [
    route({
      method: "GET",
      url: "/api/models/:model/versions/:version/scenarios",
      tag: "results",
      summary: "Scenarios a version offers for simulation.",
      permission: "model.read",
      params: VersionParams,
      handler: async ({ params }) => {
        const engine = ctx.engines.simulate;
        if (!engine)
          throw new HttpError(501, "engine-unavailable", "the simulation engine is not available in this build");
        const l = await models.load(params.model, params.version);
        return { scenarios: engine.scenarios(l.model, l.raw) };
      },
    }),
    route({
      method: "POST",
      url: "/api/models/:model/versions/:version/simulations",
      tag: "results",
      summary: "Start a simulation job; follow it at /api/results/{id}/events.",
      permission: "simulation.run",
      status: 202,
      params: VersionParams,
      body: z.strictObject({
        scenario: IdParam,
        controls: z.array(IdParam).max(100, { error: "expected at most 100 controls" }).default([]),
        compare: z
          .array(z.array(IdParam).max(100, { error: "expected at most 100 controls per set" }))
          .max(4, { error: "expected at most 4 defence sets to compare" })
          .default([]),
        runs: z
          .number({ error: "expected a number of runs" })
          .int({ error: "expected a whole number of runs" })
          .min(1, { error: "expected runs from 1 to 100000" })
          .max(100_000, { error: "expected runs from 1 to 100000" })
          .default(200),
        seed: z
          .number({ error: "expected a seed (a whole number)" })
          .int({ error: "expected a whole-number seed" })
          .min(0, { error: "expected a seed >= 0" })
          .max(2 ** 32 - 1, { error: "expected a seed < 2^32" })
          .default(1),
      }),
      response: ResultInfoOut,
      handler: async ({ req, params, body, session }) => {
        const v = await models.resolveVersion(params.model, params.version);
        return jobs.start(params.model, v, body, actorOf(req, session));
      },
    }),
  ];
}
