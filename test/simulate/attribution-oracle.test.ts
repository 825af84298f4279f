/**
 * Differential test of the loss attribution ([ATT-1]) against a slow, obvious oracle. The engine keeps two
 * counterfactual levels engines beside the real one, starts them lazily, parks the one without containment once
 * every isolation is lifted, and integrates person-hours only where levels change. The oracle takes the run's
 * inputs to the levels (every cap with and without our containment's hits, every buffer exhausted or refilled,
 * every fallback floor, with its time), and for each of the three runs (real; without containment; without
 * containment and without cascade between services) recomputes every level from scratch at every time by sweeps
 * from the caps ([DEP-5]) straight from the model's requirement lists, and integrates person-hours over the whole
 * timeline ([DEP-7]). No laziness, no parking, no shared state.
 */
import { describe, expect, test } from "vitest";
import { generateRaw } from "../../src/model/generate.ts";
import { validateRaw } from "../../src/model/load.ts";
import type { CityModel, Requirement } from "../../src/model/model.ts";
import { streamFor } from "../../src/model/rng.ts";
import { SetRunner } from "../../src/simulate/chunk.ts";
import { type LevelInput, RunSink } from "../../src/simulate/engine.ts";
import { BUILT_IN } from "../../src/simulate/library.ts";

type Variant = "real" | "withoutContainment" | "withoutCascade";

/** Person-hours per service of one variant of a run, by full recomputation at every input time. */
function oracle(model: CityModel, inputs: LevelInput[], tEnd: number, variant: Variant): number[] {
  const A = model.assets.length;
  const ids = [...model.assets.map((a) => a.id as string), ...model.services.map((s) => s.id as string)];
  const assetPos = new Map(model.assets.map((a, i) => [a.id as string, i]));
  const servicePos = new Map(model.services.map((s, i) => [s.id as string, A + i]));
  const requires: Requirement[][] = [...model.assets.map((a) => a.requires), ...model.services.map((s) => s.requires)];
  const reqs = requires.flat();
  const memberPos = (r: Requirement, id: string): number =>
    (r.memberKind === "service" ? servicePos.get(id) : (assetPos.get(id) ?? servicePos.get(id))) as number;
  const cap = ids.map(() => 1);
  const floor = ids.map(() => 0);
  const exhausted = reqs.map(() => false);
  const levels = (): number[] => {
    const level = [...cap];
    const levelOf = (r: Requirement, id: string) => {
      const p = memberPos(r, id);
      return variant === "withoutCascade" && p >= A ? 1 : level[p];
    };
    let changed = true;
    while (changed) {
      changed = false;
      let ri = 0;
      for (let n = 0; n < ids.length; n++) {
        let own = cap[n];
        for (const r of requires[n]) {
          const values = r.members.map((id) => levelOf(r, id)).sort((a, b) => b - a);
          const sat = r.kind === "all" ? values[values.length - 1] : r.kind === "any" ? values[0] : values[r.k - 1];
          const buffered = r.buffer !== undefined && r.buffer > 0 && !exhausted[ri];
          own = Math.min(own, Math.max(r.degrade, buffered ? 1 : sat));
          ri++;
        }
        const l = Math.min(cap[n], Math.max(own, floor[n]));
        if (l !== level[n]) {
          level[n] = l;
          changed = true;
        }
      }
    }
    return level;
  };
  const S = model.services.length;
  const ph = new Array<number>(S).fill(0);
  let lv = levels();
  let last = 0;
  const integrate = (t: number) => {
    for (let s = 0; s < S; s++) ph[s] += (1 - lv[A + s]) * model.services[s].population * (t - last);
    last = t;
  };
  let i = 0;
  while (i < inputs.length) {
    const t = inputs[i].t;
    integrate(t);
    for (; i < inputs.length && inputs[i].t === t; i++) {
      const x = inputs[i];
      if (x.kind === "cap") cap[x.index] = variant === "real" ? x.value : x.without;
      else if (x.kind === "buffer") exhausted[x.index] = x.value === 1;
      else floor[x.index] = x.value;
    }
    lv = levels();
  }
  integrate(tEnd);
  return ph;
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

describe("[ATT-1] attribution against full recomputation of each counterfactual", () => {
  test("[ATT-1][CNT-1] generated cities, built-in scenarios: real, without containment and without cascade agree with the oracle", () => {
    let contained = 0;
    let cascaded = 0;
    let checked = 0;
    for (const seed of [3, 11]) {
      const model = validateRaw(generateRaw({ assets: 120, seed }), () => {});
      if (!model) throw new Error("generated city invalid");
      for (const id of ["ransomware", "grid-attack", "water-manipulation", "supply-chain"]) {
        const runner = new SetRunner(model, BUILT_IN[id], `built-in:${id}`);
        const S = model.services.length;
        for (let r = 0; r < 12; r++) {
          const sink = new RunSink(1, S, runner.compiled.objSvc.length);
          const inputs: LevelInput[] = [];
          runner.sim.run(streamFor(seed, r), sink, 0, false, inputs);
          const tEnd = sink.endTime[0];
          const real = oracle(model, inputs, tEnd, "real");
          const noContain = oracle(model, inputs, tEnd, "withoutContainment");
          const direct = oracle(model, inputs, tEnd, "withoutCascade");
          for (let s = 0; s < S; s++) {
            const where = `${id} seed ${seed} run ${r} service ${model.services[s].id}`;
            expect(close(sink.personHours[s], real[s]), `${where}: real ${sink.personHours[s]} vs ${real[s]}`).toBe(
              true,
            );
            expect(
              close(sink.phNoContain[s], noContain[s]),
              `${where}: without containment ${sink.phNoContain[s]} vs ${noContain[s]}`,
            ).toBe(true);
            expect(
              close(sink.phDirect[s], direct[s]),
              `${where}: without cascade ${sink.phDirect[s]} vs ${direct[s]}`,
            ).toBe(true);
            if (real[s] - noContain[s] > 1e-6) contained++;
            if (noContain[s] - direct[s] > 1e-6) cascaded++;
            checked++;
          }
        }
      }
    }
    // the cases exercise both counterfactuals (not only runs where they equal the real one)
    expect(checked).toBeGreaterThan(500);
    expect(contained).toBeGreaterThan(5);
    expect(cascaded).toBeGreaterThan(5);
  }, 120_000);
});
