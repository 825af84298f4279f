/**
 * Benchmark of the respond engines on a generated 100,000-asset city. One JSON line per figure:
 *   respond.impact      caseImpact for a case with 200 assets (control-room ones first) marked down over 2 days,
 *                       100 of them restored
 *                       (services at risk, person-hours so far through the simulator, severity); median of 5
 *   respond.playbook    validate (OASIS schemas) + bind every built-in playbook to the city; median of 5
 * No aim is set by the issue; a case's detail computes the impact on every read, so it should stay well
 * under a second.
 */

import { generateRaw } from "../src/model/generate.ts";
import { buildIndex } from "../src/model/graph.ts";
import { validateRaw } from "../src/model/load.ts";
import { streamFor } from "../src/model/rng.ts";
import { bindPlaybook } from "../src/respond/binding.ts";
import { parsePlaybook } from "../src/respond/cacao.ts";
import { type AssetChange, caseImpact } from "../src/respond/impact.ts";
import { BUILT_IN_PLAYBOOK_IDS, builtInText } from "../src/respond/library.ts";

const ASSETS = 100_000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run(): Promise<void> {
  let errors = 0;
  const model = validateRaw(generateRaw({ assets: ASSETS, seed: 42 }), () => errors++, { checkControls: false });
  if (errors || !model) throw new Error(`generated city has ${errors} errors`);
  const index = buildIndex(model);
  const rng = streamFor(7, 0);
  const t0 = Date.parse("2026-03-01T00:00:00Z");
  const log: AssetChange[] = [];
  const picked = new Set<string>();
  // control-room assets first (SCADA servers, HMIs, historians), so the outage reaches services, then any
  for (const a of model.assets)
    if (picked.size < 200 && ["scada-server", "hmi", "historian"].includes(a.kind)) picked.add(a.id);
  while (picked.size < 200) picked.add(model.assets[rng.int(model.assets.length)].id);
  [...picked].forEach((a, i) => {
    log.push({ at: new Date(t0 + rng.int(24 * 60) * 60_000).toISOString(), asset: a, state: "down" });
    if (i % 2 === 0)
      log.push({ at: new Date(t0 + (24 * 60 + rng.int(24 * 60)) * 60_000).toISOString(), asset: a, state: "restored" });
  });
  const now = new Date(t0 + 48 * 3_600_000).toISOString();
  const times: number[] = [];
  let impact: ReturnType<typeof caseImpact> | undefined;
  for (let i = 0; i < 5; i++) {
    const s = performance.now();
    impact = caseImpact(model, log, now, index);
    times.push(performance.now() - s);
  }
  const i = impact?.ok ? impact.impact : undefined;
  console.log(
    JSON.stringify({
      figure: "respond.impact",
      assets: ASSETS,
      marked: picked.size,
      logLines: log.length,
      ms: Math.round(median(times)),
      servicesAtRisk: i?.services.length,
      personHours: Math.round(i?.personHours ?? 0),
      severity: i?.severity,
    }),
  );
  const pb: number[] = [];
  let steps = 0;
  for (let k = 0; k < 5; k++) {
    const s = performance.now();
    steps = 0;
    for (const id of BUILT_IN_PLAYBOOK_IDS) {
      const text = builtInText(id) as string;
      const p = parsePlaybook(text, `${id}.json`);
      if (!p.ok) throw new Error(`${id} invalid`);
      const b = bindPlaybook(p.playbook, model, index, { text, file: `${id}.json` });
      if (!b.ok) throw new Error(`${id}: ${b.issues[0].message}`);
      steps += b.steps.length;
    }
    pb.push(performance.now() - s);
  }
  console.log(
    JSON.stringify({
      figure: "respond.playbook",
      assets: ASSETS,
      playbooks: BUILT_IN_PLAYBOOK_IDS.length,
      steps,
      ms: Math.round(median(pb)),
    }),
  );
}
