/** The dependency map: an SVG graph with pan (drag) and zoom (wheel), node selection and overlays. */
import { useMemo, useRef, useState } from "react";
import { type Graph, NODE_H, NODE_W } from "./layout.ts";

export type Overlay = {
  /** Node id -> level in [0, 1] (colours the node from red to green). */
  levels?: Map<string, number>;
  /** Highlighted path: node ids in order (drawn as a thick red line). */
  path?: string[];
  /** Nodes drawn emphasised. */
  marked?: Set<string>;
};

function levelColour(l: number): string {
  const hue = Math.round(120 * Math.max(0, Math.min(1, l)));
  return `hsl(${hue} 70% 38%)`;
}

export function GraphView({
  graph,
  overlay,
  selected,
  onSelect,
}: {
  graph: Graph;
  overlay?: Overlay;
  selected?: string;
  onSelect?: (id: string) => void;
}) {
  const [view, setView] = useState({ x: 0, y: 0, k: 1 });
  const drag = useRef<{ x: number; y: number; vx: number; vy: number } | null>(null);
  const w = Math.max(graph.width, 600);
  const h = Math.max(graph.height, 300);
  const vb = `${view.x} ${view.y} ${w / view.k} ${h / view.k}`;
  const pathEdges = useMemo(() => {
    const p = overlay?.path ?? [];
    const out: [string, string][] = [];
    for (let i = 1; i < p.length; i++) out.push([p[i - 1], p[i]]);
    return out;
  }, [overlay?.path]);
  const onPath = new Set(overlay?.path ?? []);
  return (
    <svg
      className="graph"
      viewBox={vb}
      role="img"
      aria-label="dependency map"
      onWheel={(e) => {
        const k = Math.max(0.3, Math.min(6, view.k * (e.deltaY < 0 ? 1.15 : 1 / 1.15)));
        setView({ ...view, k });
      }}
      onMouseDown={(e) => {
        drag.current = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y };
      }}
      onMouseMove={(e) => {
        const d = drag.current;
        if (d) setView({ ...view, x: d.vx - (e.clientX - d.x) / view.k, y: d.vy - (e.clientY - d.y) / view.k });
      }}
      onMouseUp={() => {
        drag.current = null;
      }}
      onMouseLeave={() => {
        drag.current = null;
      }}
    >
      <g className="edges">
        {graph.edges.map((e) => {
          const a = graph.byId.get(e.from)!;
          const b = graph.byId.get(e.to)!;
          const hot = selected && (e.from === selected || e.to === selected);
          return (
            <line
              key={`${e.from}>${e.to}`}
              x1={a.x}
              y1={a.y + NODE_H}
              x2={b.x}
              y2={b.y}
              className={hot ? "edge hot" : "edge"}
            />
          );
        })}
        {pathEdges.map(([f, t]) => {
          const a = graph.byId.get(f);
          const b = graph.byId.get(t);
          if (!a || !b) return null;
          return (
            <line
              key={`p${f}>${t}`}
              x1={a.x}
              y1={a.y + NODE_H / 2}
              x2={b.x}
              y2={b.y + NODE_H / 2}
              className="edge attack"
            />
          );
        })}
      </g>
      {graph.nodes.map((n) => {
        const level = overlay?.levels?.get(n.id);
        const cls = [
          "node",
          n.type,
          selected === n.id ? "selected" : "",
          onPath.has(n.id) ? "on-path" : "",
          overlay?.marked?.has(n.id) ? "marked" : "",
        ].join(" ");
        return (
          // biome-ignore lint/a11y/noStaticElementInteractions: SVG nodes; the details are also reachable by the filters
          <g
            key={n.id}
            className={cls}
            data-id={n.id}
            transform={`translate(${n.x - NODE_W / 2},${n.y})`}
            onClick={() => onSelect?.(n.id)}
          >
            <rect
              width={NODE_W}
              height={NODE_H}
              rx={n.type === "service" ? 14 : 4}
              fill={level === undefined ? undefined : levelColour(level)}
            />
            <text x={NODE_W / 2} y={NODE_H / 2 + 4} textAnchor="middle">
              {n.name.length > 22 ? `${n.name.slice(0, 21)}…` : n.name}
            </text>
            <title>{`${n.name} (${n.id})${level === undefined ? "" : ` level ${Math.round(level * 100)}%`}`}</title>
          </g>
        );
      })}
    </svg>
  );
}
