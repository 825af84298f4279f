/** The readable terminal summary of an assessment. */
import { TECHNIQUES } from "./catalogue.ts";
import { type AssessReport, SEVERITIES } from "./types.ts";

const num = (n: number) => Math.round(n).toLocaleString("en-US");
const pct = (p: number) => `${(p * 100).toFixed(p >= 0.1 ? 0 : 1)}%`;

function trunc(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/**
 * How the reader gets more than the summary shows. The engine names no command-line option ([CLI-2]): the
 * CLI passes its own words (`--json`), another caller its own.
 */
export type TextHints = { everyCve: string; allFindings: string; filterBy: string };

const NEUTRAL_HINTS: TextHints = {
  everyCve: "the JSON report lists every CVE",
  allFindings: "the JSON or HTML report has all",
  filterBy: "filter by severity, rule, service, zone or owner",
};

export function textReport(r: AssessReport, opts: { top?: number; filtered?: string; hints?: TextHints } = {}): string {
  const top = opts.top ?? 10;
  const hints = opts.hints ?? NEUTRAL_HINTS;
  const nm = (id: string) => r.names?.[id] ?? id;
  /** "Name (id)" where the model names it, else the id. */
  const named = (id: string) => (r.names?.[id] && r.names[id] !== id ? `${r.names[id]} (${id})` : id);
  const L: string[] = [];
  const m = r.model;
  L.push(`${m.name}: assessment as of ${r.asOf}`);
  L.push(
    `${num(m.assets)} assets, ${num(m.services)} services, ${num(m.zones)} zones, ${num(m.conduits)} conduits, ${num(m.vendors)} vendors; KEV catalogue ${r.kevCatalogue}`,
  );
  L.push("");
  for (const w of r.warnings) L.push(`warning: ${w.message}`);
  if (r.warnings.length) L.push("");
  const bySev = SEVERITIES.map((s) => `${r.findings.filter((f) => f.severity === s).length} ${s}`).join(", ");
  const accepted = r.findings.filter((f) => f.acceptance?.status === "accepted").length;
  const reraised = r.findings.filter((f) => f.acceptance?.status === "expired").length;
  L.push(
    `Findings: ${num(r.findings.length)} in ${r.groups.length} groups by root cause and fix (${bySev})${accepted ? `; ${accepted} accepted` : ""}${reraised ? `; ${reraised} raised again after their acceptance expired` : ""}`,
  );
  if (opts.filtered) L.push(`  filtered: ${opts.filtered}`);
  r.groups.forEach((g, i) => {
    const acc = g.accepted ? `, ${g.accepted} accepted` : "";
    const svc = g.services.length ? `, ${g.services.length} service${g.services.length === 1 ? "" : "s"}` : "";
    L.push(
      `  ${String(i + 1).padStart(2)}. ${g.severity.toUpperCase().padEnd(8)} ${trunc(g.title, 72).padEnd(72)} ${String(g.findings.length).padStart(4)} × ${g.exposure}${svc}${acc}`,
    );
  });
  if (r.groups.some((g) => g.rules.includes("kev")))
    L.push(
      `  KEV groups: KEV names no fixed versions; whether each host's installed version is affected is unknown until checked (${hints.everyCve}).`,
    );
  if (opts.filtered) {
    for (const f of r.findings.slice(0, top * 2))
      L.push(`  ${f.severity.toUpperCase().padEnd(8)} ${f.rule.padEnd(22)} ${trunc(f.message, 140)}`);
    if (r.findings.length > top * 2) L.push(`  … ${r.findings.length - top * 2} more (${hints.allFindings})`);
  } else L.push(`  (${hints.filterBy} to list the findings of a group)`);
  L.push("");
  L.push("Most critical assets (weighted loss and person-hours per day if down alone, buffers exhausted, no fallback)");
  const crit = r.criticality.filter((c) => c.personHoursPerDay > 0).slice(0, top);
  if (crit.length === 0) L.push("  none: no single asset lowers a service");
  crit.forEach((c, i) => {
    L.push(
      `  ${String(i + 1).padStart(2)}. ${trunc(`${nm(c.id)} (${c.id})`, 60).padEnd(60)} ${num(c.weightedLossPerDay).padStart(14)} ${num(c.personHoursPerDay).padStart(13)} ph${c.spof ? "  SPOF" : "      "}  ${trunc(c.services.map(nm).join(", "), 80)}`,
    );
  });
  if (r.pairs.length) {
    L.push("");
    L.push("Worst pairs (N-2: weighted loss the pair adds beyond its worse member; person-hours together)");
    for (const p of r.pairs.slice(0, Math.min(5, top)))
      L.push(
        `  ${trunc(`${nm(p.ids[0])} + ${nm(p.ids[1])} (${p.ids[0]}, ${p.ids[1]})`, 90).padEnd(90)} ${num(p.added).padStart(14)} ${num(p.personHoursPerDay).padStart(13)} ph  (${p.reason})`,
      );
  }
  L.push("");
  L.push(`Crown jewels: ${r.crownJewels.length} OT assets needed by high-integrity or high-availability services`);
  L.push("Threat actors");
  for (const a of r.actors)
    L.push(
      `  ${a.id.padEnd(12)} skill ${a.skill.toFixed(2)}  entries ${a.entries.join("/").padEnd(26)} reaches ${a.crownJewelsReached} crown jewels, best path ${pct(a.bestProbability)}`,
    );
  L.push("");
  L.push("Attack paths with the highest risk (probability x weighted loss per day of the target)");
  const best = new Map<string, (typeof r.paths)[number]>();
  for (const p of r.paths) if (!best.has(p.actor)) best.set(p.actor, p);
  for (const p of best.values()) {
    const chain = p.steps
      .map((s) => `${nm(s.asset)} [${s.technique} ${TECHNIQUES.get(s.technique)?.name ?? ""}]`)
      .join(" → ");
    L.push(`  ${p.actor.padEnd(12)} ${pct(p.probability).padStart(5)} x ${num(p.consequence)}  ${p.entry} → ${chain}`);
  }
  L.push("");
  L.push("Choke points (minimum cuts: fix these and no path reaches the crown jewels)");
  if (r.chokepoints.length === 0) L.push("  none");
  const shown = r.chokepoints.slice(0, top);
  for (const c of shown) {
    const ctl = Object.entries(c.controls).map(([el, cs]) => `${el}: ${cs.join(", ")}`);
    const pad = "".padEnd(12);
    if (c.side === "target" && c.vsEntry) {
      const { dropped, added } = c.vsEntry;
      L.push(
        `  ${pad} nearest the crown jewels: ${c.ids.length} element(s), cuts ${c.pathsCut} path(s); as above but ${trunc(`${added.map(named).join(", ")} instead of ${dropped.map(named).join(", ")}`, 160)}`,
      );
      continue;
    }
    const twin = r.chokepoints.some((x) => x.actor === c.actor && x.side === "target");
    L.push(
      `  ${c.actor.padEnd(12)} ${twin ? "nearest the entry points" : "nearest the entry points and the crown jewels"}: ${c.ids.length} element(s), cuts ${c.pathsCut} path(s): ${trunc(c.ids.map(named).join(", "), 160)}`,
    );
    if (ctl.length) L.push(`  ${pad} controls: ${trunc(ctl.join("; "), 120)}`);
    if (c.uncuttable.length)
      L.push(
        `  ${pad} no cut possible for ${c.uncuttable.length} target(s) reached directly (e.g. ${named(c.uncuttable[0].target)} from ${named(c.uncuttable[0].entry)})`,
      );
  }
  return `${L.join("\n")}\n`;
}
