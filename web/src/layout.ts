/**
 * Readable views of the dependency graph. A city has hundreds of assets, so the map never draws them all at
 * once: it draws a focus (one service, a sector, a zone, an attack path, the assets a simulated run touched)
 * left to right, service -> what it needs -> what that needs, with siblings that look alike folded into one
 * "x N" node that opens on click.
 */
import type { Asset, CityModel, Service } from "./model.ts";

export type NodeKind = "service" | "asset" | "group" | "zone";
export type GNode = {
  id: string;
  label: string;
  /** Second line: kind, zone, counts. */
  sub: string;
  type: NodeKind;
  /** Colour key: "service" or the asset layer (it, ot, iot, network, cloud). */
  layer: string;
  /** Another service drawn as an end point (not expanded here). */
  ext?: boolean;
  /** Folded siblings. */
  members?: string[];
  col: number;
  x: number;
  y: number;
};
export type GEdge = { from: string; to: string; via?: boolean };
export type Graph = { nodes: GNode[]; edges: GEdge[]; byId: Map<string, GNode>; width: number; height: number };
export type NodeIn = Omit<GNode, "col" | "x" | "y">;

export const NODE_W = 270;
export const NODE_H = 42;
const GAP_X = 90;
const GAP_Y = 12;
const PAD = 16;

export type Index = {
  services: Map<string, Service>;
  assets: Map<string, Asset>;
  /** Direct requirements (members of every requirement). */
  needs: Map<string, string[]>;
  /** Direct dependents. */
  neededBy: Map<string, string[]>;
};

export function indexModel(model: CityModel): Index {
  const needs = new Map<string, string[]>();
  const neededBy = new Map<string, string[]>();
  for (const x of [...model.services, ...model.assets]) {
    const ms = [...new Set(x.requires.flatMap((r) => r.members))];
    needs.set(x.id, ms);
    for (const m of ms) {
      const l = neededBy.get(m);
      if (l) l.push(x.id);
      else neededBy.set(m, [x.id]);
    }
  }
  return {
    services: new Map(model.services.map((s) => [s.id, s])),
    assets: new Map(model.assets.map((a) => [a.id, a])),
    needs,
    neededBy,
  };
}

function nodeOf(ix: Index, id: string, ext = false): NodeIn {
  const s = ix.services.get(id);
  if (s)
    return {
      id,
      label: s.name,
      sub: ext ? `service · ${s.sector} (open)` : `service · ${s.sector}`,
      type: "service",
      layer: "service",
      ext,
    };
  const a = ix.assets.get(id);
  if (a) return { id, label: a.name, sub: `${a.kind} · ${a.layer} · ${a.zone}`, type: "asset", layer: a.layer, ext };
  return { id, label: id, sub: "", type: "asset", layer: "other", ext };
}

/**
 * What the given services need, transitively, stopping at other services (drawn as end points one click
 * away), so one service's map holds tens of nodes rather than the whole city.
 */
export function serviceView(ix: Index, roots: string[], expanded: Set<string>): Graph {
  const rootSet = new Set(roots);
  const seen = new Set(roots);
  const stack = [...roots];
  const edges: GEdge[] = [];
  while (stack.length) {
    const id = stack.pop() as string;
    if (!rootSet.has(id) && ix.services.has(id)) continue;
    for (const m of ix.needs.get(id) ?? []) {
      // a dependency that needs the service back (power for a substation's RTU) would loop: not drawn
      if (rootSet.has(m)) continue;
      edges.push({ from: id, to: m });
      if (!seen.has(m)) {
        seen.add(m);
        stack.push(m);
      }
    }
  }
  const nodes = [...seen].map((id) => nodeOf(ix, id, !rootSet.has(id) && ix.services.has(id)));
  return layered(fold(nodes, edges, expanded));
}

/** A zone's assets, what needs them and what they need (one step each way; outside nodes as end points). */
export function zoneView(ix: Index, zone: string, expanded: Set<string>): Graph {
  const inside = [...ix.assets.values()].filter((a) => a.zone === zone).map((a): string => a.id);
  const ins = new Set(inside);
  const ids = new Set(inside);
  const edges: GEdge[] = [];
  for (const id of inside) {
    for (const m of ix.needs.get(id) ?? []) {
      ids.add(m);
      edges.push({ from: id, to: m });
    }
    for (const d of ix.neededBy.get(id) ?? []) {
      if (ins.has(d)) continue;
      ids.add(d);
      edges.push({ from: d, to: id });
    }
  }
  const nodes = [...ids].map((id) => nodeOf(ix, id, !ins.has(id)));
  return layered(fold(nodes, dedupe(edges), expanded));
}

/** The city folded by zone: services, then one node per zone (asset count), edges where anything needs across. */
export function cityView(ix: Index, zones: { id: string; name?: string }[]): Graph {
  const zoneOf = (id: string) => ix.assets.get(id)?.zone;
  const count = new Map<string, number>();
  for (const a of ix.assets.values()) count.set(a.zone, (count.get(a.zone) ?? 0) + 1);
  const edges = new Map<string, GEdge>();
  for (const [from, ms] of ix.needs) {
    const fz = ix.services.has(from) ? from : `zone:${zoneOf(from)}`;
    for (const m of ms) {
      const tz = ix.services.has(m) ? m : `zone:${zoneOf(m)}`;
      if (fz !== tz) edges.set(`${fz}>${tz}`, { from: fz, to: tz });
    }
  }
  const nodes: NodeIn[] = [
    ...[...ix.services.values()].map((s) => nodeOf(ix, s.id)),
    ...zones
      .filter((z) => count.has(z.id))
      .map((z) => ({
        id: `zone:${z.id}`,
        label: z.name ?? z.id,
        sub: `zone ${z.id} · ${count.get(z.id)} assets`,
        type: "zone" as const,
        layer: "zone",
      })),
  ];
  return layered({ nodes, edges: [...edges.values()] });
}

/**
 * A subgraph of chosen nodes (touched by a simulated run, on an attack path): an edge joins two chosen nodes
 * when one needs the other directly, or through nodes that were not chosen (then drawn dashed).
 */
export function subsetView(ix: Index, ids: Iterable<string>): Graph {
  const keep = new Set(ids);
  const edges: GEdge[] = [];
  for (const id of keep) {
    const seen = new Set<string>([id]);
    const queue = (ix.needs.get(id) ?? []).map((m) => ({ m, via: false }));
    while (queue.length) {
      const { m, via } = queue.shift() as { m: string; via: boolean };
      if (seen.has(m)) continue;
      seen.add(m);
      if (keep.has(m)) {
        edges.push({ from: id, to: m, via });
        continue;
      }
      for (const n of ix.needs.get(m) ?? []) queue.push({ m: n, via: true });
    }
  }
  return layered({ nodes: [...keep].map((id) => nodeOf(ix, id)), edges });
}

function dedupe(edges: GEdge[]): GEdge[] {
  const m = new Map<string, GEdge>();
  for (const e of edges) m.set(`${e.from}>${e.to}`, e);
  return [...m.values()];
}

/**
 * Folds siblings that look alike (same kind, same neighbours in the view, nothing further below) into one
 * node when there are four or more, unless that group was expanded.
 */
export function fold(nodes: NodeIn[], edges: GEdge[], expanded: Set<string>): { nodes: NodeIn[]; edges: GEdge[] } {
  const ins = new Map<string, string[]>();
  const outs = new Map<string, string[]>();
  for (const e of edges) {
    ins.set(e.to, [...(ins.get(e.to) ?? []), e.from]);
    outs.set(e.from, [...(outs.get(e.from) ?? []), e.to]);
  }
  const groups = new Map<string, NodeIn[]>();
  for (const n of nodes) {
    if (n.type !== "asset" || n.ext) continue;
    const kind = n.sub.split(" · ")[0];
    const key = `${kind}|${n.layer}|${[...(ins.get(n.id) ?? [])].sort().join(",")}|${[...(outs.get(n.id) ?? [])].sort().join(",")}`;
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  const into = new Map<string, string>();
  const out: NodeIn[] = [];
  for (const members of groups.values()) {
    if (members.length < 4) continue;
    const ids = members.map((m) => m.id).sort();
    const gid = `group:${ids[0]}+${ids.length}`;
    if (expanded.has(gid)) continue;
    const kind = members[0].sub.split(" · ")[0];
    const zones = [...new Set(members.map((m) => m.sub.split(" · ")[2]))];
    for (const id of ids) into.set(id, gid);
    out.push({
      id: gid,
      label: `${members.length} × ${kind}`,
      sub: `${members[0].layer} · ${zones.length === 1 ? zones[0] : `${zones.length} zones`} · click to open`,
      type: "group",
      layer: members[0].layer,
      members: ids,
    });
  }
  for (const n of nodes) if (!into.has(n.id)) out.push(n);
  const mapped = edges.map((e) => ({ ...e, from: into.get(e.from) ?? e.from, to: into.get(e.to) ?? e.to }));
  return { nodes: out, edges: dedupe(mapped.filter((e) => e.from !== e.to)) };
}

/**
 * Layered layout, left to right: each node one column right of the deepest node that needs it (bounded, so
 * cycles cannot grow it), ordered within a column by the mean row of its neighbours (a few sweeps).
 */
export function layered({ nodes, edges }: { nodes: NodeIn[]; edges: GEdge[] }): Graph {
  const ids = new Set(nodes.map((n) => n.id));
  const es = edges.filter((e) => ids.has(e.from) && ids.has(e.to));
  const col = new Map<string, number>();
  const isService = new Map(nodes.map((n) => [n.id, n.type === "service" && !n.ext]));
  for (const n of nodes) col.set(n.id, isService.get(n.id) ? 0 : 1);
  const maxCol = 8;
  for (let round = 0; round < maxCol + 2; round++) {
    let changed = false;
    for (const e of es) {
      if (isService.get(e.to)) continue;
      const want = Math.min(maxCol, (col.get(e.from) ?? 0) + 1);
      if ((col.get(e.to) ?? 0) < want) {
        col.set(e.to, want);
        changed = true;
      }
    }
    if (!changed) break;
  }
  // nodes nothing in the view needs start in column 0 when no service is there
  const hasIn = new Set(es.map((e) => e.to));
  if (!nodes.some((n) => isService.get(n.id))) for (const n of nodes) if (!hasIn.has(n.id)) col.set(n.id, 0);
  const cols: string[][] = [];
  const linked = new Set(es.flatMap((e) => [e.from, e.to]));
  const alone = nodes.filter((n) => !linked.has(n.id)).map((n) => n.id);
  for (const n of nodes) {
    if (!linked.has(n.id) && alone.length > 1) continue;
    const c = col.get(n.id) ?? 0;
    cols[c] ??= [];
    cols[c].push(n.id);
  }
  const filled = cols.filter(Boolean);
  // nodes with no link in the view are packed into a block of columns after the rest, not one tall column
  if (alone.length > 1) {
    const rows = Math.max(6, ...filled.map((c) => c.length), Math.ceil(Math.sqrt(alone.length * 2)));
    alone.sort();
    for (let i = 0; i < alone.length; i += rows) filled.push(alone.slice(i, i + rows));
  }
  const row = new Map<string, number>();
  const byNode = new Map(nodes.map((n) => [n.id, n]));
  for (const c of filled) {
    c.sort((a, b) => (byNode.get(a)?.label ?? a).localeCompare(byNode.get(b)?.label ?? b));
    c.forEach((id, i) => {
      row.set(id, i - c.length / 2);
    });
  }
  const nb = new Map<string, string[]>();
  for (const e of es) {
    nb.set(e.from, [...(nb.get(e.from) ?? []), e.to]);
    nb.set(e.to, [...(nb.get(e.to) ?? []), e.from]);
  }
  for (let sweep = 0; sweep < 8; sweep++) {
    const order = sweep % 2 ? [...filled].reverse() : filled;
    for (const c of order) {
      const bary = new Map(
        c.map((id) => {
          const ns = nb.get(id) ?? [];
          return [id, ns.length ? ns.reduce((s, n) => s + (row.get(n) ?? 0), 0) / ns.length : (row.get(id) ?? 0)];
        }),
      );
      c.sort((a, b) => (bary.get(a) as number) - (bary.get(b) as number));
      c.forEach((id, i) => {
        row.set(id, i - c.length / 2);
      });
    }
  }
  const tallest = Math.max(1, ...filled.map((c) => c.length));
  const height = PAD * 2 + tallest * (NODE_H + GAP_Y) - GAP_Y;
  const width = PAD * 2 + filled.length * (NODE_W + GAP_X) - GAP_X;
  const out: GNode[] = [];
  const byId = new Map<string, GNode>();
  filled.forEach((c, ci) => {
    const top = PAD;
    c.forEach((id, i) => {
      const n = byNode.get(id) as NodeIn;
      const g: GNode = { ...n, col: ci, x: PAD + ci * (NODE_W + GAP_X), y: top + i * (NODE_H + GAP_Y) };
      out.push(g);
      byId.set(id, g);
    });
  });
  return { nodes: out, edges: es, byId, width: Math.max(width, NODE_W + 2 * PAD), height };
}

/** Everything a node needs, transitively (itself included). */
export function dependencies(ix: Index, id: string): Set<string> {
  return closure(ix.needs, id);
}

/** Everything that needs a node, transitively (itself included). */
export function dependents(ix: Index, id: string): Set<string> {
  return closure(ix.neededBy, id);
}

function closure(next: Map<string, string[]>, id: string): Set<string> {
  const seen = new Set([id]);
  const stack = [id];
  while (stack.length) {
    for (const m of next.get(stack.pop() as string) ?? []) {
      if (!seen.has(m)) {
        seen.add(m);
        stack.push(m);
      }
    }
  }
  return seen;
}
