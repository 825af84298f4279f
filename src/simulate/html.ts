/**
 * The self-contained HTML report of `rampart simulate --html`: resilience curves per service (P10-P90 band and
 * median of the level over time: the resilience triangle), the timeline of a representative run (what failed
 * when, and why), and objective hit rates per defence set. Inline SVG and CSS; no scripts, no external files.
 */
import type { TraceEntry } from "./engine.ts";
import type { SimulationReport } from "./index.ts";
import type { CurvePoint, SetOut } from "./stats.ts";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fmt = (x: number) => Math.round(x).toLocaleString("en-US");
const hours = (h: number) => (h >= 48 ? `${(h / 24).toFixed(1)} d` : `${h.toFixed(1)} h`);

function stepPath(points: { t: number; v: number }[], x: (t: number) => number, y: (v: number) => number): string {
  let d = "";
  points.forEach((p, i) => {
    if (i === 0) d += `M${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`;
    else d += `H${x(p.t).toFixed(1)}V${y(p.v).toFixed(1)}`;
  });
  return d;
}

function curveSvg(curve: CurvePoint[], horizon: number): string {
  const W = 360;
  const H = 130;
  const l = 34;
  const b = 20;
  const x = (t: number) => l + ((W - l - 8) * t) / horizon;
  const y = (v: number) => 6 + (H - b - 6) * (1 - v);
  const last = curve[curve.length - 1];
  const ext = (k: "p10" | "p50" | "p90") => [...curve.map((c) => ({ t: c.t, v: c[k] })), { t: horizon, v: last[k] }];
  const up = ext("p90");
  const lo = ext("p10");
  let band = stepPath(up, x, y);
  for (let i = lo.length - 1; i >= 0; i--)
    band += `L${x(lo[i].t).toFixed(1)},${y(lo[i].v).toFixed(1)}${i > 0 ? `H${x(lo[i - 1].t).toFixed(1)}` : ""}`;
  band += "Z";
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * horizon);
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img">
<rect x="${l}" y="6" width="${W - l - 8}" height="${H - b - 6}" fill="#f7f7f7"/>
${[0, 0.5, 1].map((v) => `<line x1="${l}" x2="${W - 8}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${l - 4}" y="${y(v) + 4}" text-anchor="end">${v}</text>`).join("")}
${ticks.map((t) => `<text x="${x(t)}" y="${H - 5}" text-anchor="middle">${hours(t)}</text>`).join("")}
<path d="${band}" fill="#9ecae1" opacity="0.6"/>
<path d="${stepPath(ext("p50"), x, y)}" fill="none" stroke="#08519c" stroke-width="1.8"/>
</svg>`;
}

const COLOURS: Record<string, string> = {
  compromise: "#b15928",
  entry: "#b15928",
  encrypt: "#e31a1c",
  destroy: "#e31a1c",
  deny: "#fb9a99",
  manipulate: "#ff7f00",
  detected: "#33a02c",
  contained: "#33a02c",
  restored: "#1f78b4",
};

function timelineSvg(trace: TraceEntry[], horizon: number): string {
  const levels = trace.filter((e) => e.kind === "level");
  const ids = [...new Set(levels.map((e) => e.id))].slice(0, 25);
  if (ids.length === 0) return "<p>No service lost any level in this run.</p>";
  const end = Math.min(horizon, Math.max(...trace.map((e) => e.t)) * 1.05 || horizon);
  const W = 900;
  const row = 18;
  const l = 170;
  const H = ids.length * row + 30;
  const x = (t: number) => l + ((W - l - 10) * Math.min(t, end)) / end;
  let out = `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img">`;
  ids.forEach((id, i) => {
    const yy = 4 + i * row;
    out += `<text x="${l - 6}" y="${yy + 12}" text-anchor="end">${esc(id)}</text><rect x="${l}" y="${yy}" width="${W - l - 10}" height="${row - 4}" fill="#e5f5e0"/>`;
    const ch = levels.filter((e) => e.id === id);
    for (let k = 0; k < ch.length; k++) {
      const lv = ch[k].to as number;
      if (lv >= 1) continue;
      const t0 = ch[k].t;
      const t1 = k + 1 < ch.length ? ch[k + 1].t : end;
      const red = Math.round(255 * (1 - lv * 0.6));
      out += `<rect x="${x(t0).toFixed(1)}" y="${yy}" width="${Math.max(1, x(t1) - x(t0)).toFixed(1)}" height="${row - 4}" fill="rgb(${red},${Math.round(80 + 150 * lv)},${Math.round(60 + 100 * lv)})"><title>${esc(id)}: level ${lv} from ${hours(t0)}</title></rect>`;
    }
  });
  for (const f of [0, 0.25, 0.5, 0.75, 1])
    out += `<text x="${x(f * end)}" y="${H - 8}" text-anchor="middle">${hours(f * end)}</text>`;
  return `${out}</svg>`;
}

export function renderHtml(
  report: SimulationReport,
  sets: SetOut[],
  rep?: { run: number; trace: TraceEntry[] },
): string {
  const affected = report.services
    .filter((s) => s.personHours.mean > 0)
    .sort((a, b) => b.personHours.mean - a.personHours.mean);
  const setName = (s: SetOut) => (s.controls.length ? s.controls.join(" + ") : "baseline");
  const names = sets.map((s, i) =>
    i === 0 ? `baseline${report.controls.length ? ` (${report.controls.join(", ")})` : ""}` : `+ ${setName(s)}`,
  );
  const objRows: string[] = [];
  report.services.forEach((svc) => {
    svc.objectives.forEach((o, oi) => {
      const cells = sets.map((s) => {
        const p = s.services.find((x) => x.id === svc.id)?.objectives[oi]?.probabilityMet ?? Number.NaN;
        const hue = Math.round(120 * p);
        return `<td style="background:hsl(${hue},70%,85%)">${(p * 100).toFixed(1)} %</td>`;
      });
      objRows.push(
        `<tr><td>${esc(svc.id)}</td><td>${o.kind}${o.kind === "restore" ? ` ${o.level}` : ""} ${hours(o.target)}</td>${cells.join("")}</tr>`,
      );
    });
  });
  const totalsRow = `<tr><td colspan="2"><b>person-hours lost (mean)</b></td>${sets.map((s) => `<td>${fmt(s.totals.personHours.mean)}</td>`).join("")}</tr>
<tr><td colspan="2"><b>attack succeeded</b></td>${sets.map((s) => `<td>${(s.totals.attackSuccessProbability * 100).toFixed(1)} %</td>`).join("")}</tr>`;
  const diffs = report.compare
    .map(
      (c) =>
        `<li>+ ${esc(c.controls.join(" + "))}: person-hours ${c.totals.personHours.diff.mean >= 0 ? "+" : ""}${fmt(c.totals.personHours.diff.mean)} (95 % CI ${fmt(c.totals.personHours.diff.ci95[0])} to ${fmt(c.totals.personHours.diff.ci95[1])}), attack success ${c.totals.attackSuccessDiff.mean >= 0 ? "+" : ""}${(c.totals.attackSuccessDiff.mean * 100).toFixed(1)} points</li>`,
    )
    .join("");
  const curves = affected
    .slice(0, 24)
    .map(
      (s) =>
        `<figure><figcaption><b>${esc(s.id)}</b> — ${fmt(s.personHours.mean)} person-hours (P90 ${fmt(s.personHours.p90)})</figcaption>${curveSvg(s.curve, report.horizonHours)}</figure>`,
    )
    .join("");
  const events = (rep?.trace ?? []).filter((e) => e.kind !== "level");
  const levelsAt = new Map<number, TraceEntry[]>();
  for (const e of rep?.trace ?? []) if (e.kind === "level") levelsAt.set(e.t, [...(levelsAt.get(e.t) ?? []), e]);
  const times = [...new Set(events.map((e) => e.t))].slice(0, 200);
  const eventRows = times
    .map((t) => {
      const what = events
        .filter((e) => e.t === t)
        .map(
          (e) =>
            `<span style="color:${COLOURS[e.kind] ?? "#333"}">${esc(e.kind)}</span> ${esc(e.id)}${e.detail ? ` <small>(${esc(e.detail)})</small>` : ""}`,
        )
        .join("<br>");
      const lv = (levelsAt.get(t) ?? []).map((e) => `${esc(e.id)} ${e.from}→${e.to}`).join(", ");
      return `<tr><td>${hours(t)}</td><td>${what}</td><td>${lv}</td></tr>`;
    })
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Rampart simulation: ${esc(report.scenario.name)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:20px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ccc}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
figure{display:inline-block;margin:6px 10px 6px 0}figcaption{font-size:12px}
svg text{font-size:10px;fill:#444}small{color:#666}
</style></head><body>
<h1>${esc(report.scenario.name)} on ${esc(report.model.name)}</h1>
<p>${report.runs} runs, seed ${report.seed}, horizon ${hours(report.horizonHours)}${report.scenario.deterministic ? " (deterministic scenario)" : ""}.
Person-hours lost: mean ${fmt(report.totals.personHours.mean)}, P10 ${fmt(report.totals.personHours.p10)}, P50 ${fmt(report.totals.personHours.p50)}, P90 ${fmt(report.totals.personHours.p90)}.</p>
<h2>Objectives met, per defence set</h2>
<table><tr><th>service</th><th>objective</th>${names.map((n) => `<th>${esc(n)}</th>`).join("")}</tr>${objRows.join("")}${totalsRow}</table>
${diffs ? `<ul>${diffs}</ul>` : ""}
<h2>Resilience curves</h2>
<p>Level of each affected service over time across runs: the band spans P10 to P90, the line is the median (grid of ${report.grid.points} points, every ${hours(report.grid.stepHours)}).</p>
${curves || "<p>No service lost any level.</p>"}
<h2>A representative run${rep ? ` (run ${rep.run}: median person-hours)` : ""}</h2>
${rep ? timelineSvg(rep.trace, report.horizonHours) : ""}
<table><tr><th>time</th><th>what happened</th><th>service levels</th></tr>${eventRows}</table>
${report.warnings.length ? `<h2>Warnings</h2><ul>${report.warnings.map((w) => `<li>${esc(w)}</li>`).join("")}</ul>` : ""}
</body></html>
`;
}
