/** The latest stored assessment of a model version; runs one on request (analysts). */
import { useCallback, useEffect, useState } from "react";
import { api } from "../api.ts";
import type { Ctx } from "../main.tsx";

export type Report = {
  findings: {
    rule: string;
    severity: string;
    targets: string[];
    services: string[];
    frameworks: { csf: string[]; caf: string[]; iec62443: string[] };
    message: string;
    remediation: string;
  }[];
  criticality: { id: string; personHoursPerDay: number; spof: boolean; services: string[] }[];
  paths: {
    actor: string;
    entry: string;
    target: string;
    probability: number;
    steps: { asset: string; techniqueName: string; weakness: string }[];
    services: string[];
  }[];
  chokepoints: { actor: string; ids: string[]; pathsCut: number }[];
  actors: { id: string; name: string }[];
};

/** `enabled` false: no request (pages that only sometimes need the report). */
export function useAssessment(ctx: Ctx, enabled = true) {
  const [report, setReport] = useState<Report | null>(null);
  const [state, setState] = useState<"loading" | "none" | "ready" | "running" | "error">("loading");
  const [error, setError] = useState("");
  const load = useCallback(async () => {
    const r = await api<{ results: { id: string; status: string }[] }>(
      "GET",
      `/api/results?model=${ctx.modelId}&kind=assessment&version=${ctx.version}&limit=5`,
    );
    const done = r.results.find((x) => x.status === "done");
    if (!done) {
      setState("none");
      return;
    }
    const g = await api<{ result: Report }>("GET", `/api/results/${done.id}`);
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
      await api("POST", `/api/models/${ctx.modelId}/versions/${ctx.version}/assessments`, {});
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
