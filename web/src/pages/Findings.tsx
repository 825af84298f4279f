import { useState } from "react";
import type { Ctx } from "../context.ts";
import { num } from "../model.ts";
import { NoAssessment, useAssessment } from "./useAssessment.tsx";

const SEV = ["critical", "high", "medium", "low"];

/** Findings and risk: a heat map of findings by service and severity, filtered by framework. */
export function FindingsPage({ ctx }: { ctx: Ctx }) {
  const a = useAssessment(ctx);
  const [fw, setFw] = useState<"" | "csf" | "caf" | "iec62443">("");
  if (!ctx.engines.assess) return <p>The assessment engine is not available in this build.</p>;
  if (a.state === "loading" || a.state === "running") return <p>{a.state === "running" ? "Assessing…" : "Loading…"}</p>;
  if (a.state === "error") return <p className="error">{a.error}</p>;
  if (!a.report) return <NoAssessment ctx={ctx} run={a.run} />;
  const findings = a.report.findings.filter((f) => !fw || f.frameworks[fw].length > 0);
  const services = ctx.model.services;
  const cell = (s: string, sev: string) => findings.filter((f) => f.severity === sev && f.services.includes(s)).length;
  const max = Math.max(1, ...services.flatMap((s) => SEV.map((v) => cell(s.id, v))));
  return (
    <section>
      <div className="filters">
        <label>
          Framework
          <select value={fw} onChange={(e) => setFw(e.target.value as typeof fw)} aria-label="framework">
            <option value="">all</option>
            <option value="csf">NIST CSF 2.0</option>
            <option value="caf">NCSC CAF</option>
            <option value="iec62443">IEC 62443</option>
          </select>
        </label>
        <span className="muted">{findings.length} findings</span>
        {ctx.can("assessment.run") && (
          <button type="button" onClick={a.run}>
            Re-run assessment
          </button>
        )}
      </div>
      <table className="heat">
        <thead>
          <tr>
            <th>Service</th>
            {SEV.map((s) => (
              <th key={s}>{s}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {services.map((s) => (
            <tr key={s.id}>
              <th>{s.name}</th>
              {SEV.map((v) => {
                const n = cell(s.id, v);
                return (
                  <td key={v} className={`heat-${Math.ceil((n / max) * 4)} sev-${v}`}>
                    {n || ""}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Most critical assets</h3>
      <table>
        <thead>
          <tr>
            <th>Asset</th>
            <th>Person-hours lost per day</th>
            <th>Single point of failure</th>
            <th>Services</th>
          </tr>
        </thead>
        <tbody>
          {a.report.criticality.slice(0, 15).map((c) => (
            <tr key={c.id}>
              <td>{c.id}</td>
              <td>{num(c.personHoursPerDay)}</td>
              <td>{c.spof ? "yes" : ""}</td>
              <td>{c.services.join(", ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Findings</h3>
      <ul className="findings">
        {findings.slice(0, 200).map((f, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: findings have no id; the list is static per report
          <li key={`${f.rule}-${i}`} className={`sev-${f.severity}`}>
            <strong>{f.severity}</strong> {f.message}
            <div className="muted">
              {f.rule} · {[...f.frameworks.csf, ...f.frameworks.caf, ...f.frameworks.iec62443].join(" ")} · fix:{" "}
              {f.remediation}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
