/** The latest stored assessment of a model version; runs one on request (analysts). */
import { useCallback, useEffect, useState } from "react";
import type { AssessReport } from "../../../src/contracts/assessment.ts";
import { call, stream } from "../api.ts";
import type { Ctx } from "../context.ts";

export type Report = AssessReport;

/** `enabled` false: no request (pages that only sometimes need the report). */
export function useAssessment(ctx: Ctx, enabled = true) {
  const [report, setReport] = useState<Report | null>(null);
  const [state, setState] = useState<"loading" | "none" | "ready" | "running" | "error">("loading");
  const [error, setError] = useState("");
  const load = useCallback(async () => {
    const r = await call("GET /api/results", {
      query: { model: ctx.modelId, kind: "assessment", version: ctx.version, limit: 5 },
    });
    const done = r.results.find((x) => x.status === "done");
    if (!done) {
      setState("none");
      return;
    }
    const g = await call("GET /api/results/:id", { params: { id: done.id } });
    if (g.kind !== "assessment" || !g.result) {
      setState("none");
      return;
    }
    setReport(g.result);
    setState("ready");
  }, [ctx.modelId, ctx.version]);
  useEffect(() => {
    if (!ctx.engines.assess || !enabled) return;
    load().catch((e) => {
      setError(String(e.message));
      setState("error");
    });
  }, [load, ctx.engines.assess, enabled]);
  const run = async () => {
    setState("running");
    try {
      const job = await call("POST /api/models/:model/versions/:version/assessments", {
        params: { model: ctx.modelId, version: ctx.version },
        body: {},
      });
      // the assessment runs as a job: wait for its status event, then read it
      await new Promise<void>((resolve, reject) => {
        const close = stream(
          "GET /api/results/:id/events",
          { params: { id: job.id } },
          {
            status: (s) => {
              close();
              if (s.status === "done") resolve();
              else reject(new Error(s.error ?? `the assessment ${s.status}`));
            },
          },
        );
      });
      await load();
    } catch (e) {
      setError(String((e as Error).message));
      setState("error");
    }
  };
  return { report, state, error, run };
}

/** "No assessment yet", with the button to run one for those allowed to. */
export function NoAssessment({ ctx, run }: { ctx: Ctx; run: () => void }) {
  return (
    <p>
      No assessment of this version yet.{" "}
      {ctx.can("assessment.run") && (
        <button type="button" onClick={run}>
          Run assessment
        </button>
      )}
    </p>
  );
}
