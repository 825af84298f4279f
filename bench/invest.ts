/**
 * `npm run bench -- invest`: every candidate control of Harborview (22, not the 30: the example has 22
 * controls not implemented) x the 7 built-in scenarios x runs, on 2 worker threads (issue aim: 30 x 7 x 1,000
 * under 30 s). Beyond --exact-max candidates this is the additive method: baseline + singles + 2 checks.
 * Env: BENCH_INVEST_RUNS (default 1000), BENCH_INVEST_WORKERS (2). Prints one JSON line.
 */
import { invest } from "../src/invest/index.ts";
import { loadModel } from "../src/model/load.ts";
import { BUILT_IN, BUILT_IN_IDS } from "../src/simulate/library.ts";
import { parseScenarioObject } from "../src/simulate/scenario.ts";

export async function run(): Promise<void> {
  const runs = Number(process.env.BENCH_INVEST_RUNS ?? 1000);
  const workers = Number(process.env.BENCH_INVEST_WORKERS ?? 2);
  const loaded = await loadModel("examples/harborview");
  if (!loaded.ok) throw new Error("bench: Harborview does not load");
  const scenarios = BUILT_IN_IDS.map((id) => {
    const p = parseScenarioObject(BUILT_IN[id], `built-in:${id}`);
    if (!p.ok) throw new Error(`bench: ${id} does not parse`);
    return p.scenario;
  });
  const t0 = performance.now();
  const r = await invest(loaded, scenarios, { budget: 250_000, years: 1, runs, seed: 1, workers });
  const s = (performance.now() - t0) / 1000;
  if (!r.ok) throw new Error(`bench: ${r.error.message}`);
  const simRuns = r.report.portfoliosSimulated * scenarios.length * runs;
  process.stdout.write(
    `${JSON.stringify({
      bench: "invest.harborview",
      value: Math.round(s * 1000) / 1000,
      unit: "s",
      candidates: r.report.candidates.length,
      scenarios: scenarios.length,
      runs,
      workers,
      method: r.report.method,
      portfoliosSimulated: r.report.portfoliosSimulated,
      simulationRunsPerSecond: Math.round(simRuns / s),
      bestControls: r.report.best?.controls.length ?? 0,
      advantageOverRatio: r.report.advantageOverRatio === null ? null : Math.round(r.report.advantageOverRatio),
    })}\n`,
  );
}
