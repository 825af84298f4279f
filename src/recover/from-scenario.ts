/**
 * The down set of a simulated attack at its moment of maximum impact [RCV-8]: the first run (in run order) of
 * the seed in which the attack damaged an asset is replayed with a trace; the moment is the one at which the
 * weighted loss rate ([CON-2] per hour) is highest, the earliest on ties; the down set is the assets damaged
 * then and not yet restored (attack effects and scenario events; our own containment's isolation is not a
 * repair and is left out).
 */
import { serviceWeight } from "../model/consequence.ts";
import type { CityModel } from "../model/model.ts";
import { streamFor } from "../model/rng.ts";
import { SetRunner } from "../simulate/chunk.ts";
import { RunSink } from "../simulate/engine.ts";
import type { Scenario } from "../simulate/scenario.ts";

const DAMAGE = new Set(["down", "hit", "deny", "encrypt", "destroy", "manipulate"]);
const REPAIR = new Set(["restored", "hit-end", "attack-over"]);

export type ScenarioDownSet = { run: number; at: number; rate: number; down: string[] };

export function downSetFromScenario(
  model: CityModel,
  scenario: Scenario,
  seed: number,
  maxRuns = 1000,
): ScenarioDownSet | null {
  const runner = new SetRunner(model, scenario.raw, scenario.file);
  const ix = runner.compiled.index;
  const A = ix.assetCount;
  const c = runner.compiled;
  for (let r = 0; r < maxRuns; r++) {
    const sink = new RunSink(1, ix.serviceCount, c.objSvc.length);
    const trace = runner.sim.run(streamFor(seed, r), sink, 0, true) ?? [];
    if (!trace.some((e) => DAMAGE.has(e.kind) && (ix.nodeOf.get(e.id) ?? A) < A)) continue;
    const level = new Float64Array(ix.serviceCount).fill(1);
    const damaged = new Set<string>();
    let best: ScenarioDownSet | null = null;
    let k = 0;
    while (k < trace.length) {
      const t = trace[k].t;
      for (; k < trace.length && trace[k].t === t; k++) {
        const e = trace[k];
        const n = ix.nodeOf.get(e.id);
        if (e.kind === "level" && n !== undefined && n >= A && e.to !== undefined) level[n - A] = e.to;
        else if (n !== undefined && n < A) {
          if (DAMAGE.has(e.kind)) damaged.add(e.id);
          else if (REPAIR.has(e.kind)) damaged.delete(e.id);
        }
      }
      let rate = 0;
      for (let s = 0; s < ix.serviceCount; s++)
        if (level[s] < 1) rate += serviceWeight(model.services[s]) * ix.population[A + s] * (1 - level[s]);
      if (damaged.size > 0 && (best === null || rate > best.rate))
        best = { run: r, at: t, rate, down: [...damaged].sort() };
    }
    if (best) return best;
  }
  return null;
}
