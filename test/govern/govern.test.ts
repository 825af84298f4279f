/** CSF 2.0 / CAF 4.0 self-assessment on Harborview and on small edits of it ([GOV-1]..[GOV-7]). */
import { beforeAll, expect, test } from "vitest";
import { assess } from "../../src/assess/assess.ts";
import { CAF, CSF } from "../../src/assess/catalogue.ts";
import type { AssessReport } from "../../src/assess/types.ts";
import { type Answers, governAssess, governCsv, parseAnswers } from "../../src/govern/assess.ts";
import { buildIndex } from "../../src/model/graph.ts";
import { loadModel } from "../../src/model/load.ts";
import type { CityModel } from "../../src/model/model.ts";

let model: CityModel;
let report: AssessReport;
const none: Answers = { answers: [], target: { default: "achieved", items: {} } };

beforeAll(async () => {
  const r = await loadModel("examples/harborview");
  if (!r.ok) throw new Error("Harborview does not load");
  model = r.model;
  report = assess(buildIndex(model), { asOf: "2026-12-01" });
}, 60_000);

test("[GOV-1] every CSF subcategory and CAF outcome gets one status", () => {
  const g = governAssess(model, report, none);
  expect(g.items.filter((i) => i.framework === "csf").map((i) => i.id)).toEqual([...CSF.keys()]);
  expect(g.items.filter((i) => i.framework === "caf").map((i) => i.id)).toEqual([...CAF.keys()]);
  expect(CSF.size).toBe(106);
  expect(CAF.size).toBe(41);
  const total =
    Object.values(g.counts.csf).reduce((a, b) => a + b, 0) + Object.values(g.counts.caf).reduce((a, b) => a + b, 0);
  expect(total).toBe(147);
});

test("[GOV-2] findings make an item not achieved, with the findings linked; no evidence leaves it not assessed", () => {
  const g = governAssess(model, report, none);
  const aa = g.items.find((i) => i.framework === "csf" && i.id === "PR.AA-01");
  const weak = report.findings.filter((f) => f.frameworks.csf.includes("PR.AA-01"));
  expect(weak.length).toBeGreaterThan(0);
  expect(aa?.findings.length).toBe(weak.length);
  expect(aa?.status).toBe(
    weak.some((f) => f.severity === "critical" || f.severity === "high") ? "not-achieved" : "partially",
  );
  const oc = g.items.find((i) => i.id === "GV.OC-01");
  expect(oc).toMatchObject({ status: "not-assessed", source: "none", findings: [], rules: [] });
  // the planned control citing PR.IR-01 is linked as evidence
  const ir = g.items.find((i) => i.framework === "csf" && i.id === "PR.IR-01");
  expect(ir?.controls.map((c) => c.id)).toContain("ctl-ashford-idmz");
});

test("[GOV-2] without findings, an implemented citing control or a rule that found nothing makes it achieved", () => {
  // no findings at all: rule-checked items become achieved; an implemented control lifts an unchecked one
  const empty = { ...report, findings: [] };
  const m = structuredClone(model);
  m.controls.push({
    ...m.controls[0],
    id: m.controls[0].id.replace(/.*/, "ctl-policy") as (typeof m.controls)[0]["id"],
    name: "Policy",
    status: "implemented",
    frameworks: ["CSF:GV.OC-01"],
    patch: [],
  });
  const g = governAssess(m, empty, none);
  const aa = g.items.find((i) => i.id === "PR.AA-01");
  expect(aa?.status).toBe("achieved");
  expect(aa?.basis).toContain("no finding");
  const oc = g.items.find((i) => i.id === "GV.OC-01");
  expect(oc).toMatchObject({ status: "achieved", controls: [{ id: "ctl-policy", status: "implemented" }] });
});

test("[GOV-3] manual answers replace the computed status; bad answer files are refused by path", () => {
  const parsed = parseAnswers({
    answers: [
      { id: "GV.OC-01", status: "partially", justification: "Mission statement adopted in 2025, not yet reviewed." },
    ],
    target: { default: "partially", items: { "PR.AA-01": "achieved" } },
  });
  expect(parsed.ok).toBe(true);
  if (!parsed.ok) return;
  const g = governAssess(model, report, parsed.value);
  expect(g.items.find((i) => i.id === "GV.OC-01")).toMatchObject({ status: "partially", source: "manual", gap: false });
  const bad = parseAnswers({
    answers: [
      { id: "XX.YY-01", status: "achieved", justification: "long enough text" },
      { id: "GV.OC-02", status: "done", justification: "long enough text" },
      { id: "GV.OC-03", status: "achieved" },
    ],
    target: { default: "maybe" },
    extra: 1,
  });
  expect(bad.ok).toBe(false);
  if (!bad.ok)
    expect(bad.issues.map((i) => i.path)).toEqual([
      "extra",
      "answers[0].id",
      "answers[1].status",
      "answers[2].justification",
      "target.default",
    ]);
});

test("[GOV-4] [GOV-5] gaps against the target, ranked by person-hours at risk on their findings' assets", () => {
  const g = governAssess(model, report, {
    answers: [],
    target: { default: "partially", items: { "GV.OC-01": "not-applicable" } },
  });
  const crit = new Map(report.criticality.map((c) => [c.id, c.personHoursPerDay]));
  for (const i of g.items) {
    const assets = new Set(i.findings.flatMap((f) => f.targets));
    expect(i.personHoursAtRisk).toBeCloseTo(
      [...assets].reduce((s, a) => s + (crit.get(a) ?? 0), 0),
      6,
    );
    const rank = { "not-assessed": 0, "not-achieved": 0, partially: 1, achieved: 2, "not-applicable": 3 };
    expect(i.gap, i.id).toBe(
      rank[i.status] < rank[i.target] || (i.status === "not-assessed" && i.target !== "not-assessed"),
    );
  }
  expect(g.gaps.length).toBe(g.items.filter((i) => i.gap).length);
  for (let k = 1; k < g.gaps.length; k++)
    expect(g.gaps[k - 1].personHoursAtRisk).toBeGreaterThanOrEqual(g.gaps[k].personHoursAtRisk);
  expect(g.gaps[0].personHoursAtRisk).toBeGreaterThan(0);
  expect(g.items.find((i) => i.id === "GV.OC-01")?.target).toBe("not-applicable");
});

test("[GOV-6] CSF tiers follow the share achieved per function", () => {
  const all: Answers = {
    answers: [...CSF.keys()]
      .filter((id) => id.startsWith("RC."))
      .map((id) => ({ id, status: "achieved" as const, justification: "Recovery plan tested in 2026." })),
    target: { default: "achieved", items: {} },
  };
  const g = governAssess(model, report, all);
  const rc = g.tiers.find((t) => t.fn === "RC");
  expect(rc).toMatchObject({ tier: 4, name: "Adaptive", achieved: rc?.total });
  for (const t of g.tiers) {
    const share = t.total ? t.achieved / t.total : 0;
    expect(t.tier).toBe(share < 0.25 ? 1 : share < 0.5 ? 2 : share < 0.85 ? 3 : 4);
  }
});

test("[GOV-7] the CSV has one row per item, quoted where needed", () => {
  const g = governAssess(model, report, none);
  const csv = governCsv(g);
  const lines = csv.trimEnd().split("\n");
  expect(lines[0]).toBe(
    "framework,id,title,status,source,target,gap,person_hours_per_day_at_risk,findings,controls,basis",
  );
  expect(lines.length).toBe(1 + 147);
  expect(csv).toContain('CSF,GV.OC-02,"Internal and external stakeholders are understood, and');
});
