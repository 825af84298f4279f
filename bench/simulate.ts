/**
 * `npm run bench -- simulate`: 10,000 runs of the built-in `ransomware` scenario on a generated 5,000-asset city,
 * over 2 worker threads (aim: under 10 s on 2 cores). Prints one JSON line: wall seconds, and CPU seconds of the
 * process (every thread, the workers' included) with the load average, since the machine is shared.
 */

import { loadavg } from "node:os";
import { generateRaw } from "../src/model/generate.ts";
import { validateRaw } from "../src/model/load.ts";
import { BUILT_IN } from "../src/simulate/library.ts";
import { monteCarlo } from "../src/simulate/run.ts";
import { parseScenarioObject } from "../src/simulate/scenario.ts";
import { summarize } from "../src/simulate/stats.ts";

export async function run(): Promise<void> {
  const runs = Number(process.env.BENCH_SIM_RUNS ?? 10_000);
  const assets = Number(process.env.BENCH_SIM_ASSETS ?? 5000);
  const workers = Number(process.env.BENCH_SIM_WORKERS ?? 2);
  const raw = generateRaw({ assets, seed: 7 });
  const model = validateRaw(raw, () => {});
  if (!model) throw new Error("bench: the generated city does not validate");
  const sc = parseScenarioObject(BUILT_IN.ransomware, "built-in:ransomware");
  if (!sc.ok) throw new Error("bench: ransomware does not parse");
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const { merged, runners } = await monteCarlo([model], sc.scenario.raw, sc.scenario.file, { runs, seed: 1, workers });
  const out = summarize(runners[0].compiled, merged[0], []);
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  process.stdout.write(
    `${JSON.stringify({
      bench: "simulate.ransomware",
      value: Math.round(s * 1000) / 1000,
      unit: "s",
      cpuSeconds: Math.round((cpu.user + cpu.system) / 1000) / 1000,
      load1: Math.round(loadavg()[0] * 10) / 10,
      runs,
      assets: model.assets.length,
      services: model.services.length,
      workers,
      runsPerSecond: Math.round(runs / s),
      meanPersonHours: Math.round(out.totals.personHours.mean),
      attackSuccess: out.totals.attackSuccessProbability,
    })}\n`,
  );
}
