/**
 * Restoration planning benchmark (aim: under 2 s): a plan for 200 down assets with 10 crews (one team each) on
 * the generated 100,000-asset city (src/model/generate.ts, as bench/levels.ts builds it). One JSON line:
 *   recover.plan   seconds for buildProblem + planRestoration (the model and its index built before timing;
 *                  `cpu`: the process's CPU seconds over the same span, less sensitive to a loaded machine),
 *                  with the plan's weighted loss, its lower bound and gap, the best simple order's loss and
 *                  the simulator runs made.
 * The down set, as an attack that spreads through zones: whole zones drawn at random (seed 7) among those
 * holding an asset whose loss alone costs something ([RNK-1] rate > 0; most of the city is redundant field
 * equipment), their assets in model order, until 200 assets are down. Chosen before the clock starts.
 */

import { generateRaw } from "../src/model/generate.ts";
import { buildIndex } from "../src/model/graph.ts";
import { LevelsEngine } from "../src/model/levels.ts";
import { validateRaw } from "../src/model/load.ts";
import { streamFor } from "../src/model/rng.ts";
import { lossRate, serviceRates } from "../src/recover/bound.ts";
import { planRestoration } from "../src/recover/plan.ts";
import { ALWAYS, buildProblem, type CrewSpec } from "../src/recover/problem.ts";

export async function run(): Promise<void> {
  const assets = Number(process.env.BENCH_ASSETS ?? 100_000);
  const down = Number(process.env.BENCH_DOWN ?? 200);
  let errors = 0;
  const model = validateRaw(generateRaw({ assets, seed: 1 }), () => errors++, { checkControls: false });
  if (!model || errors) throw new Error("bench: the generated city does not validate");
  const index = buildIndex(model);
  const rng = streamFor(7, 0);
  const L = new LevelsEngine(index);
  L.exhaustAllBuffers();
  const rates = serviceRates(index);
  const hot = new Uint8Array(index.zoneCount);
  for (let a = 0; a < index.assetCount; a++) {
    const m = L.checkpoint();
    L.setCap(a, 0);
    if (lossRate(L, rates, index.assetCount) > 0) hot[index.assetZone[a]] = 1;
    L.rollback(m);
  }
  const chosen: number[] = [];
  const zoneUsed = new Uint8Array(index.zoneCount);
  while (chosen.length < down) {
    const z = rng.int(index.zoneCount);
    if (zoneUsed[z] || !hot[z]) continue;
    zoneUsed[z] = 1;
    for (let p = index.zoneAssetStart[z]; p < index.zoneAssetStart[z + 1] && chosen.length < down; p++)
      chosen.push(index.zoneAssets[p]);
  }
  const ids = chosen.sort((a, b) => a - b).map((a) => ({ id: model.assets[a].id }));
  const layers = ["it", "it", "it", "ot", "ot", "ot", "network", "network", "iot", "cloud"] as const;
  const crews: CrewSpec[] = layers.map((l, i) => ({
    id: `crew-${i + 1}-${l}`,
    count: 1,
    layers: [l],
    shift: ALWAYS,
    source: "bench",
  }));
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const pb = buildProblem({
    model,
    index,
    down: ids,
    crewFile: { crews, durations: new Map(), where: () => ({ file: "bench", line: 1, column: 1 }) },
  });
  if (!pb.ok) throw new Error(`bench: ${pb.issues[0].message}`);
  const plan = planRestoration(pb.problem);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  console.log(
    JSON.stringify({
      bench: "recover.plan",
      value: Number(seconds.toFixed(3)),
      unit: "s",
      aim: 2,
      cpu: Number(((cpu.user + cpu.system) / 1e6).toFixed(3)),
      assets,
      down: pb.problem.tasks.length,
      teams: pb.problem.teams.length,
      method: plan.method,
      weightedLoss: Math.round(plan.weightedLoss),
      lowerBound: Math.round(plan.lowerBound),
      gap: Number(plan.gap.toFixed(4)),
      bestSimpleOrder: Math.round(Math.min(...plan.baselines.map((b) => b.weightedLoss))),
      evaluations: plan.evaluations,
    }),
  );
}
