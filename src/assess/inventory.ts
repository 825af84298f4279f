/**
 * The views people look for: the asset inventory ([INV-1]) and the zones and conduits with their security levels
 * ([ZON-1]). Pure functions of the model (and of the support sets, for the services each asset supports).
 */
import type { CityIndex } from "../model/graph.ts";
import { supportedServices, supportSets } from "./categorize.ts";

export type InventoryRow = {
  id: string;
  name: string;
  kind: string;
  layer: string;
  zone: string;
  zoneName: string;
  /** Purdue level of the zone, null when the model gives none. */
  level: number | null;
  vendor: string;
  software: string[];
  /** "unknown" when the model gives none. */
  auth: string;
  protocols: string[];
  exposed: boolean;
  monitored: boolean;
  endOfLife: boolean;
  backup: "none" | "online" | "offline";
  /** Services the asset supports through any chain of requirements. */
  services: string[];
};

export type InventoryFilter = {
  auth?: string[];
  protocol?: string[];
  exposed?: boolean;
  vendor?: string[];
  zone?: string[];
  layer?: string[];
  kind?: string[];
};

export type ZoneRow = {
  id: string;
  name: string;
  level: number | null;
  slTarget: number | null;
  slAchieved: number | null;
  /** target - achieved when both are given (positive: below target), else null. */
  gap: number | null;
  assets: number;
  conduitsIn: number;
  conduitsOut: number;
};

export type ConduitRow = {
  id: string;
  from: string;
  to: string;
  protocols: string[];
  via: string;
  auth: string;
  encrypted: boolean;
  direction: string;
  /** The lower achieved SL of its two zones (null when neither gives one). */
  slAchieved: number | null;
};

const swName = (s: { vendor?: string; product: string; version?: string }) =>
  `${s.vendor ? `${s.vendor} ` : ""}${s.product}${s.version ? ` ${s.version}` : ""}`;

/** [INV-1] One row per asset, in model order. */
export function inventory(index: CityIndex): InventoryRow[] {
  const { model } = index;
  const zones = new Map(model.zones.map((z) => [z.id as string, z]));
  const sup = supportSets(index);
  return model.assets.map((a, i) => {
    const z = zones.get(a.zone);
    return {
      id: a.id,
      name: a.name,
      kind: a.kind,
      layer: a.layer,
      zone: a.zone,
      zoneName: z?.name ?? a.zone,
      level: a.zone === "internet" ? 5 : (z?.level ?? null),
      vendor: a.vendor ?? "",
      software: a.software.map(swName),
      auth: a.auth ?? "unknown",
      protocols: [...a.protocols],
      exposed: a.exposed,
      monitored: a.monitored,
      endOfLife: a.end_of_life,
      backup: a.backup ? (a.backup.offline ? "offline" : "online") : "none",
      services: [...supportedServices(sup, i)].map((j) => model.services[j].id),
    };
  });
}

const has = (want: string[] | undefined, v: string) => !want?.length || want.includes(v);

/** [INV-1] Rows that pass every given criterion (any value within one criterion). */
export function filterInventory(rows: readonly InventoryRow[], q: InventoryFilter): InventoryRow[] {
  return rows.filter(
    (r) =>
      has(q.auth, r.auth) &&
      (!q.protocol?.length || r.protocols.some((p) => q.protocol?.includes(p))) &&
      (q.exposed === undefined || r.exposed === q.exposed) &&
      has(q.vendor, r.vendor) &&
      has(q.zone, r.zone) &&
      has(q.layer, r.layer) &&
      has(q.kind, r.kind),
  );
}

/** [ZON-1] Zones (model order) and conduits with their security levels. */
export function zoneTables(index: CityIndex): { zones: ZoneRow[]; conduits: ConduitRow[] } {
  const { model } = index;
  const count = new Map<string, number>();
  for (const a of model.assets) count.set(a.zone, (count.get(a.zone) ?? 0) + 1);
  const zoneBy = new Map(model.zones.map((z) => [z.id as string, z]));
  const zones: ZoneRow[] = model.zones.map((z) => {
    const t = z.sl?.target ?? null;
    const a = z.sl?.achieved ?? null;
    return {
      id: z.id,
      name: z.name ?? z.id,
      level: z.id === "internet" ? 5 : (z.level ?? null),
      slTarget: t,
      slAchieved: a,
      gap: t !== null && a !== null ? t - a : null,
      assets: count.get(z.id) ?? 0,
      conduitsIn: model.conduits.filter((c) => c.to === z.id || (c.direction === "both" && c.from === z.id)).length,
      conduitsOut: model.conduits.filter((c) => c.from === z.id || (c.direction === "both" && c.to === z.id)).length,
    };
  });
  const conduits: ConduitRow[] = model.conduits.map((c) => {
    const sls = [zoneBy.get(c.from)?.sl?.achieved, zoneBy.get(c.to)?.sl?.achieved].filter(
      (x): x is number => x !== undefined,
    );
    return {
      id: c.id,
      from: c.from,
      to: c.to,
      protocols: [...c.protocols],
      via: c.via ?? "",
      auth: c.auth ?? "unknown",
      encrypted: c.encrypted,
      direction: c.direction,
      slAchieved: sls.length ? Math.min(...sls) : null,
    };
  });
  return { zones, conduits };
}
