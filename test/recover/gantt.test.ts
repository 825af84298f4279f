/** The Gantt chart of a plan, in the web page (React, rendered to static markup) and in the HTML report. */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { expect, test } from "vitest";
import { planRestoration, replan } from "../../src/recover/plan.ts";
import { ALWAYS, buildProblem } from "../../src/recover/problem.ts";
import { ganttSvg, planHtml } from "../../src/recover/report.ts";
import { Gantt } from "../../web/src/pages/Recover.tsx";
import { makeAsset, makeModel, makeService, req } from "../helpers/random-model.ts";
import { crewFileOf } from "./helpers.ts";

const model = makeModel({
  assets: ["a", "b", "c"].map((id) => makeAsset(id, "z")),
  services: [makeService("s", 100, [req("all", ["a", "b", "c"])])],
});
model.assets.forEach((x, i) => {
  x.rebuild = [2, 4, 6][i];
});
const pb = buildProblem({
  model,
  down: ["a", "b", "c"].map((id) => ({ id })),
  crewFile: crewFileOf([{ id: "crew", count: 2, shift: ALWAYS }]),
});
if (!pb.ok) throw new Error("problem");
const plan = planRestoration(pb.problem);

test("[RCV-9] one row per team with work, one bar per repair, in the page and in the HTML report", () => {
  const rows = new Set(plan.tasks.map((t) => t.team));
  for (const svg of [renderToStaticMarkup(createElement(Gantt, { plan })), ganttSvg(plan)]) {
    expect(svg.match(/<rect /g)?.length).toBe(3);
    for (const r of rows) expect(svg).toContain(`>${r}</text>`);
    for (const t of plan.tasks) expect(svg).toContain(t.id);
  }
  expect(planHtml(plan)).toContain("<svg");
});

test("[RCV-9] after re-planning, done repairs are faded and the moment is marked", () => {
  const first = plan.tasks.find((t) => t.start === 0);
  if (!first) throw new Error("no first repair");
  const r = replan(pb.problem, plan, [{ id: first.id, at: first.finish }]);
  if (!r.ok) throw new Error(r.error.message);
  const svg = ganttSvg(r.plan);
  expect(svg).toContain('opacity="0.45"');
  expect(svg).toContain('stroke-dasharray="4 3"');
  const page = renderToStaticMarkup(createElement(Gantt, { plan: r.plan }));
  expect(page).toContain('opacity="0.45"');
});
