/**
 * The Simulation page leads with the council figures ([CON-2], [CON-3], [ATT-1], [SCN-4]): rendered to static
 * markup from a real Harborview report. Skips with a one-line reason while the example does not load.
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, test } from "vitest";
import { loadModel } from "../../src/model/load.ts";
import { simulate } from "../../src/simulate/index.ts";
import { BUILT_IN } from "../../src/simulate/library.ts";
import { parseScenarioObject } from "../../src/simulate/scenario.ts";
import { Council } from "../../web/src/pages/Simulation.tsx";

const loaded = await loadModel("examples/harborview");
const reason = loaded.ok ? "" : `examples/harborview does not load (${loaded.issues[0]?.message})`;

describe.skipIf(!loaded.ok)(`Simulation page${reason ? `: skipped, ${reason}` : ""}`, () => {
  test("[CON-2][CON-3][ATT-1][SCN-4] the council block names weighted loss, containment share, objectives and people without each essential service", async () => {
    const p = parseScenarioObject(BUILT_IN.ransomware, "built-in:ransomware");
    if (!p.ok) throw new Error(p.issues[0].message);
    const r = await simulate(loaded.ok ? loaded : (undefined as never), p.scenario, {
      runs: 100,
      seed: 1,
      workers: 1,
      with: [],
      compare: [],
    });
    if (!r.ok) throw new Error("simulate failed");
    const html = renderToStaticMarkup(createElement(Council, { report: r.report }));
    expect(html).toContain("weighted loss (mean; weight x person-hours)");
    expect(html).toContain("of the loss: our own containment");
    expect(html).toContain("of runs: every objective met");
    expect(html).toContain("objective reached: disrupt the city");
    expect(html).toContain("People without it at the worst moment");
    expect(html).toContain("Acute hospital care");
    expect(html).toContain("decided by CISO with the duty incident commander");
  }, 60_000);
});
