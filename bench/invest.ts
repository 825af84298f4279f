/**
 * `npm run bench -- invest`: every candidate control of Harborview (20: the controls it has not implemented;
 * the issue's aim names 30) x the 7 built-in scenarios, at 100 runs and at 1,000 runs, on one pool of 2 worker
 * threads reused by both (issue aim: 30 x 7 x 1,000 under 30 s on this machine's 2 cores). Prints one JSON
 * line per figure with wall seconds, CPU seconds of the process (all threads) and the load average, because
 * the machine is shared. Env: BENCH_INVEST_RUNS (the large figure's runs, default 1000), BENCH_INVEST_WORKERS (2).
 */
import { cpus, loadavg } from "node:os";
import { EvalPool, invest } from "../src/invest/index.ts";
import { loadModel } from "../src/model/load.ts";
import { BUILT_IN, BUILT_IN_IDS } from "../src/simulate/library.ts";
import { parseScenarioObject } from "../src/simulate/scenario.ts";

export async function run(): Promise<void> {
  const big = Number(process.env.BENCH_INVEST_RUNS ?? 1000);
  const workers = Number(process.env.BENCH_INVEST_WORKERS ?? 2);
  const loaded = await loadModel("examples/harborview");
  if (!loaded.ok) throw new Error("bench: Harborview does not load");
  const scenarios = BUILT_IN_IDS.map((id) => {
    const p = parseScenarioObject(BUILT_IN[id], `built-in:${id}`);
    if (!p.ok) throw new Error(`bench: ${id} does not parse`);
    return p.scenario;
  });
  const pool = new EvalPool(workers);
  try {
    for (const runs of [Math.max(1, Math.round(big / 10)), big]) {
      const load0 = loadavg()[0];
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const r = await invest(loaded, scenarios, { budget: 250_000, years: 1, runs, seed: 1, workers, pool });
      const s = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(c0);
      if (!r.ok) throw new Error(`bench: ${r.error.message}`);
      const e = r.report.evaluation;
      process.stdout.write(
        `${JSON.stringify({
          bench: `invest.harborview.${runs}`,
          value: Math.round(s * 1000) / 1000,
          unit: "s",
          cpuSeconds: Math.round((cpu.user + cpu.system) / 1000) / 1000,
          candidates: r.report.candidates.length,
          scenarios: scenarios.length,
          runs,
          workers,
          cores: cpus().length,
          loadAverage: [Math.round(load0 * 100) / 100, Math.round(loadavg()[0] * 100) / 100],
          method: r.report.method,
          portfoliosEvaluated: r.report.portfoliosSimulated,
          simulations: e.simulated,
          sharedByFingerprint: e.shared,
          simulationRunsPerSecond: Math.round(e.runsSimulated / s),
          bestControls: r.report.best?.controls.length ?? 0,
          advantageOverRatio: r.report.advantageOverRatio === null ? null : Math.round(r.report.advantageOverRatio),
        })}\n`,
      );
    }
  } finally {
    await pool.close();
  }
}
