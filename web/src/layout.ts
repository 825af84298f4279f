/**
 * A layered layout of the dependency graph: services on top, each asset one layer below the deepest node
 * that needs it; within a layer, nodes ordered by the mean position of their neighbours (a few sweeps).
 */
import type { CityModel } from "./model.ts";

export type GNode = {
  id: string;
  name: string;
  type: "service" | "asset";
  group: string;
  zone?: string;
  sector?: string;
  x: number;
  y: number;
  layer: number;
};
export type GEdge = { from: string; to: string };
export type Graph = { nodes: GNode[]; edges: GEdge[]; byId: Map<string, GNode>; width: number; height: number };

export const NODE_W = 150;
export const NODE_H = 34;
const GAP_X = 24;
const GAP_Y = 90;

export function layout(model: CityModel, keep?: Set<string>): Graph {
  const all = [
    ...model.services.map((s) => ({
      id: s.id,
      name: s.name,
      type: "service" as const,
      group: s.sector,
      sector: s.sector as string | undefined,
      zone: undefined as string | undefined,
      requires: s.requires,
    })),
    ...model.assets.map((a) => ({
      id: a.id,
      name: a.name,
      type: "asset" as const,
      group: a.layer,
      sector: undefined as string | undefined,
      zone: a.zone as string | undefined,
      requires: a.requires,
    })),
  ].filter((n) => !keep || keep.has(n.id));
  const ids = new Set(all.map((n) => n.id));
  const edges: GEdge[] = [];
  for (const n of all)
    for (const r of n.requires) for (const m of r.members) if (ids.has(m)) edges.push({ from: n.id, to: m });
  const out = new Map<string, string[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  // longest path from the services, bounded (cycles stop growing after n rounds)
  const layer = new Map<string, number>();
  for (const n of all) layer.set(n.id, n.type === "service" ? 0 : 1);
  for (let round = 0; round < 12; round++) {
    let changed = false;
    for (const e of edges) {
      const want = (layer.get(e.from) ?? 0) + 1;
      const to = all.find((x) => x.id === e.to);
      if (to?.type === "service") continue;
      if ((layer.get(e.to) ?? 0) < want && want < 12) {
        layer.set(e.to, want);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const layers: string[][] = [];
  for (const n of all) {
    const li = layer.get(n.id) ?? 0;
    layers[li] ??= [];
    layers[li].push(n.id);
  }
  const pos = new Map<string, number>();
  for (const l of layers) {
    l?.sort();
    l?.forEach((id, i) => {
      pos.set(id, i - l.length / 2);
    });
  }
  const neighbours = new Map<string, string[]>();
  for (const e of edges) {
    neighbours.set(e.from, [...(neighbours.get(e.from) ?? []), e.to]);
    neighbours.set(e.to, [...(neighbours.get(e.to) ?? []), e.from]);
  }
  for (let sweep = 0; sweep < 6; sweep++) {
    for (const l of layers) {
      if (!l) continue;
      const bary = (id: string) => {
        const ns = neighbours.get(id) ?? [];
        return ns.length ? ns.reduce((a, n) => a + (pos.get(n) ?? 0), 0) / ns.length : (pos.get(id) ?? 0);
      };
      const b = new Map(l.map((id) => [id, bary(id)]));
      l.sort((x, y) => (b.get(x) as number) - (b.get(y) as number));
      l.forEach((id, i) => {
        pos.set(id, i - l.length / 2);
      });
    }
  }
  // a layer wider than maxRow wraps onto several rows, so the map stays readable on any screen
  const maxRow = Math.max(8, Math.ceil(Math.sqrt(all.length) * 1.4));
  const widest = Math.max(1, ...layers.map((l) => Math.min(maxRow, l?.length ?? 0)));
  const width = widest * (NODE_W + GAP_X);
  const nodes: GNode[] = [];
  const byId = new Map<string, GNode>();
  let y = 20;
  layers.forEach((l, li) => {
    if (!l) return;
    for (let r = 0; r * maxRow < l.length; r++) {
      const row = l.slice(r * maxRow, (r + 1) * maxRow);
      row.forEach((id, i) => {
        const n = all.find((x) => x.id === id)!;
        const x = width / 2 + (i - row.length / 2 + 0.5) * (NODE_W + GAP_X);
        const g: GNode = {
          id,
          name: n.name,
          type: n.type,
          group: n.group,
          zone: n.zone,
          sector: n.sector,
          x,
          y,
          layer: li,
        };
        nodes.push(g);
        byId.set(id, g);
      });
      y += NODE_H + (r * maxRow + maxRow < l.length ? 16 : GAP_Y);
    }
  });
  const height = y + 20;
  return { nodes, edges, byId, width, height };
}

/** Everything a node needs, transitively (itself included). */
export function dependencies(model: CityModel, id: string): Set<string> {
  const req = new Map<string, string[]>();
  for (const x of [...model.services, ...model.assets])
    req.set(
      x.id,
      x.requires.flatMap((r) => r.members),
    );
  const seen = new Set([id]);
  const stack = [id];
  while (stack.length) {
    for (const m of req.get(stack.pop()!) ?? []) {
      if (!seen.has(m)) {
        seen.add(m);
        stack.push(m);
      }
    }
  }
  return seen;
}

/** Everything that needs a node, transitively (itself included). */
export function dependents(model: CityModel, id: string): Set<string> {
  const rev = new Map<string, string[]>();
  for (const x of [...model.services, ...model.assets])
    for (const r of x.requires) for (const m of r.members) rev.set(m, [...(rev.get(m) ?? []), x.id]);
  const seen = new Set([id]);
  const stack = [id];
  while (stack.length) {
    for (const m of rev.get(stack.pop()!) ?? []) {
      if (!seen.has(m)) {
        seen.add(m);
        stack.push(m);
      }
    }
  }
  return seen;
}
