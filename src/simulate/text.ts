/**
 * The text summary of `rampart simulate` (docs/simulate.md "Reports"): the council figures first — weighted loss
 * [CON-2], where the loss comes from [ATT-1], whether the attacker's objective was reached [SCN-4], the chance of
 * meeting every objective, and per essential service the peak people without it and for how long [CON-3] — then
 * the services by weighted loss.
 */
import { SEVERE_LOSS } from "../model/consequence.ts";
import type { Distribution } from "../model/primitives.ts";
import type { SimulationReport } from "./index.ts";

const n = (x: number) => Math.round(x).toLocaleString("en-US");
const pct = (p: number) => `${(p * 100).toFixed(1)} %`;

/** Mean person-hours by cause as "attack 40 %, cascade 10 %, containment 50 %". */
export function attributionText(a: { attack: number; cascade: number; containment: number }): string {
  const t = a.attack + a.cascade + a.containment;
  if (!(t > 0)) return "no loss";
  const p = (x: number) => `${Math.round((x / t) * 100)} %`;
  return `attack ${p(a.attack)}, cascade ${p(a.cascade)}, our containment ${p(a.containment)}`;
}

export function distText(d: Distribution): string {
  switch (d.kind) {
    case "fixed":
      return `${d.value} h`;
    case "uniform":
      return `${d.a}-${d.b} h`;
    case "triangular":
      return `${d.min}-${d.max} h (mode ${d.mode})`;
    case "lognormal":
      return `median ${d.median} h, P90 ${d.p90} h`;
  }
}

export function containmentText(c: SimulationReport["containment"]): string {
  const scope =
    c.scope === "proportionate"
      ? `proportionate (a zone when >= ${c.zoneThreshold} of its assets or any OT asset are compromised, else the hosts)`
      : c.scope === "host"
        ? "hosts only"
        : "whole zones";
  return `${scope}; zones cut for ${distText(c.zoneIsolation)}, hosts for ${distText(c.hostIsolation)}; decided by ${c.decidedBy}`;
}

export function renderText(rep: SimulationReport, hasAttack: boolean): string {
  const t = rep.totals;
  const lines: string[] = [];
  lines.push(
    `${rep.scenario.name} (${rep.scenario.id}) on ${rep.model.name}: ${rep.runs} runs, seed ${rep.seed}${rep.controls.length ? `, with ${rep.controls.join(", ")}` : ""}`,
  );
  lines.push(
    `weighted loss (essential-service weight x person-hours): mean ${n(t.weightedLoss.mean)}, P10 ${n(t.weightedLoss.p10)}, P50 ${n(t.weightedLoss.p50)}, P90 ${n(t.weightedLoss.p90)}`,
  );
  lines.push(
    `person-hours lost: mean ${n(t.personHours.mean)}, P10 ${n(t.personHours.p10)}, P50 ${n(t.personHours.p50)}, P90 ${n(t.personHours.p90)}`,
  );
  lines.push(
    `where the loss comes from: ${attributionText(t.attribution)} of person-hours (weighted: ${attributionText(t.weightedAttribution)})`,
  );
  if (t.objectivesMetProbability !== null)
    lines.push(`chance of meeting every objective: ${pct(t.objectivesMetProbability)}`);
  if (hasAttack) {
    lines.push(
      rep.objective
        ? `attack objective (${rep.objective.description}) reached in ${pct(t.attackSuccessProbability)} of runs; effects landed in ${pct(t.effectAppliedProbability)}; detected in ${pct(t.detectedProbability)}`
        : `attack succeeded (any effect) in ${pct(t.attackSuccessProbability)} of runs; detected in ${pct(t.detectedProbability)}`,
    );
    lines.push(`containment: ${containmentText(rep.containment)}`);
  }
  const ess = rep.services.filter((s) => s.essential);
  if (ess.length) {
    lines.push(
      `essential services: people without it at the worst moment (P50 / P90), hours with more than ${SEVERE_LOSS * 100} % out (P50 / P90), all its objectives met`,
    );
    for (const s of [...ess].sort((a, b) => b.weightedLoss.mean - a.weightedLoss.mean))
      lines.push(
        `  ${s.id.padEnd(26)} w${String(s.weight).padStart(3)}  ${n(s.peoplePeak.p50).padStart(9)} / ${n(s.peoplePeak.p90).padStart(9)} people  ${s.severeHours.p50.toFixed(1).padStart(6)} / ${s.severeHours.p90.toFixed(1).padStart(6)} h  ${s.objectivesMetProbability === null ? "no objectives" : `met ${pct(s.objectivesMetProbability)}`}`,
      );
  }
  const hit = rep.services
    .filter((s) => s.personHours.mean > 0)
    .sort((a, b) => b.weightedLoss.mean - a.weightedLoss.mean);
  if (hit.length)
    lines.push("services by weighted loss (mean): weighted, person-hours, causes, downtime, objectives met");
  for (const s of hit.slice(0, 20)) {
    const objs = s.objectives
      .map((x) => `${x.kind}${x.kind === "restore" ? `(${x.level})` : ""} ${(x.probabilityMet * 100).toFixed(0)}%`)
      .join(", ");
    lines.push(
      `  ${s.id.padEnd(26)} ${n(s.weightedLoss.mean).padStart(13)} ${n(s.personHours.mean).padStart(12)} ph  ${attributionText(s.attribution)}  down ${s.downtimeHours.mean.toFixed(1)} h${objs ? `  met: ${objs}` : ""}`,
    );
  }
  if (hit.length > 20) lines.push(`  … and ${hit.length - 20} more services affected`);
  const roots = rep.rootCauses ?? [];
  if (roots.length) {
    lines.push(
      "root causes (weighted loss credited to the service whose failure caused it, cascades included; mean): total, own, downstream",
    );
    for (const r of roots.slice(0, 10)) {
      const from = r.services
        .slice(0, 4)
        .map((x) => `${x.id} ${n(x.weightedLoss)}`)
        .join(", ");
      lines.push(
        `  ${r.id.padEnd(26)} ${n(r.weightedLoss).padStart(13)} ${n(r.own).padStart(13)} ${n(r.downstream).padStart(13)}${from ? `  (${from}${r.services.length > 4 ? ", …" : ""})` : ""}`,
      );
    }
    if (t.weightedAttribution.containment > 0)
      lines.push(`  ${"our own containment".padEnd(26)} ${n(t.weightedAttribution.containment).padStart(13)}`);
  }
  for (const c of rep.compare) {
    const d = c.totals.weightedLoss.diff;
    const p = c.totals.personHours.diff;
    lines.push(
      `with ${[...rep.controls, ...c.controls].join(", ")}: weighted loss ${d.mean >= 0 ? "+" : ""}${n(d.mean)} (95% CI ${n(d.ci95[0])} to ${n(d.ci95[1])}); person-hours ${p.mean >= 0 ? "+" : ""}${n(p.mean)} (95% CI ${n(p.ci95[0])} to ${n(p.ci95[1])}); attack success ${pct(c.totals.attackSuccessProbability)}`,
    );
  }
  for (const w of rep.warnings) lines.push(`warning: ${w}`);
  return `${lines.join("\n")}\n`;
}
