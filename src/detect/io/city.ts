/**
 * The one place detection meets the city model: asset id -> zone and services at risk. Loaded lazily so that
 * detection works without a model (alerts then name the asset only).
 */
import type { DetectIssue, Result } from "../errors.ts";

export interface AssetContext {
  zone?: string;
  services: string[];
}

export type CityLookup = (assetId: string) => AssetContext | null;

export async function loadCityLookup(path: string): Promise<Result<{ lookup: CityLookup; assets: number }>> {
  const load = await import("../../model/load.ts");
  const graph = await import("../../model/graph.ts");
  const r = await load.loadModel(path);
  if (!r.ok) {
    const issues: DetectIssue[] = r.issues.slice(0, 20).map((i) => {
      const x = i as unknown as { code?: string; message?: string; file?: string; line?: number; column?: number };
      return {
        code: x.code ?? "MODEL_INVALID",
        message: x.message ?? "invalid city model",
        file: x.file ?? path,
        line: x.line,
        column: x.column,
      };
    });
    return { ok: false, issues };
  }
  const model = r.model as unknown as { assets?: { id: string; zone?: string }[] };
  const index = graph.buildIndex(r.model);
  const byId = new Map<string, AssetContext>();
  for (const a of model.assets ?? []) {
    const node = index.nodeOf.get(a.id);
    const services = node === undefined ? [] : graph.servicesAtRisk(index, node).map((n) => index.nodeId[n]);
    byId.set(a.id, { zone: a.zone, services });
  }
  return { ok: true, value: { lookup: (id) => byId.get(id) ?? null, assets: byId.size } };
}
