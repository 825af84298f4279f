/**
 * The self-contained HTML report of `rampart invest --html` for a council: the recommended portfolio and what it
 * buys, what the next tranche would buy, the frontier of cost against expected annual loss (inline SVG, the
 * recommendation and the ratio order marked), the comparison with buying in order of benefit per cost at every
 * budget of the frontier, interactions, the multi-year plan and the method's guarantee. No scripts, no files.
 */
import type { InvestReport, Portfolio } from "./index.ts";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fmt = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "–");
const list = (ids: string[]) => (ids.length ? ids.map(esc).join(", ") : "nothing");

/** The frontier chart: cost (x) against expected annual loss (y). */
export function frontierSvg(r: InvestReport, width = 720, height = 320): string {
  const pts = r.frontier;
  const all = [...pts, r.baseline, ...(r.best ? [r.best] : []), r.ratioOrder];
  const maxC = Math.max(1, ...all.map((p) => p.cost), r.budget);
  const maxL = Math.max(1, ...all.map((p) => p.expectedAnnualLoss));
  const L = 70;
  const B = 40;
  const x = (c: number) => L + ((width - L - 20) * c) / maxC;
  const y = (l: number) => height - B - ((height - B - 20) * l) / maxL;
  let d = "";
  pts.forEach((p, i) => {
    d +=
      i === 0
        ? `M${x(p.cost).toFixed(1)},${y(p.expectedAnnualLoss).toFixed(1)}`
        : `H${x(p.cost).toFixed(1)}V${y(p.expectedAnnualLoss).toFixed(1)}`;
  });
  const dots = pts
    .map(
      (p) =>
        `<circle cx="${x(p.cost).toFixed(1)}" cy="${y(p.expectedAnnualLoss).toFixed(1)}" r="3.5" fill="#3569a8"><title>${esc(
          `${fmt(p.cost)}: ${fmt(p.expectedAnnualLoss)} a year${p.estimated ? " (estimated)" : ""} — ${p.controls.join(", ") || "nothing"}`,
        )}</title></circle>`,
    )
    .join("");
  const mark = (p: Portfolio, colour: string, label: string) =>
    `<circle cx="${x(p.cost).toFixed(1)}" cy="${y(p.expectedAnnualLoss).toFixed(1)}" r="7" fill="none" stroke="${colour}" stroke-width="2.5"/><text x="${(x(p.cost) + 10).toFixed(1)}" y="${(y(p.expectedAnnualLoss) - 8).toFixed(1)}" fill="${colour}" font-size="12">${esc(label)}</text>`;
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (f) =>
        `<text x="${x(maxC * f).toFixed(1)}" y="${height - B + 16}" font-size="11" text-anchor="middle">${fmt(maxC * f)}</text><text x="${L - 6}" y="${(y(maxL * f) + 4).toFixed(1)}" font-size="11" text-anchor="end">${fmt(maxL * f)}</text>`,
    )
    .join("");
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Frontier of cost against expected annual loss">
<line x1="${L}" y1="${height - B}" x2="${width - 10}" y2="${height - B}" stroke="#888"/><line x1="${L}" y1="10" x2="${L}" y2="${height - B}" stroke="#888"/>
<line x1="${x(r.budget).toFixed(1)}" y1="10" x2="${x(r.budget).toFixed(1)}" y2="${height - B}" stroke="#b55" stroke-dasharray="4 3"/><text x="${(x(r.budget) + 4).toFixed(1)}" y="22" font-size="11" fill="#b55">budget</text>
${ticks}<path d="${d}" fill="none" stroke="#3569a8" stroke-width="1.5"/>${dots}
${mark(r.ratioOrder, "#c77c00", "ratio order")}${r.best ? mark(r.best, "#1b7f3b", "recommended") : ""}
<text x="${(L + width) / 2}" y="${height - 6}" font-size="12" text-anchor="middle">cost over ${r.years} year(s)</text>
<text x="14" y="${height / 2}" font-size="12" transform="rotate(-90 14 ${height / 2})" text-anchor="middle">expected annual loss</text>
</svg>`;
}

export function renderInvestHtml(r: InvestReport, title = "Which defences to buy"): string {
  const best = r.best;
  const row = (cells: string[]) => `<tr>${cells.map((c) => `<td>${c}</td>`).join("")}</tr>`;
  const summary = best
    ? `<p class="big">Buy <b>${list(best.controls)}</b> for <b>${fmt(best.cost)}</b> over ${r.years} year(s).</p>
<p>Expected annual loss falls from ${fmt(r.baseline.expectedAnnualLoss)} to ${fmt(best.expectedAnnualLoss)} (± ${fmt(best.expectedAnnualLossCI95 ?? 0)}, 95 %): ${fmt(best.benefit)} a year avoided${best.benefitCI95 !== null ? ` (± ${fmt(best.benefitCI95)})` : ""}. Person-hours of lost service a year: ${fmt(r.baseline.expectedAnnualPersonHours)} → ${fmt(best.expectedAnnualPersonHours)}. A bad year (95th percentile of annual loss): ${fmt(r.baseline.annualLossP95 ?? Number.NaN)} → ${fmt(best.annualLossP95 ?? Number.NaN)}.</p>`
    : `<p class="big">Recommended: nothing. ${esc(r.why ?? "")}</p>`;
  const tranche = r.nextTranche
    ? `<p>The next tranche: ${fmt(r.nextTranche.cost)} more would avoid ${fmt(r.nextTranche.benefit)} more a year (add ${list(r.nextTranche.add)}${r.nextTranche.remove.length ? `; drop ${list(r.nextTranche.remove)}` : ""}).</p>`
    : "<p>No frontier point above the recommendation: more money buys no lower loss among these candidates.</p>";
  const ratio = `<p>Buying in order of single benefit per cost (${list(r.ratioOrder.order)}) leaves ${fmt(r.ratioOrder.expectedAnnualLoss)} a year${r.advantageOverRatio !== null ? `; the recommendation saves ${fmt(r.advantageOverRatio)} a year more` : ""}.</p>`;
  const frontier = r.frontier
    .map((p) =>
      row([
        fmt(p.cost),
        fmt(p.expectedAnnualLoss) + (p.estimated ? " (est.)" : ""),
        fmt(p.ratioOrderLoss),
        fmt(p.advantageOverRatio),
        list(p.controls),
      ]),
    )
    .join("");
  const inter = r.interactions.filter((i) => i.kind !== "none");
  const interactions = inter.length
    ? `<table><tr><th>controls</th><th>together</th><th>sum alone</th><th>difference</th><th></th></tr>${inter
        .map((i) =>
          row([
            `${esc(i.a)} + ${esc(i.b)}`,
            fmt(i.joint),
            fmt(i.sumOfSingles),
            `${fmt(i.interaction)} ± ${fmt(i.ci95)}`,
            i.kind === "overlap" ? "benefits overlap" : "benefits compound",
          ]),
        )
        .join("")}</table>`
    : `<p>No pair of the ${r.interactions.length} simulated differs from the sum of its parts beyond its 95 % interval.</p>`;
  const plan = r.plan
    ? `<h2>Plan over ${r.plan.years.length} years</h2><table><tr><th>year</th><th>budget</th><th>buy</th><th>capex</th><th>opex</th><th>expected loss (est.)</th></tr>${r.plan.years
        .map((y) => row([String(y.year), fmt(y.budget), list(y.buy), fmt(y.capex), fmt(y.opex), fmt(y.expectedLoss)]))
        .join(
          "",
        )}</table><p>Over the plan: ${fmt(r.plan.totalExpectedLoss)} expected, against ${fmt(r.plan.baselineLoss)} buying nothing. Lead times delay each control's effect. ${r.plan.notes.map(esc).join(" ")}</p>`
    : "";
  const cands = [...r.candidates]
    .sort((a, b) => (b.benefitPerCost ?? 0) - (a.benefitPerCost ?? 0))
    .map((c) =>
      row([
        esc(c.id),
        esc(c.name),
        fmt(c.cost),
        `${fmt(c.single.benefit)} ± ${fmt(c.single.benefitCI95 ?? 0)}`,
        (c.benefitPerCost ?? 0).toFixed(2),
        c.leadTimeHours === null ? "–" : `${Math.round(c.leadTimeHours / 24)} d`,
      ]),
    )
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:980px;margin:24px auto;padding:0 16px;color:#222}h1{font-size:22px}h2{font-size:17px;margin-top:28px}.big{font-size:17px}table{border-collapse:collapse;margin:8px 0}td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f4f4f4}.note{color:#555;font-size:12px}</style></head><body>
<h1>${esc(title)}</h1>
<p class="note">Budget ${fmt(r.budget)} over ${r.years} year(s) (capex + ${r.years} × opex); ${r.candidates.length} candidates; scenarios ${r.scenarios.map((s) => `${esc(s.id)} (${s.likelihood} a year, ${s.source})`).join(", ")}; ${r.runs} runs each, seed ${r.seed}; every portfolio sees the same attacks.</p>
<h2>Recommendation</h2>${summary}${tranche}${ratio}
<h2>Frontier: cost against expected annual loss</h2>${frontierSvg(r)}
<table><tr><th>cost</th><th>expected annual loss</th><th>ratio order at that budget</th><th>saved over ratio order</th><th>controls</th></tr>${frontier}</table>
<h2>Interactions</h2>${interactions}
${plan}
<h2>Candidates</h2><table><tr><th>id</th><th>name</th><th>cost</th><th>benefit a year (alone)</th><th>benefit per cost</th><th>lead time</th></tr>${cands}</table>
<h2>Method</h2><p class="note">${esc(r.optimality.guarantee)}.${r.optimality.gap !== null ? ` Gap to the lower bound: ${fmt(r.optimality.gap)} a year.` : ""} ${r.warnings.map(esc).join(" ")}</p>
</body></html>
`;
}
