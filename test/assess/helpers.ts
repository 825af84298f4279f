/** Test helpers: small models built in code, validated like any model, and slow obvious oracles. */
import { buildIndex, type CityIndex } from "../../src/model/graph.ts";
import { validateRaw } from "../../src/model/load.ts";
import type { CityModel } from "../../src/model/model.ts";
import type { Rng } from "../../src/model/rng.ts";

type Raw = Record<string, unknown>;

/** Validates a raw model (city, rampart and empty lists filled in); throws with the issues if invalid. */
export function makeModel(parts: Raw): CityModel {
  const raw = { rampart: 1, city: { name: "Testville", population: 100000 }, ...parts };
  const issues: string[] = [];
  const m = validateRaw(raw as never, (path, _code, message) => issues.push(`${path.join(".")}: ${message}`), {
    checkControls: true,
  });
  if (!m) throw new Error(`invalid test model:\n${issues.join("\n")}`);
  return m;
}

export function makeIndex(parts: Raw): CityIndex {
  return buildIndex(makeModel(parts));
}

/** A zone list and one asset per zone are the usual minimum; this gives a zone "z". */
export const ZONE = [{ id: "z", level: 3 }];

export function asset(id: string, extra: Raw = {}): Raw {
  return { id, name: id, kind: "server", layer: "it", zone: "z", ...extra };
}

export function service(id: string, extra: Raw = {}): Raw {
  return {
    id,
    name: id,
    sector: "water",
    population: 1000,
    impact: { confidentiality: "low", integrity: "low", availability: "low" },
    ...extra,
  };
}

/**
 * Slow obvious levels ([DEP-2], [DEP-3], [DEP-5]) with every buffer exhausted and no fallback: start every node at
 * its cap, lower each to what its requirements allow, repeat until nothing changes.
 */
export function oracleLevels(m: CityModel, caps: Map<string, number>): Map<string, number> {
  const nodes = [
    ...m.assets.map((a) => ({ id: a.id, req: a.requires })),
    ...m.services.map((s) => ({ id: s.id, req: s.requires })),
  ];
  const level = new Map<string, number>();
  for (const n of nodes) level.set(n.id, caps.get(n.id) ?? 1);
  for (let changed = true; changed; ) {
    changed = false;
    for (const n of nodes) {
      let v = caps.get(n.id) ?? 1;
      for (const r of n.req) {
        const ls = r.members.map((x) => level.get(x) as number).sort((a, b) => b - a);
        const sat = ls[r.k - 1];
        v = Math.min(v, Math.max(r.degrade, sat));
      }
      if (v < (level.get(n.id) as number)) {
        level.set(n.id, v);
        changed = true;
      }
    }
  }
  return level;
}

/** Person-hours per day lost with these assets down ([CRI-1] by the oracle). */
export function oracleLoss(m: CityModel, down: string[]): { loss: number; dead: string[]; hit: string[] } {
  const lv = oracleLevels(m, new Map(down.map((d) => [d, 0])));
  let loss = 0;
  const dead: string[] = [];
  const hit: string[] = [];
  for (const s of m.services) {
    const l = lv.get(s.id) as number;
    loss += (1 - l) * s.population * 24;
    if (l === 0) dead.push(s.id);
    if (l < 1) hit.push(s.id);
  }
  return { loss, dead, hit };
}

/** A random small model: assets and services with random requirements (cycles included). */
export function randomModel(rng: Rng, opts: { assets?: number; services?: number } = {}): CityModel {
  const nA = opts.assets ?? 3 + rng.int(6);
  const nS = opts.services ?? 1 + rng.int(3);
  const aIds = Array.from({ length: nA }, (_, i) => `a${i}`);
  const sIds = Array.from({ length: nS }, (_, i) => `s${i}`);
  const all = [...aIds, ...sIds];
  const levels = ["low", "moderate", "high"];
  const req = (self: string): Raw[] => {
    const out: Raw[] = [];
    const n = rng.int(3);
    for (let i = 0; i < n; i++) {
      const pool = all.filter((x) => x !== self);
      const size = 1 + rng.int(Math.min(3, pool.length));
      const mem: string[] = [];
      while (mem.length < size) {
        const x = pool[rng.int(pool.length)];
        if (!mem.includes(x)) mem.push(x);
      }
      const kind = rng.int(4);
      const r: Raw =
        kind === 0
          ? { all: mem }
          : kind === 1
            ? { any: mem }
            : kind === 2
              ? { k: 1 + rng.int(mem.length), of: mem }
              : { asset: undefined, all: mem };
      if (rng.next() < 0.25) r.degrade = [0.3, 0.5, 0.8][rng.int(3)];
      if (rng.next() < 0.2) r.buffer = "4h";
      delete r.asset;
      out.push(r);
    }
    return out;
  };
  return makeModel({
    zones: ZONE,
    assets: aIds.map((id) => asset(id, { requires: req(id) })),
    services: sIds.map((id) =>
      service(id, {
        population: 100 * (1 + rng.int(50)),
        impact: {
          confidentiality: levels[rng.int(3)],
          integrity: levels[rng.int(3)],
          availability: levels[rng.int(3)],
        },
        requires: req(id),
      }),
    ),
  });
}
