/**
 * Rankings by weighted loss ([CON-2]): criticality ([RNK-1]), N-2 pairs by the loss they add beyond their worse
 * member ([RNK-2]), checked against brute force on random models; attack paths by likelihood x consequence
 * ([RNK-3]); and on Harborview, water treatment PLCs above the portal's cloud assets.
 */
import { describe, expect, test } from "vitest";
import { assess } from "../../src/assess/assess.ts";
import { criticality } from "../../src/assess/criticality.ts";
import { SECTOR_WEIGHTS, serviceWeight } from "../../src/model/consequence.ts";
import { buildIndex } from "../../src/model/graph.ts";
import { loadModel } from "../../src/model/load.ts";
import type { CityModel } from "../../src/model/model.ts";
import { SECTORS } from "../../src/model/primitives.ts";
import { type Rng, streamFor } from "../../src/model/rng.ts";
import { oracleLevels, randomModel } from "./helpers.ts";

/** A random model whose services have random sectors, and some their own weight. */
function weightedModel(rng: Rng): CityModel {
  const m = randomModel(rng);
  return {
    ...m,
    services: m.services.map((s) => ({
      ...s,
      sector: SECTORS[rng.int(SECTORS.length)],
      ...(rng.next() < 0.3 ? { weight: rng.int(11) } : {}),
    })),
  };
}

/** Weighted loss per day with these assets down, by the slow fixpoint ([CON-2]). */
function oracleWeighted(m: CityModel, down: string[]): number {
  const lv = oracleLevels(m, new Map(down.map((d) => [d, 0])));
  let sum = 0;
  for (const s of m.services) sum += serviceWeight(s) * (1 - (lv.get(s.id) as number)) * s.population * 24;
  return sum;
}

function oraclePH(m: CityModel, down: string[]): number {
  const lv = oracleLevels(m, new Map(down.map((d) => [d, 0])));
  let sum = 0;
  for (const s of m.services) sum += (1 - (lv.get(s.id) as number)) * s.population * 24;
  return sum;
}

describe("rankings by weighted loss", () => {
  test("[CON-1] default weights put life-critical sectors above administration", () => {
    for (const top of ["health", "emergency"] as const)
      for (const low of ["government", "finance", "port", "transport"] as const)
        expect(SECTOR_WEIGHTS[top]).toBeGreaterThan(SECTOR_WEIGHTS[low]);
    expect(SECTOR_WEIGHTS.water).toBeGreaterThan(SECTOR_WEIGHTS.government);
    expect(SECTOR_WEIGHTS.power).toBeGreaterThan(SECTOR_WEIGHTS.government);
    expect(serviceWeight({ sector: "government", weight: 7 })).toBe(7);
  });

  test("[RNK-1] criticality is exact against brute force and sorted by weighted loss (300 random models)", () => {
    for (let seed = 0; seed < 300; seed++) {
      const m = weightedModel(streamFor(seed, 31));
      const r = criticality(buildIndex(m));
      for (let i = 1; i < r.list.length; i++)
        expect(r.list[i - 1].weightedLossPerDay).toBeGreaterThanOrEqual(r.list[i].weightedLossPerDay);
      for (const c of r.list)
        expect(c.weightedLossPerDay, `seed ${seed} ${c.id}`).toBeCloseTo(oracleWeighted(m, [c.id]), 2);
    }
  });

  test("[RNK-2] pairs: exact, ranked by what they add beyond their worse member, and the brute-force best is first (300 random models)", () => {
    let reported = 0;
    let bestChecked = 0;
    for (let seed = 0; seed < 300; seed++) {
      const m = weightedModel(streamFor(seed, 37));
      const r = criticality(buildIndex(m));
      const single = new Map(m.assets.map((a) => [a.id as string, oracleWeighted(m, [a.id])]));
      let prev = Number.POSITIVE_INFINITY;
      for (const p of r.pairs) {
        reported++;
        const joint = oracleWeighted(m, p.ids);
        const added = joint - Math.max(single.get(p.ids[0]) as number, single.get(p.ids[1]) as number);
        expect(p.weightedLossPerDay, `seed ${seed}`).toBeCloseTo(joint, 2);
        expect(p.added, `seed ${seed}`).toBeCloseTo(added, 2);
        expect(p.added).toBeLessThanOrEqual(prev + 1e-6);
        prev = p.added;
      }
      // brute force over every pair of assets that are redundant members of one one-slack group and interact
      // (joint person-hours above the sum of the singles): the one adding most must lead the list
      const isAsset = new Set<string>(m.assets.map((a) => a.id));
      let best = 0;
      for (const owner of [...m.assets, ...m.services])
        for (const q of owner.requires) {
          if (q.kind === "all" || q.members.length - q.k !== 1) continue;
          const mem = q.members.filter((x) => isAsset.has(x));
          for (let i = 0; i < mem.length; i++)
            for (let j = i + 1; j < mem.length; j++) {
              const ids = [mem[i], mem[j]];
              if (!(oraclePH(m, ids) > oraclePH(m, [ids[0]]) + oraclePH(m, [ids[1]]) + 1e-6)) continue;
              const add = oracleWeighted(m, ids) - Math.max(single.get(ids[0]) as number, single.get(ids[1]) as number);
              if (add > best) best = add;
            }
        }
      if (best > 0) {
        bestChecked++;
        expect(r.pairs[0].added, `seed ${seed}`).toBeGreaterThanOrEqual(best - 1e-6);
      }
    }
    expect(reported).toBeGreaterThan(20);
    expect(bestChecked).toBeGreaterThan(10);
  });
});

const loaded = await loadModel("examples/harborview");
const reason = loaded.ok ? "" : `examples/harborview does not load (${loaded.issues[0]?.message})`;

describe.skipIf(!loaded.ok)(`Harborview rankings${reason ? `: skipped, ${reason}` : ""}`, () => {
  const model = loaded.ok ? loaded.model : (undefined as never);
  const r = loaded.ok ? assess(buildIndex(model), { asOf: "2026-11-22" }) : (undefined as never);

  test("[RNK-1] water treatment PLCs that cost anything alone rank above every cloud asset of the citizen portal", () => {
    const rank = new Map(r.criticality.map((c, i) => [c.id, i]));
    const plcs = r.criticality
      .filter((c) => c.id.startsWith("wtr-awtp-plc-") && c.personHoursPerDay > 0)
      .map((c) => c.id);
    const portalCloud = r.criticality
      .filter((c) => c.services.includes("citizen-portal"))
      .map((c) => model.assets.find((a) => a.id === c.id)!)
      .filter((a) => a.layer === "cloud")
      .map((a) => a.id);
    expect(plcs.length).toBeGreaterThan(2);
    expect(portalCloud.length).toBeGreaterThan(0);
    const worstPlc = Math.max(...plcs.map((id) => rank.get(id) as number));
    const bestCloud = Math.min(...portalCloud.map((id) => rank.get(id) as number));
    expect(worstPlc).toBeLessThan(bestCloud);
  });

  test("[RNK-2] the two core routers, harmless alone, are the top pair", () => {
    expect([...r.pairs[0].ids].sort()).toEqual(["tel-core-rtr-1", "tel-core-rtr-2"]);
    expect(r.pairs[0].added).toBe(r.pairs[0].weightedLossPerDay);
  });

  test("[RNK-3] each actor's paths come by probability x consequence", () => {
    for (const actor of new Set(r.paths.map((p) => p.actor))) {
      const ps = r.paths.filter((p) => p.actor === actor);
      for (const p of ps)
        expect(Math.abs(p.risk - p.probability * p.consequence)).toBeLessThan(1e-5 * p.consequence + 1);
      for (let i = 1; i < ps.length; i++) expect(ps[i - 1].risk).toBeGreaterThanOrEqual(ps[i].risk - 1);
    }
  });
});
