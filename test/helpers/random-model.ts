/**
 * Small random city models for differential tests: cycles, all/any/k-of-n, degrade, buffers, fallbacks,
 * repeated members and self-requirements, zones and conduits. Deterministic per seed (src/model/rng.ts).
 */
import type { Asset, CityModel, Conduit, Requirement, Service, Zone } from "../../src/model/model.ts";
import { type Rng, streamFor } from "../../src/model/rng.ts";

export type RandomModelOptions = {
  maxAssets?: number;
  maxServices?: number;
  maxRequirements?: number;
  maxMembers?: number;
};

/** Values used for caps, floors, degrade and fallback levels: few distinct ones, so ties and equalities occur. */
export const LEVEL_VALUES = [0, 0.25, 0.5, 0.8, 1] as const;

export function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)];
}

/** An asset with every defaulted field filled, as the loader would give it. */
export function makeAsset(id: string, zone: string, requires: Requirement[] = []): Asset {
  return {
    id: id as Asset["id"],
    name: id,
    kind: "server",
    layer: "it",
    zone,
    software: [],
    protocols: [],
    exposed: false,
    monitored: false,
    end_of_life: false,
    requires,
  };
}

export function makeService(
  id: string,
  population: number,
  requires: Requirement[] = [],
  fallback?: { level: number; after: number; lasts: number },
): CityModel["services"][number] {
  return {
    id: id as Service["id"],
    name: id,
    sector: "other",
    population,
    impact: { confidentiality: "low", integrity: "low", availability: "high" },
    requires,
    ...(fallback ? { fallback } : {}),
  };
}

export function makeModel(parts: {
  assets?: Asset[];
  services?: CityModel["services"];
  zones?: Zone[];
  conduits?: Conduit[];
}): CityModel {
  const zones = [...(parts.zones ?? [{ id: "z" as Zone["id"] }])];
  if (!zones.some((z) => z.id === "internet")) zones.push({ id: "internet" as Zone["id"], name: "Internet", level: 5 });
  return {
    city: { name: "Test city", population: 1000, currency: "EUR", timezone: "UTC" },
    districts: [],
    services: parts.services ?? [],
    assets: parts.assets ?? [],
    zones,
    conduits: parts.conduits ?? [],
    vendors: [],
    crews: [],
    controls: [],
    people: [],
  };
}

export function req(
  kind: "all" | "any" | "k",
  members: string[],
  opts: { k?: number; buffer?: number; degrade?: number } = {},
): Requirement {
  const k = kind === "all" ? members.length : kind === "any" ? 1 : (opts.k ?? 1);
  const r: Requirement = { kind, k, members, degrade: opts.degrade ?? 0 };
  if (opts.buffer !== undefined) r.buffer = opts.buffer;
  return r;
}

/** A random small model for seed `seed`. */
export function randomModel(seed: number, opts: RandomModelOptions = {}): CityModel {
  const rng = streamFor(seed, 7);
  const nAssets = 1 + rng.int(opts.maxAssets ?? 10);
  const nServices = 1 + rng.int(opts.maxServices ?? 5);
  const nZones = 1 + rng.int(3);
  const zones: Zone[] = [];
  for (let z = 0; z < nZones; z++) {
    const zone: Zone = { id: `z${z}` as Zone["id"] };
    if (rng.next() < 0.5) zone.level = rng.int(5);
    zones.push(zone);
  }
  const zoneIds = [...zones.map((z) => z.id as string), "internet"];
  const assetIds = Array.from({ length: nAssets }, (_, i) => `a${i}`);
  const serviceIds = Array.from({ length: nServices }, (_, i) => `s${i}`);
  const all = [...assetIds, ...serviceIds];
  const maxReqs = opts.maxRequirements ?? 3;
  const maxMembers = opts.maxMembers ?? 4;

  const randomReqs = (): Requirement[] => {
    const out: Requirement[] = [];
    const count = rng.int(maxReqs + 1);
    for (let i = 0; i < count; i++) {
      const size = 1 + rng.int(maxMembers);
      const members: string[] = [];
      for (let j = 0; j < size; j++) {
        // mostly distinct members; now and then a repeated one
        let m = pick(rng, all);
        if (members.includes(m) && rng.next() < 0.8) m = pick(rng, all);
        members.push(m);
      }
      const form = rng.int(4);
      const degrade = rng.next() < 0.3 ? pick(rng, [0.25, 0.5, 0.8]) : 0;
      const buffer = rng.next() < 0.3 ? 1 + rng.int(24) : undefined;
      if (form === 0) out.push(req("all", members.slice(0, 1), { degrade, buffer }));
      else if (form === 1) out.push(req("all", members, { degrade, buffer }));
      else if (form === 2) out.push(req("any", members, { degrade, buffer }));
      else out.push(req("k", members, { k: 1 + rng.int(members.length), degrade, buffer }));
    }
    return out;
  };

  const assets = assetIds.map((id) => makeAsset(id, pick(rng, zoneIds), randomReqs()));
  const services = serviceIds.map((id) => {
    const fallback =
      rng.next() < 0.4
        ? {
            level: pick(rng, [0.25, 0.5, 0.8]),
            after: rng.int(5),
            lasts: rng.next() < 0.5 ? Infinity : 1 + rng.int(48),
          }
        : undefined;
    return makeService(id, 100 * (1 + rng.int(50)), randomReqs(), fallback);
  });
  const conduits: Conduit[] = [];
  const nConduits = rng.int(4);
  for (let c = 0; c < nConduits; c++) {
    conduits.push({
      id: `c${c}` as Conduit["id"],
      from: pick(rng, zoneIds),
      to: pick(rng, zoneIds),
      protocols: [],
      encrypted: false,
      direction: rng.next() < 0.5 ? "both" : "one-way",
    });
  }
  return makeModel({ assets, services, zones, conduits });
}
