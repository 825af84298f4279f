/**
 * Restoration plan and disaster recovery plan reports: text for the terminal, a self-contained HTML page with
 * the Gantt chart (inline SVG, no scripts, no external resources). Names come from the model; the reports are
 * for the people who run the recovery.
 */
import type { DisasterRecoveryPlan, RecoveryPlan } from "../contracts/recover.ts";
import { formatDuration } from "../model/primitives.ts";

const num = (n: number) => Math.round(n).toLocaleString("en-US");
const hrs = (h: number | null) => (h === null ? "-" : formatDuration(Math.round(h * 100) / 100));
const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
const met = (m: boolean | null) => (m === null ? "-" : m ? "met" : "MISSED");

export function planText(p: RecoveryPlan): string {
  const lines: string[] = [];
  lines.push(`Restoration plan for ${p.model.name}: ${p.tasks.length} repairs, ${p.teams.length} teams`);
  lines.push(
    `  weighted loss ${num(p.weightedLoss)} (${num(p.personHours)} person-hours without service); lower bound ${num(p.lowerBound)}, gap ${pct(p.gap)}`,
  );
  lines.push(
    `  ${p.method === "exact" ? (p.optimal ? "optimal (exact search)" : "exact search out of budget (best found)") : "heuristic"}; ${num(p.workHours)} crew hours; all repaired by ${hrs(p.makespan)}${p.now > 0 ? `; re-planned at ${hrs(p.now)}` : ""}`,
  );
  for (const b of p.baselines) lines.push(`  compared: ${b.name.padEnd(24)} weighted loss ${num(b.weightedLoss)}`);
  for (const n of p.notes) lines.push(`  note: ${n}`);
  lines.push("", "Repairs (by team, in order)");
  for (const t of p.tasks)
    lines.push(
      `  ${t.team.padEnd(28)} ${t.id.padEnd(26)} ${hrs(t.start).padStart(8)} -> ${hrs(t.finish).padEnd(8)} ${t.state === "planned" ? "" : t.state}`,
    );
  lines.push("", "Services");
  for (const s of p.services)
    lines.push(
      `  ${s.id.padEnd(28)} down ${hrs(s.firstLoss).padStart(7)} back ${hrs(s.restoredAt).padStart(8)}  RTO ${hrs(s.rto).padStart(5)} ${met(s.rtoMet).padEnd(6)} MTD ${hrs(s.mtd).padStart(5)} ${met(s.mtdMet).padEnd(6)} ${num(s.personHours)} person-hours`,
    );
  return `${lines.join("\n")}\n`;
}

const COLORS = ["#2563eb", "#059669", "#d97706", "#7c3aed", "#dc2626", "#0891b2", "#65a30d", "#db2777"];

/** The Gantt chart of a plan as an SVG string: one row per team, one bar per repair. */
export function ganttSvg(p: RecoveryPlan, width = 960): string {
  const rows = [...new Set(p.tasks.map((t) => t.team))];
  const crews = [...new Set(p.tasks.map((t) => t.crew))];
  const end = Math.max(1, p.makespan, ...p.services.map((s) => s.restoredAt ?? 0));
  const left = 200;
  const rowH = 22;
  const top = 24;
  const h = top + rows.length * rowH + 10;
  const x = (t: number) => left + ((width - left - 10) * t) / end;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${h}" width="${width}" height="${h}" role="img" aria-label="Gantt chart of the restoration plan" font-family="sans-serif" font-size="11">`,
  ];
  const step = end <= 48 ? 6 : end <= 240 ? 24 : end <= 24 * 30 ? 24 * 7 : 24 * 30;
  for (let t = 0; t <= end + 1e-9; t += step)
    parts.push(
      `<line x1="${x(t)}" y1="${top - 4}" x2="${x(t)}" y2="${h - 10}" stroke="#ddd"/><text x="${x(t)}" y="${top - 8}" text-anchor="middle" fill="#555">${esc(hrs(t))}</text>`,
    );
  if (p.now > 0)
    parts.push(
      `<line x1="${x(p.now)}" y1="${top - 4}" x2="${x(p.now)}" y2="${h - 10}" stroke="#dc2626" stroke-dasharray="4 3"/>`,
    );
  rows.forEach((r, k) => {
    const y = top + k * rowH;
    parts.push(`<text x="${left - 6}" y="${y + 15}" text-anchor="end">${esc(r)}</text>`);
  });
  for (const t of p.tasks) {
    const k = rows.indexOf(t.team);
    const y = top + k * rowH + 3;
    const color = COLORS[crews.indexOf(t.crew) % COLORS.length];
    const w = Math.max(1, x(t.finish) - x(t.start));
    parts.push(
      `<g><title>${esc(`${t.id} (${t.name}): ${hrs(t.start)} to ${hrs(t.finish)}, ${hrs(t.duration)} of work${t.state !== "planned" ? `, ${t.state}` : ""}`)}</title><rect x="${x(t.start)}" y="${y}" width="${w}" height="${rowH - 6}" rx="2" fill="${color}" opacity="${t.state === "done" ? 0.45 : 0.9}"/>${w > 60 ? `<text x="${x(t.start) + 3}" y="${y + 12}" fill="#fff">${esc(t.id)}</text>` : ""}</g>`,
    );
  }
  parts.push("</svg>");
  return parts.join("");
}

const STYLE =
  "body{font-family:system-ui,sans-serif;margin:2rem;color:#111;max-width:1100px}table{border-collapse:collapse;margin:1rem 0}td,th{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left;font-size:13px}.miss{color:#b91c1c;font-weight:600}.ok{color:#047857}";

export function planHtml(p: RecoveryPlan): string {
  const svc = p.services
    .map(
      (s) =>
        `<tr><td>${esc(s.name)}</td><td>${esc(hrs(s.firstLoss))}</td><td>${esc(hrs(s.restoredAt))}</td><td>${esc(hrs(s.rto))}</td><td class="${s.rtoMet === false ? "miss" : "ok"}">${met(s.rtoMet)}</td><td>${esc(hrs(s.mtd))}</td><td class="${s.mtdMet === false ? "miss" : "ok"}">${met(s.mtdMet)}</td><td>${num(s.personHours)}</td></tr>`,
    )
    .join("");
  const tasks = p.tasks
    .map(
      (t) =>
        `<tr><td>${esc(t.team)}</td><td>${esc(t.name)} <small>(${esc(t.id)})</small></td><td>${esc(hrs(t.start))}</td><td>${esc(hrs(t.finish))}</td><td>${esc(hrs(t.duration))} (${t.durationSource})</td><td>${t.state}</td></tr>`,
    )
    .join("");
  const base = p.baselines.map((b) => `<li>${esc(b.name)}: weighted loss ${num(b.weightedLoss)}</li>`).join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Restoration plan: ${esc(p.model.name)}</title><style>${STYLE}</style></head><body>
<h1>Restoration plan: ${esc(p.model.name)}</h1>
<p><strong>Weighted loss ${num(p.weightedLoss)}</strong> (${num(p.personHours)} person-hours without service), lower bound ${num(p.lowerBound)} (gap ${pct(p.gap)}); ${p.method === "exact" ? (p.optimal ? "optimal" : "best found by exact search") : "heuristic"}. ${p.tasks.length} repairs, ${num(p.workHours)} crew hours, all done by ${esc(hrs(p.makespan))}.</p>
<ul>${base}</ul>
${ganttSvg(p)}
<h2>Services</h2><table><tr><th>service</th><th>down at</th><th>back at</th><th>RTO</th><th></th><th>MTD</th><th></th><th>person-hours</th></tr>${svc}</table>
<h2>Repairs</h2><table><tr><th>team</th><th>asset</th><th>start</th><th>finish</th><th>work</th><th></th></tr>${tasks}</table>
${p.notes.map((n) => `<p><small>${esc(n)}</small></p>`).join("")}
</body></html>
`;
}

export function drpText(d: DisasterRecoveryPlan): string {
  const l: string[] = [];
  const o = d.objectives;
  l.push(
    `Disaster recovery plan: ${d.service.name} (${d.service.id}), ${num(d.service.population)} people, weight ${d.service.weight}`,
  );
  l.push(`  objectives: RTO ${hrs(o.rto)}, RPO ${hrs(o.rpo)}, MTD ${hrs(o.mtd)}`);
  l.push(
    d.fallback
      ? `  fallback: level ${d.fallback.level} after ${hrs(d.fallback.after)}, lasts ${d.fallback.lasts === null ? "indefinitely" : hrs(d.fallback.lasts)}`
      : "  fallback: none",
  );
  for (const b of d.buffers)
    l.push(`  ride-through: ${b.members.join(", ")} for ${hrs(b.hours)} (then level ${b.degrade})`);
  l.push(
    "",
    `Restoration order (everything it needs down at once; ${d.restoration.optimal ? "optimal" : "heuristic"}; back at ${hrs(d.restoration.restoredAt)})`,
  );
  for (const s of d.restoration.steps)
    l.push(
      `  ${String(s.order).padStart(3)}. ${s.asset.padEnd(28)} ${s.crew.padEnd(26)} ${hrs(s.start)} -> ${hrs(s.finish)}`,
    );
  l.push("", "People to call");
  for (const p of d.people) l.push(`  ${p.name} (${p.role}): ${p.why}${p.backup ? `; backup ${p.backup}` : ""}`);
  l.push("", "Playbook steps");
  for (const pb of d.playbook) {
    l.push(
      `  ${pb.scenario}: ${pb.cacao ? `CACAO playbook "${pb.cacao.name}" (${pb.cacao.id})` : "no built-in playbook"}`,
    );
    for (const s of pb.steps) l.push(`    - ${s}`);
    l.push("    for this service:");
    for (const s of pb.serviceSteps) l.push(`    - ${s}`);
  }
  l.push(
    "",
    `Odds of meeting the objectives (${d.odds.runs} runs per scenario, seed ${d.odds.seed}; ${d.odds.scenarios.join(", ") || "no built-in scenario touches it"})`,
  );
  for (const ob of d.odds.objectives)
    l.push(
      `  ${ob.kind.padEnd(8)} ${hrs(ob.target).padStart(6)}${ob.level !== undefined ? ` at ${ob.level}` : ""}: ${ob.probabilityMet === null ? "-" : pct(ob.probabilityMet)}  ${ob.byScenario.map((b) => `${b.scenario} ${pct(b.probabilityMet)}`).join(", ")}`,
    );
  for (const n of d.notes) l.push(`  note: ${n}`);
  return `${l.join("\n")}\n`;
}

export function drpHtml(d: DisasterRecoveryPlan, gantt?: RecoveryPlan): string {
  const o = d.objectives;
  const rows = d.restoration.steps
    .map(
      (s) =>
        `<tr><td>${s.order}</td><td>${esc(s.name)} <small>(${esc(s.asset)})</small></td><td>${esc(s.crew)}</td><td>${esc(hrs(s.start))}</td><td>${esc(hrs(s.finish))}</td></tr>`,
    )
    .join("");
  const people = d.people
    .map(
      (p) =>
        `<tr><td>${esc(p.name)}</td><td>${esc(p.role)}</td><td>${esc(p.why)}</td><td>${esc(p.backup ?? "-")}</td></tr>`,
    )
    .join("");
  const odds = d.odds.objectives
    .map(
      (ob) =>
        `<tr><td>${esc(ob.kind)}</td><td>${esc(hrs(ob.target))}</td><td>${ob.probabilityMet === null ? "-" : pct(ob.probabilityMet)}</td><td>${esc(ob.byScenario.map((b) => `${b.scenario} ${pct(b.probabilityMet)}`).join(", "))}</td></tr>`,
    )
    .join("");
  const pb = d.playbook
    .map(
      (p) =>
        `<h3>${esc(p.scenario)}</h3><p>${p.cacao ? `CACAO playbook ${esc(p.cacao.name)} <small>(${esc(p.cacao.id)})</small>` : "No built-in playbook."}</p><ol>${p.steps.map((s) => `<li>${esc(s)}</li>`).join("")}</ol><p>For this service:</p><ol>${p.serviceSteps.map((s) => `<li>${esc(s)}</li>`).join("")}</ol>`,
    )
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Disaster recovery plan: ${esc(d.service.name)}</title><style>${STYLE}</style></head><body>
<h1>Disaster recovery plan: ${esc(d.service.name)}</h1>
<p>${num(d.service.population)} people; objectives RTO ${esc(hrs(o.rto))}, RPO ${esc(hrs(o.rpo))}, MTD ${esc(hrs(o.mtd))}. ${d.fallback ? `Fallback at level ${d.fallback.level} after ${esc(hrs(d.fallback.after))}, lasting ${d.fallback.lasts === null ? "indefinitely" : esc(hrs(d.fallback.lasts))}.` : "No fallback."}</p>
${d.buffers.length ? `<ul>${d.buffers.map((b) => `<li>ride-through of ${esc(hrs(b.hours))} on ${esc(b.members.join(", "))} (then level ${b.degrade})</li>`).join("")}</ul>` : ""}
<h2>Restoration order</h2>${gantt ? ganttSvg(gantt) : ""}<table><tr><th>#</th><th>asset</th><th>crew</th><th>start</th><th>finish</th></tr>${rows}</table>
<h2>People to call</h2><table><tr><th>name</th><th>role</th><th>why</th><th>backup</th></tr>${people}</table>
<h2>Playbook steps</h2>${pb}
<h2>Odds of meeting the objectives</h2><p>${d.odds.runs} simulated runs per scenario, seed ${d.odds.seed}.</p><table><tr><th>objective</th><th>target</th><th>probability</th><th>by scenario</th></tr>${odds}</table>
${d.notes.map((n) => `<p><small>${esc(n)}</small></p>`).join("")}
</body></html>
`;
}
