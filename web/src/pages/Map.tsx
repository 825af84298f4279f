import { useEffect, useMemo, useState } from "react";
import { call } from "../api.ts";
import type { Ctx } from "../context.ts";
import { GraphView, type NodeState } from "../GraphView.tsx";
import {
  cityView,
  dependents,
  type GNode,
  type Graph,
  type Index,
  indexModel,
  serviceView,
  subsetView,
  zoneView,
} from "../layout.ts";
import { NoAssessment, useAssessment } from "./useAssessment.tsx";

type View = { kind: "service" | "sector" | "zone" | "city"; value: string };

/** Open alerts per asset and per service at risk (the node state on the map). */
function useOpenAlerts(modelId: string): Map<string, number> {
  const [m, setM] = useState<Map<string, number>>(new Map());
  useEffect(() => {
    call("GET /api/alerts", { query: { open: true, model: modelId, limit: 500 } }).then(
      (r) => {
        const out = new Map<string, number>();
        for (const a of r.alerts)
          for (const id of [a.assetId, ...a.services]) if (id) out.set(id, (out.get(id) ?? 0) + 1);
        setM(out);
      },
      () => {},
    );
  }, [modelId]);
  return m;
}

/** The panel of a clicked node: what it is, what it needs, what needs it, which services depend on it. */
function Details({
  ix,
  node,
  alerts,
  onPick,
  onOpenService,
  onExpand,
  onOpenZone,
}: {
  ix: Index;
  node: GNode;
  alerts: Map<string, number>;
  onPick: (id: string) => void;
  onOpenService: (id: string) => void;
  onExpand: (groupId: string) => void;
  onOpenZone: (zone: string) => void;
}) {
  const name = (id: string) => ix.services.get(id)?.name ?? ix.assets.get(id)?.name ?? id;
  const link = (id: string) => (
    <li key={id}>
      <button type="button" className="link" onClick={() => (ix.services.has(id) ? onOpenService(id) : onPick(id))}>
        {name(id)}
      </button>
    </li>
  );
  if (node.type === "group")
    return (
      <aside className="details">
        <h3>{node.label}</h3>
        <p className="muted">{node.sub}</p>
        <button type="button" onClick={() => onExpand(node.id)}>
          Show them one by one
        </button>
        <ul>{node.members?.map(link)}</ul>
      </aside>
    );
  if (node.type === "zone") {
    const zone = node.id.slice(5);
    return (
      <aside className="details">
        <h3>{node.label}</h3>
        <p className="muted">{node.sub}</p>
        <button type="button" onClick={() => onOpenZone(zone)}>
          Open this zone
        </button>
      </aside>
    );
  }
  const needs = ix.needs.get(node.id) ?? [];
  const by = ix.neededBy.get(node.id) ?? [];
  const services = [...dependents(ix, node.id)].filter((x) => x !== node.id && ix.services.has(x));
  const a = ix.assets.get(node.id);
  const n = alerts.get(node.id) ?? 0;
  return (
    <aside className="details" data-node={node.id}>
      <h3>{node.label}</h3>
      <p className="muted">{node.id}</p>
      <p>{node.sub}</p>
      {a && (
        <p>
          {a.exposed ? "exposed to the internet · " : ""}
          {a.monitored ? "monitored" : "not monitored"}
        </p>
      )}
      {n > 0 && <p className="error">{n} open alert(s)</p>}
      {node.ext && (
        <button type="button" onClick={() => onOpenService(node.id)}>
          Open this service's map
        </button>
      )}
      <h4>Needs ({needs.length})</h4>
      <ul>{needs.map(link)}</ul>
      <h4>Needed directly by ({by.length})</h4>
      <ul>{by.slice(0, 30).map(link)}</ul>
      {by.length > 30 && <p className="muted">and {by.length - 30} more</p>}
      <h4>Services that depend on it ({services.length})</h4>
      <ul>{services.map(link)}</ul>
    </aside>
  );
}

/** The dependency map, one focus at a time; in "paths" mode, an attack path from the assessment. */
export function MapPage({ ctx, mode }: { ctx: Ctx; mode: "map" | "paths" }) {
  const m = ctx.model;
  const ix = useMemo(() => indexModel(m), [m]);
  const [view, setView] = useState<View>(() => ({ kind: "service", value: m.services[0]?.id ?? "" }));
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [selected, setSelected] = useState<GNode>();
  const [pathIdx, setPathIdx] = useState(0);
  const alerts = useOpenAlerts(ctx.modelId);
  const a = useAssessment(ctx, mode === "paths");
  const path = mode === "paths" ? a.report?.paths[pathIdx] : undefined;
  const sectors = [...new Set(m.services.map((s) => s.sector))].sort();

  const graph: Graph = useMemo(() => {
    if (mode === "paths") return subsetView(ix, path ? [...path.steps.map((s) => s.asset), ...path.services] : []);
    if (view.kind === "city") return cityView(ix, m.zones);
    if (view.kind === "zone") return zoneView(ix, view.value, expanded);
    if (view.kind === "sector")
      return serviceView(
        ix,
        m.services.filter((s) => s.sector === view.value).map((s) => s.id),
        expanded,
      );
    return serviceView(ix, [view.value], expanded);
  }, [ix, m, view, expanded, mode, path]);

  const state = useMemo(() => {
    const out = new Map<string, NodeState>();
    for (const n of graph.nodes) {
      const ids = n.members ?? [n.id];
      const k = ids.reduce((s, id) => s + (alerts.get(id) ?? 0), 0);
      if (k) out.set(n.id, { cls: "alert", badge: `${k} alert${k > 1 ? "s" : ""}` });
    }
    if (path) for (const s of path.services) out.set(s, { cls: "marked", badge: "at risk" });
    return out;
  }, [graph, alerts, path]);

  const open = (v: View) => {
    setView(v);
    setExpanded(new Set());
    setSelected(undefined);
  };
  const pick = (id: string) => {
    const n = graph.byId.get(id);
    if (n) setSelected(n);
    else {
      const owner = graph.nodes.find((g) => g.members?.includes(id));
      if (owner) {
        setExpanded(new Set([...expanded, owner.id]));
        setSelected(undefined);
      } else if (ix.assets.has(id)) open({ kind: "zone", value: ix.assets.get(id)?.zone ?? "" });
    }
  };

  return (
    <section className="map-page">
      {mode === "map" && (
        <div className="filters">
          <label>
            Show
            <select
              value={view.kind}
              onChange={(e) => {
                const kind = e.target.value as View["kind"];
                const value =
                  kind === "service"
                    ? m.services[0]?.id
                    : kind === "sector"
                      ? sectors[0]
                      : kind === "zone"
                        ? m.zones[0]?.id
                        : "";
                open({ kind, value: value ?? "" });
              }}
              aria-label="view"
            >
              <option value="service">one service</option>
              <option value="sector">a sector</option>
              <option value="zone">a zone</option>
              <option value="city">the whole city, by zone</option>
            </select>
          </label>
          {view.kind === "service" && (
            <label>
              Service
              <select
                value={view.value}
                onChange={(e) => open({ kind: "service", value: e.target.value })}
                aria-label="filter by service"
              >
                {sectors.map((sec) => (
                  <optgroup key={sec} label={sec}>
                    {m.services
                      .filter((s) => s.sector === sec)
                      .map((s) => (
                        <option key={s.id} value={s.id}>
                          {s.name}
                        </option>
                      ))}
                  </optgroup>
                ))}
              </select>
            </label>
          )}
          {view.kind === "sector" && (
            <label>
              Sector
              <select
                value={view.value}
                onChange={(e) => open({ kind: "sector", value: e.target.value })}
                aria-label="filter by sector"
              >
                {sectors.map((s) => (
                  <option key={s}>{s}</option>
                ))}
              </select>
            </label>
          )}
          {view.kind === "zone" && (
            <label>
              Zone
              <select
                value={view.value}
                onChange={(e) => open({ kind: "zone", value: e.target.value })}
                aria-label="filter by zone"
              >
                {m.zones.map((z) => (
                  <option key={z.id} value={z.id}>
                    {z.name ?? z.id}
                  </option>
                ))}
              </select>
            </label>
          )}
          <span className="muted">
            {graph.nodes.length} nodes, {graph.edges.length} links · left needs right · click a node for details · other
            services and folded groups open on click
          </span>
        </div>
      )}
      {mode === "paths" && (
        <div className="paths">
          {!ctx.engines.assess && <p>The assessment engine is not available in this build.</p>}
          {a.state === "none" && <NoAssessment ctx={ctx} run={a.run} />}
          {(a.state === "running" || a.state === "loading") && (
            <p>{a.state === "running" ? "Assessing…" : "Loading…"}</p>
          )}
          {a.report && (
            <label>
              Attack path
              <select value={pathIdx} onChange={(e) => setPathIdx(Number(e.target.value))} aria-label="attack path">
                {a.report.paths.map((p, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the option value is the index
                  <option key={`${p.actor}-${p.entry}-${p.target}-${i}`} value={i}>
                    {p.actor}: {p.entry} → {p.target} ({Math.round(p.probability * 100)}%)
                  </option>
                ))}
              </select>
            </label>
          )}
          {path && (
            <ol className="steps">
              {path.steps.map((s, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: steps are ordered and static
                <li key={`${s.asset}-${i}`}>
                  {ix.assets.get(s.asset)?.name ?? s.asset}: {s.techniqueName} ({s.weakness})
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
      <div className="map-body">
        <GraphView
          graph={graph}
          selected={selected?.id}
          onSelect={(n) => {
            if (n.type === "group" && selected?.id === n.id) {
              setExpanded(new Set([...expanded, n.id]));
              setSelected(undefined);
            } else if (n.type === "zone" && selected?.id === n.id) open({ kind: "zone", value: n.id.slice(5) });
            else setSelected(n);
          }}
          overlay={{ state, path: path?.steps.map((s) => s.asset) }}
        />
        {selected && (
          <Details
            ix={ix}
            node={selected}
            alerts={alerts}
            onPick={pick}
            onOpenService={(id) => (mode === "map" ? open({ kind: "service", value: id }) : pick(id))}
            onExpand={(g) => {
              setExpanded(new Set([...expanded, g]));
              setSelected(undefined);
            }}
            onOpenZone={(z) => open({ kind: "zone", value: z })}
          />
        )}
      </div>
    </section>
  );
}
