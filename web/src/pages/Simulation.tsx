import { useEffect, useMemo, useState } from "react";
import { api, stream } from "../api.ts";
import { GraphView } from "../GraphView.tsx";
import { layout } from "../layout.ts";
import type { Ctx } from "../main.tsx";
import { hours, num } from "../model.ts";

type Point = { t: number; p10: number; p50: number; p90: number };
type SetOut = {
  controls: string[];
  totals: {
    personHours: { mean: number; p90: number };
    attackSuccessProbability: number;
    objectivesMetProbability: number | null;
  };
  services: { id: string; name: string; personHours: { mean: number }; curve: Point[] }[];
};
type Result = {
  report: { scenario: { name: string }; runs: number; horizonHours: number };
  sets: SetOut[];
  representative?: { trace: { t: number; kind: string; id: string; to?: number }[] };
};

function Curve({ points, horizon, label }: { points: Point[]; horizon: number; label: string }) {
  const W = 420;
  const H = 180;
  const x = (t: number) => 30 + (t / Math.max(horizon, 1e-9)) * (W - 40);
  const y = (l: number) => 10 + (1 - l) * (H - 30);
  const band = `${points.map((p) => `${x(p.t)},${y(p.p90)}`).join(" ")} ${[...points]
    .reverse()
    .map((p) => `${x(p.t)},${y(p.p10)}`)
    .join(" ")}`;
  const line = points.map((p) => `${x(p.t)},${y(p.p50)}`).join(" ");
  return (
    <svg className="curve" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`resilience curve ${label}`}>
      <line x1={30} y1={y(0)} x2={W - 10} y2={y(0)} className="axis" />
      <line x1={30} y1={y(1)} x2={30} y2={y(0)} className="axis" />
      <text x={2} y={y(1) + 4}>
        100%
      </text>
      <text x={8} y={y(0)}>
        0%
      </text>
      <text x={W - 60} y={H - 4}>
        {hours(horizon)}
      </text>
      <polygon points={band} className="band" />
      <polyline points={line} className="median" />
    </svg>
  );
}

/** Pick a scenario and defences, follow the job live, compare resilience curves side by side, replay the cascade. */
export function SimulationPage({ ctx }: { ctx: Ctx }) {
  const [scenarios, setScenarios] = useState<{ id: string; name: string; description?: string }[]>([]);
  const [scenario, setScenario] = useState("");
  const [defences, setDefences] = useState<string[]>([]);
  const [runs, setRuns] = useState(200);
  const [job, setJob] = useState<{ id: string; done: number; total: number; status: string } | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [service, setService] = useState("");
  const [error, setError] = useState("");
  const [time, setTime] = useState(0);

  useEffect(() => {
    if (!ctx.engines.simulate) return;
    api("GET", `/api/models/${ctx.modelId}/versions/${ctx.version}/scenarios`).then((r) => {
      setScenarios(r.scenarios);
      setScenario(r.scenarios[0]?.id ?? "");
    });
  }, [ctx.modelId, ctx.version, ctx.engines.simulate]);

  const load = async (id: string) => {
    const r = await api<{ info: { status: string; error: string | null }; result: Result | null }>(
      "GET",
      `/api/results/${id}`,
    );
    if (r.result) {
      setResult(r.result);
      const worst = [...r.result.sets[0].services].sort((a, b) => b.personHours.mean - a.personHours.mean)[0];
      setService(worst?.id ?? "");
    } else if (r.info.error) setError(r.info.error);
  };

  const start = async () => {
    setError("");
    setResult(null);
    try {
      const info = await api("POST", `/api/models/${ctx.modelId}/versions/${ctx.version}/simulations`, {
        scenario,
        runs,
        seed: 1,
        compare: defences.length ? [defences] : [],
      });
      setJob({ id: info.id, done: 0, total: runs, status: "running" });
      const close = stream(`/api/results/${info.id}/events`, {
        progress: (p) => setJob((j) => (j ? { ...j, done: p.done, total: p.total } : j)),
        status: (s) => {
          close();
          setJob((j) => (j ? { ...j, status: s.status } : j));
          if (s.status === "done") void load(info.id);
          else if (s.error) setError(s.error);
        },
      });
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const graph = useMemo(() => layout(ctx.model), [ctx.model]);
  const levels = useMemo(() => {
    const m = new Map<string, number>();
    for (const e of result?.representative?.trace ?? []) if (e.t <= time && e.to !== undefined) m.set(e.id, e.to);
    for (const n of graph.nodes) if (!m.has(n.id)) m.set(n.id, 1);
    return m;
  }, [result, time, graph]);

  if (!ctx.engines.simulate) return <p>The simulation engine is not available in this build.</p>;
  const horizon = result?.report.horizonHours ?? 0;
  return (
    <section>
      <div className="filters">
        <label>
          Scenario
          <select value={scenario} onChange={(e) => setScenario(e.target.value)} aria-label="scenario">
            {scenarios.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Runs
          <input
            type="number"
            min={1}
            max={100000}
            value={runs}
            onChange={(e) => setRuns(Number(e.target.value))}
            aria-label="runs"
          />
        </label>
        {ctx.can("simulation.run") ? (
          <button type="button" onClick={start} disabled={!scenario || job?.status === "running"}>
            Run simulation
          </button>
        ) : (
          <span className="muted">Your role cannot start simulations.</span>
        )}
        {job?.status === "running" && ctx.can("simulation.run") && (
          <button type="button" onClick={() => api("POST", `/api/results/${job.id}/cancel`).catch(() => {})}>
            Cancel
          </button>
        )}
      </div>
      <p className="muted">{scenarios.find((s) => s.id === scenario)?.description}</p>
      {ctx.model.controls.length > 0 && (
        <fieldset className="defences">
          <legend>Defences to compare side by side with the baseline</legend>
          {ctx.model.controls
            .filter((c) => c.status !== "implemented")
            .map((c) => (
              <label key={c.id}>
                <input
                  type="checkbox"
                  checked={defences.includes(c.id)}
                  onChange={(e) =>
                    setDefences(e.target.checked ? [...defences, c.id] : defences.filter((x) => x !== c.id))
                  }
                />
                {c.name}
              </label>
            ))}
        </fieldset>
      )}
      {job && (
        <div className="progress" data-status={job.status}>
          <progress value={job.done} max={job.total || 1} /> {job.status} {num(job.done)} / {num(job.total)} runs
        </div>
      )}
      {error && <p className="error">{error}</p>}
      {result && (
        <>
          <label>
            Service
            <select value={service} onChange={(e) => setService(e.target.value)} aria-label="curve service">
              {result.sets[0].services.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
          <div className="sets">
            {result.sets.map((set, i) => {
              const svc = set.services.find((s) => s.id === service) ?? set.services[0];
              const label = i === 0 ? "baseline" : `with ${set.controls.join(", ")}`;
              return (
                <div key={label} className="set" data-set={i}>
                  <h3>{label}</h3>
                  <Curve points={svc.curve} horizon={horizon} label={label} />
                  <p>
                    Person-hours lost: {num(set.totals.personHours.mean)} (p90 {num(set.totals.personHours.p90)}) ·
                    attack succeeds {Math.round(set.totals.attackSuccessProbability * 100)}% · objectives met{" "}
                    {set.totals.objectivesMetProbability === null
                      ? "–"
                      : `${Math.round(set.totals.objectivesMetProbability * 100)}%`}
                  </p>
                </div>
              );
            })}
          </div>
          {result.representative && (
            <div className="cascade">
              <h3>Cascade of a representative run</h3>
              <input
                type="range"
                min={0}
                max={horizon}
                step={horizon / 200 || 1}
                value={time}
                onChange={(e) => setTime(Number(e.target.value))}
                aria-label="time"
              />{" "}
              t = {hours(time)}
              <GraphView graph={graph} overlay={{ levels }} />
            </div>
          )}
        </>
      )}
    </section>
  );
}
