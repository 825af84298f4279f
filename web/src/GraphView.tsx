/**
 * A dependency graph drawn at reading size: nodes are as wide as their labels need and scale with the page's
 * font size (laptop or wall screen); the view scrolls, and zooms with the buttons or Ctrl + wheel.
 */
import { useEffect, useRef, useState } from "react";
import { type GNode, type Graph, NODE_H, NODE_W } from "./layout.ts";

export type NodeState = {
  /** Level in [0, 1]: fills the node from red (0) to green (1). */
  level?: number;
  /** Extra classes: "alert", "compromised", "restored", "marked", "changed". */
  cls?: string;
  /** A short note drawn on the node's right edge ("2 alerts", "45%"). */
  badge?: string;
};

export type Overlay = {
  state?: Map<string, NodeState>;
  /** Highlighted path: node ids in order (drawn as thick red arrows). */
  path?: string[];
};

export const LAYERS: [string, string][] = [
  ["service", "service"],
  ["it", "IT"],
  ["ot", "OT (control)"],
  ["iot", "IoT / field"],
  ["network", "network"],
  ["cloud", "cloud"],
  ["zone", "zone (folded)"],
];

/** A level in [0, 1] as one of eleven colour classes, red (lvl-0) to green (lvl-10): CSS, so no inline style. */
function levelClass(l: number): string {
  return `lvl-${Math.round(10 * Math.max(0, Math.min(1, l)))}`;
}

function rootScale(): number {
  const px = Number.parseFloat(getComputedStyle(document.documentElement).fontSize) || 14;
  return px / 14;
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export function GraphView({
  graph,
  overlay,
  selected,
  onSelect,
  label = "dependency map",
}: {
  graph: Graph;
  overlay?: Overlay;
  selected?: string;
  onSelect?: (n: GNode) => void;
  label?: string;
}) {
  const [zoom, setZoom] = useState(1);
  const [scale, setScale] = useState(1);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const on = () => setScale(rootScale());
    on();
    window.addEventListener("resize", on);
    return () => window.removeEventListener("resize", on);
  }, []);
  const drag = useRef<{ x: number; y: number; l: number; t: number } | null>(null);
  const k = scale * zoom;
  const path = overlay?.path ?? [];
  const onPath = new Set(path);
  const hot = (id: string) => selected === id;
  const edgeD = (a: GNode, b: GNode) => {
    const forward = b.x > a.x;
    const x1 = forward ? a.x + NODE_W : a.x + NODE_W / 2;
    const y1 = forward ? a.y + NODE_H / 2 : a.y + NODE_H;
    const x2 = forward ? b.x : b.x + NODE_W / 2;
    const y2 = forward ? b.y + NODE_H / 2 : b.y;
    const dx = forward ? Math.max(30, (x2 - x1) / 2) : 0;
    const dy = forward ? 0 : 30;
    return `M${x1},${y1} C${x1 + dx},${y1 + dy} ${x2 - dx},${y2 - dy} ${x2},${y2}`;
  };
  return (
    <div className="graph-wrap">
      <div className="graph-tools">
        <button type="button" onClick={() => setZoom((z) => Math.max(0.3, z / 1.25))} aria-label="zoom out">
          −
        </button>
        <button type="button" onClick={() => setZoom(1)} aria-label="actual size">
          {Math.round(zoom * 100)}%
        </button>
        <button type="button" onClick={() => setZoom((z) => Math.min(3, z * 1.25))} aria-label="zoom in">
          +
        </button>
        <button
          type="button"
          onClick={() => {
            const el = box.current;
            if (!el) return;
            setZoom(
              Math.max(
                0.3,
                Math.min(1, el.clientWidth / (graph.width * scale), el.clientHeight / (graph.height * scale)),
              ),
            );
          }}
        >
          Fit
        </button>
        <span className="legend">
          {LAYERS.filter(([l]) => graph.nodes.some((n) => n.layer === l)).map(([l, name]) => (
            <span key={l} className={`key layer-${l}`}>
              {name}
            </span>
          ))}
        </span>
      </div>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: drag to pan; the graph is also reachable by the filters and the details panel */}
      <div
        className="graph"
        ref={box}
        onWheel={(e) => {
          if (!e.ctrlKey) return;
          e.preventDefault();
          setZoom((z) => Math.max(0.3, Math.min(3, z * (e.deltaY < 0 ? 1.1 : 1 / 1.1))));
        }}
        onMouseDown={(e) => {
          const el = box.current;
          if (el) drag.current = { x: e.clientX, y: e.clientY, l: el.scrollLeft, t: el.scrollTop };
        }}
        onMouseMove={(e) => {
          const d = drag.current;
          const el = box.current;
          if (!d || !el) return;
          el.scrollLeft = d.l - (e.clientX - d.x);
          el.scrollTop = d.t - (e.clientY - d.y);
        }}
        onMouseUp={() => {
          drag.current = null;
        }}
        onMouseLeave={() => {
          drag.current = null;
        }}
      >
        <svg
          width={Math.ceil(graph.width * k)}
          height={Math.ceil(graph.height * k)}
          viewBox={`0 0 ${graph.width} ${graph.height}`}
          role="img"
          aria-label={label}
        >
          <defs>
            <marker
              id="arrow"
              viewBox="0 0 10 10"
              refX="9"
              refY="5"
              markerWidth="8"
              markerHeight="8"
              markerUnits="userSpaceOnUse"
              orient="auto"
            >
              <path d="M0,0 L10,5 L0,10 z" className="arrow-head" />
            </marker>
            <marker
              id="arrow-red"
              viewBox="0 0 10 10"
              refX="9"
              refY="5"
              markerWidth="16"
              markerHeight="16"
              markerUnits="userSpaceOnUse"
              orient="auto"
            >
              <path d="M0,0 L10,5 L0,10 z" className="arrow-head attack" />
            </marker>
          </defs>
          <g className="edges">
            {graph.edges.map((e) => {
              const a = graph.byId.get(e.from);
              const b = graph.byId.get(e.to);
              if (!a || !b) return null;
              const cls = ["edge", e.via ? "via" : "", hot(e.from) || hot(e.to) ? "hot" : ""].join(" ");
              return <path key={`${e.from}>${e.to}`} d={edgeD(a, b)} className={cls} markerEnd="url(#arrow)" />;
            })}
            {path.slice(1).map((t, i) => {
              const a = graph.byId.get(path[i]);
              const b = graph.byId.get(t);
              if (!a || !b || a === b) return null;
              return (
                <line
                  // biome-ignore lint/suspicious/noArrayIndexKey: a path may pass a node twice
                  key={`p${i}`}
                  x1={a.x + NODE_W / 2}
                  y1={a.y + NODE_H / 2}
                  x2={b.x + NODE_W / 2}
                  y2={b.y + NODE_H / 2}
                  className="edge attack"
                  markerEnd="url(#arrow-red)"
                />
              );
            })}
          </g>
          {graph.nodes.map((n) => {
            const st = overlay?.state?.get(n.id);
            const cls = [
              "node",
              n.type,
              `layer-${n.layer}`,
              n.ext ? "ext" : "",
              selected === n.id ? "selected" : "",
              onPath.has(n.id) ? "on-path" : "",
              st?.cls ?? "",
              st?.level === undefined ? "" : levelClass(st.level),
            ].join(" ");
            return (
              // biome-ignore lint/a11y/noStaticElementInteractions: SVG nodes; the details panel lists the same links as buttons
              <g
                key={n.id}
                className={cls}
                data-id={n.id}
                transform={`translate(${n.x},${n.y})`}
                onClick={() => onSelect?.(n)}
              >
                <rect width={NODE_W} height={NODE_H} rx={n.type === "service" ? 12 : n.type === "zone" ? 8 : 3} />
                <rect className="stripe" width={6} height={NODE_H} rx={2} />
                <text x={14} y={17} className="label">
                  {clip(n.label, 32)}
                </text>
                <text x={14} y={34} className="sub">
                  {clip(n.sub, st?.badge ? 44 - st.badge.length - 2 : 44)}
                </text>
                {st?.badge && (
                  <text x={NODE_W - 8} y={34} textAnchor="end" className="badge">
                    {st.badge}
                  </text>
                )}
                <title>{`${n.label} (${n.id})\n${n.sub}`}</title>
              </g>
            );
          })}
        </svg>
      </div>
    </div>
  );
}
