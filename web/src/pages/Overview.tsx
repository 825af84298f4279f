import { useEffect, useState } from "react";
import { call } from "../api.ts";
import type { Ctx } from "../context.ts";
import { hours, num } from "../model.ts";

/** Services, their state (open alerts put them at risk) and their objectives. */
export function OverviewPage({ ctx }: { ctx: Ctx }) {
  const [atRisk, setAtRisk] = useState<Map<string, number>>(new Map());
  useEffect(() => {
    call("GET /api/alerts", { query: { open: true, model: ctx.modelId, limit: 500 } }).then((r) => {
      const m = new Map<string, number>();
      for (const a of r.alerts) for (const s of a.services) m.set(s, (m.get(s) ?? 0) + 1);
      setAtRisk(m);
    });
  }, [ctx.modelId]);
  const m = ctx.model;
  return (
    <section>
      <h2>
        {m.city.name}: {num(m.city.population)} people, {m.services.length} services, {m.assets.length} assets
      </h2>
      <div className="cards">
        {m.services.map((s) => {
          const n = atRisk.get(s.id) ?? 0;
          return (
            <article key={s.id} className={`card ${n ? "risk" : "ok"}`} data-service={s.id}>
              <h3>{s.name}</h3>
              <p className="muted">
                {s.sector} · {num(s.population)} people
              </p>
              <p className="state">{n ? `at risk: ${n} open alert${n > 1 ? "s" : ""}` : "no open alerts"}</p>
              <dl>
                <dt>RTO</dt>
                <dd>{hours(s.objectives?.rto)}</dd>
                <dt>MTD</dt>
                <dd>{hours(s.objectives?.mtd)}</dd>
                <dt>Restore</dt>
                <dd>
                  {s.objectives?.restore
                    ?.map((r) => `${Math.round(r.level * 100)}% in ${hours(r.within)}`)
                    .join(", ") || "–"}
                </dd>
                <dt>Impact C/I/A</dt>
                <dd>
                  {s.impact.confidentiality}/{s.impact.integrity}/{s.impact.availability}
                </dd>
                {s.fallback && (
                  <>
                    <dt>Fallback</dt>
                    <dd>
                      {Math.round(s.fallback.level * 100)}% after {hours(s.fallback.after)}
                    </dd>
                  </>
                )}
              </dl>
            </article>
          );
        })}
      </div>
    </section>
  );
}
