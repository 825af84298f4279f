/**
 * Harborview (examples/harborview): plans for the down sets of the built-in `ransomware` and `grid-attack`
 * scenarios are never worse than the best of the three simple orders; figures in docs/recover.md.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { loadModel } from "../../src/model/load.ts";
import type { CityModel } from "../../src/model/model.ts";
import { downSetFromScenario } from "../../src/recover/from-scenario.ts";
import { planRestoration } from "../../src/recover/plan.ts";
import { buildProblem } from "../../src/recover/problem.ts";
import { resolveScenario } from "../../src/simulate/index.ts";
import { simulatedLoss } from "./helpers.ts";

let model: CityModel;
beforeAll(async () => {
  const r = await loadModel("examples/harborview");
  if (!r.ok) throw new Error("harborview does not load");
  model = r.model;
});

async function downSet(id: string, seed: number) {
  const sc = await resolveScenario(id, async () => "");
  if (!sc.ok) throw new Error(id);
  const ds = downSetFromScenario(model, sc.scenario, seed);
  if (!ds) throw new Error(`${id} damaged nothing`);
  return ds;
}

describe("Harborview", () => {
  for (const id of ["ransomware", "grid-attack"])
    for (const seed of [1, 2])
      test(`[RCV-4] [RCV-8] ${id} seed ${seed}: the plan is never worse than the best simple order, and the simulator agrees`, async () => {
        const ds = await downSet(id, seed);
        expect(ds.down.length).toBeGreaterThan(0);
        const again = await downSet(id, seed);
        expect(again).toEqual(ds);
        const pb = buildProblem({ model, down: ds.down.map((x) => ({ id: x })) });
        if (!pb.ok) throw new Error(pb.issues[0].message);
        const plan = planRestoration(pb.problem);
        const best = Math.min(...plan.baselines.map((b) => b.weightedLoss));
        console.log(
          `${id} seed ${seed}: ${ds.down.length} down, plan ${plan.method} ${Math.round(plan.weightedLoss)}, ` +
            plan.baselines.map((b) => `${b.name} ${Math.round(b.weightedLoss)}`).join(", ") +
            `, bound ${Math.round(plan.lowerBound)} (gap ${(plan.gap * 100).toFixed(1)}%)`,
        );
        expect(plan.weightedLoss).toBeLessThanOrEqual(best);
        expect(plan.lowerBound).toBeLessThanOrEqual(plan.weightedLoss);
        const restore = pb.problem.tasks.map((t) => plan.tasks.find((x) => x.id === t.id)?.finish ?? Number.NaN);
        expect(simulatedLoss(model, pb.problem, restore, plan.horizonHours)).toBe(plan.weightedLoss);
        // a service back for good within its RTO met it ([DEP-8]: the first return counts)
        for (const s of plan.services)
          if (s.rto !== null && s.restoredAt !== null && s.restoredAt <= (s.firstLoss as number) + s.rto)
            expect(s.rtoMet).toBe(true);
      });
});
