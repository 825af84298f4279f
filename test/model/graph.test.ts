import { describe, expect, test } from "vitest";
import { buildIndex, type CityIndex, dependents, servicesAtRisk } from "../../src/model/graph.ts";
import { loadModelFromSources } from "../../src/model/load.ts";
import type { CityModel } from "../../src/model/model.ts";
import { makeAsset, makeModel, makeService, randomModel, req } from "../helpers/random-model.ts";

function load(text: string): CityModel {
  const r = loadModelFromSources([
    { file: "m.yaml", text: `rampart: 1\ncity: { name: T, population: 1000 }\n${text}` },
  ]);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.model;
}

const IMPACT = "impact: { confidentiality: low, integrity: low, availability: high }";

// a: k=2 of [b, c, b]; c: buffered service s (degrade 0.5) and itself; s: any [a, b], fallback
const SMALL = `
zones: [ { id: it, level: 4 }, { id: ot, level: 2 }, { id: dmz } ]
conduits:
  - { id: c1, from: it, to: ot, direction: one-way }
  - { id: c2, from: it, to: dmz }
  - { id: c3, from: internet, to: dmz, direction: one-way }
assets:
  - { id: a, name: A, kind: server, layer: it, zone: it, requires: [ { k: 2, of: [b, c, b] } ] }
  - { id: b, name: B, kind: server, layer: it, zone: ot }
  - id: c
    name: C
    kind: server
    layer: it
    zone: it
    requires: [ { service: s, buffer: 2h, degrade: 0.5 }, { asset: c } ]
services:
  - { id: s, name: S, sector: power, population: 100, ${IMPACT}, fallback: { level: 0.5, after: 1h }, requires: [ { any: [a, b] } ] }
  - { id: t, name: T, sector: water, population: 250, ${IMPACT}, requires: [ { all: [s, b] } ] }
`;

describe("buildIndex", () => {
  const ix = buildIndex(load(SMALL));

  test("[DEP-1] nodes are assets then services, each with an id and a population", () => {
    expect([ix.nodeCount, ix.assetCount, ix.serviceCount]).toEqual([5, 3, 2]);
    expect(ix.nodeId).toEqual(["a", "b", "c", "s", "t"]);
    expect([...ix.nodeOf.entries()]).toEqual([
      ["a", 0],
      ["b", 1],
      ["c", 2],
      ["s", 3],
      ["t", 4],
    ]);
    expect(Array.from(ix.population)).toEqual([0, 0, 0, 100, 250]);
  });

  test("[DEP-2][DEP-3][DEP-4] requirements in CSR by owner, with kind, k, degrade and buffer", () => {
    expect(ix.reqCount).toBe(5);
    expect(Array.from(ix.reqStart)).toEqual([0, 1, 1, 3, 4, 5]);
    expect(Array.from(ix.reqOwner)).toEqual([0, 2, 2, 3, 4]);
    expect(Array.from(ix.reqKind)).toEqual([2, 0, 0, 1, 0]);
    expect(Array.from(ix.reqK)).toEqual([2, 1, 1, 1, 2]);
    expect(Array.from(ix.reqDegrade)).toEqual([0, 0.5, 0, 0, 0]);
    expect(Array.from(ix.reqBuffer)).toEqual([0, 2, 0, 0, 0]);
    expect(Array.from(ix.memberStart)).toEqual([0, 3, 4, 5, 7, 9]);
    expect(Array.from(ix.members)).toEqual([1, 2, 1, 3, 2, 0, 1, 3, 1]);
  });

  test("[DEP-3] reverse edges list each requiring requirement once, ascending", () => {
    const usedBy = (n: number) => Array.from(ix.usedBy.subarray(ix.usedByStart[n], ix.usedByStart[n + 1]));
    expect(usedBy(0)).toEqual([3]); // a: s's any
    expect(usedBy(1)).toEqual([0, 3, 4]); // b: a's k-of-n (listed twice there, once here), s, t
    expect(usedBy(2)).toEqual([0, 2]); // c: a's k-of-n and c's self-requirement
    expect(usedBy(3)).toEqual([1, 4]); // s: c's buffered requirement, t
    expect(usedBy(4)).toEqual([]);
    expect(ix.usedByStart[ix.nodeCount]).toBe(ix.usedBy.length);
  });

  test("[DEP-6] fallbacks per node: level, after, lasts (Infinity when unlimited); none = NaN/0", () => {
    expect(Array.from(ix.hasFallback)).toEqual([0, 0, 0, 1, 0]);
    expect(ix.fallbackLevel[3]).toBe(0.5);
    expect(ix.fallbackAfter[3]).toBe(1);
    expect(ix.fallbackLasts[3]).toBe(Number.POSITIVE_INFINITY);
    for (const n of [0, 1, 2, 4]) {
      expect(ix.fallbackLevel[n]).toBeNaN();
      expect([ix.fallbackAfter[n], ix.fallbackLasts[n]]).toEqual([0, 0]);
    }
  });

  test("[NET-1] zones with the implicit internet zone, Purdue levels and assets by zone", () => {
    expect(ix.zoneId).toEqual(["it", "ot", "dmz", "internet"]);
    expect(ix.zoneCount).toBe(4);
    expect(ix.internetZone).toBe(3);
    expect(ix.zoneOf.get("dmz")).toBe(2);
    expect(Array.from(ix.zoneLevel)).toEqual([4, 2, Number.NaN, 5]);
    expect(Array.from(ix.assetZone)).toEqual([0, 1, 0]);
    const inZone = (z: number) => Array.from(ix.zoneAssets.subarray(ix.zoneAssetStart[z], ix.zoneAssetStart[z + 1]));
    expect([inZone(0), inZone(1), inZone(2), inZone(3)]).toEqual([[0, 2], [1], [], []]);
  });

  test("[NET-1] conduits are directed zone edges: both gives two, one-way gives from -> to only", () => {
    const out = (z: number) => {
      const r: [string, string][] = [];
      for (let p = ix.zoneOutStart[z]; p < ix.zoneOutStart[z + 1]; p++)
        r.push([ix.zoneId[ix.zoneOut[p]], ix.model.conduits[ix.zoneOutConduit[p]].id]);
      return r;
    };
    expect(out(0)).toEqual([
      ["ot", "c1"],
      ["dmz", "c2"],
    ]);
    expect(out(1)).toEqual([]); // c1 is one-way it -> ot
    expect(out(2)).toEqual([["it", "c2"]]);
    expect(out(3)).toEqual([["dmz", "c3"]]);
    expect(ix.zoneOut.length).toBe(4);
  });

  test("[NET-1] a hand-built model without the internet zone gets one, at level 5", () => {
    const m = makeModel({ assets: [makeAsset("x", "z")] });
    m.zones = m.zones.filter((z) => z.id !== "internet");
    const i = buildIndex(m);
    expect(i.zoneId).toEqual(["z", "internet"]);
    expect(i.internetZone).toBe(1);
    expect(i.zoneLevel[1]).toBe(5);
  });

  test("[DEP-3] dependents: every node whose level can depend on the node, transitively, not itself", () => {
    const sorted = (a: Int32Array) => Array.from(a).sort((x, y) => x - y);
    expect(sorted(dependents(ix, 1))).toEqual([0, 2, 3, 4]); // b -> a, s, t; s -> c
    expect(sorted(dependents(ix, 2))).toEqual([0, 3, 4]); // c -> a (and c itself, excluded) -> s -> t
    expect(sorted(dependents(ix, 4))).toEqual([]);
    expect(servicesAtRisk(ix, 1)).toEqual([3, 4]);
    expect(servicesAtRisk(ix, 3)).toEqual([3, 4]); // a service itself is at risk
    expect(servicesAtRisk(ix, 4)).toEqual([4]);
  });
});

/** The obvious closure: keep adding owners of requirements that list a node already in the set. */
function naiveDependents(model: CityModel, id: string): string[] {
  const owners = [...model.assets, ...model.services];
  const seen = new Set([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const o of owners)
      if (!seen.has(o.id) && o.requires.some((r) => r.members.some((m) => seen.has(m)))) {
        seen.add(o.id);
        grew = true;
      }
  }
  // a node on a cycle is its own dependent, but dependents() excludes the node itself
  seen.delete(id);
  return [...seen].sort();
}

function checkIndexAgainstModel(ix: CityIndex, model: CityModel): void {
  const owners = [...model.assets, ...model.services];
  let r = 0;
  for (let n = 0; n < owners.length; n++) {
    expect(ix.reqStart[n]).toBe(r);
    for (const q of owners[n].requires) {
      const mem = Array.from(ix.members.subarray(ix.memberStart[r], ix.memberStart[r + 1]), (m) => ix.nodeId[m]);
      expect(mem).toEqual(q.members);
      expect(ix.reqK[r]).toBe(q.k);
      expect(ix.reqOwner[r]).toBe(n);
      r++;
    }
  }
  expect(r).toBe(ix.reqCount);
}

test("[DEP-3] dependents and the CSR arrays match a naive reading of the model (500 random models)", () => {
  for (let seed = 1; seed <= 500; seed++) {
    const model = randomModel(seed);
    const ix = buildIndex(model);
    checkIndexAgainstModel(ix, model);
    for (let n = 0; n < ix.nodeCount; n++) {
      const got = Array.from(dependents(ix, n), (m) => ix.nodeId[m]).sort();
      expect(got, `seed ${seed} node ${n}`).toEqual(naiveDependents(model, ix.nodeId[n]));
      const services = servicesAtRisk(ix, n).map((m) => ix.nodeId[m]);
      const want = [...naiveDependents(model, ix.nodeId[n]), ix.nodeId[n]].filter((id) => id.startsWith("s"));
      expect(services.sort()).toEqual([...new Set(want)].sort());
    }
  }
});

test("[DEP-3] an unknown member is refused with the ids named (the loader prevents it for real models)", () => {
  const m = makeModel({ services: [makeService("s", 10, [req("all", ["ghost"])])] });
  expect(() => buildIndex(m)).toThrow(/s requires unknown node ghost/);
});
