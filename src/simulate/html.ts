/**
 * The self-contained HTML report of `rampart simulate --html`, in the order a city council reads it: a summary
 * (person-hours lost, attack success, the services most at risk, what each defence set buys), resilience curves
 * per service (small multiples: P10-P90 band and median of the level over time, RTO and MTD marked), a compact
 * matrix of objectives met per defence set, and the timeline of a representative run (what failed when, and
 * why). Inline SVG and CSS; no scripts, no external files.
 */

import type { TraceEntry } from "./engine.ts";
import type { SimulationReport } from "./index.ts";
import type { CurvePoint, ObjectiveOut, ServiceOut, SetOut } from "./stats.ts";
import { containmentText } from "./text.ts";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fmt = (x: number) => Math.round(x).toLocaleString("en-US");
/** Large counts in words a council reads: 73.2 million. */
function big(x: number): string {
  const a = Math.abs(x);
  if (a >= 1e9) return `${(x / 1e9).toFixed(1)} billion`;
  if (a >= 1e6) return `${(x / 1e6).toFixed(1)} million`;
  if (a >= 1e4) return `${Math.round(x / 1e3)} thousand`;
  return fmt(x);
}
const hours = (h: number) => (h >= 48 ? `${(h / 24).toFixed(h % 24 === 0 ? 0 : 1)} d` : `${+h.toFixed(1)} h`);
const pct = (p: number) => `${(p * 100).toFixed(p > 0 && p < 0.01 ? 1 : 0)} %`;
/** A share of runs: red at 50 % or less, through amber, to green at 100 %; light enough for dark text. */
const heat = (p: number) =>
  `hsl(${Math.round(120 * Math.max(0, Math.min(1, (p - 0.5) / 0.5)))},75%,${p >= 0.95 ? 86 : 80}%)`;
/** A service level below 1: yellow just below full service to dark red at 0 (full service is the pale green bar). */
const levelColour = (lv: number) => `hsl(${Math.round(48 * lv)},85%,${Math.round(42 + 30 * lv)}%)`;

function stepPath(points: { t: number; v: number }[], x: (t: number) => number, y: (v: number) => number): string {
  let d = "";
  points.forEach((p, i) => {
    if (i === 0) d += `M${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`;
    else d += `H${x(p.t).toFixed(1)}V${y(p.v).toFixed(1)}`;
  });
  return d;
}

/** Time ticks: whole days (or hours for short horizons), about five of them. */
function timeTicks(horizon: number): number[] {
  const unit = horizon >= 72 ? 24 : 1;
  const raw = horizon / unit / 5;
  const step = [1, 2, 5, 10, 15, 30, 60, 90].find((s) => s >= raw) ?? Math.ceil(raw);
  const out: number[] = [];
  for (let t = 0; t <= horizon + 1e-9; t += step * unit) out.push(t);
  return out;
}

type Marks = { rto?: number; mtd?: number; t1?: number | null };

function curveSvg(
  curve: CurvePoint[],
  horizon: number,
  marks: Marks,
  others: { curve: CurvePoint[]; colour: string }[],
): string {
  const W = 400;
  const H = 190;
  const l = 40;
  const r = 10;
  const top = 18;
  const b = 28;
  const x = (t: number) => l + ((W - l - r) * Math.min(t, horizon)) / horizon;
  const y = (v: number) => top + (H - b - top) * (1 - v);
  const ext = (c: CurvePoint[], k: "p10" | "p50" | "p90") => {
    const last = c[c.length - 1];
    return [...c.map((p) => ({ t: p.t, v: p[k] })), { t: horizon, v: last[k] }];
  };
  const up = ext(curve, "p90");
  const lo = ext(curve, "p10");
  let band = stepPath(up, x, y);
  for (let i = lo.length - 1; i >= 0; i--)
    band += `L${x(lo[i].t).toFixed(1)},${y(lo[i].v).toFixed(1)}${i > 0 ? `H${x(lo[i - 1].t).toFixed(1)}` : ""}`;
  band += "Z";
  let out = `<svg viewBox="0 0 ${W} ${H}" role="img" class="curve">`;
  out += `<rect x="${l}" y="${top}" width="${W - l - r}" height="${H - b - top}" fill="#f6f7f9"/>`;
  for (const v of [0, 0.5, 1])
    out += `<line x1="${l}" x2="${W - r}" y1="${y(v)}" y2="${y(v)}" stroke="#d9dde3"/><text x="${l - 6}" y="${y(v) + 4}" text-anchor="end">${v === 0.5 ? "50%" : v === 1 ? "100%" : "0"}</text>`;
  for (const t of timeTicks(horizon))
    out += `<text x="${x(t).toFixed(1)}" y="${H - 8}" text-anchor="${t === 0 ? "start" : t >= horizon ? "end" : "middle"}">${hours(t)}</text>`;
  out += `<path d="${band}" fill="#9ecae1" opacity="0.75"/>`;
  for (const o of others)
    out += `<path d="${stepPath(ext(o.curve, "p50"), x, y)}" fill="none" stroke="${o.colour}" stroke-width="2" stroke-dasharray="5 3"/>`;
  out += `<path d="${stepPath(ext(curve, "p50"), x, y)}" fill="none" stroke="#08519c" stroke-width="2.2"/>`;
  // objectives count from the first loss: marked from the median time of first loss
  if (marks.t1 !== undefined && marks.t1 !== null)
    for (const [name, d, colour] of [
      ["RTO", marks.rto, "#b35806"],
      ["MTD", marks.mtd, "#b2182b"],
    ] as const) {
      if (d === undefined || marks.t1 + d > horizon) continue;
      const xx = x(marks.t1 + d).toFixed(1);
      // RTO's label to the left of its line, MTD's to the right: they never overlap
      const left = name === "RTO";
      out += `<line x1="${xx}" x2="${xx}" y1="${top}" y2="${H - b}" stroke="${colour}" stroke-dasharray="3 3" stroke-width="1.5"/><text x="${(Number(xx) + (left ? -3 : 3)).toFixed(1)}" y="${top - 5}" text-anchor="${left ? "end" : "start"}" fill="${colour}" class="mark">${name}</text>`;
    }
  return `${out}</svg>`;
}

const KIND_COLOURS: Record<string, string> = {
  compromise: "#8c510a",
  entry: "#8c510a",
  encrypt: "#c51b7d",
  destroy: "#c51b7d",
  deny: "#d6604d",
  manipulate: "#e08214",
  detected: "#1b7837",
  contained: "#1b7837",
  isolated: "#1b7837",
  "isolation-lifted": "#2166ac",
  "isolated host": "#1b7837",
  "isolation-lifted host": "#2166ac",
  "manipulation-found": "#1b7837",
  restored: "#2166ac",
};

/** The levels of the services that lost any, as bars over time: what failed when. */
function timelineSvg(trace: TraceEntry[], horizon: number, names: Map<string, string>): string {
  const levels = trace.filter((e) => e.kind === "level");
  const ids = [...new Set(levels.map((e) => e.id))];
  if (ids.length === 0) return "<p>No service lost any level in this run.</p>";
  const endT = Math.max(...trace.map((e) => e.t));
  const end = Math.min(horizon, endT > 0 ? endT * 1.05 : horizon);
  const W = 1000;
  const row = 24;
  const l = 190;
  const r = 14;
  const H = ids.length * row + 34;
  const x = (t: number) => l + ((W - l - r) * Math.min(t, end)) / end;
  let out = `<svg viewBox="0 0 ${W} ${H}" role="img" class="timeline">`;
  ids.forEach((id, i) => {
    const yy = 4 + i * row;
    out += `<text x="${l - 8}" y="${yy + 15}" text-anchor="end"><title>${esc(names.get(id) ?? id)}</title>${esc(id)}</text><rect x="${l}" y="${yy}" width="${W - l - r}" height="${row - 6}" fill="#e5f5e0"/>`;
    const ch = levels.filter((e) => e.id === id);
    for (let k = 0; k < ch.length; k++) {
      const lv = ch[k].to as number;
      if (lv >= 1) continue;
      const t0 = ch[k].t;
      const t1 = k + 1 < ch.length ? ch[k + 1].t : end;
      out += `<rect x="${x(t0).toFixed(1)}" y="${yy}" width="${Math.max(1.5, x(t1) - x(t0)).toFixed(1)}" height="${row - 6}" fill="${levelColour(lv)}"><title>${esc(id)}: ${pct(lv)} from ${hours(t0)} to ${hours(t1)}</title></rect>`;
    }
  });
  for (const t of timeTicks(end))
    out += `<text x="${x(t).toFixed(1)}" y="${H - 8}" text-anchor="${t === 0 ? "start" : "middle"}">${hours(t)}</text>`;
  return `${out}</svg>`;
}

/**
 * The events of the run in moments (events less than `window` hours after the moment's first), grouped by kind
 * and reason: "2.3 d: encrypt 21 assets (rebuild): a, b, ...", next to the service levels they changed.
 */
function eventTable(trace: TraceEntry[], window: number): string {
  const sorted = [...trace].sort((a, b) => a.t - b.t);
  type Moment = { t0: number; t1: number; events: TraceEntry[] };
  const moments: Moment[] = [];
  for (const e of sorted) {
    const m = moments[moments.length - 1];
    if (m && e.t - m.t0 <= window) {
      m.events.push(e);
      m.t1 = e.t;
    } else moments.push({ t0: e.t, t1: e.t, events: [e] });
  }
  const rows: string[] = [];
  for (const m of moments.slice(0, 80)) {
    const groups = new Map<string, { kind: string; detail: string; ids: string[] }>();
    const levels = new Map<string, { from: number; to: number }>();
    for (const e of m.events) {
      if (e.kind === "level") {
        const l = levels.get(e.id);
        if (l) l.to = e.to as number;
        else levels.set(e.id, { from: e.from as number, to: e.to as number });
        continue;
      }
      const k = `${e.kind}|${e.detail ?? ""}`;
      const g = groups.get(k);
      if (g) {
        if (!g.ids.includes(e.id)) g.ids.push(e.id);
      } else groups.set(k, { kind: e.kind, detail: e.detail ?? "", ids: [e.id] });
    }
    const what = [...groups.values()]
      .map((g) => {
        const list =
          g.ids.length > 8 ? `${g.ids.slice(0, 8).join(", ")} and ${g.ids.length - 8} more` : g.ids.join(", ");
        return `<div><span class="kind" style="color:${KIND_COLOURS[g.kind] ?? "#333"}">${esc(g.kind)}</span> ${g.ids.length > 1 ? `<b>${g.ids.length}</b> ` : ""}${esc(list)}${g.detail ? ` <span class="muted">(${esc(g.detail)})</span>` : ""}</div>`;
      })
      .join("");
    const lv = [...levels]
      .filter(([, l]) => l.from !== l.to)
      .map(([id, l]) => `<span class="${l.to < l.from ? "down" : "up"}">${esc(id)} ${pct(l.from)}→${pct(l.to)}</span>`)
      .join(", ");
    const when = hours(m.t1) !== hours(m.t0) ? `${hours(m.t0)} – ${hours(m.t1)}` : hours(m.t0);
    rows.push(`<tr><td class="n">${when}</td><td>${what}</td><td>${lv}</td></tr>`);
  }
  const more = moments.length > 80 ? `<p class="muted">… ${moments.length - 80} later moments not shown.</p>` : "";
  return `<table class="events"><tr><th>time</th><th>what happened (and why)</th><th>service levels it changed</th></tr>${rows.join("")}</table>${more}`;
}

/** The objective of a kind to show in a matrix cell: the one least often met (several restore objectives). */
function objectiveOf(svc: ServiceOut | undefined, kind: string): { o: ObjectiveOut; i: number } | undefined {
  let best: { o: ObjectiveOut; i: number } | undefined;
  svc?.objectives.forEach((o, i) => {
    if (o.kind === kind && (!best || o.probabilityMet < best.o.probabilityMet)) best = { o, i };
  });
  return best;
}

const objLabel = (o: ObjectiveOut) =>
  o.kind === "restore" ? `${pct(o.level ?? 1)} within ${hours(o.target)}` : `${hours(o.target)}`;

export function renderHtml(
  report: SimulationReport,
  sets: SetOut[],
  rep?: { run: number; trace: TraceEntry[] },
): string {
  const setName = (s: SetOut, i: number) =>
    i === 0
      ? `baseline${report.controls.length ? ` (${report.controls.join(", ")})` : ""}`
      : `+ ${s.controls.join(" + ")}`;
  const byRisk = [...report.services].sort(
    (a, b) =>
      b.weightedLoss.mean - a.weightedLoss.mean || b.personHours.mean - a.personHours.mean || (a.id < b.id ? -1 : 1),
  );
  const affected = byRisk.filter((s) => s.personHours.mean > 0);
  const names = new Map(report.services.map((s) => [s.id, s.name]));
  const t = report.totals;

  // --- summary
  const tiles = [
    [
      big(t.weightedLoss.mean),
      "weighted loss (mean)",
      `${fmt(t.weightedLoss.mean)}: essential-service weight x person-hours, summed over services`,
    ],
    [big(t.personHours.mean), "person-hours lost (mean)", `${fmt(t.personHours.mean)} person-hours`],
    [
      `${big(t.personHours.p10)} / ${big(t.personHours.p50)} / ${big(t.personHours.p90)}`,
      "P10 / P50 / P90",
      "one run in ten loses less than the P10, one in ten more than the P90",
    ],
    [
      pct(t.attribution.containmentShare),
      "of the loss: our own containment",
      `attack ${fmt(t.attribution.attack)}, cascade ${fmt(t.attribution.cascade)}, containment ${fmt(t.attribution.containment)} person-hours (mean)`,
    ],
    ...(t.objectivesMetProbability !== null
      ? [
          [
            pct(t.objectivesMetProbability),
            "of runs: every objective met",
            "rto, mtd, restore and rpo of every service",
          ],
        ]
      : []),
    [
      pct(t.attackSuccessProbability),
      "of runs: the attack reached its objective",
      report.objective ? report.objective.description : "no objective: any attack effect applied",
    ],
    [pct(t.detectedProbability), "of runs: the attack was detected", ""],
  ]
    .map(
      ([v, k, title]) =>
        `<div class="tile" title="${esc(title)}"><div class="v">${esc(v)}</div><div class="k">${esc(k)}</div></div>`,
    )
    .join("");
  const causes = (a: { attack: number; cascade: number; containment: number }) => {
    const sum = a.attack + a.cascade + a.containment;
    return sum > 0 ? `${pct(a.attack / sum)} / ${pct(a.cascade / sum)} / ${pct(a.containment / sum)}` : "—";
  };
  const worstObjective = (s: ServiceOut) => {
    const o = [...s.objectives].sort((a, b) => a.probabilityMet - b.probabilityMet)[0];
    return o ? `${o.kind} ${objLabel(o)} met in ${pct(o.probabilityMet)} of runs` : "no objectives";
  };
  const atRisk = affected
    .slice(0, 5)
    .map(
      (s) =>
        `<tr><td><b>${esc(s.name)}</b> <span class="muted">${esc(s.id)}</span></td><td class="n">${big(s.weightedLoss.mean)}</td><td class="n">${big(s.personHours.mean)}</td><td class="n">${big(s.personHours.p90)}</td><td class="n">${causes(s.attribution)}</td><td class="n">${pct(s.firstLossHours.probability)}</td><td class="n">${hours(s.downtimeHours.mean)}</td><td>${esc(worstObjective(s))}</td></tr>`,
    )
    .join("");
  const essential = [...report.services]
    .filter((s) => s.essential)
    .sort((a, b) => b.weightedLoss.mean - a.weightedLoss.mean || (a.id < b.id ? -1 : 1))
    .map(
      (s) =>
        `<tr><td><b>${esc(s.name)}</b> <span class="muted">${esc(s.id)}</span></td><td class="n">${s.weight}</td><td class="n">${fmt(s.peoplePeak.p50)} / ${fmt(s.peoplePeak.p90)}</td><td class="n">${hours(s.severeHours.p50)} / ${hours(s.severeHours.p90)}</td><td class="n">${s.objectivesMetProbability === null ? "—" : pct(s.objectivesMetProbability)}</td></tr>`,
    )
    .join("");
  const svcName = new Map(report.services.map((s) => [s.id, s.name]));
  const roots = (report.rootCauses ?? [])
    .slice(0, 8)
    .map(
      (r) =>
        `<tr><td><b>${esc(r.name)}</b> <span class="muted">${esc(r.id)}</span></td><td class="n">${big(r.weightedLoss)}</td><td class="n">${big(r.own)}</td><td class="n">${big(r.downstream)}</td><td>${esc(
          r.services
            .slice(0, 5)
            .map((x) => svcName.get(x.id) ?? x.id)
            .join(", "),
        )}${r.services.length > 5 ? " …" : ""}</td></tr>`,
    )
    .join("");
  const ownContainment =
    t.weightedAttribution.containment > 0
      ? `<tr><td><i>our own containment</i></td><td class="n">${big(t.weightedAttribution.containment)}</td><td></td><td></td><td></td></tr>`
      : "";
  const diffs = report.compare
    .map((c) => {
      const d = c.totals.personHours.diff;
      const rel =
        t.personHours.mean > 0 ? ` (${d.mean >= 0 ? "+" : "−"}${pct(Math.abs(d.mean) / t.personHours.mean)})` : "";
      const sure = d.ci95[0] > 0 || d.ci95[1] < 0 ? "" : " — not distinguishable from no change at this number of runs";
      return `<li><b>+ ${esc(c.controls.join(" + "))}</b>: person-hours lost ${d.mean >= 0 ? "+" : "−"}${big(Math.abs(d.mean))}${rel} on average (95 % interval ${big(d.ci95[0])} to ${big(d.ci95[1])})${sure}; attack success ${pct(c.totals.attackSuccessProbability)} (${c.totals.attackSuccessDiff.mean >= 0 ? "+" : "−"}${(Math.abs(c.totals.attackSuccessDiff.mean) * 100).toFixed(1)} points).</li>`;
    })
    .join("");

  // --- curves
  const OTHER = ["#1b7837", "#762a83"];
  const curves = affected
    .map((s) => {
      const others = sets.slice(1, 3).flatMap((set, i) => {
        const c = set.services.find((x) => x.id === s.id)?.curve;
        return c ? [{ curve: c, colour: OTHER[i] }] : [];
      });
      const marks: Marks = {
        rto: s.objectives.find((o) => o.kind === "rto")?.target,
        mtd: s.objectives.find((o) => o.kind === "mtd")?.target,
        t1: s.firstLossHours.p50,
      };
      return `<figure><figcaption><b>${esc(s.name)}</b><br><span class="muted">${big(s.personHours.mean)} person-hours (P90 ${big(s.personHours.p90)}); loses level in ${pct(s.firstLossHours.probability)} of runs${s.firstLossHours.probability < 0.1 ? " (under 1 in 10: outside the band)" : ""}</span></figcaption>${curveSvg(s.curve, report.horizonHours, marks, others)}</figure>`;
    })
    .join("");
  const untouched = byRisk.filter((s) => s.personHours.mean === 0).map((s) => s.id);
  const legend = `<p class="legend"><span class="sw band"></span> P10–P90 of runs <span class="sw med"></span> median${sets
    .slice(1, 3)
    .map(
      (s, i) =>
        `<span class="sw" style="border-top:2px dashed ${OTHER[i]};height:0"></span> median ${esc(setName(s, i + 1))}`,
    )
    .join(
      "",
    )} <span class="sw" style="border-left:2px dashed #b35806;width:0;height:12px"></span> RTO and <span class="sw" style="border-left:2px dashed #b2182b;width:0;height:12px"></span> MTD, counted from the median time of first loss</p>`;

  // --- objectives matrix
  const KINDS = ["rto", "mtd", "restore", "rpo"].filter((k) =>
    report.services.some((s) => s.objectives.some((o) => o.kind === k)),
  );
  const head1 = sets.map((s, i) => `<th colspan="${KINDS.length}" class="set">${esc(setName(s, i))}</th>`).join("");
  const head2 = sets.map(() => KINDS.map((k) => `<th class="k">${k}</th>`).join("")).join("");
  const matrixRows = byRisk
    .filter((s) => s.objectives.length)
    .map((s) => {
      const cells = sets
        .map((set) => {
          const svc = set.services.find((x) => x.id === s.id);
          return KINDS.map((k) => {
            const hit = objectiveOf(svc, k);
            if (!hit) return `<td class="none">–</td>`;
            const p = hit.o.probabilityMet;
            return `<td class="cell" style="background:${heat(p)}" title="${esc(`${s.id}: ${k} ${objLabel(hit.o)}, met in ${(p * 100).toFixed(1)} % of runs (95 % CI ${(hit.o.ci95[0] * 100).toFixed(1)}–${(hit.o.ci95[1] * 100).toFixed(1)} %)`)}">${pct(p)}<small>${esc(objLabel(hit.o))}</small></td>`;
          }).join("");
        })
        .join("");
      return `<tr><th class="svc">${esc(s.id)}</th>${cells}</tr>`;
    })
    .join("");

  // --- representative run
  const repHead = rep
    ? `<p>Run ${rep.run}: the median person-hours among the runs in which some service lost level. Bars: each service's level over time <span class="sw" style="background:#e5f5e0"></span>full service <span class="sw" style="background:${levelColour(0.9)}"></span>90 % <span class="sw" style="background:${levelColour(0.5)}"></span>50 % <span class="sw" style="background:${levelColour(0)}"></span>down (hover a bar for its level). The table lists what happened, moment by moment, and the service levels it changed.</p>`
    : "";

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Rampart simulation: ${esc(report.scenario.name)}</title>
<style>
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d232b;background:#fff}
header{background:#17324d;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}header div{opacity:.85;margin-top:4px}
main{padding:8px 28px 40px;max-width:1320px}
h2{font-size:19px;margin:30px 0 10px;padding-bottom:4px;border-bottom:2px solid #e1e5ea}
.muted{color:#5d6b7a}small{display:block;color:#4a5663;font-size:11.5px}
.tiles{display:flex;flex-wrap:wrap;gap:12px}.tile{border:1px solid #d9dee4;border-radius:8px;padding:10px 16px;min-width:170px}
.tile .v{font-size:24px;font-weight:650}.tile .k{color:#5d6b7a;font-size:13px}
table{border-collapse:collapse}td,th{border:1px solid #dde2e8;padding:5px 9px;text-align:left;vertical-align:top}
th{background:#f3f5f8;font-weight:600}td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
ul.diffs li{margin:4px 0}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:14px 18px}
figure{margin:0;border:1px solid #e1e5ea;border-radius:8px;padding:8px 10px}figcaption{font-size:14px;margin-bottom:2px}
figcaption .muted{font-size:12.5px}
svg.curve{width:100%;height:auto;display:block}svg.curve text{font-size:12px;fill:#3b4550}svg.curve text.mark{font-weight:600;font-size:12px}
.legend{font-size:13px;color:#3b4550}.sw{display:inline-block;width:22px;height:12px;margin:0 5px 0 12px;vertical-align:middle}
.sw.band{background:#9ecae1}.sw.med{border-top:3px solid #08519c;height:0}
table.matrix td.cell{text-align:center;font-weight:600;min-width:74px;font-variant-numeric:tabular-nums}
table.matrix td.none{text-align:center;color:#9aa5b1}table.matrix th.set{text-align:center;background:#e8edf3}
table.matrix th.k{text-align:center;font-weight:500;font-size:13px}table.matrix th.svc{background:#fff;font-weight:600}
svg.timeline{width:100%;height:auto;display:block;margin:6px 0 14px}svg.timeline text{font-size:13px;fill:#3b4550}
table.events td{font-size:13.5px}table.events .kind{font-weight:600}
.down{color:#b2182b}.up{color:#1b7837}
</style></head><body>
<header><h1>${esc(report.scenario.name)} — ${esc(report.model.name)}</h1>
<div>${report.runs} simulated runs, seed ${report.seed}, each up to ${hours(report.horizonHours)}${report.scenario.deterministic ? " (deterministic scenario)" : ""}${report.controls.length ? `; with ${esc(report.controls.join(", "))} in place` : ""}</div></header>
<main>
<section><h2>Summary</h2>
<div class="tiles">${tiles}</div>
<p>Where the loss comes from (mean person-hours): ${esc(causes(t.attribution))} attack / cascade between services / our own containment (${esc(containmentText(report.containment))}).</p>
${essential ? `<h3>Essential services</h3><table><tr><th>service</th><th>weight</th><th>people without it at the worst moment (P50 / P90)</th><th>hours with more than 10 % out (P50 / P90)</th><th>every objective met</th></tr>${essential}</table>` : ""}
${
  atRisk
    ? `<h3>Services most at risk</h3><table><tr><th>service</th><th>weighted loss (mean)</th><th>person-hours lost (mean)</th><th>P90</th><th>attack / cascade / our containment</th><th>loses level in</th><th>mean downtime</th><th>weakest objective</th></tr>${atRisk}</table>`
    : "<p>No service lost any level in any run.</p>"
}
${roots ? `<h3>Root causes</h3><p class="muted">Weighted loss credited to the service whose failure caused it: its own outage plus the cascade loss of the services that need it (split by how long and deep each upstream outage was).</p><table><tr><th>service</th><th>weighted loss caused (mean)</th><th>its own</th><th>downstream</th><th>services it took down</th></tr>${roots}${ownContainment}</table>` : ""}
${diffs ? `<h3>What the defences buy (paired runs, same seeds)</h3><ul class="diffs">${diffs}</ul>` : ""}
</section>
<section><h2>Resilience curves</h2>
<p class="muted">Level of each affected service over time across the runs (100 % = full service). Sorted by weighted loss.</p>
${legend}
<div class="grid">${curves || "<p>No service lost any level.</p>"}</div>
${untouched.length ? `<p class="muted">Never affected: ${esc(untouched.join(", "))}.</p>` : ""}
</section>
<section><h2>Objectives met, per defence set</h2>
<p class="muted">Share of runs in which each service met its objective (hover for the 95 % interval). rto: back to full service in time; mtd: not down longer than tolerable; restore: the slowest-met restore target; rpo: no more data lost than allowed.</p>
<table class="matrix"><tr><th rowspan="2">service</th>${head1}</tr><tr>${head2}</tr>${matrixRows}</table>
</section>
<section><h2>A representative run: what failed when, and why</h2>
${repHead}
${rep ? timelineSvg(rep.trace, report.horizonHours, names) : ""}
${rep ? eventTable(rep.trace, Math.max(1, report.horizonHours / 500)) : ""}
</section>
${report.warnings.length ? `<section><h2>Warnings</h2><ul>${report.warnings.map((w) => `<li>${esc(w)}</li>`).join("")}</ul></section>` : ""}
</main></body></html>
`;
}
