/** Running assessments of a model version: a job like a simulation (progress and status over SSE). */
import type { ServerContext } from "../context.ts";
import { type AnyRoute, endpoint } from "../http.ts";
import { actorOf } from "./common.ts";

export function assessmentsRoutes(ctx: ServerContext): AnyRoute[] {
  const { jobs } = ctx;
  return [
    endpoint("POST /api/models/:model/versions/:version/assessments", {
      tag: "results",
      summary:
        "Start an assessment job of a version; follow it at /api/results/{id}/events, read it at /api/results/{id}.",
      permission: "assessment.run",
      status: 202,
      handler: async ({ req, params, body, session }) => {
        const asOf = body.asOf ?? new Date().toISOString().slice(0, 10);
        const today = new Date().toISOString().slice(0, 10);
        const accepted = await ctx.store.listAcceptedRisks(params.model);
        return jobs.startAssessment(params.model, params.version, { asOf }, actorOf(req, session), {
          today,
          accepted,
        });
      },
    }),
  ];
}
