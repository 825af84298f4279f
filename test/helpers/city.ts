/** A generated city (validated) and the built-in scenarios, as the simulation and investment tests use them. */
import { generateRaw } from "../../src/model/generate.ts";
import { validateRaw } from "../../src/model/load.ts";
import { BUILT_IN } from "../../src/simulate/library.ts";
import { parseScenarioObject, type Scenario } from "../../src/simulate/scenario.ts";

/** The generated city of `assets` assets and `seed`, validated: `{ model, raw }` as the loader returns them. */
export function generatedCity(assets: number, seed: number) {
  const raw = generateRaw({ assets, seed });
  const model = validateRaw(raw, () => {});
  if (!model) throw new Error(`generated city (${assets} assets, seed ${seed}) invalid`);
  return { model, raw };
}

/** A built-in scenario, parsed. */
export function builtInScenario(id: string): Scenario {
  const p = parseScenarioObject(BUILT_IN[id], `built-in:${id}`);
  if (!p.ok) throw new Error(p.issues[0].message);
  return p.scenario;
}
