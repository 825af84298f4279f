/**
 * The one place live detection meets the city model: asset id -> zone and services at risk (one
 * `servicesAtRisk`, the graph index's), computed once per model. Pure.
 */
import { buildIndex, servicesAtRisk } from "../../model/graph.ts";
import type { CityModel } from "../../model/model.ts";
import type { AssetContext } from "./alert.ts";

export type AssetPlaces = Map<string, AssetContext>;

/** Every asset of the model with its zone and the services that depend on it, transitively. */
export function assetPlaces(model: CityModel): AssetPlaces {
  const index = buildIndex(model);
  const out: AssetPlaces = new Map();
  for (const a of model.assets) {
    const node = index.nodeOf.get(a.id);
    const services = node === undefined ? [] : servicesAtRisk(index, node).map((n) => index.nodeId[n]);
    out.set(a.id, { zone: a.zone ?? null, services });
  }
  return out;
}

/**
 * Detector keys (`asset` or `site/asset`) naming assets the model does not have ([LIV-2]: an error at start).
 */
export function unknownDetectorAssets(places: AssetPlaces, keys: Iterable<string>): string[] {
  const out: string[] = [];
  for (const k of keys) {
    const asset = k.includes("/") ? k.slice(k.indexOf("/") + 1) : k;
    if (!places.has(asset)) out.push(k);
  }
  return out;
}
