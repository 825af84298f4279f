/** Running assessments of a model version. */

import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { ServerContext } from "../context.ts";
import { type AnyRoute, HttpError, route } from "../http.ts";
import { actorOf, guard, ResultInfoOut, VersionParams } from "./common.ts";

export function assessmentsRoutes(ctx: ServerContext): AnyRoute[] {
  const { store, models } = ctx;
  return [
    route({
      method: "POST",
      url: "/api/models/:model/versions/:version/assessments",
      tag: "results",
      summary: "Run an assessment of a version and store it.",
      permission: "assessment.run",
      status: 201,
      params: VersionParams,
      body: z
        .strictObject({
          asOf: z
            .string()
            .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "expected a date YYYY-MM-DD" })
            .optional(),
        })
        .default({}),
      response: ResultInfoOut,
      handler: async ({ req, params, body, session }) => {
        const engine = ctx.engines.assess;
        if (!engine)
          throw new HttpError(501, "engine-unavailable", "the assessment engine is not available in this build");
        const l = await models.load(params.model, params.version);
        const asOf = body.asOf ?? new Date().toISOString().slice(0, 10);
        const id = randomUUID();
        const info = await guard(
          store.createResult(
            {
              id,
              kind: "assessment",
              modelId: params.model,
              version: l.info.version,
              params: { asOf },
              status: "running",
            },
            actorOf(req, session),
          ),
        );
        const t0 = performance.now();
        try {
          const report = engine.run(l.model, l.raw, { asOf });
          const json = JSON.stringify(report);
          await store.finishResult(id, "done", json, null);
          // the first read is usually right after: have it compressed by then (errors surface on that read)
          const finished = await store.getResultInfo(id);
          if (finished) ctx.results.put(id, `{"info":${JSON.stringify(finished)},"result":${json}}`).catch(() => {});
        } catch (e) {
          await store.finishResult(id, "failed", null, e instanceof Error ? e.message.slice(0, 500) : "failed");
          throw new HttpError(500, "assessment-failed", "the assessment failed (see the result's error)");
        }
        console.log(
          `assessment ${id} of ${params.model} v${l.info.version} in ${Math.round(performance.now() - t0)} ms`,
        );
        return { ...info, status: "done" };
      },
    }),
  ];
}
