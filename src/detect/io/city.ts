/** Loads the city model for `detect watch`: the catalog of its assets ([LIV-2], [LIV-3]). */
import { loadModel } from "../../model/load.ts";
import type { DetectIssue, Result } from "../errors.ts";
import { type AssetPlaces, assetPlaces, unknownDetectorAssets } from "../live/city.ts";
import type { Catalog } from "../live/pipeline.ts";

export type CityCatalog = { places: AssetPlaces; catalog: Catalog; assets: number; path: string };

export async function loadCityCatalog(path: string): Promise<Result<CityCatalog>> {
  const r = await loadModel(path);
  if (!r.ok) {
    const issues: DetectIssue[] = r.issues.slice(0, 20).map((i) => ({
      code: i.code,
      message: i.path ? `${i.message} [${i.path}]` : i.message,
      file: i.file,
      line: i.line,
      column: i.column,
    }));
    return { ok: false, issues };
  }
  const places = assetPlaces(r.model);
  // one model: every site is this city; an asset it does not have is refused
  const catalog: Catalog = (_site, asset) => places.get(asset) ?? "unknown-asset";
  return { ok: true, value: { places, catalog, assets: places.size, path } };
}

/** A detector naming an asset the model does not have is an error at start, naming the asset. */
export function checkDetectorAssets(city: CityCatalog, keys: string[]): Result<void> {
  const unknown = unknownDetectorAssets(city.places, keys);
  if (unknown.length === 0) return { ok: true, value: undefined };
  return {
    ok: false,
    issues: unknown.map((k) => ({
      code: "UNKNOWN_ASSET",
      message: `a detector is given for asset "${k}", which the model does not have`,
      file: city.path,
    })),
  };
}
