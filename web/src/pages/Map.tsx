import { useMemo, useState } from "react";
import { GraphView } from "../GraphView.tsx";
import { dependencies, dependents, layout } from "../layout.ts";
import type { Ctx } from "../main.tsx";
import { useAssessment } from "./useAssessment.ts";

/** The dependency map with filters; in "paths" mode, attack paths from the assessment drawn on it. */
export function MapPage({ ctx, mode }: { ctx: Ctx; mode: "map" | "paths" }) {
  const m = ctx.model;
  const [service, setService] = useState("");
  const [zone, setZone] = useState("");
  const [sector, setSector] = useState("");
  const [selected, setSelected] = useState<string>();
  const [pathIdx, setPathIdx] = useState(0);
  const a = useAssessment(ctx);
  const path = mode === "paths" ? a.report?.paths[pathIdx] : undefined;
  const keep = useMemo(() => {
    let k: Set<string> | undefined;
    const inter = (s: Set<string>) => {
      k = k ? new Set([...k].filter((x) => s.has(x))) : s;
    };
    if (service) inter(dependencies(m, service));
    if (sector) {
      const s = new Set<string>();
      for (const x of m.services.filter((x) => x.sector === sector)) for (const d of dependencies(m, x.id)) s.add(d);
      inter(s);
    }
    if (zone) {
      const s = new Set<string>();
      for (const x of m.assets.filter((x) => x.zone === zone)) for (const d of dependents(m, x.id)) s.add(d);
      inter(s);
    }
    if (path) {
      const s = new Set(k ?? [...m.services.map((x) => x.id), ...m.assets.map((x) => x.id)]);
      for (const st of path.steps) s.add(st.asset);
      k = s;
    }
    return k;
  }, [m, service, zone, sector, path]);
  const graph = useMemo(() => layout(m, keep), [m, keep]);
  const sel = selected ? [...m.services, ...m.assets].find((x) => x.id === selected) : undefined;
  const sectors = [...new Set(m.services.map((s) => s.sector))].sort();
  return (
    <section className="map-page">
      <div className="filters">
        <label>
          Service
          <select value={service} onChange={(e) => setService(e.target.value)} aria-label="filter by service">
            <option value="">all</option>
            {m.services.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Zone
          <select value={zone} onChange={(e) => setZone(e.target.value)} aria-label="filter by zone">
            <option value="">all</option>
            {m.zones.map((z) => (
              <option key={z.id} value={z.id}>
                {z.name ?? z.id}
              </option>
            ))}
          </select>
        </label>
        <label>
          Sector
          <select value={sector} onChange={(e) => setSector(e.target.value)} aria-label="filter by sector">
            <option value="">all</option>
            {sectors.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <span className="muted">
          {graph.nodes.length} nodes, {graph.edges.length} dependencies · drag to pan, wheel to zoom
        </span>
      </div>
      {mode === "paths" && (
        <div className="paths">
          {!ctx.engines.assess && <p>The assessment engine is not available in this build.</p>}
          {a.state === "none" && (
            <p>
              No assessment of this version yet.{" "}
              {ctx.can("assessment.run") && (
                <button type="button" onClick={a.run}>
                  Run assessment
                </button>
              )}
            </p>
          )}
          {a.state === "running" && <p>Assessing…</p>}
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
                  {s.asset}: {s.techniqueName} ({s.weakness})
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
      <div className="map-body">
        <GraphView
          graph={graph}
          selected={selected}
          onSelect={setSelected}
          overlay={path ? { path: path.steps.map((s) => s.asset), marked: new Set(path.services) } : undefined}
        />
        {sel && (
          <aside className="details">
            <h3>{sel.name}</h3>
            <p className="muted">{sel.id}</p>
            {"sector" in sel ? <p>Service · {sel.sector}</p> : <p>{`${sel.kind} · ${sel.layer} · zone ${sel.zone}`}</p>}
            <p>Needs: {sel.requires.flatMap((r) => r.members).join(", ") || "nothing"}</p>
            <p>Needed by: {[...dependents(m, sel.id)].filter((x) => x !== sel.id).length} nodes</p>
          </aside>
        )}
      </div>
    </section>
  );
}
