import { describe, expect, test } from "vitest";
import { categorize, supportedServices, supportSets } from "../../src/assess/categorize.ts";
import { criticality } from "../../src/assess/criticality.ts";
import { buildIndex } from "../../src/model/graph.ts";
import type { CityModel } from "../../src/model/model.ts";
import { streamFor } from "../../src/model/rng.ts";
import { asset, makeIndex, makeModel, oracleLoss, randomModel, service, ZONE } from "./helpers.ts";

const RANK = { low: 0, moderate: 1, high: 2 } as const;
const NAME = ["low", "moderate", "high"];

/** [CAT-1] by brute force: walk down from every service, through assets only or through anything. */
function oracleCategories(m: CityModel) {
  const reqs = new Map<string, string[]>();
  for (const a of m.assets)
    reqs.set(
      a.id,
      a.requires.flatMap((r) => r.members),
    );
  for (const s of m.services)
    reqs.set(
      s.id,
      s.requires.flatMap((r) => r.members),
    );
  const isAsset = new Set<string>(m.assets.map((a) => a.id));
  const reach = (from: string, assetsOnly: boolean) => {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length) {
      const v = stack.pop() as string;
      for (const w of reqs.get(v) ?? []) {
        if (assetsOnly && !isAsset.has(w)) continue;
        if (!seen.has(w)) {
          seen.add(w);
          stack.push(w);
        }
      }
    }
    return seen;
  };
  const out = new Map<string, { c: number; i: number; a: number }>();
  for (const a of m.assets) out.set(a.id, { c: 0, i: 0, a: 0 });
  for (const s of m.services)
    out.set(s.id, { c: RANK[s.impact.confidentiality], i: RANK[s.impact.integrity], a: RANK[s.impact.availability] });
  for (const s of m.services) {
    for (const x of reach(s.id, true)) {
      const o = out.get(x)!;
      o.c = Math.max(o.c, RANK[s.impact.confidentiality]);
      o.i = Math.max(o.i, RANK[s.impact.integrity]);
    }
    for (const x of reach(s.id, false)) {
      const o = out.get(x)!;
      o.a = Math.max(o.a, RANK[s.impact.availability]);
    }
  }
  // services keep their own C and I
  for (const s of m.services) {
    const o = out.get(s.id)!;
    o.c = RANK[s.impact.confidentiality];
    o.i = RANK[s.impact.integrity];
  }
  return { out, reach };
}

describe("[CAT-1] categorization", () => {
  test("[CAT-1] an asset inherits C/I through assets only and availability through services too", () => {
    const index = makeIndex({
      zones: ZONE,
      assets: [asset("db"), asset("app", { requires: [{ asset: "db" }] }), asset("pwr")],
      services: [
        service("power", {
          impact: { confidentiality: "low", integrity: "low", availability: "moderate" },
          requires: [{ asset: "pwr" }],
        }),
        service("water", {
          impact: { confidentiality: "high", integrity: "moderate", availability: "high" },
          requires: [{ asset: "app" }, { service: "power" }],
        }),
      ],
    });
    const c = new Map(categorize(index).map((x) => [x.id, x]));
    expect(c.get("db")).toMatchObject({ confidentiality: "high", integrity: "moderate", availability: "high" });
    // pwr supports water only through the power service: C/I stay low, availability is raised
    expect(c.get("pwr")).toMatchObject({ confidentiality: "low", integrity: "low", availability: "high" });
    expect(c.get("power")).toMatchObject({ confidentiality: "low", integrity: "low", availability: "high" });
  });

  test("[CAT-1] matches a brute-force walk on 300 random models", () => {
    for (let seed = 0; seed < 300; seed++) {
      const m = randomModel(streamFor(seed, 7));
      const index = buildIndex(m);
      const got = categorize(index);
      const { out, reach } = oracleCategories(m);
      for (const g of got) {
        const o = out.get(g.id)!;
        expect([g.id, g.confidentiality, g.integrity, g.availability], `seed ${seed}`).toEqual([
          g.id,
          NAME[o.c],
          NAME[o.i],
          NAME[o.a],
        ]);
      }
      // support sets: the services that reach each node
      const sup = supportSets(index);
      for (let n = 0; n < index.nodeCount; n++) {
        const want = m.services
          .map((s, j) => ({ s, j }))
          .filter(({ s }) => s.id === index.nodeId[n] || reach(s.id, false).has(index.nodeId[n]))
          .map(({ j }) => j);
        expect(supportedServices(sup, n), `seed ${seed} node ${index.nodeId[n]}`).toEqual(want);
      }
    }
  });
});

describe("[CRI-1] criticality", () => {
  test("[CRI-1] a feed both servers stand on is a SPOF; each server alone costs nothing", () => {
    const m = makeModel({
      zones: ZONE,
      assets: [
        asset("feed"),
        asset("srv-1", { requires: [{ asset: "feed" }] }),
        asset("srv-2", { requires: [{ asset: "feed" }] }),
      ],
      services: [service("water", { population: 1000, requires: [{ any: ["srv-1", "srv-2"] }] })],
    });
    const r = criticality(buildIndex(m));
    const by = new Map(r.list.map((c) => [c.id, c]));
    expect(by.get("feed")).toMatchObject({ personHoursPerDay: 24000, spof: true, services: ["water"] });
    expect(by.get("srv-1")).toMatchObject({ personHoursPerDay: 0, spof: false });
    expect(r.list[0].id).toBe("feed");
    // [CRI-2] the two servers together
    expect(r.pairs[0]).toMatchObject({ ids: ["srv-1", "srv-2"], personHoursPerDay: 24000, excess: 24000 });
  });

  test("[CRI-1] buffers count as exhausted and degrade values remain", () => {
    const m = makeModel({
      zones: ZONE,
      assets: [asset("ups"), asset("plc")],
      services: [
        service("s", {
          population: 100,
          requires: [
            { asset: "ups", buffer: "12h" },
            { asset: "plc", degrade: 0.25 },
          ],
        }),
      ],
    });
    const r = criticality(buildIndex(m));
    const by = new Map(r.list.map((c) => [c.id, c]));
    expect(by.get("ups")!.personHoursPerDay).toBe(2400);
    expect(by.get("plc")!.personHoursPerDay).toBe(1800);
    expect(by.get("plc")!.spof).toBe(false);
  });

  test("[CRI-1] matches the brute-force fixpoint on 300 random models, sorted worst first", () => {
    for (let seed = 0; seed < 300; seed++) {
      const m = randomModel(streamFor(seed, 11));
      const r = criticality(buildIndex(m));
      for (let i = 1; i < r.list.length; i++)
        expect(r.list[i - 1].personHoursPerDay).toBeGreaterThanOrEqual(r.list[i].personHoursPerDay);
      for (const c of r.list) {
        const o = oracleLoss(m, [c.id]);
        expect(c.personHoursPerDay, `seed ${seed} asset ${c.id}`).toBeCloseTo(o.loss, 3);
        expect(c.spof, `seed ${seed} asset ${c.id}`).toBe(o.dead.length > 0);
        expect([...c.services].sort()).toEqual([...o.hit].sort());
      }
    }
  });

  test("[CRI-2] every reported pair is exact and exceeds the sum of its singles (random models)", () => {
    let reported = 0;
    for (let seed = 0; seed < 300; seed++) {
      const m = randomModel(streamFor(seed, 13));
      const r = criticality(buildIndex(m));
      for (const p of r.pairs) {
        reported++;
        const joint = oracleLoss(m, p.ids).loss;
        const sum = oracleLoss(m, [p.ids[0]]).loss + oracleLoss(m, [p.ids[1]]).loss;
        expect(p.personHoursPerDay, `seed ${seed}`).toBeCloseTo(joint, 3);
        expect(joint).toBeGreaterThan(sum);
      }
    }
    expect(reported).toBeGreaterThan(20);
  });

  test("[CRI-2] finds every damaging pair of members of a one-slack any/k-of-n group (random models)", () => {
    for (let seed = 0; seed < 300; seed++) {
      const m = randomModel(streamFor(seed, 17));
      const r = criticality(buildIndex(m));
      const got = new Set(r.pairs.map((p) => p.ids.join("+")));
      const isAsset = new Set<string>(m.assets.map((a) => a.id));
      for (const owner of [...m.assets, ...m.services])
        for (const q of owner.requires) {
          if (q.kind === "all" || q.members.length - q.k !== 1) continue;
          const mem = q.members.filter((x) => isAsset.has(x));
          for (let i = 0; i < mem.length; i++)
            for (let j = i + 1; j < mem.length; j++) {
              const ids = [mem[i], mem[j]].sort();
              const joint = oracleLoss(m, ids).loss;
              const sum = oracleLoss(m, [ids[0]]).loss + oracleLoss(m, [ids[1]]).loss;
              if (joint > sum + 1e-6) expect(got.has(ids.join("+")), `seed ${seed} pair ${ids}`).toBe(true);
            }
        }
    }
  });

  test("[CRI-2] a common cause behind redundant members is found through the members' supports", () => {
    const m = makeModel({
      zones: ZONE,
      assets: [
        asset("feed-a"),
        asset("feed-b"),
        asset("srv-1", { requires: [{ asset: "feed-a" }] }),
        asset("srv-2", { requires: [{ asset: "feed-b" }] }),
      ],
      services: [service("water", { population: 1000, requires: [{ any: ["srv-1", "srv-2"] }] })],
    });
    const r = criticality(buildIndex(m));
    const ids = r.pairs.map((p) => p.ids.join("+"));
    expect(ids).toContain("feed-a+feed-b");
    expect(ids).toContain("srv-1+srv-2");
    expect(ids).toContain("feed-a+srv-2");
  });
});
