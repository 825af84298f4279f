/**
 * The Invest page's frontier chart [BUY-14] [BUY-6]: rendered to static markup from a real Harborview invest
 * report, one point per frontier portfolio, the recommendation and the ratio order ringed, the budget marked.
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { expect, test } from "vitest";
import { InvestResult } from "../../src/contracts/invest.ts";
import { invest } from "../../src/invest/index.ts";
import { loadModel } from "../../src/model/load.ts";
import { BUILT_IN } from "../../src/simulate/library.ts";
import { parseScenarioObject } from "../../src/simulate/scenario.ts";
import { FrontierChart } from "../../web/src/pages/Invest.tsx";

test("[BUY-14] [BUY-6] the frontier chart shows every frontier point, the recommendation, the ratio order and the budget", async () => {
  const loaded = await loadModel("examples/harborview");
  if (!loaded.ok) throw new Error(loaded.issues[0]?.message);
  const p = parseScenarioObject(BUILT_IN.ransomware, "built-in:ransomware");
  if (!p.ok) throw new Error(p.issues[0].message);
  const r = await invest(loaded, [p.scenario], {
    budget: 150_000,
    years: 1,
    runs: 20,
    seed: 2,
    workers: 1,
    candidates: ["ctl-immutable-backups", "ctl-vendor-access-mfa", "ctl-default-credentials"],
  });
  if (!r.ok) throw new Error(r.error.message);
  // the report is what the API's contract describes
  const report = InvestResult.parse(JSON.parse(JSON.stringify(r.report)));
  const html = renderToStaticMarkup(createElement(FrontierChart, { r: report }));
  expect(html).toContain('data-testid="frontier"');
  expect(html.match(/r="3.5"/g)?.length).toBe(report.frontier.length);
  expect(html).toContain("ratio order");
  if (report.best) expect(html).toContain("recommended");
  expect(html).toContain("budget");
}, 120_000);
