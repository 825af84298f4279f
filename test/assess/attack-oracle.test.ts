/**
 * The contracted attack graph against a slow obvious oracle on random small cities: [NET-1]/[NET-2] read
 * literally over assets (no zone nodes, no groups), every simple path enumerated, every set of elements tried.
 */
import { describe, expect, test } from "vitest";
import type { Actor } from "../../src/assess/actors.ts";
import { attackPaths, buildAttackGraph, controlFixes } from "../../src/assess/attack.ts";
import { conduitProbability, stepProbability, vendorAccessProbability, weaknessOf } from "../../src/assess/weakness.ts";
import { buildIndex } from "../../src/model/graph.ts";
import type { CityModel } from "../../src/model/model.ts";
import { type Rng, streamFor } from "../../src/model/rng.ts";
import { makeModel } from "./helpers.ts";

type Raw = Record<string, unknown>;

function randomCity(rng: Rng): CityModel {
  const zones = ["za", "zb", "zc"].map((id, i) => ({ id, level: i + 1 }));
  const conduits: Raw[] = [];
  let c = 0;
  for (const f of ["internet", "za", "zb", "zc"])
    for (const t of ["za", "zb", "zc"])
      if (f !== t && rng.next() < 0.3)
        conduits.push({
          id: `c${c++}`,
          from: f,
          to: t,
          direction: rng.next() < 0.3 ? "one-way" : "both",
          ...(rng.next() < 0.5 ? { auth: "certificate" } : {}),
        });
  const auths = ["none", "default", "password", "mfa", undefined];
  const n = 4 + rng.int(4);
  const assets: Raw[] = [];
  for (let i = 0; i < n; i++) {
    const ot = rng.next() < 0.5;
    const auth = auths[rng.int(auths.length)];
    assets.push({
      id: `a${i}`,
      name: `a${i}`,
      kind: ot ? "plc" : rng.next() < 0.3 ? "workstation" : "server",
      layer: ot ? "ot" : "it",
      zone: zones[rng.int(3)].id,
      exposed: rng.next() < 0.2,
      monitored: rng.next() < 0.3,
      end_of_life: rng.next() < 0.2,
      ...(auth ? { auth } : {}),
    });
  }
  const vendors = [
    {
      id: "v",
      name: "V",
      remote_access:
        rng.next() < 0.6 ? [{ to: zones[rng.int(3)].id, mfa: rng.next() < 0.5, always_on: rng.next() < 0.5 }] : [],
    },
  ];
  return makeModel({ zones, conduits, assets, vendors });
}

type Oracle = { best: Map<string, number>; elements: string[]; separated: (removed: Set<string>) => Set<string> };

/** [NET-1]/[NET-2] literally: footholds are held assets (or the internet, or a vendor access). */
function oracle(m: CityModel, actor: Actor, jewels: string[]): Oracle {
  const A = m.assets;
  const p = (a: (typeof A)[number]) => stepProbability(weaknessOf(a, false), actor.skill, a.monitored);
  const conduitsFrom = (z: string, removed: Set<string>) =>
    m.conduits
      .filter((c) => !removed.has(c.id) && (c.from === z || (c.direction === "both" && c.to === z)))
      .map((c) => ({ c, to: c.from === z ? c.to : c.from }));
  /** What a foothold in zone z reaches: (asset, factor) for its zone and one conduit hop. */
  const reachFrom = (z: string, removed: Set<string>) => {
    const out: { a: (typeof A)[number]; f: number }[] = [];
    for (const a of A) if (a.zone === z) out.push({ a, f: 1 });
    for (const { c, to } of conduitsFrom(z, removed))
      for (const a of A) if (a.zone === to) out.push({ a, f: conduitProbability(c) });
    if (z === "internet") for (const a of A) if (a.exposed) out.push({ a, f: 1 });
    return out;
  };
  const entryKinds = (a: (typeof A)[number]) =>
    (a.kind === "workstation" && a.layer === "it" && (actor.entries.phishing ?? 0) > 0
      ? [actor.entries.phishing ?? 0]
      : []
    ).concat(a.kind === "plc" && (actor.entries.physical ?? 0) > 0 ? [actor.entries.physical ?? 0] : []);
  const isEntry = (a: (typeof A)[number]) => entryKinds(a).length > 0;
  const run = (removed: Set<string>) => {
    const best = new Map<string, number>();
    const held = new Set<string>();
    const visit = (id: string, prob: number) => {
      if (prob > (best.get(id) ?? 0)) best.set(id, prob);
      held.add(id);
      const a = A.find((x) => x.id === id)!;
      for (const { a: b, f } of reachFrom(a.zone, removed))
        if (!held.has(b.id) && !removed.has(b.id)) visit(b.id, prob * f * p(b));
      held.delete(id);
    };
    const starts: { z?: string; a?: string; prob: number }[] = [];
    if ((actor.entries.internet ?? 0) > 0) starts.push({ z: "internet", prob: actor.entries.internet ?? 0 });
    for (const v of m.vendors)
      v.remote_access.forEach((r, i) => {
        if (!removed.has(`vendors.${v.id}.remote_access[${i}]`) && (actor.entries.vendor ?? 0) > 0)
          starts.push({ z: r.to, prob: (actor.entries.vendor ?? 0) * vendorAccessProbability(r) });
      });
    for (const a of A) for (const w of entryKinds(a)) starts.push({ a: a.id, prob: w });
    for (const s of starts) {
      if (s.a) visit(s.a, s.prob);
      else
        for (const { a: b, f } of reachFrom(s.z as string, removed))
          if (!removed.has(b.id)) visit(b.id, s.prob * f * p(b));
    }
    return best;
  };
  const elements = [
    ...A.filter((a) => !jewels.includes(a.id) && !isEntry(a)).map((a) => a.id),
    ...m.conduits.map((c) => c.id),
    ...m.vendors.flatMap((v) => v.remote_access.map((_, i) => `vendors.${v.id}.remote_access[${i}]`)),
  ];
  return {
    best: run(new Set()),
    elements,
    separated: (removed) => new Set(jewels.filter((j) => (run(removed).get(j) ?? 0) > 0)),
  };
}

const ACTORS: Actor[] = [
  { id: "net", name: "net", skill: 0.6, entries: { internet: 1, vendor: 0.5 }, source: "file" },
  { id: "phish", name: "phish", skill: 0.8, entries: { phishing: 0.4, internet: 1 }, source: "file" },
  { id: "phys", name: "phys", skill: 0.4, entries: { physical: 0.7 }, source: "file" },
];

describe("[NET-1] [NET-2] [CHK-1] attack graph against a literal oracle", () => {
  test("most likely path probabilities and minimum cut sizes match on 150 random cities", () => {
    let paths = 0;
    let cuts = 0;
    for (let seed = 0; seed < 150; seed++) {
      const m = randomCity(streamFor(seed, 21));
      const index = buildIndex(m);
      const jewels = m.assets.filter((a) => a.layer === "ot").map((a) => a.id);
      const ag = buildAttackGraph(
        index,
        new Uint8Array(index.assetCount),
        jewels.map((j) => index.nodeOf.get(j)!),
      );
      for (const actor of ACTORS) {
        const r = attackPaths(ag, [actor], controlFixes(index), { maxPathsPerActor: 0 });
        const o = oracle(m, actor, jewels);
        const got = new Map(r.paths.map((p) => [p.target, p.probability]));
        for (const j of jewels) {
          expect(got.get(j) ?? 0, `seed ${seed} actor ${actor.id} target ${j}`).toBeCloseTo(o.best.get(j) ?? 0, 5);
          if (got.has(j)) paths++;
        }
        // cut: the smallest set of elements that leaves no separable target reachable
        const ck = r.chokepoints.filter((c) => c.actor === actor.id);
        const direct = new Set(ck[0]?.uncuttable.map((u) => u.target) ?? []);
        const allRemoved = o.separated(new Set(o.elements));
        expect(new Set([...allRemoved].filter((x) => !direct.has(x))), `seed ${seed} ${actor.id}: direct`).toEqual(
          new Set(),
        );
        const targets = new Set([...o.separated(new Set())].filter((t) => !direct.has(t)));
        let min = targets.size === 0 ? 0 : Number.POSITIVE_INFINITY;
        const el = o.elements;
        if (targets.size > 0)
          for (let mask = 1; mask < 1 << el.length; mask++) {
            let bits = 0;
            for (let x = mask; x; x &= x - 1) bits++;
            if (bits >= min) continue;
            const removed = new Set(el.filter((_, i) => mask & (1 << i)));
            const left = o.separated(removed);
            if (![...targets].some((t) => left.has(t))) min = bits;
          }
        const size = ck.length ? ck[0].ids.length : 0;
        expect(size, `seed ${seed} actor ${actor.id} cut ${ck[0]?.ids}`).toBe(min);
        for (const c of ck) {
          const left = o.separated(new Set(c.ids));
          expect(
            [...targets].filter((t) => left.has(t)),
            `seed ${seed} ${actor.id} cut ${c.ids}`,
          ).toEqual([]);
        }
        if (min > 0) cuts++;
      }
    }
    expect(paths).toBeGreaterThan(100);
    expect(cuts).toBeGreaterThan(30);
    // The exhaustive cut oracle over 150 cities takes about 70 s on one idle core of the project's machine.
  }, 300_000);
});
