/** Summaries of a model for people: counts by kind, layer, zone and sector, and the requirement graph. */

import type { CityModel } from "./model.ts";
import { formatDuration } from "./primitives.ts";

export type Description = {
  city: { name: string; population: number };
  counts: Record<
    "districts" | "assets" | "services" | "zones" | "conduits" | "vendors" | "crews" | "controls" | "people",
    number
  >;
  assetsByKind: Record<string, number>;
  assetsByLayer: Record<string, number>;
  assetsByZone: Record<string, number>;
  servicesBySector: Record<string, number>;
  services: {
    id: string;
    name: string;
    sector: string;
    population: number;
    objectives: { rto?: string; rpo?: string; mtd?: string; restore?: { level: number; within: string }[] };
    fallback?: { level: number; after: string; lasts?: string };
  }[];
};

function tally<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) {
    const k = key(i);
    out[k] = (out[k] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
}

export function describeModel(m: CityModel): Description {
  const d = (h: number | undefined) => (h === undefined ? undefined : formatDuration(h));
  return {
    city: { name: m.city.name, population: m.city.population },
    counts: {
      districts: m.districts.length,
      assets: m.assets.length,
      services: m.services.length,
      zones: m.zones.filter((z) => z.id !== "internet").length,
      conduits: m.conduits.length,
      vendors: m.vendors.length,
      crews: m.crews.length,
      controls: m.controls.length,
      people: m.people.length,
    },
    assetsByKind: tally(m.assets, (a) => a.kind),
    assetsByLayer: tally(m.assets, (a) => a.layer),
    assetsByZone: tally(m.assets, (a) => a.zone),
    servicesBySector: tally(m.services, (s) => s.sector),
    services: m.services.map((s) => ({
      id: s.id,
      name: s.name,
      sector: s.sector,
      population: s.population,
      objectives: {
        rto: d(s.objectives?.rto),
        rpo: d(s.objectives?.rpo),
        mtd: d(s.objectives?.mtd),
        restore: s.objectives?.restore?.map((r) => ({ level: r.level, within: formatDuration(r.within) })),
      },
      fallback: s.fallback
        ? {
            level: s.fallback.level,
            after: formatDuration(s.fallback.after),
            lasts: Number.isFinite(s.fallback.lasts) ? formatDuration(s.fallback.lasts) : undefined,
          }
        : undefined,
    })),
  };
}

export type GraphNode = { id: string; type: "service" | "asset"; label: string; group: string };
export type GraphEdge = {
  from: string;
  to: string;
  kind: "all" | "any" | "k";
  k: number;
  buffer?: number;
  degrade: number;
};

/** The requirement graph (edges from what needs to what is needed); with `service`, only what it depends on. */
export function requirementGraph(m: CityModel, service?: string): { nodes: GraphNode[]; edges: GraphEdge[] } | string {
  const needs = new Map<string, { reqs: CityModel["assets"][number]["requires"]; node: GraphNode }>();
  for (const s of m.services)
    needs.set(s.id, { reqs: s.requires, node: { id: s.id, type: "service", label: s.name, group: s.sector } });
  for (const a of m.assets)
    needs.set(a.id, { reqs: a.requires, node: { id: a.id, type: "asset", label: a.name, group: a.layer } });
  let keep: Set<string> | undefined;
  if (service !== undefined) {
    const s = m.services.find((x) => x.id === service);
    if (!s) return `unknown service "${service}"`;
    keep = new Set();
    const stack = [service];
    while (stack.length) {
      const id = stack.pop() as string;
      if (keep.has(id)) continue;
      keep.add(id);
      for (const r of needs.get(id)?.reqs ?? []) for (const mem of r.members) stack.push(mem);
    }
  }
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  for (const [id, { reqs, node }] of needs) {
    if (keep && !keep.has(id)) continue;
    nodes.push(node);
    for (const r of reqs)
      for (const mem of r.members)
        edges.push({ from: id, to: mem, kind: r.kind, k: r.k, buffer: r.buffer, degrade: r.degrade });
  }
  return { nodes, edges };
}

function edgeLabel(e: GraphEdge): string {
  const parts: string[] = [];
  if (e.kind === "any") parts.push("any");
  if (e.kind === "k") parts.push(`${e.k}-of-n`);
  if (e.buffer !== undefined) parts.push(`buffer ${formatDuration(e.buffer)}`);
  if (e.degrade > 0) parts.push(`degrade ${e.degrade}`);
  return parts.join(", ");
}

export function toDot(g: { nodes: GraphNode[]; edges: GraphEdge[] }): string {
  const q = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  const lines = ["digraph rampart {", "  rankdir=LR;", "  node [fontname=Helvetica];"];
  for (const n of g.nodes)
    lines.push(`  ${q(n.id)} [label=${q(n.label)}, shape=${n.type === "service" ? "doubleoctagon" : "box"}];`);
  for (const e of g.edges) {
    const l = edgeLabel(e);
    lines.push(
      `  ${q(e.from)} -> ${q(e.to)}${l ? ` [label=${q(l)}${e.kind !== "all" ? ", style=dashed" : ""}]` : ""};`,
    );
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

export function toMermaid(g: { nodes: GraphNode[]; edges: GraphEdge[] }): string {
  const id = (s: string) => s.replace(/-/g, "_");
  const text = (s: string) => s.replace(/["[\](){}|<>]/g, " ");
  const lines = ["flowchart LR"];
  for (const n of g.nodes)
    lines.push(n.type === "service" ? `  ${id(n.id)}{{"${text(n.label)}"}}` : `  ${id(n.id)}["${text(n.label)}"]`);
  for (const e of g.edges) {
    const l = edgeLabel(e);
    lines.push(`  ${id(e.from)} ${e.kind === "all" ? "-->" : "-.->"}${l ? `|${text(l)}|` : ""} ${id(e.to)}`);
  }
  return `${lines.join("\n")}\n`;
}
