import { useEffect, useMemo, useState } from "react";
import type {
  CurvePoint,
  ObjectiveOut,
  ScenarioInfo,
  SimulationResult,
  TraceEntry,
} from "../../../src/contracts/simulation.ts";
import { call, stream } from "../api.ts";
import type { Ctx } from "../context.ts";
import { GraphView, type NodeState } from "../GraphView.tsx";
import { indexModel, subsetView } from "../layout.ts";
import { hours, num } from "../model.ts";

type Point = CurvePoint;
type Objective = ObjectiveOut;
type Result = SimulationResult;

const pct = (p: number) => `${Math.round(p * 1000) / 10}%`;

/** Share of a loss by cause [ATT-1]: attack / cascade / our containment. */
function causes(a: { attack: number; cascade: number; containment: number }): string {
  const t = a.attack + a.cascade + a.containment;
  return t > 0 ? `${pct(a.attack / t)} / ${pct(a.cascade / t)} / ${pct(a.containment / t)}` : "–";
}

/**
 * The council figures first (docs/simulate.md "Consequence and council figures"): weighted loss, the share lost to
 * our own containment, the chance of meeting every objective, the attacker's objective, then per essential service
 * the people without it at the worst moment and for how long, then services by weighted loss with their causes.
 */
export function Council({ report }: { report: Result["report"] }) {
  const t = report.totals;
  const essential = report.services
    .filter((s) => s.essential)
    .sort((a, b) => b.weightedLoss.mean - a.weightedLoss.mean);
  const hit = report.services
    .filter((s) => s.personHours.mean > 0)
    .sort((a, b) => b.weightedLoss.mean - a.weightedLoss.mean)
    .slice(0, 8);
  return (
    <div className="council" data-testid="council">
      <div className="tiles">
        <div className="tile">
          <b>{num(t.weightedLoss.mean)}</b>weighted loss (mean; weight x person-hours)
        </div>
        <div className="tile">
          <b>{num(t.personHours.mean)}</b>person-hours lost (mean)
        </div>
        <div className="tile">
          <b>{pct(t.attribution.containmentShare)}</b>of the loss: our own containment
        </div>
        <div className="tile">
          <b>{t.objectivesMetProbability === null ? "–" : pct(t.objectivesMetProbability)}</b>of runs: every objective
          met
        </div>
        <div className="tile">
          <b>{pct(t.attackSuccessProbability)}</b>
          {report.objective ? `objective reached: ${report.objective.description}` : "attack succeeded (any effect)"}
        </div>
      </div>
      <p className="muted">
        Loss by cause (attack / cascade / our containment): {causes(t.attribution)}. Containment:{" "}
        {report.containment.scope}, decided by {report.containment.decidedBy}.
      </p>
      {essential.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Essential service</th>
              <th>Weight</th>
              <th>People without it at the worst moment (P50 / P90)</th>
              <th>Hours with over 10% out (P50 / P90)</th>
              <th>Every objective met</th>
            </tr>
          </thead>
          <tbody>
            {essential.map((s) => (
              <tr key={s.id}>
                <td>{s.name}</td>
                <td>{s.weight}</td>
                <td>
                  {num(s.peoplePeak.p50)} / {num(s.peoplePeak.p90)}
                </td>
                <td>
                  {hours(s.severeHours.p50)} / {hours(s.severeHours.p90)}
                </td>
                <td>{s.objectivesMetProbability === null ? "–" : pct(s.objectivesMetProbability)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {hit.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Service</th>
              <th>Weighted loss (mean)</th>
              <th>Person-hours (mean)</th>
              <th>Attack / cascade / our containment</th>
            </tr>
          </thead>
          <tbody>
            {hit.map((s) => (
              <tr key={s.id}>
                <td>{s.name}</td>
                <td>{num(s.weightedLoss.mean)}</td>
                <td>{num(s.personHours.mean)}</td>
                <td>{causes(s.attribution)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {report.warnings.map((w) => (
        <p key={w} className="warning">
          {w}
        </p>
      ))}
    </div>
  );
}

/** Ticks for a time axis in hours: whole hours up to 3 days, whole days beyond. */
export function timeTicks(horizon: number): { t: number; label: string }[] {
  const steps = [1, 2, 3, 6, 12, 24, 48, 72, 24 * 5, 24 * 7, 24 * 14, 24 * 30, 24 * 90];
  const step = steps.find((s) => horizon / s <= 8) ?? Math.ceil(horizon / 8);
  const out: { t: number; label: string }[] = [];
  for (let t = 0; t <= horizon + 1e-9; t += step) out.push({ t, label: step >= 24 ? `${t / 24} d` : `${t} h` });
  return out;
}

/** Width of an element, followed as it resizes (charts draw at their real size, so text stays text-sized). */
function useWidth(): [(el: HTMLDivElement | null) => void, number] {
  const [w, setW] = useState(0);
  const [el, setEl] = useState<HTMLDivElement | null>(null);
  useEffect(() => {
    if (!el) return;
    const ro = new ResizeObserver(([e]) => setW(Math.round(e.contentRect.width)));
    ro.observe(el);
    return () => ro.disconnect();
  }, [el]);
  return [setEl, w];
}

/** A resilience curve: P10-P90 band, median line, hours/days axis, objectives (RTO, MTD) marked on the axis. */
function Curve({
  points,
  horizon,
  label,
  objectives,
  from,
}: {
  points: Point[];
  horizon: number;
  label: string;
  objectives: Objective[];
  /** Where objectives count from: the median first loss of the service (0 when it never lost level). */
  from: number;
}) {
  const [ref, width] = useWidth();
  const em = Number.parseFloat(getComputedStyle(document.documentElement).fontSize) || 14;
  const fs = Math.round(em * 0.8);
  const W = Math.max(280, width);
  const H = Math.round(Math.min(Math.max(W * 0.42, 12 * fs), 22 * fs));
  const left = fs * 3.2;
  const right = fs;
  const marks = objectives.filter((o) => (o.kind === "rto" || o.kind === "mtd") && from + o.target <= horizon);
  const top = fs * (1 + 1.3 * Math.max(1, marks.length));
  const bottom = fs * 2.8;
  const end = Math.max(horizon, 1e-9);
  const x = (t: number) => left + (Math.min(t, end) / end) * (W - left - right);
  const shown = points.filter((p, i) => p.t <= end || (i > 0 && points[i - 1].t < end));
  const y = (l: number) => top + (1 - l) * (H - top - bottom);
  const band = `${shown.map((p) => `${x(p.t)},${y(p.p90)}`).join(" ")} ${[...shown]
    .reverse()
    .map((p) => `${x(p.t)},${y(p.p10)}`)
    .join(" ")}`;
  const line = points.map((p) => `${x(p.t)},${y(p.p50)}`).join(" ");
  return (
    <div ref={ref} className="curve-box">
      <svg
        className="curve"
        width={W}
        height={H}
        viewBox={`0 0 ${W} ${H}`}
        fontSize={fs}
        role="img"
        aria-label={`resilience curve ${label}`}
      >
        {[0, 0.25, 0.5, 0.75, 1].map((l) => (
          <g key={l}>
            <line x1={left} x2={W - right} y1={y(l)} y2={y(l)} className="grid" />
            <text x={left - 6} y={y(l) + fs * 0.35} textAnchor="end">
              {l * 100}%
            </text>
          </g>
        ))}
        {timeTicks(end).map((k) => (
          <g key={k.t}>
            <line x1={x(k.t)} x2={x(k.t)} y1={y(0)} y2={y(0) + 5} className="axis" />
            <text x={x(k.t)} y={y(0) + fs * 1.3} textAnchor="middle">
              {k.label}
            </text>
          </g>
        ))}
        <line x1={left} y1={y(0)} x2={W - right} y2={y(0)} className="axis" />
        <line x1={left} y1={y(1)} x2={left} y2={y(0)} className="axis" />
        <polygon points={band} className="band" />
        <polyline points={line} className="median" />
        {marks.map((o, i) => (
          <g key={o.kind} className={`objective ${o.kind}`}>
            <line x1={x(from + o.target)} x2={x(from + o.target)} y1={fs * (1.3 * i + 0.4)} y2={y(0)} />
            <text
              x={x(from + o.target) + (x(from + o.target) > W * 0.7 ? -4 : 4)}
              y={fs * (1.3 * i + 1.1)}
              textAnchor={x(from + o.target) > W * 0.7 ? "end" : "start"}
            >
              {o.kind.toUpperCase()} {hours(o.target)} · met {Math.round(o.probabilityMet * 100)}%
            </text>
          </g>
        ))}
        <text x={left} y={H - fs * 0.3} className="caption">
          service level since the attack starts · band P10–P90 · line median
          {from > 0 ? ` · objectives from the median first loss (${hours(from)})` : ""}
        </text>
      </svg>
    </div>
  );
}

/**
 * The representative run played back: only the assets and services that changed in it (compromised,
 * detected, contained, level changes), joined by what needs what; a slider and a play button move the time.
 */
function Cascade({ ctx, trace, horizon }: { ctx: Ctx; trace: TraceEntry[]; horizon: number }) {
  const ix = useMemo(() => indexModel(ctx.model), [ctx.model]);
  const end = Math.min(horizon, Math.max(0, ...trace.map((e) => e.t)) * 1.1 || horizon);
  // open at the worst moment of the run: the lowest sum of service levels
  const worst = useMemo(() => {
    const lv = new Map<string, number>();
    let best = { t: end, sum: 0 };
    for (const e of trace) {
      if (e.kind !== "level" || e.to === undefined || !ix.services.has(e.id)) continue;
      lv.set(e.id, e.to);
      let sum = 0;
      for (const v of lv.values()) sum += v - 1;
      if (sum < best.sum) best = { t: e.t, sum };
    }
    return best.t;
  }, [trace, ix, end]);
  const [time, setTime] = useState(worst);
  const [playing, setPlaying] = useState(false);
  const [selected, setSelected] = useState<string>();
  useEffect(() => {
    if (!playing) return;
    const step = end / 120;
    const h = setInterval(() => {
      setTime((t) => {
        if (t + step >= end) {
          setPlaying(false);
          return end;
        }
        return t + step;
      });
    }, 80);
    return () => clearInterval(h);
  }, [playing, end]);
  const touched = useMemo(
    () => [...new Set(trace.map((e) => e.id))].filter((id) => ix.services.has(id) || ix.assets.has(id)),
    [trace, ix],
  );
  const graph = useMemo(() => subsetView(ix, touched), [ix, touched]);
  const state = useMemo(() => {
    const out = new Map<string, NodeState>();
    for (const e of trace) {
      if (e.t > time) break;
      const cur = out.get(e.id) ?? {};
      if (e.kind === "level" && e.to !== undefined)
        out.set(e.id, { ...cur, level: e.to, badge: `${Math.round(e.to * 100)}%`, cls: e.to < 1 ? "changed" : "" });
      else if (e.kind === "compromise") out.set(e.id, { ...cur, cls: "compromised", badge: "compromised" });
      else if (e.kind === "restored") out.set(e.id, { ...cur, cls: "restored", badge: "restored" });
      else out.set(e.id, { ...cur, badge: e.kind });
    }
    return out;
  }, [trace, time]);
  const services = touched.filter((id) => ix.services.has(id));
  const past = trace.filter((e) => e.t <= time);
  return (
    <div className="cascade">
      <h3>Cascade of a representative run</h3>
      <p className="muted">
        {touched.length - services.length} assets and {services.length} services changed in this run
        {services.length ? "" : " (no service lost level in it)"}; dashed links pass through assets that did not change.
      </p>
      <div className="filters">
        <button
          type="button"
          onClick={() => {
            if (!playing && time >= end) setTime(0);
            setPlaying(!playing);
          }}
        >
          {playing ? "Pause" : "Play"}
        </button>
        <input
          type="range"
          min={0}
          max={end}
          step={end / 240 || 1}
          value={time}
          onChange={(e) => {
            setPlaying(false);
            setTime(Number(e.target.value));
          }}
          aria-label="time"
        />
        <span>t = {hours(time)}</span>
        <span className="muted">
          {past.length} / {trace.length} events
        </span>
      </div>
      <div className="map-body">
        <GraphView
          graph={graph}
          overlay={{ state }}
          selected={selected}
          onSelect={(n) => setSelected(n.id)}
          label="cascade of a representative run"
        />
        <aside className="details events">
          <h4>Events up to {hours(time)}</h4>
          <ol>
            {past
              .slice(-40)
              .reverse()
              .map((e, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: events are ordered and static
                <li key={`${e.t}-${e.id}-${i}`} className={selected === e.id ? "hot" : ""}>
                  <span className="muted">{hours(e.t)}</span> {e.kind}{" "}
                  <strong>{ix.services.get(e.id)?.name ?? ix.assets.get(e.id)?.name ?? e.id}</strong>
                  {e.kind === "level" && e.to !== undefined ? ` → ${Math.round(e.to * 100)}%` : ""}
                  {e.detail ? <span className="muted"> ({e.detail})</span> : null}
                </li>
              ))}
          </ol>
        </aside>
      </div>
    </div>
  );
}

/** Pick a scenario and defences, follow the job live, compare resilience curves side by side, replay the cascade. */
export function SimulationPage({ ctx }: { ctx: Ctx }) {
  const [scenarios, setScenarios] = useState<ScenarioInfo[]>([]);
  const [scenario, setScenario] = useState("");
  const [defences, setDefences] = useState<string[]>([]);
  const [runs, setRuns] = useState(200);
  const [job, setJob] = useState<{ id: string; done: number; total: number; status: string } | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [service, setService] = useState("");
  const [range, setRange] = useState(0);
  const [error, setError] = useState("");

  useEffect(() => {
    if (!ctx.engines.simulate) return;
    call("GET /api/models/:model/versions/:version/scenarios", {
      params: { model: ctx.modelId, version: ctx.version },
    }).then((r) => {
      setScenarios(r.scenarios);
      setScenario(r.scenarios[0]?.id ?? "");
    });
  }, [ctx.modelId, ctx.version, ctx.engines.simulate]);

  const load = async (id: string) => {
    const r = await call("GET /api/results/:id", { params: { id } });
    if (r.kind === "simulation" && r.result) {
      setResult(r.result);
      const worst = [...r.result.sets[0].services].sort((a, b) => b.personHours.mean - a.personHours.mean)[0];
      setService(worst?.id ?? "");
    } else if (r.info.error) setError(r.info.error);
  };

  const start = async () => {
    setError("");
    setResult(null);
    try {
      const info = await call("POST /api/models/:model/versions/:version/simulations", {
        params: { model: ctx.modelId, version: ctx.version },
        body: { scenario, runs, seed: 1, compare: defences.length ? [defences] : [] },
      });
      setJob({ id: info.id, done: 0, total: runs, status: "running" });
      const close = stream(
        "GET /api/results/:id/events",
        { params: { id: info.id } },
        {
          progress: (p) => {
            setJob((j) => (j ? { ...j, done: p.done, total: p.total } : j));
          },
          status: (s) => {
            close();
            setJob((j) => (j ? { ...j, status: s.status } : j));
            if (s.status === "done") void load(info.id);
            else if (s.error) setError(s.error);
          },
        },
      );
    } catch (e) {
      setError((e as Error).message);
    }
  };

  if (!ctx.engines.simulate) return <p>The simulation engine is not available in this build.</p>;
  const horizon = result?.report.horizonHours ?? 0;
  const shownHours = range && range < horizon ? range : horizon;
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
          <button
            type="button"
            onClick={() => call("POST /api/results/:id/cancel", { params: { id: job.id } }).catch(() => {})}
          >
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
          <div className="filters">
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
            <label>
              Time shown
              <select value={range} onChange={(e) => setRange(Number(e.target.value))} aria-label="time shown">
                <option value={0}>whole horizon ({hours(horizon)})</option>
                {[24, 72, 168, 336]
                  .filter((h) => h < horizon)
                  .map((h) => (
                    <option key={h} value={h}>
                      first {hours(h)}
                    </option>
                  ))}
              </select>
            </label>
          </div>
          <Council report={result.report} />
          <div className="sets">
            {result.sets.map((set, i) => {
              const svc = set.services.find((s) => s.id === service) ?? set.services[0];
              const label = i === 0 ? "baseline" : `with ${set.controls.join(", ")}`;
              return (
                <div key={label} className="set" data-set={i}>
                  <h3>{label}</h3>
                  <Curve
                    points={svc.curve}
                    horizon={shownHours}
                    label={label}
                    objectives={svc.objectives ?? []}
                    from={svc.firstLossHours.probability > 0 ? (svc.firstLossHours.p50 ?? 0) : 0}
                  />
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
          {result.representative && <Cascade ctx={ctx} trace={result.representative.trace} horizon={horizon} />}
        </>
      )}
    </section>
  );
}
