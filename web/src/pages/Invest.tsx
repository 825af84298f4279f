/**
 * Which defences to buy (docs/invest.md, [BUY-14]): starts an invest job on the server for a budget and the
 * chosen candidates, follows its progress, then shows the recommended portfolio, the frontier of cost against
 * expected annual loss (the recommendation and the ratio order marked) and the plan over years.
 */
import { useState } from "react";
import type { InvestResult } from "../../../src/contracts/invest.ts";
import { call, stream } from "../api.ts";
import type { Ctx } from "../context.ts";
import { num } from "../model.ts";

type Point = { cost: number; expectedAnnualLoss: number; controls: string[]; estimated: boolean };

/** Cost (x) against expected annual loss (y): the frontier as a step line, the pick and the ratio order ringed. */
export function FrontierChart({ r, width = 720, height = 300 }: { r: InvestResult; width?: number; height?: number }) {
  const pts: Point[] = r.frontier;
  const marks: Point[] = [...pts, r.baseline, r.ratioOrder, ...(r.best ? [r.best] : [])];
  const maxC = Math.max(1, r.budget, ...marks.map((p) => p.cost));
  const maxL = Math.max(1, ...marks.map((p) => p.expectedAnnualLoss));
  const L = 80;
  const B = 36;
  const x = (c: number) => L + ((width - L - 20) * c) / maxC;
  const y = (l: number) => height - B - ((height - B - 16) * l) / maxL;
  let d = "";
  pts.forEach((p, i) => {
    d +=
      i === 0
        ? `M${x(p.cost).toFixed(1)},${y(p.expectedAnnualLoss).toFixed(1)}`
        : `H${x(p.cost).toFixed(1)}V${y(p.expectedAnnualLoss).toFixed(1)}`;
  });
  const ring = (p: Point, colour: string, label: string) => (
    <g key={label}>
      <circle cx={x(p.cost)} cy={y(p.expectedAnnualLoss)} r={7} fill="none" stroke={colour} strokeWidth={2.5} />
      <text x={x(p.cost) + 10} y={y(p.expectedAnnualLoss) - 8} fill={colour} fontSize={12}>
        {label}
      </text>
    </g>
  );
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      role="img"
      aria-label="Frontier of cost against expected annual loss"
      data-testid="frontier"
    >
      <line x1={L} y1={height - B} x2={width - 10} y2={height - B} stroke="#888" />
      <line x1={L} y1={10} x2={L} y2={height - B} stroke="#888" />
      <line x1={x(r.budget)} y1={10} x2={x(r.budget)} y2={height - B} stroke="#b55" strokeDasharray="4 3" />
      <text x={x(r.budget) + 4} y={22} fontSize={11} fill="#b55">
        budget
      </text>
      {[0, 0.5, 1].map((f) => (
        <g key={f}>
          <text x={x(maxC * f)} y={height - B + 16} fontSize={11} textAnchor="middle">
            {num(maxC * f)}
          </text>
          <text x={L - 6} y={y(maxL * f) + 4} fontSize={11} textAnchor="end">
            {num(maxL * f)}
          </text>
        </g>
      ))}
      <path d={d} fill="none" stroke="#3569a8" strokeWidth={1.5} />
      {pts.map((p) => (
        <circle
          key={`${p.cost}-${p.controls.join()}`}
          cx={x(p.cost)}
          cy={y(p.expectedAnnualLoss)}
          r={3.5}
          fill="#3569a8"
        >
          <title>{`${num(p.cost)}: ${num(p.expectedAnnualLoss)} a year${p.estimated ? " (estimated)" : ""} — ${p.controls.join(", ") || "nothing"}`}</title>
        </circle>
      ))}
      {ring(r.ratioOrder, "#c77c00", "ratio order")}
      {r.best && ring(r.best, "#1b7f3b", "recommended")}
    </svg>
  );
}

export function InvestPage({ ctx }: { ctx: Ctx }) {
  const candidates = ctx.model.controls.filter((c) => c.status !== "implemented" && c.cost);
  const [budget, setBudget] = useState(150_000);
  const [years, setYears] = useState(1);
  const [runs, setRuns] = useState(200);
  const [chosen, setChosen] = useState<string[]>(() => candidates.slice(0, 6).map((c) => c.id));
  const [job, setJob] = useState<{ id: string; done: number; total: number; status: string } | null>(null);
  const [result, setResult] = useState<InvestResult | null>(null);
  const [error, setError] = useState("");

  const load = async (id: string) => {
    const r = await call("GET /api/results/:id", { params: { id } });
    if (r.kind === "invest" && r.result) setResult(r.result);
    else if (r.info.error) setError(r.info.error);
  };

  const start = async () => {
    setError("");
    setResult(null);
    try {
      const info = await call("POST /api/models/:model/versions/:version/invest", {
        params: { model: ctx.modelId, version: ctx.version },
        body: { budget, years, runs, seed: 1, candidates: chosen },
      });
      setJob({ id: info.id, done: 0, total: 1, status: "running" });
      const close = stream(
        "GET /api/results/:id/events",
        { params: { id: info.id } },
        {
          progress: (p) => setJob((j) => (j ? { ...j, done: p.done, total: p.total } : j)),
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

  if (!ctx.engines.simulate) return <p>The simulation engine (which invest needs) is not available in this build.</p>;
  const best = result?.best;
  return (
    <section>
      <div className="filters">
        <label>
          Budget
          <input
            type="number"
            min={0}
            value={budget}
            onChange={(e) => setBudget(Number(e.target.value))}
            aria-label="budget"
          />
        </label>
        <label>
          Years
          <input
            type="number"
            min={1}
            max={30}
            value={years}
            onChange={(e) => setYears(Number(e.target.value))}
            aria-label="years"
          />
        </label>
        <label>
          Runs
          <input
            type="number"
            min={1}
            max={5000}
            value={runs}
            onChange={(e) => setRuns(Number(e.target.value))}
            aria-label="runs"
          />
        </label>
        {ctx.can("simulation.run") ? (
          <button type="button" onClick={start} disabled={chosen.length === 0 || job?.status === "running"}>
            Find the portfolio
          </button>
        ) : (
          <span className="muted">Your role cannot start invest jobs.</span>
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
      {candidates.length === 0 ? (
        <p>This model has no candidate control with a cost: add `cost` to the controls not yet implemented.</p>
      ) : (
        <fieldset className="defences">
          <legend>Candidates (cost over the years: capex + years x opex)</legend>
          {candidates.map((c) => (
            <label key={c.id}>
              <input
                type="checkbox"
                checked={chosen.includes(c.id)}
                onChange={(e) => setChosen(e.target.checked ? [...chosen, c.id] : chosen.filter((x) => x !== c.id))}
              />
              {c.name} ({num((c.cost?.capex ?? 0) + years * (c.cost?.opex ?? 0))})
            </label>
          ))}
        </fieldset>
      )}
      {job?.status === "running" && (
        <p className="muted">
          Simulating: {num(job.done)} of {num(job.total)} runs
        </p>
      )}
      {error && <p className="error">{error}</p>}
      {result && (
        <div data-testid="invest-result">
          <div className="tiles">
            <div className="tile">
              <b>{best ? num(best.cost) : "–"}</b>recommended spend
            </div>
            <div className="tile">
              <b>
                {num(result.baseline.expectedAnnualLoss)} →{" "}
                {num(best?.expectedAnnualLoss ?? result.baseline.expectedAnnualLoss)}
              </b>
              expected annual loss
            </div>
            <div className="tile">
              <b>
                {num(result.baseline.annualLossP95 ?? 0)} →{" "}
                {num(best?.annualLossP95 ?? result.baseline.annualLossP95 ?? 0)}
              </b>
              a bad year (95th percentile)
            </div>
            <div className="tile">
              <b>{result.advantageOverRatio === null ? "–" : num(result.advantageOverRatio)}</b>saved a year over buying
              by benefit per cost
            </div>
          </div>
          <p>
            {best ? (
              <>
                Buy: <b>{best.controls.join(", ")}</b>
              </>
            ) : (
              <>Buy nothing: {result.why}</>
            )}
          </p>
          {result.nextTranche && (
            <p className="muted">
              Next tranche: {num(result.nextTranche.cost)} more avoids {num(result.nextTranche.benefit)} more a year
              (add {result.nextTranche.add.join(", ")}).
            </p>
          )}
          <FrontierChart r={result} />
          <table>
            <thead>
              <tr>
                <th>Cost</th>
                <th>Expected annual loss</th>
                <th>Ratio order at that budget</th>
                <th>Controls</th>
              </tr>
            </thead>
            <tbody>
              {result.frontier.map((p) => (
                <tr key={`${p.cost}-${p.controls.join()}`}>
                  <td>{num(p.cost)}</td>
                  <td>
                    {num(p.expectedAnnualLoss)}
                    {p.estimated ? " (est.)" : ""}
                  </td>
                  <td>{num(p.ratioOrderLoss)}</td>
                  <td>{p.controls.join(", ") || "nothing"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">{result.optimality.guarantee}</p>
          {result.warnings.map((w) => (
            <p key={w} className="warning">
              {w}
            </p>
          ))}
        </div>
      )}
    </section>
  );
}
