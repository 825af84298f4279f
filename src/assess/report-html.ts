/**
 * The self-contained HTML report (inline CSS and SVG, no external assets): summary, top risks, a heat map of
 * findings by service and severity, the dependency graph around the most likely attack paths, criticality,
 * choke points and the findings grouped by framework (NIST CSF 2.0, NCSC CAF 4.0, IEC 62443-3-3).
 */
import { ATTACK_ICS, CAF, CSF, IEC62443, TECHNIQUES } from "./catalogue.ts";
import { type AssessReport, type AttackPath, type Finding, SEVERITIES, type Severity } from "./types.ts";

const esc = (s: unknown) =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
const num = (n: number) => Math.round(n).toLocaleString("en-US");
const pct = (p: number) => `${(p * 100).toFixed(p >= 0.1 ? 0 : 1)}%`;

const SEV_COLOR: Record<Severity, string> = { critical: "#8b0000", high: "#d9480f", medium: "#e8a317", low: "#5c7cfa" };
const SEV_WEIGHT: Record<Severity, number> = { critical: 8, high: 4, medium: 2, low: 1 };

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:24px 40px}header h1{margin:0 0 4px;font-size:24px}
main{padding:8px 40px 40px;max-width:1200px}section{background:#fff;border-radius:8px;padding:16px 24px;margin:18px 0;box-shadow:0 1px 3px #0002}
h2{font-size:18px;margin:4px 0 12px}h3{font-size:15px;margin:14px 0 6px}
.tiles{display:flex;flex-wrap:wrap;gap:12px}.tile{flex:1 1 150px;background:#f1f3f5;border-radius:6px;padding:10px 14px}
.tile b{display:block;font-size:22px}.sev{display:inline-block;color:#fff;border-radius:3px;padding:0 6px;font-size:12px;text-transform:uppercase}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:4px 8px;border-bottom:1px solid #e9ecef;vertical-align:top}
th{background:#f1f3f5;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
code{font-size:12px;background:#f1f3f5;padding:0 3px;border-radius:3px}details{margin:4px 0}summary{cursor:pointer}
.muted{color:#6c757d}.fix{color:#2b8a3e}svg text{font-family:system-ui,sans-serif}
footer{color:#6c757d;font-size:12px;padding:0 40px 30px}
`;

function sevBadge(s: Severity): string {
  return `<span class="sev" style="background:${SEV_COLOR[s]}">${s}</span>`;
}

function findingRow(f: Finding): string {
  return `<tr><td>${sevBadge(f.severity)}</td><td><code>${esc(f.rule)}</code></td><td>${esc(f.message)}<div class="fix">→ ${esc(f.remediation)}</div></td><td>${esc(f.services.slice(0, 5).join(", "))}${f.services.length > 5 ? ` <span class="muted">+${f.services.length - 5}</span>` : ""}</td></tr>`;
}

function heatMap(r: AssessReport): string {
  const counts = new Map<string, Record<Severity, number>>();
  for (const f of r.findings)
    for (const s of f.services) {
      const c = counts.get(s) ?? { critical: 0, high: 0, medium: 0, low: 0 };
      counts.set(s, c);
      c[f.severity]++;
    }
  const rows = [...counts]
    .map(([s, c]) => ({ s, c, w: SEVERITIES.reduce((a, k) => a + c[k] * SEV_WEIGHT[k], 0) }))
    .sort((a, b) => b.w - a.w || (a.s < b.s ? -1 : 1))
    .slice(0, 30);
  if (rows.length === 0) return "<p>No findings put a service at risk.</p>";
  const max = Math.max(1, ...rows.flatMap((x) => SEVERITIES.map((k) => x.c[k])));
  const cw = 90;
  const rh = 22;
  const lw = 200;
  const h = 30 + rows.length * rh;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${lw + cw * 4 + 10}" height="${h}" role="img" aria-label="findings by service and severity">`,
  ];
  SEVERITIES.forEach((k, j) => {
    parts.push(
      `<text x="${lw + j * cw + cw / 2}" y="18" text-anchor="middle" font-size="12" font-weight="600">${k}</text>`,
    );
  });
  rows.forEach((x, i) => {
    const y = 26 + i * rh;
    parts.push(`<text x="${lw - 8}" y="${y + 15}" text-anchor="end" font-size="12">${esc(x.s)}</text>`);
    SEVERITIES.forEach((k, j) => {
      const v = x.c[k];
      const a = v === 0 ? 0 : 0.15 + 0.85 * Math.sqrt(v / max);
      parts.push(
        `<rect x="${lw + j * cw + 1}" y="${y}" width="${cw - 2}" height="${rh - 2}" fill="${SEV_COLOR[k]}" fill-opacity="${a.toFixed(2)}" stroke="#dee2e6"><title>${esc(x.s)}: ${v} ${k}</title></rect>`,
      );
      if (v)
        parts.push(
          `<text x="${lw + j * cw + cw / 2}" y="${y + 15}" text-anchor="middle" font-size="12" fill="${a > 0.5 ? "#fff" : "#000"}">${v}</text>`,
        );
    });
  });
  parts.push("</svg>");
  return parts.join("");
}

/** A layered drawing of the most likely paths: entries left, crown jewels and their services right. */
function pathGraph(r: AssessReport, paths: AttackPath[]): string {
  if (paths.length === 0) return "<p>No attack path reaches a crown jewel.</p>";
  type N = { id: string; label: string; type: "entry" | "asset" | "jewel" | "service"; layer: number };
  const nodes = new Map<string, N>();
  const edges = new Map<string, { a: string; b: string; label: string }>();
  const jewels = new Set(r.crownJewels);
  const node = (id: string, label: string, type: N["type"], layer: number) => {
    const n = nodes.get(id);
    if (!n) nodes.set(id, { id, label, type, layer });
    else n.layer = Math.max(n.layer, layer);
  };
  let maxLayer = 0;
  for (const p of paths) {
    const e = `entry:${p.entry}`;
    node(e, p.entry.replace(/^vendors\./, ""), "entry", 0);
    let prev = e;
    p.steps.forEach((s, i) => {
      const id = `asset:${s.asset}`;
      node(id, s.asset, jewels.has(s.asset) && i === p.steps.length - 1 ? "jewel" : "asset", i + 1);
      edges.set(`${prev}>${id}`, { a: prev, b: id, label: s.technique });
      prev = id;
      maxLayer = Math.max(maxLayer, i + 1);
    });
  }
  // services after every asset
  for (const p of paths)
    for (const s of p.services.slice(0, 3)) {
      node(`svc:${s}`, s, "service", maxLayer + 1);
      edges.set(`asset:${p.target}>svc:${s}`, { a: `asset:${p.target}`, b: `svc:${s}`, label: "" });
    }
  for (const n of nodes.values()) if (n.type === "service") n.layer = maxLayer + 1;
  const layers: N[][] = [];
  for (const n of nodes.values()) {
    layers[n.layer] ??= [];
    layers[n.layer].push(n);
  }
  // order each layer by the mean position of its predecessors (one sweep)
  const pos = new Map<string, number>();
  layers.forEach((l, li) => {
    if (!l) return;
    if (li > 0)
      l.sort((x, y) => {
        const bary = (n: N) => {
          const ps = [...edges.values()].filter((e) => e.b === n.id && pos.has(e.a)).map((e) => pos.get(e.a) as number);
          return ps.length ? ps.reduce((a, b) => a + b, 0) / ps.length : 0;
        };
        return bary(x) - bary(y) || (x.id < y.id ? -1 : 1);
      });
    l.forEach((n, i) => {
      pos.set(n.id, i);
    });
  });
  const colW = 270;
  const rowH = 50;
  const boxW = 206;
  const boxH = 32;
  const rows = Math.max(...layers.map((l) => l?.length ?? 0));
  const W = 20 + layers.length * colW;
  const H = 20 + rows * rowH;
  const xy = (n: N) => {
    const l = layers[n.layer];
    const off = ((rows - l.length) * rowH) / 2;
    return { x: 10 + n.layer * colW, y: 10 + off + (pos.get(n.id) as number) * rowH };
  };
  const fill = { entry: "#343a40", asset: "#868e96", jewel: "#c92a2a", service: "#1971c2" };
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="attack paths">`,
    `<defs><marker id="arr" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#495057"/></marker></defs>`,
  ];
  for (const e of edges.values()) {
    const a = xy(nodes.get(e.a) as N);
    const b = xy(nodes.get(e.b) as N);
    const x1 = a.x + boxW;
    const y1 = a.y + boxH / 2;
    const x2 = b.x;
    const y2 = b.y + boxH / 2;
    const mx = (x1 + x2) / 2;
    out.push(
      `<path d="M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}" fill="none" stroke="#495057" stroke-width="1.2" marker-end="url(#arr)"/>`,
    );
    if (e.label)
      out.push(
        `<text x="${mx}" y="${(y1 + y2) / 2 - 3}" font-size="12" font-weight="600" text-anchor="middle" fill="#343a40">${esc(e.label)}<title>${esc(TECHNIQUES.get(e.label)?.name ?? e.label)}</title></text>`,
      );
  }
  for (const n of nodes.values()) {
    const { x, y } = xy(n);
    const label = n.label.length > 27 ? `${n.label.slice(0, 26)}…` : n.label;
    out.push(
      `<g><rect x="${x}" y="${y}" width="${boxW}" height="${boxH}" rx="5" fill="${fill[n.type]}"/><text x="${x + boxW / 2}" y="${y + 21}" font-size="12.5" fill="#fff" text-anchor="middle">${esc(label)}</text><title>${esc(n.label)} (${n.type})</title></g>`,
    );
  }
  out.push("</svg>");
  return out.join("");
}

function frameworkSection(
  r: AssessReport,
  key: "csf" | "caf" | "iec62443",
  titles: ReadonlyMap<string, string>,
  name: string,
): string {
  const by = new Map<string, Finding[]>();
  for (const f of r.findings)
    for (const id of f.frameworks[key]) {
      const l = by.get(id) ?? [];
      l.push(f);
      by.set(id, l);
    }
  const ids = [...by.keys()].sort();
  if (ids.length === 0) return "";
  const body = ids
    .map((id) => {
      const fs = by.get(id) as Finding[];
      const worst = SEVERITIES.find((s) => fs.some((f) => f.severity === s)) as Severity;
      const shown = fs.slice(0, 50);
      return `<details><summary>${sevBadge(worst)} <b>${esc(id)}</b> ${esc(titles.get(id) ?? "")} <span class="muted">(${fs.length})</span></summary><table>${shown.map(findingRow).join("")}</table>${fs.length > shown.length ? `<p class="muted">… ${fs.length - shown.length} more in the JSON output</p>` : ""}</details>`;
    })
    .join("");
  return `<h3>${esc(name)}</h3>${body}`;
}

export function htmlReport(r: AssessReport): string {
  const m = r.model;
  const sevCount = (s: Severity) => r.findings.filter((f) => f.severity === s).length;
  const topFindings = r.findings.slice(0, 12);
  // the most likely path per actor, then the next most likely distinct targets, up to 8
  const chosen: AttackPath[] = [];
  const seenActor = new Set<string>();
  for (const p of [...r.paths].sort((a, b) => b.risk - a.risk || b.probability - a.probability))
    if (!seenActor.has(p.actor)) {
      seenActor.add(p.actor);
      chosen.push(p);
    }
  const crit = r.criticality.filter((c) => c.personHoursPerDay > 0).slice(0, 15);
  const tiles = [
    ...SEVERITIES.map(
      (s) => `<div class="tile" style="border-left:5px solid ${SEV_COLOR[s]}"><b>${sevCount(s)}</b>${s} findings</div>`,
    ),
    `<div class="tile"><b>${r.crownJewels.length}</b>crown-jewel OT assets</div>`,
    `<div class="tile"><b>${r.criticality.filter((c) => c.spof).length}</b>single points of failure</div>`,
  ].join("");
  const risks: string[] = [];
  if (crit[0])
    risks.push(
      `<li>Losing <b>${esc(crit[0].id)}</b> alone costs ${num(crit[0].personHoursPerDay)} person-hours per day (${esc(crit[0].services.slice(0, 4).join(", "))}).</li>`,
    );
  for (const p of chosen.slice(0, 3))
    risks.push(
      `<li>${esc(r.actors.find((a) => a.id === p.actor)?.name ?? p.actor)} reaches <b>${esc(p.target)}</b> (${esc(p.services.join(", ") || "OT")}) with probability ${pct(p.probability)} via ${esc(p.entry)} in ${p.steps.length} step(s).</li>`,
    );
  const allCut = r.chokepoints.find((c) => c.actor === "all-remote");
  if (allCut?.ids.length)
    risks.push(
      `<li>Fixing <b>${allCut.ids.length}</b> element(s) (${esc(allCut.ids.slice(0, 5).join(", "))}${allCut.ids.length > 5 ? ", …" : ""}) cuts every remote actor (internet, phishing, vendor) off the crown jewels it can be cut from.</li>`,
    );
  // the worst finding of each of the four worst rules: one broad rule (KEV on every Windows host) must not fill the list
  const seenRules = new Set<string>();
  for (const f of r.findings) {
    if (seenRules.size >= 4) break;
    if (seenRules.has(f.rule)) continue;
    seenRules.add(f.rule);
    const more = r.findings.filter((x) => x.rule === f.rule && x.severity === f.severity).length - 1;
    risks.push(
      `<li>${sevBadge(f.severity)} ${esc(f.message)}${more > 0 ? ` <span class="muted">(and ${more} more ${esc(f.rule)} finding${more === 1 ? "" : "s"} of this severity)</span>` : ""}</li>`,
    );
  }

  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(m.name)}: cyber resilience assessment</title><style>${CSS}</style></head><body>
<header><h1>${esc(m.name)}: cyber resilience assessment</h1><div>As of ${esc(r.asOf)} · ${num(m.assets)} assets · ${num(m.services)} services · ${num(m.zones)} zones · ${num(m.vendors)} vendors</div></header>
<main>
<section><h2>Summary</h2><div class="tiles">${tiles}</div></section>
<section><h2>Top risks</h2><ul>${risks.join("")}</ul></section>
<section><h2>Findings by service and severity</h2>${heatMap(r)}</section>
<section><h2>How an attacker gets in: the most likely paths</h2>
<p class="muted">Left: entry points; grey: assets taken; red: crown jewels; blue: services they support. Labels are ATT&amp;CK for ICS techniques.</p>
${pathGraph(r, chosen)}
<table><tr><th>Actor</th><th>Entry</th><th>Target</th><th>Probability</th><th>Steps</th></tr>
${chosen.map((p) => `<tr><td>${esc(p.actor)}</td><td>${esc(p.entry)}</td><td>${esc(p.target)}</td><td class="n">${pct(p.probability)}</td><td>${p.steps.map((s) => `${esc(s.asset)} <code title="${esc(s.techniqueName)}">${esc(s.technique)}</code> <span class="muted">${esc(s.weakness)}</span>`).join(" → ")}</td></tr>`).join("")}</table>
<h3>Threat actors</h3><table><tr><th>Actor</th><th>Skill</th><th>Entries</th><th>Crown jewels reached</th><th>Best path</th></tr>
${r.actors.map((a) => `<tr><td>${esc(a.name)}</td><td class="n">${a.skill.toFixed(2)}</td><td>${esc(a.entries.join(", "))}</td><td class="n">${a.crownJewelsReached}</td><td class="n">${pct(a.bestProbability)}</td></tr>`).join("")}</table></section>
<section><h2>Choke points: the fewest fixes that cut every path</h2><table><tr><th>Actor</th><th>Fix these</th><th>Paths cut</th><th>Controls that fix them</th></tr>
${r.chokepoints
  .map(
    (c) =>
      `<tr><td>${c.side === "target" ? '<span class="muted">same actor</span>' : esc(c.actor)}<div class="muted">${c.side === "target" ? "nearest the crown jewels" : r.chokepoints.some((x) => x.actor === c.actor && x.side === "target") ? "nearest the entry points" : "nearest the entry points and the crown jewels"}</div></td><td>${c.side === "target" && c.vsEntry ? `as above, but <b>${esc(c.vsEntry.added.join(", "))}</b> instead of ${esc(c.vsEntry.dropped.join(", "))}` : esc(c.ids.join(", ")) || '<span class="muted">nothing to cut</span>'}${c.uncuttable.length && c.side === "entry" ? `<div class="muted">${c.uncuttable.length} target(s) reached with nothing in between, e.g. ${esc(c.uncuttable[0].target)} via ${esc(c.uncuttable[0].entry)}</div>` : ""}</td><td class="n">${c.pathsCut}</td><td>${
        esc(
          Object.entries(c.controls)
            .filter(([e]) => c.side === "entry" || c.vsEntry?.added.includes(e))
            .map(([e, cs]) => `${e}: ${cs.join(", ")}`)
            .join("; "),
        ) || `<span class="muted">${c.side === "target" ? "as above" : "none in the model"}</span>`
      }</td></tr>`,
  )
  .join("")}</table></section>
<section><h2>What matters most: criticality</h2><p class="muted">Weighted loss (essential-service weight x person-hours) and person-hours lost per day when the asset alone is down, every buffer exhausted and no fallback.</p>
<table><tr><th>Asset</th><th>Weighted loss/day</th><th>Person-hours/day</th><th>SPOF</th><th>Services hit</th></tr>
${crit
  .map(
    (c) =>
      `<tr><td>${esc(c.id)}</td><td class="n">${num(c.weightedLossPerDay)}</td><td class="n">${num(c.personHoursPerDay)}</td><td>${c.spof ? "yes" : ""}</td><td>${esc(
        c.services
          .slice(0, 6)
          .map((s) => `${s} → ${c.levels[s]}`)
          .join(", "),
      )}</td></tr>`,
  )
  .join("")}</table>
${
  r.pairs.length
    ? `<h3>Worst pairs (N-2)</h3><table><tr><th>Assets</th><th>Weighted loss/day it adds beyond its worse member</th><th>Person-hours/day together</th><th>Beyond the sum</th><th>Why examined</th></tr>${r.pairs
        .slice(0, 10)
        .map(
          (p) =>
            `<tr><td>${esc(p.ids.join(" + "))}</td><td class="n">${num(p.added)}</td><td class="n">${num(p.personHoursPerDay)}</td><td class="n">${num(p.excess)}</td><td>${esc(p.reason)}</td></tr>`,
        )
        .join("")}</table>`
    : ""
}</section>
<section><h2>What to fix first: ${num(r.findings.length)} findings in ${r.groups.length} groups by root cause and fix</h2>${r.warnings.map((w) => `<p class="muted"><b>Warning:</b> ${esc(w.message)}</p>`).join("")}<table class="groups"><tr><th>#</th><th></th><th>Group</th><th>Findings</th><th>Exposure</th><th>Services at risk</th><th>Controls that close it</th></tr>${r.groups
    .map(
      (g, i) =>
        `<tr><td class="n">${i + 1}</td><td>${sevBadge(g.severity)}</td><td><b>${esc(g.title)}</b><div class="muted">${esc(g.remediation)}${g.note ? ` ${esc(g.note)}` : ""}${g.accepted ? ` · ${g.accepted} accepted` : ""}${g.reraised ? ` · ${g.reraised} raised again (acceptance expired)` : ""}</div></td><td class="n">${g.findings.length}</td><td>${esc(g.exposure)}</td><td>${esc(
          g.services
            .slice(0, 4)
            .map((x) => r.names[x] ?? x)
            .join(", "),
        )}${g.services.length > 4 ? ` +${g.services.length - 4}` : ""}</td><td>${esc(g.controls.join(", "))}</td></tr>`,
    )
    .join("")}</table></section>
${
  r.zones?.length
    ? `<section><h2>Zones: IEC 62443 security level, target against achieved</h2><p class="muted">SL-T and SL-A as the model gives them; per foundational requirement (FR1-FR7) they are not assessed: the model holds no per-requirement levels.</p><table class="zones"><tr><th>Zone</th><th>Assets</th><th>SL-T</th><th>SL-A</th><th>Gap</th></tr>${r.zones
        .map(
          (z) =>
            `<tr data-zone="${esc(z.id)}"><td><b>${esc(z.name)}</b> <span class="muted">${esc(z.id)}</span></td><td class="n">${z.assets}</td><td class="n">${z.target ?? "—"}</td><td class="n">${z.achieved ?? "—"}</td><td class="n">${z.target !== null && z.achieved !== null && z.achieved < z.target ? `<b>${z.target - z.achieved}</b>` : ""}</td></tr>`,
        )
        .join("")}</table></section>`
    : ""
}
<section><h2>FIPS 199 security categories</h2><table><tr><th>Service</th><th>Confidentiality</th><th>Integrity</th><th>Availability</th></tr>${r.categorization
    .filter((c) => c.type === "service")
    .map(
      (c) =>
        `<tr><td>${esc(r.names[c.id] ?? c.id)}</td><td>${c.confidentiality}</td><td>${c.integrity}</td><td>${c.availability}</td></tr>`,
    )
    .join("")}</table></section>
<section><h2>Top findings</h2><table><tr><th></th><th>Rule</th><th>Finding</th><th>Services at risk</th></tr>${topFindings.map(findingRow).join("")}</table></section>
<section><h2>Findings by framework</h2>
${frameworkSection(r, "csf", CSF, "NIST CSF 2.0")}
${frameworkSection(r, "caf", CAF, "NCSC CAF 4.0")}
${frameworkSection(r, "iec62443", IEC62443, "IEC 62443-3-3 system requirements")}</section>
</main>
<footer>Generated by Rampart. KEV: CISA Known Exploited Vulnerabilities catalogue ${esc(r.kevCatalogue)} (CC0); a KEV match names a product with known exploited vulnerabilities: check the installed version. ATT&amp;CK for ICS ${esc(ATTACK_ICS.version)}: ${esc(ATTACK_ICS.copyright)} ${esc(ATTACK_ICS.licence)} CAF outcome titles and IEC 62443 requirement titles are Rampart's own short wording.</footer>
</body></html>
`;
  return html;
}
