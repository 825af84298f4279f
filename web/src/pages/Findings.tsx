import { useState } from "react";
import { type FindingFilter, filterFindings } from "../../../src/assess/groups.ts";
import type { Severity } from "../../../src/contracts/assessment.ts";
import type { Ctx } from "../context.ts";
import { num } from "../model.ts";
import { AcceptRiskForm } from "./AcceptRisk.tsx";
import { NoAssessment, useAssessment } from "./useAssessment.tsx";

const SEV: Severity[] = ["critical", "high", "medium", "low"];

function Pick({
  label,
  value,
  set,
  options,
}: {
  label: string;
  value: string;
  set: (v: string) => void;
  options: [string, string][];
}) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => set(e.target.value)} aria-label={label.toLowerCase()}>
        <option value="">all</option>
        {options.map(([v, t]) => (
          <option key={v} value={v}>
            {t}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * Findings and risk: findings grouped by root cause and fix, ranked, with filters (severity, rule or group,
 * service, zone, owner); accepted risks shown; FIPS 199 categories, choke points and a heat map.
 */
export function FindingsPage({ ctx }: { ctx: Ctx }) {
  const a = useAssessment(ctx);
  const [fw, setFw] = useState<"" | "csf" | "caf" | "iec62443">("");
  const [sev, setSev] = useState("");
  const [rule, setRule] = useState("");
  const [service, setService] = useState("");
  const [zone, setZone] = useState("");
  const [owner, setOwner] = useState("");
  const [open, setOpen] = useState<string | null>(null);
  /** The finding (rule and first target) or group (rule only) whose risk is being accepted. */
  const [accepting, setAccepting] = useState<{ rule: string; target?: string } | null>(null);
  if (!ctx.engines.assess) return <p>The assessment engine is not available in this build.</p>;
  if (a.state === "loading" || a.state === "running") return <p>{a.state === "running" ? "Assessing…" : "Loading…"}</p>;
  if (a.state === "error") return <p className="error">{a.error}</p>;
  if (!a.report) return <NoAssessment ctx={ctx} run={a.run} />;
  const r = a.report;
  const name = (id: string) => r.names?.[id] ?? id;
  const q: FindingFilter = {
    ...(sev ? { severity: [sev as Severity] } : {}),
    ...(rule ? { rule: [rule] } : {}),
    ...(service ? { service: [service] } : {}),
    ...(zone ? { zone: [zone] } : {}),
    ...(owner ? { owner: [owner] } : {}),
  };
  const picked = filterFindings(r.findings, r.groups ?? [], q);
  const keep = picked.findings.map((f) => !fw || f.frameworks[fw].length > 0);
  const findings = picked.findings.filter((_, i) => keep[i]);
  const groups = picked.groups
    .map((g) => ({ ...g, findings: g.findings.filter((i) => keep[i]) }))
    .filter((g) => g.findings.length > 0);
  const services = ctx.model.services;
  const cell = (s: string, v: string) => findings.filter((f) => f.severity === v && f.services.includes(s)).length;
  const max = Math.max(1, ...services.flatMap((s) => SEV.map((v) => cell(s.id, v))));
  const zones = [...new Set(r.findings.flatMap((f) => f.zones))].sort();
  const owners = [...new Set(r.findings.flatMap((f) => f.owners))].sort();
  const cats = r.categorization.filter((c) => c.type === "service");
  const accepted = r.findings.filter((f) => f.acceptance?.status === "accepted").length;
  const mayAccept = ctx.can("model.write");
  const people: [string, string][] = ctx.model.people.map((p) => [p.id, p.name]);
  const acceptForm = (rule: string, target: string | undefined, what: string) =>
    accepting && accepting.rule === rule && accepting.target === target ? (
      <AcceptRiskForm
        modelId={ctx.modelId}
        rule={rule}
        target={target}
        what={what}
        people={people}
        onCancel={() => setAccepting(null)}
        onDone={() => {
          setAccepting(null);
          a.run();
        }}
      />
    ) : mayAccept ? (
      <button type="button" className="link" onClick={() => setAccepting(target ? { rule, target } : { rule })}>
        accept risk
      </button>
    ) : null;
  return (
    <section>
      {(r.warnings ?? []).map((w) => (
        <p key={w.code} className="warning" role="alert">
          {w.message}
        </p>
      ))}
      <div className="filters">
        <Pick label="Severity" value={sev} set={setSev} options={SEV.map((s) => [s, s])} />
        <Pick label="Rule" value={rule} set={setRule} options={(r.groups ?? []).map((g) => [g.id, g.id])} />
        <Pick label="Service" value={service} set={setService} options={services.map((s) => [s.id, s.name])} />
        <Pick label="Zone" value={zone} set={setZone} options={zones.map((z) => [z, name(z)])} />
        <Pick label="Owner" value={owner} set={setOwner} options={owners.map((p) => [p, name(p)])} />
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
        <span className="muted" data-testid="group-count">
          {groups.length} groups{accepted ? `, ${accepted} findings accepted` : ""}
        </span>
        {ctx.can("assessment.run") && (
          <button type="button" onClick={a.run}>
            Re-run assessment
          </button>
        )}
      </div>
      <h3>What to fix first: findings by root cause and fix</h3>
      <table className="groups">
        <thead>
          <tr>
            <th>#</th>
            <th>Severity</th>
            <th>Group</th>
            <th>Findings</th>
            <th>Exposure</th>
            <th>Services at risk</th>
            <th>Controls that close it</th>
          </tr>
        </thead>
        <tbody>
          {groups.map((g, i) => (
            <tr key={g.id} className={`sev-${g.severity}`} data-group={g.id}>
              <td>{i + 1}</td>
              <td>
                <strong>{g.severity}</strong>
              </td>
              <td>
                <button type="button" className="link" onClick={() => setOpen(open === g.id ? null : g.id)}>
                  {g.title}
                </button>
                <div className="muted">
                  {g.remediation}
                  {g.note ? ` ${g.note}` : ""}
                  {g.accepted ? ` · ${g.accepted} accepted` : ""}
                  {g.reraised ? ` · ${g.reraised} raised again (acceptance expired)` : ""}
                </div>
                {open === g.id && acceptForm(g.id, undefined, g.title)}
                {open === g.id && (
                  <ul className="findings">
                    {g.findings.slice(0, 300).map((k) => {
                      const f = picked.findings[k];
                      return (
                        <li key={`${f.rule}-${f.targets.join(",")}`} className={`sev-${f.severity}`}>
                          <strong>{f.severity}</strong> {f.message}
                          {f.acceptance && (
                            <div className="muted">
                              {f.acceptance.status === "accepted"
                                ? `accepted by ${f.acceptance.owner} until ${f.acceptance.expires}: ${f.acceptance.justification}`
                                : f.acceptance.note}
                            </div>
                          )}
                          {f.acceptance?.status !== "accepted" && acceptForm(f.rule, f.targets[0], f.message)}
                        </li>
                      );
                    })}
                  </ul>
                )}
              </td>
              <td>{g.findings.length}</td>
              <td>{g.exposure}</td>
              <td>
                {g.services
                  .slice(0, 3)
                  .map((s) => name(s))
                  .join(", ")}
                {g.services.length > 3 ? ` +${g.services.length - 3}` : ""}
              </td>
              <td>{g.controls.join(", ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>FIPS 199 security categories</h3>
      <table className="fips">
        <thead>
          <tr>
            <th>Service</th>
            <th>Confidentiality</th>
            <th>Integrity</th>
            <th>Availability</th>
          </tr>
        </thead>
        <tbody>
          {cats.map((c) => (
            <tr key={c.id}>
              <th>{name(c.id)}</th>
              <td>{c.confidentiality}</td>
              <td>{c.integrity}</td>
              <td>{c.availability}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Choke points: fix these and no path reaches the crown jewels</h3>
      <table className="chokepoints">
        <thead>
          <tr>
            <th>Actor</th>
            <th>Side</th>
            <th>Elements</th>
            <th>Paths cut</th>
            <th>Controls</th>
          </tr>
        </thead>
        <tbody>
          {r.chokepoints.map((c) => (
            <tr key={`${c.actor}-${c.side}`}>
              <td>{c.actor}</td>
              <td>{c.side === "entry" ? "nearest the entry points" : "nearest the crown jewels"}</td>
              <td>
                {c.ids
                  .slice(0, 12)
                  .map((id) => name(id))
                  .join(", ")}
                {c.ids.length > 12 ? ` +${c.ids.length - 12}` : ""}
              </td>
              <td>{c.pathsCut}</td>
              <td>{[...new Set(Object.values(c.controls).flat())].join(", ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Findings by service and severity</h3>
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
          {r.criticality.slice(0, 15).map((c) => (
            <tr key={c.id}>
              <td>{name(c.id)}</td>
              <td>{num(c.personHoursPerDay)}</td>
              <td>{c.spof ? "yes" : ""}</td>
              <td>{c.services.map((s) => name(s)).join(", ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
