/** The after-action review as text and as one self-contained HTML page (no scripts) [EXR-8]. */
import type { Outcome, Review } from "../contracts/exercise.ts";

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
const num = (x: number) => Math.round(x).toLocaleString("en-US");
const hrs = (x: number | null | undefined) =>
  x === null || x === undefined ? "–" : `${(Math.round(x * 10) / 10).toFixed(1)} h`;
const met = (o: Outcome) => `${Math.round(o.objectivesMet * 10) / 10} of ${o.objectivesTotal}`;

export function renderReviewText(r: Review): string {
  const lines: string[] = [];
  lines.push(`After-action review: ${r.exercise.name}`);
  lines.push(
    `scenario ${r.exercise.scenario}, seed ${r.exercise.seed}, ${r.exercise.runs} run${r.exercise.runs === 1 ? "" : "s"}`,
  );
  lines.push("");
  lines.push("Outcome                person-hours     objectives met");
  const row = (label: string, o: Outcome) =>
    lines.push(`  ${label.padEnd(20)} ${num(o.personHours).padStart(14)}     ${met(o)}`);
  row("team's decisions", r.outcome);
  row("doing nothing", r.nothing);
  row("best response found", r.best);
  lines.push("");
  lines.push("Decision latency by role (from the inject answered, else the latest inject)");
  for (const l of r.latency)
    lines.push(
      `  ${l.role.padEnd(22)} ${String(l.decisions).padStart(3)} decisions  mean ${hrs(l.meanHours)}  max ${hrs(l.maxHours)}`,
    );
  lines.push("");
  lines.push("Objectives missed");
  const missed = r.outcome.objectives.filter((o) => o.met < 1);
  if (!missed.length) lines.push("  none");
  for (const o of missed.slice(0, 20))
    lines.push(`  ${o.name} (${o.service}): ${o.kind} ${o.target} h, met in ${Math.round(o.met * 100)}% of runs`);
  lines.push("");
  lines.push("Where the team lost the most person-hours (against the best response)");
  for (const s of r.losses.slice(0, 10))
    lines.push(
      `  ${s.name.padEnd(32)} team ${num(s.team).padStart(12)}  best ${num(s.best).padStart(12)}  nothing ${num(s.nothing).padStart(12)}`,
    );
  lines.push("");
  lines.push("Timeline");
  for (const e of r.timeline)
    lines.push(
      e.type === "inject"
        ? `  ${e.clock.padEnd(12)} inject    ${e.title}`
        : `  ${e.clock.padEnd(12)} decision  [${e.role}] ${e.title}${e.text ? `: ${e.text}` : ""} (latency ${hrs(e.latencyHours)})`,
    );
  lines.push("");
  lines.push(
    `Best response: ${r.best.decisions.length} decision(s); ${r.best.method}; ${r.best.evaluations} simulations`,
  );
  return `${lines.join("\n")}\n`;
}

export function renderReviewHtml(r: Review): string {
  const outcomeRow = (label: string, o: Outcome) =>
    `<tr><th>${esc(label)}</th><td class="n">${num(o.personHours)}</td><td class="n">${met(o)}</td><td class="n">${Math.round(o.attackSucceeded * 100)}%</td></tr>`;
  const timeline = r.timeline
    .map(
      (e) =>
        `<tr class="${e.type}"><td>${esc(e.clock)}</td><td>${e.type}</td><td>${e.role ? esc(e.role) : ""}</td><td><b>${esc(e.title)}</b>${e.text ? ` ${esc(e.text)}` : ""}</td><td class="n">${e.type === "decision" ? hrs(e.latencyHours) : ""}</td></tr>`,
    )
    .join("\n");
  const latency = r.latency
    .map(
      (l) =>
        `<tr><td>${esc(l.role)}</td><td class="n">${l.decisions}</td><td class="n">${hrs(l.meanHours)}</td><td class="n">${hrs(l.maxHours)}</td></tr>`,
    )
    .join("\n");
  const objectives = r.outcome.objectives
    .map(
      (o) =>
        `<tr class="${o.met >= 1 ? "met" : "missed"}"><td>${esc(o.name)}</td><td>${esc(o.kind)} ${o.target} h</td><td>${o.met >= 1 ? "met" : o.met <= 0 ? "missed" : `met in ${Math.round(o.met * 100)}%`}</td></tr>`,
    )
    .join("\n");
  const losses = r.losses
    .slice(0, 15)
    .map(
      (s) =>
        `<tr><td>${esc(s.name)}</td><td class="n">${num(s.team)}</td><td class="n">${num(s.best)}</td><td class="n">${num(s.nothing)}</td><td class="n">${num(s.team - s.best)}</td></tr>`,
    )
    .join("\n");
  const best = r.best.decisions
    .map((d) => `<li>${esc(`${d.at.toFixed(2)} h: ${d.kind} ${d.targets.join(", ")}`)}</li>`)
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>After-action review: ${esc(r.exercise.name)}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:1em 0}td,th{border-bottom:1px solid #ddd;padding:.25em .6em;text-align:left}.n{text-align:right}tr.decision{background:#eef5ff}tr.missed td{color:#a00}</style>
</head><body>
<h1>After-action review: ${esc(r.exercise.name)}</h1>
<p>Scenario ${esc(r.exercise.scenario)}, seed ${r.exercise.seed}, ${r.exercise.runs} run(s).</p>
<h2>Outcome</h2>
<table id="outcome"><tr><th></th><th>person-hours</th><th>objectives met</th><th>attack succeeded</th></tr>
${outcomeRow("Team's decisions", r.outcome)}
${outcomeRow("Doing nothing", r.nothing)}
${outcomeRow("Best response found", r.best)}
</table>
<h2>Where the team lost the most person-hours</h2>
<table id="losses"><tr><th>service</th><th>team</th><th>best response</th><th>nothing</th><th>lost against best</th></tr>
${losses}
</table>
<h2>Decision latency by role</h2>
<table id="latency"><tr><th>role</th><th>decisions</th><th>mean</th><th>max</th></tr>
${latency}
</table>
<h2>Objectives</h2>
<table id="objectives"><tr><th>service</th><th>objective</th><th>result</th></tr>
${objectives}
</table>
<h2>Timeline of injects and decisions</h2>
<table id="timeline"><tr><th>time</th><th>type</th><th>role</th><th>what</th><th>latency</th></tr>
${timeline}
</table>
<h2>Best response</h2>
<p>${esc(r.best.method)}; ${r.best.evaluations} simulations.</p>
<ul>${best}</ul>
</body></html>
`;
}
