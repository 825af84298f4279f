import { useState } from "react";
import type { DrpResponse, RecoveryPlan } from "../../../src/contracts/recover.ts";
import { ApiError, call } from "../api.ts";
import type { Ctx } from "../context.ts";
import { hours, num } from "../model.ts";

const pct = (p: number) => `${Math.round(p * 1000) / 10}%`;
const COLORS = ["#2563eb", "#059669", "#d97706", "#7c3aed", "#dc2626", "#0891b2", "#65a30d", "#db2777"];
const SCENARIOS = [
  "ransomware",
  "grid-attack",
  "traffic-signals",
  "water-manipulation",
  "sensor-poisoning",
  "supply-chain",
  "ddos-citizen-services",
];

/** The plan's Gantt chart: one row per team, one bar per repair (title: asset, times, state). */
export function Gantt({ plan, width = 960 }: { plan: RecoveryPlan; width?: number }) {
  const rows = [...new Set(plan.tasks.map((t) => t.team))];
  const crews = [...new Set(plan.tasks.map((t) => t.crew))];
  const end = Math.max(1, plan.makespan, ...plan.services.map((s) => s.restoredAt ?? 0));
  const left = 200;
  const rowH = 22;
  const top = 24;
  const h = top + rows.length * rowH + 10;
  const x = (t: number) => left + ((width - left - 10) * t) / end;
  const step = end <= 48 ? 6 : end <= 240 ? 24 : end <= 24 * 30 ? 24 * 7 : 24 * 30;
  const ticks: number[] = [];
  for (let t = 0; t <= end + 1e-9; t += step) ticks.push(t);
  return (
    <svg
      viewBox={`0 0 ${width} ${h}`}
      width="100%"
      role="img"
      aria-label="Gantt chart of the restoration plan"
      data-testid="gantt"
      fontSize="11"
    >
      {ticks.map((t) => (
        <g key={t}>
          <line x1={x(t)} y1={top - 4} x2={x(t)} y2={h - 10} stroke="#ddd" />
          <text x={x(t)} y={top - 8} textAnchor="middle" fill="#555">
            {hours(t)}
          </text>
        </g>
      ))}
      {plan.now > 0 && (
        <line x1={x(plan.now)} y1={top - 4} x2={x(plan.now)} y2={h - 10} stroke="#dc2626" strokeDasharray="4 3" />
      )}
      {rows.map((r, k) => (
        <text key={r} x={left - 6} y={top + k * rowH + 15} textAnchor="end">
          {r}
        </text>
      ))}
      {plan.tasks.map((t) => {
        const y = top + rows.indexOf(t.team) * rowH + 3;
        const w = Math.max(1, x(t.finish) - x(t.start));
        return (
          <g key={t.id}>
            <title>{`${t.id} (${t.name}): ${hours(t.start)} to ${hours(t.finish)}${t.state !== "planned" ? `, ${t.state}` : ""}`}</title>
            <rect
              x={x(t.start)}
              y={y}
              width={w}
              height={rowH - 6}
              rx={2}
              fill={COLORS[crews.indexOf(t.crew) % COLORS.length]}
              opacity={t.state === "done" ? 0.45 : 0.9}
            />
            {w > 60 && (
              <text x={x(t.start) + 3} y={y + 12} fill="#fff">
                {t.id}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}

function PlanView({ plan }: { plan: RecoveryPlan }) {
  return (
    <div data-testid="recover-plan">
      <div className="tiles">
        <div className="tile">
          <b>{num(plan.weightedLoss)}</b>weighted loss (weight x person-hours)
        </div>
        <div className="tile">
          <b>{num(plan.personHours)}</b>person-hours without service
        </div>
        <div className="tile">
          <b>{pct(plan.gap)}</b>gap to the lower bound ({num(plan.lowerBound)})
        </div>
        <div className="tile">
          <b>{plan.method === "exact" ? (plan.optimal ? "optimal" : "best found") : "heuristic"}</b>
          {plan.tasks.length} repairs, {num(plan.workHours)} crew hours, done by {hours(plan.makespan)}
        </div>
      </div>
      <p>Compared: {plan.baselines.map((b) => `${b.name} ${num(b.weightedLoss)}`).join("; ")}</p>
      <Gantt plan={plan} />
      <h3>Services</h3>
      <table>
        <thead>
          <tr>
            <th>service</th>
            <th>down at</th>
            <th>back at</th>
            <th>RTO</th>
            <th>MTD</th>
            <th>person-hours</th>
          </tr>
        </thead>
        <tbody>
          {plan.services.map((s) => (
            <tr key={s.id}>
              <td>{s.name}</td>
              <td>{hours(s.firstLoss)}</td>
              <td>{hours(s.restoredAt)}</td>
              <td className={s.rtoMet === false ? "bad" : ""}>
                {hours(s.rto)} {s.rtoMet === null ? "" : s.rtoMet ? "met" : "missed"}
              </td>
              <td className={s.mtdMet === false ? "bad" : ""}>
                {hours(s.mtd)} {s.mtdMet === null ? "" : s.mtdMet ? "met" : "missed"}
              </td>
              <td>{num(s.personHours)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {plan.notes.map((n) => (
        <p key={n}>
          <small>{n}</small>
        </p>
      ))}
    </div>
  );
}

function DrpView({ r }: { r: DrpResponse }) {
  const d = r.drp;
  return (
    <div data-testid="recover-drp">
      <h3>{d.service.name}</h3>
      <p>
        RTO {hours(d.objectives.rto)}, RPO {hours(d.objectives.rpo)}, MTD {hours(d.objectives.mtd)}.{" "}
        {d.fallback
          ? `Fallback at level ${d.fallback.level} after ${hours(d.fallback.after)}, lasting ${d.fallback.lasts === null ? "indefinitely" : hours(d.fallback.lasts)}.`
          : "No fallback."}
      </p>
      <h4>Restoration order (back at {hours(d.restoration.restoredAt)})</h4>
      <Gantt plan={r.plan} />
      <h4>People to call</h4>
      <ul>
        {d.people.map((p) => (
          <li key={p.id}>
            {p.name} ({p.role}): {p.why}
            {p.backup ? `; backup ${p.backup}` : ""}
          </li>
        ))}
      </ul>
      <h4>Odds of meeting the objectives</h4>
      <ul>
        {d.odds.objectives.map((o) => (
          <li key={`${o.kind}-${o.target}-${o.level ?? ""}`}>
            {o.kind} {hours(o.target)}: {o.probabilityMet === null ? "–" : pct(o.probabilityMet)} (
            {o.byScenario.map((b) => `${b.scenario} ${pct(b.probabilityMet)}`).join(", ")})
          </li>
        ))}
      </ul>
      <h4>Playbook steps</h4>
      {d.playbook.map((p) => (
        <div key={p.scenario}>
          <b>{p.scenario}</b>: {p.cacao ? `CACAO playbook ${p.cacao.name}` : "no built-in playbook"}
          <ol>
            {p.steps.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ol>
          <i>For this service:</i>
          <ol>
            {p.serviceSteps.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ol>
        </div>
      ))}
    </div>
  );
}

/** Restoration plans (what to repair first, by whom) and disaster recovery plans per service (docs/recover.md). */
export function RecoverPage({ ctx }: { ctx: Ctx }) {
  const [source, setSource] = useState<"down" | "scenario">("scenario");
  const [down, setDown] = useState("");
  const [scenario, setScenario] = useState("ransomware");
  const [seed, setSeed] = useState(1);
  const [service, setService] = useState<string>(ctx.model.services[0]?.id ?? "");
  const [plan, setPlan] = useState<RecoveryPlan | null>(null);
  const [drp, setDrp] = useState<DrpResponse | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const can = ctx.can("simulation.run");
  const params = { model: ctx.modelId, version: ctx.version };
  const fail = (e: unknown) =>
    setError(e instanceof ApiError ? `${e.parameter ? `${e.parameter}: ` : ""}${e.message}` : String(e));
  const runPlan = async () => {
    setBusy(true);
    setError("");
    try {
      const ids = down
        .split(/[\s,]+/)
        .map((x) => x.trim())
        .filter(Boolean);
      const body = source === "down" ? { down: ids } : { scenario, seed };
      setPlan(await call("POST /api/models/:model/versions/:version/recover/plans", { params, body }));
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };
  const runDrp = async () => {
    setBusy(true);
    setError("");
    try {
      setDrp(
        await call("POST /api/models/:model/versions/:version/recover/drp", {
          params,
          body: { service, runs: 100, seed: 1 },
        }),
      );
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };
  if (!can) return <p>Restoration plans need the right to run simulations.</p>;
  return (
    <section>
      <h2>Restoration plan</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void runPlan();
        }}
      >
        <label>
          <input type="radio" checked={source === "scenario"} onChange={() => setSource("scenario")} /> down set of a
          simulated attack
        </label>{" "}
        <select value={scenario} onChange={(e) => setScenario(e.target.value)} disabled={source !== "scenario"}>
          {SCENARIOS.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>{" "}
        seed{" "}
        <input
          type="number"
          min={0}
          value={seed}
          onChange={(e) => setSeed(Number(e.target.value))}
          style={{ width: 70 }}
        />
        <br />
        <label>
          <input type="radio" checked={source === "down"} onChange={() => setSource("down")} /> these assets are down
        </label>{" "}
        <input
          aria-label="down assets"
          value={down}
          onChange={(e) => setDown(e.target.value)}
          placeholder="asset ids, comma-separated"
          disabled={source !== "down"}
          style={{ width: 420 }}
        />
        <br />
        <button type="submit" disabled={busy}>
          {busy ? "Planning…" : "Plan the restoration"}
        </button>
      </form>
      {error && <p className="error">{error}</p>}
      {plan && <PlanView plan={plan} />}
      <h2>Disaster recovery plan</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void runDrp();
        }}
      >
        <select aria-label="service" value={service} onChange={(e) => setService(e.target.value)}>
          {ctx.model.services.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>{" "}
        <button type="submit" disabled={busy}>
          Write the DRP
        </button>
      </form>
      {drp && <DrpView r={drp} />}
    </section>
  );
}
