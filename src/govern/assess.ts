/**
 * Framework self-assessment with evidence ([GOV-1]..[GOV-6]): every NIST CSF 2.0 subcategory and NCSC CAF
 * 4.0 contributing outcome gets a status from the system itself where evidence exists (findings of rules
 * that check it, controls that cite it) and from a manual answer with its justification where it does not.
 * Current against target profile, CSF implementation tiers per function, gaps ranked by the person-hours
 * per day at risk on the assets of their findings. Pure: no I/O, no clock.
 */
import { CAF, CSF } from "../assess/catalogue.ts";
import { RULES } from "../assess/rules.ts";
import type { AssessReport, Severity } from "../assess/types.ts";
import type { CityModel } from "../model/model.ts";

export type Framework = "csf" | "caf";
export const STATUSES = ["not-assessed", "not-achieved", "partially", "achieved", "not-applicable"] as const;
export type Status = (typeof STATUSES)[number];
/** Order for comparing with a target (not-applicable counts as meeting any target). */
const RANK: Record<Status, number> = {
  "not-assessed": 0,
  "not-achieved": 0,
  partially: 1,
  achieved: 2,
  "not-applicable": 3,
};

export type Answer = { id: string; status: Exclude<Status, "not-assessed">; justification: string };
export type Answers = { answers: Answer[]; target: { default: Status; items: Record<string, Status> } };

export type FindingEvidence = { rule: string; severity: Severity; targets: string[]; personHoursPerDay: number };
export type ControlEvidence = { id: string; status: "implemented" | "planned" | "candidate" };

export type Item = {
  framework: Framework;
  id: string;
  title: string;
  status: Status;
  source: "computed" | "manual" | "none";
  /** Why: the evidence or the manual justification, in one line. */
  basis: string;
  findings: FindingEvidence[];
  controls: ControlEvidence[];
  /** Rules that check this item (a rule that finds nothing is evidence too). */
  rules: string[];
  target: Status;
  gap: boolean;
  /** Person-hours lost per day if the assets of its findings were down ([CRI-1]), summed once per asset. */
  personHoursAtRisk: number;
};

export type Tier = { fn: string; achieved: number; assessed: number; total: number; tier: 1 | 2 | 3 | 4; name: string };

export type GovernReport = {
  items: Item[];
  tiers: Tier[];
  /** Items below target, most person-hours at risk first. */
  gaps: { framework: Framework; id: string; personHoursAtRisk: number; status: Status; target: Status }[];
  counts: Record<Framework, Record<Status, number>>;
};

const TIER_NAMES = ["", "Partial", "Risk Informed", "Repeatable", "Adaptive"];
const SEVERE = new Set<Severity>(["critical", "high"]);

/** Framework references of a control: "CSF:PR.AA-03", "CAF:B2.a" (case-insensitive prefix). */
function cites(frameworks: readonly string[], fw: Framework): Set<string> {
  const out = new Set<string>();
  for (const f of frameworks) {
    const i = f.indexOf(":");
    if (i > 0 && f.slice(0, i).toLowerCase() === fw) out.add(f.slice(i + 1).trim());
  }
  return out;
}

export function governAssess(model: CityModel, report: AssessReport, answers: Answers): GovernReport {
  const crit = new Map(report.criticality.map((c) => [c.id, c.personHoursPerDay]));
  const manual = new Map(answers.answers.map((a) => [a.id, a]));
  const items: Item[] = [];
  for (const fw of ["csf", "caf"] as const) {
    const catalogue = fw === "csf" ? CSF : CAF;
    for (const [id, title] of catalogue) {
      const rules = RULES.filter((r) => r.frameworks[fw].includes(id)).map((r) => r.id);
      const findings: FindingEvidence[] = report.findings
        .filter((f) => f.frameworks[fw].includes(id))
        .map((f) => ({
          rule: f.rule,
          severity: f.severity,
          targets: f.targets,
          personHoursPerDay: f.targets.reduce((s, t) => s + (crit.get(t) ?? 0), 0),
        }));
      const controls: ControlEvidence[] = model.controls
        .filter((c) => cites(c.frameworks, fw).has(id))
        .map((c) => ({ id: c.id, status: c.status }));
      const atRisk = new Set(findings.flatMap((f) => f.targets));
      const personHoursAtRisk = [...atRisk].reduce((s, t) => s + (crit.get(t) ?? 0), 0);
      let status: Status;
      let source: Item["source"] = "computed";
      let basis: string;
      const m = manual.get(id);
      const implemented = controls.filter((c) => c.status === "implemented");
      if (m) {
        status = m.status;
        source = "manual";
        basis = m.justification;
      } else if (findings.length) {
        const severe = findings.filter((f) => SEVERE.has(f.severity)).length;
        status = severe ? "not-achieved" : "partially";
        basis = `${findings.length} finding(s) (${severe} critical or high) of rule(s) ${[...new Set(findings.map((f) => f.rule))].join(", ")}`;
      } else if (implemented.length) {
        status = "achieved";
        basis = `implemented control(s) ${implemented.map((c) => c.id).join(", ")}`;
      } else if (rules.length) {
        status = "achieved";
        basis = `checked by rule(s) ${rules.join(", ")}: no finding`;
      } else {
        status = "not-assessed";
        source = "none";
        basis = controls.length
          ? `only ${controls.map((c) => `${c.status} control ${c.id}`).join(", ")}; needs a manual answer`
          : "no evidence in the model; needs a manual answer";
      }
      const target = answers.target.items[id] ?? answers.target.default;
      items.push({
        framework: fw,
        id,
        title,
        status,
        source,
        basis,
        findings,
        controls,
        rules,
        target,
        gap: RANK[status] < RANK[target] || (status === "not-assessed" && target !== "not-assessed"),
        personHoursAtRisk,
      });
    }
  }
  const tiers: Tier[] = [];
  for (const fn of ["GV", "ID", "PR", "DE", "RS", "RC"]) {
    const own = items.filter(
      (i) => i.framework === "csf" && i.id.startsWith(`${fn}.`) && i.status !== "not-applicable",
    );
    const assessed = own.filter((i) => i.status !== "not-assessed").length;
    const achieved = own.reduce((s, i) => s + (i.status === "achieved" ? 1 : i.status === "partially" ? 0.5 : 0), 0);
    const share = own.length ? achieved / own.length : 0;
    const tier = (share < 0.25 ? 1 : share < 0.5 ? 2 : share < 0.85 ? 3 : 4) as Tier["tier"];
    tiers.push({ fn, achieved, assessed, total: own.length, tier, name: TIER_NAMES[tier] });
  }
  const gaps = items
    .filter((i) => i.gap)
    .map((i) => ({
      framework: i.framework,
      id: i.id,
      personHoursAtRisk: i.personHoursAtRisk,
      status: i.status,
      target: i.target,
    }))
    .sort((a, b) => b.personHoursAtRisk - a.personHoursAtRisk || (a.framework + a.id < b.framework + b.id ? -1 : 1));
  const counts = { csf: {}, caf: {} } as GovernReport["counts"];
  for (const fw of ["csf", "caf"] as const)
    for (const s of STATUSES) counts[fw][s] = items.filter((i) => i.framework === fw && i.status === s).length;
  return { items, tiers, gaps, counts };
}

export type AnswerIssue = { path: string; message: string };

/** Validates a parsed answers file; unknown ids, statuses and empty justifications are issues with their path. */
export function parseAnswers(data: unknown): { ok: true; value: Answers } | { ok: false; issues: AnswerIssue[] } {
  const issues: AnswerIssue[] = [];
  const value: Answers = { answers: [], target: { default: "achieved", items: {} } };
  const known = (id: string) => CSF.has(id) || CAF.has(id);
  const statusOf = (v: unknown, path: string, allowNotAssessed: boolean): Status | undefined => {
    if (
      typeof v === "string" &&
      (STATUSES as readonly string[]).includes(v) &&
      (allowNotAssessed || v !== "not-assessed")
    )
      return v as Status;
    issues.push({
      path,
      message: `expected one of ${STATUSES.filter((s) => allowNotAssessed || s !== "not-assessed").join(", ")}, found ${JSON.stringify(v)}`,
    });
    return undefined;
  };
  if (data === null || data === undefined) return { ok: true, value };
  if (typeof data !== "object" || Array.isArray(data))
    return { ok: false, issues: [{ path: "", message: "expected a mapping with answers and target" }] };
  const d = data as Record<string, unknown>;
  for (const k of Object.keys(d))
    if (k !== "answers" && k !== "target")
      issues.push({ path: k, message: "unknown key (expected answers or target)" });
  if (d.answers !== undefined) {
    if (!Array.isArray(d.answers)) issues.push({ path: "answers", message: "expected a list" });
    else
      d.answers.forEach((a, i) => {
        const p = `answers[${i}]`;
        const x = (a ?? {}) as Record<string, unknown>;
        if (typeof x.id !== "string" || !known(x.id)) {
          issues.push({
            path: `${p}.id`,
            message: `expected a CSF 2.0 subcategory or CAF 4.0 outcome id, found ${JSON.stringify(x.id)}`,
          });
          return;
        }
        const s = statusOf(x.status, `${p}.status`, false);
        if (typeof x.justification !== "string" || x.justification.trim().length < 10)
          issues.push({
            path: `${p}.justification`,
            message: "a manual answer needs a justification (at least 10 characters)",
          });
        else if (s)
          value.answers.push({ id: x.id, status: s as Answer["status"], justification: x.justification.trim() });
      });
  }
  if (d.target !== undefined) {
    const t = (d.target ?? {}) as Record<string, unknown>;
    if (t.default !== undefined) {
      const s = statusOf(t.default, "target.default", false);
      if (s) value.target.default = s;
    }
    for (const [id, v] of Object.entries((t.items ?? {}) as Record<string, unknown>)) {
      if (!known(id))
        issues.push({ path: `target.items.${id}`, message: "not a CSF 2.0 subcategory or CAF 4.0 outcome id" });
      else {
        const s = statusOf(v, `target.items.${id}`, false);
        if (s) value.target.items[id] = s;
      }
    }
  }
  return issues.length ? { ok: false, issues } : { ok: true, value };
}

const csvCell = (v: string | number) => {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One row per item: framework, id, title, status, source, target, gap, person-hours, evidence, basis. */
export function governCsv(r: GovernReport): string {
  const head = [
    "framework",
    "id",
    "title",
    "status",
    "source",
    "target",
    "gap",
    "person_hours_per_day_at_risk",
    "findings",
    "controls",
    "basis",
  ];
  const rows = r.items.map((i) => [
    i.framework.toUpperCase(),
    i.id,
    i.title,
    i.status,
    i.source,
    i.target,
    i.gap ? "yes" : "no",
    Math.round(i.personHoursAtRisk),
    i.findings.length,
    i.controls.map((c) => `${c.id} (${c.status})`).join("; "),
    i.basis,
  ]);
  return `${[head, ...rows].map((row) => row.map(csvCell).join(",")).join("\n")}\n`;
}
