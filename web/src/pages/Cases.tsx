import { useCallback, useEffect, useState } from "react";
import type { Alert } from "../../../src/contracts/alerts.ts";
import type { CaseDetail, CaseStatus, CaseSummary, PlaybookInfo } from "../../../src/contracts/cases.ts";
import type { RecoveryPlan } from "../../../src/contracts/recover.ts";
import { ApiError, call } from "../api.ts";
import type { Ctx } from "../context.ts";

const NEXT: Partial<Record<CaseStatus, CaseStatus>> = {
  open: "contained",
  contained: "eradicated",
  eradicated: "recovered",
  recovered: "closed",
};
const num = (n: number) => Math.round(n).toLocaleString("en-US");
/** A refusal's message (a playbook's first located issue is already in it). */
const message = (e: unknown) => (e instanceof ApiError ? e.message : String((e as Error)?.message ?? e));

/** Incident cases: open one (from an alert or by hand), work it, run playbooks, close it (docs/respond.md). */
export function CasesPage({ ctx }: { ctx: Ctx }) {
  const [cases, setCases] = useState<CaseSummary[]>([]);
  const [selected, setSelected] = useState<string>("");
  const [error, setError] = useState("");
  const load = useCallback(
    () =>
      call("GET /api/cases", { query: { model: ctx.modelId } }).then(
        (r) => setCases(r.cases),
        (e) => setError(message(e)),
      ),
    [ctx.modelId],
  );
  useEffect(() => {
    load();
  }, [load]);
  return (
    <section className="cases">
      {error && <p className="error">{error}</p>}
      {ctx.can("case.manage") && (
        <OpenCase
          ctx={ctx}
          onOpened={(c) => {
            load();
            setSelected(c.id);
          }}
        />
      )}
      <table className="case-list">
        <thead>
          <tr>
            <th>case</th>
            <th>status</th>
            <th>severity</th>
            <th>assets down</th>
            <th>open tasks</th>
            <th>opened</th>
          </tr>
        </thead>
        <tbody>
          {cases.map((c) => (
            <tr key={c.id} className={c.id === selected ? "selected" : ""}>
              <td>
                <button type="button" className="link" onClick={() => setSelected(c.id)}>
                  {c.title}
                </button>
              </td>
              <td className="case-status">{c.status}</td>
              <td className={`sev-${c.severity}`}>{c.severity}</td>
              <td>{c.assetsDown}</td>
              <td>{c.openTasks}</td>
              <td>{new Date(c.openedAt).toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {cases.length === 0 && <p className="muted">No cases for this model.</p>}
      {selected && <CaseView ctx={ctx} id={selected} onChange={load} />}
    </section>
  );
}

function OpenCase({ ctx, onOpened }: { ctx: Ctx; onOpened: (c: CaseSummary) => void }) {
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [title, setTitle] = useState("");
  const [alert, setAlert] = useState("");
  const [down, setDown] = useState("");
  const [error, setError] = useState("");
  useEffect(() => {
    call("GET /api/alerts", { query: { model: ctx.modelId, limit: 50 } }).then(
      (r) => setAlerts(r.alerts),
      () => {},
    );
  }, [ctx.modelId]);
  return (
    <form
      className="open-case"
      onSubmit={async (e) => {
        e.preventDefault();
        setError("");
        try {
          const c = await call("POST /api/cases", {
            body: {
              model: ctx.modelId,
              version: ctx.version,
              title,
              source: alert ? { kind: "alert", ref: alert } : { kind: "manual" },
              down: down
                .split(",")
                .map((x) => x.trim())
                .filter(Boolean),
            },
          });
          setTitle("");
          setDown("");
          onOpened(c);
        } catch (err) {
          setError(message(err));
        }
      }}
    >
      <h3>Open a case</h3>
      <label>
        Title <input aria-label="case title" value={title} onChange={(e) => setTitle(e.target.value)} required />
      </label>
      <label>
        From alert{" "}
        <select aria-label="from alert" value={alert} onChange={(e) => setAlert(e.target.value)}>
          <option value="">(by hand)</option>
          {alerts.map((a) => (
            <option key={a.id} value={String(a.id)}>
              #{a.id} {a.severity} {a.assetId ?? ""} {a.message.slice(0, 60)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Assets down{" "}
        <input
          aria-label="assets down"
          value={down}
          onChange={(e) => setDown(e.target.value)}
          placeholder="ids, comma-separated"
        />
      </label>
      <button type="submit">Open case</button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function CaseView({ ctx, id, onChange }: { ctx: Ctx; id: string; onChange: () => void }) {
  const [d, setD] = useState<CaseDetail | null>(null);
  const [playbooks, setPlaybooks] = useState<PlaybookInfo[]>([]);
  const [playbook, setPlaybook] = useState("");
  const [assets, setAssets] = useState("");
  const [note, setNote] = useState("");
  const [outcome, setOutcome] = useState<Record<string, string>>({});
  const [plan, setPlan] = useState<RecoveryPlan | null>(null);
  const [error, setError] = useState("");
  const read = useCallback(
    () => call("GET /api/cases/:id", { params: { id } }).then(setD, (e) => setError(message(e))),
    [id],
  );
  useEffect(() => {
    setPlan(null);
    read();
    call("GET /api/playbooks").then((r) => {
      setPlaybooks(r.playbooks);
      setPlaybook((p) => p || (r.playbooks[0]?.scenario ?? r.playbooks[0]?.id ?? ""));
    });
  }, [read]);
  const act = async (fn: () => Promise<unknown>) => {
    setError("");
    try {
      await fn();
      await read();
      onChange();
    } catch (e) {
      setError(message(e));
    }
  };
  if (!d) return error ? <p className="error">{error}</p> : <p className="loading">Loading case…</p>;
  const c = d.case;
  const person = new Map(d.people.map((p) => [p.id, `${p.name} (${p.role})`]));
  const assetName = new Map(ctx.model.assets.map((a) => [a.id as string, a.name]));
  const next = NEXT[c.status];
  const mayMove = next === "closed" ? ctx.can("case.close") : ctx.can("case.manage");
  const closed = c.status === "closed";
  return (
    <article className="case" data-status={c.status}>
      <h2>{c.title}</h2>
      <p className="muted">
        {c.status} · opened {new Date(c.openedAt).toLocaleString()} by {c.openedBy} from {c.source.kind}
        {c.source.ref ? ` ${c.source.ref}` : ""} · model v{c.version}
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {d.impact ? (
        <div className="cards">
          <div className={`card sev-${d.impact.severity}`}>
            <h3>Severity</h3>
            <p className="case-severity">{d.impact.severity}</p>
          </div>
          <div className="card">
            <h3>Person-hours lost so far</h3>
            <p className="case-person-hours">{num(d.impact.personHours)}</p>
            <p className="muted">
              weighted {num(d.impact.weightedLoss)} over {d.impact.hours.toFixed(1)} h
            </p>
          </div>
          <div className="card">
            <h3>Assets down</h3>
            <p className="case-down">{d.impact.down.length}</p>
          </div>
        </div>
      ) : (
        <p className="muted">{d.impactError}</p>
      )}
      {d.impact && d.impact.services.length > 0 && (
        <table className="case-services">
          <thead>
            <tr>
              <th>service at risk</th>
              <th>worst level</th>
              <th>person-hours so far</th>
            </tr>
          </thead>
          <tbody>
            {d.impact.services.map((s) => (
              <tr key={s.id}>
                <td>
                  {s.name}
                  {s.essential ? " (essential)" : ""}
                </td>
                <td>{Math.round(s.worstLevel * 100)}%</td>
                <td>{num(s.personHours)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {!closed && (
        <div className="case-actions">
          {d.impact && d.impact.down.length > 0 && (
            <p>
              Down:{" "}
              {d.impact.down.map((a) => (
                <span key={a} className="tag">
                  {assetName.get(a) ?? a}{" "}
                  {ctx.can("case.work") && (
                    <button
                      type="button"
                      aria-label={`restore ${a}`}
                      onClick={() =>
                        act(() =>
                          call("POST /api/cases/:id/assets", {
                            params: { id },
                            body: { assets: [a], state: "restored" },
                          }),
                        )
                      }
                    >
                      restored
                    </button>
                  )}
                </span>
              ))}
              {ctx.can("simulation.run") && (
                <button
                  type="button"
                  onClick={async () => {
                    setError("");
                    try {
                      setPlan(
                        await call("POST /api/models/:model/versions/:version/recover/plans", {
                          params: { model: c.modelId, version: String(c.version) },
                          body: { down: d.impact?.down ?? [] },
                        }),
                      );
                    } catch (e) {
                      setError(message(e));
                    }
                  }}
                >
                  Plan restoration
                </button>
              )}
            </p>
          )}
          {ctx.can("case.work") && (
            <p>
              <input
                aria-label="assets to mark"
                value={assets}
                onChange={(e) => setAssets(e.target.value)}
                placeholder="asset ids, comma-separated"
              />
              {(["down", "restored"] as const).map((state) => (
                <button
                  key={state}
                  type="button"
                  onClick={() =>
                    act(async () => {
                      const list = assets
                        .split(",")
                        .map((x) => x.trim())
                        .filter(Boolean);
                      await call("POST /api/cases/:id/assets", { params: { id }, body: { assets: list, state } });
                      setAssets("");
                    })
                  }
                >
                  mark {state}
                </button>
              ))}
            </p>
          )}
          {ctx.can("case.manage") && (
            <p>
              <select aria-label="playbook" value={playbook} onChange={(e) => setPlaybook(e.target.value)}>
                {playbooks.map((p) => (
                  <option key={p.id} value={p.scenario ?? p.id}>
                    {p.name} ({p.builtIn ? `built-in, ${p.scenario}` : "imported"})
                  </option>
                ))}
              </select>
              <button
                type="button"
                onClick={() => act(() => call("POST /api/cases/:id/playbooks", { params: { id }, body: { playbook } }))}
              >
                Run playbook
              </button>
            </p>
          )}
          {next && mayMove && (
            <button
              type="button"
              className="next-status"
              onClick={() =>
                act(() =>
                  next === "closed"
                    ? call("POST /api/cases/:id/close", { params: { id }, body: {} })
                    : call("POST /api/cases/:id/status", { params: { id }, body: { status: next } }),
                )
              }
            >
              Mark {next}
            </button>
          )}
        </div>
      )}

      {plan && (
        <div className="case-plan">
          <h3>
            Restoration plan ({plan.method}
            {plan.optimal ? ", optimal" : ""})
          </h3>
          <p className="muted">
            {num(plan.personHours)} person-hours, done after {plan.makespan.toFixed(1)} h; gap to the bound{" "}
            {(plan.gap * 100).toFixed(1)}%
          </p>
          <ol>
            {plan.tasks.map((t) => (
              <li key={`${t.id}-${t.start}`}>
                {t.name}: {t.team}, {t.start.toFixed(1)}–{t.finish.toFixed(1)} h
              </li>
            ))}
          </ol>
        </div>
      )}

      <h3>Tasks</h3>
      <table className="case-tasks">
        <thead>
          <tr>
            <th>task</th>
            <th>responsible</th>
            <th>accountable</th>
            <th>consulted / informed</th>
            <th>status</th>
          </tr>
        </thead>
        <tbody>
          {d.tasks.map((t) => (
            <tr key={t.id} data-task-status={t.status}>
              <td>
                <strong>{t.title}</strong>
                {t.phase ? <span className="muted"> · {t.phase}</span> : null}
                <div className="muted">{t.description}</div>
                {t.assets.length > 0 && <div className="muted">{t.assets.length} asset(s)</div>}
              </td>
              <td>{person.get(t.responsible) ?? t.responsible}</td>
              <td>{person.get(t.accountable) ?? t.accountable}</td>
              <td>{[...t.consulted, ...t.informed].map((p) => person.get(p) ?? p).join(", ")}</td>
              <td>
                {t.status === "open" && !closed && ctx.can("case.work") ? (
                  <span>
                    <input
                      aria-label={`outcome of ${t.title}`}
                      value={outcome[t.id] ?? ""}
                      onChange={(e) => setOutcome({ ...outcome, [t.id]: e.target.value })}
                      placeholder="outcome"
                    />
                    {(["done", "failed", "skipped"] as const).map((s) => (
                      <button
                        key={s}
                        type="button"
                        aria-label={`${s}: ${t.title}`}
                        onClick={() =>
                          act(() =>
                            call("PATCH /api/cases/:id/tasks/:task", {
                              params: { id, task: t.id },
                              body: { status: s, ...(outcome[t.id] ? { outcome: outcome[t.id] } : {}) },
                            }),
                          )
                        }
                      >
                        {s}
                      </button>
                    ))}
                  </span>
                ) : (
                  <span>
                    {t.status}
                    {t.outcome ? `: ${t.outcome}` : ""}
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h3>Evidence</h3>
      <ul className="case-evidence">
        {d.evidence.map((e) => (
          <li key={e.id}>
            {e.name} · {e.size.toLocaleString("en-US")} bytes · <code>sha256 {e.sha256}</code> · {e.addedBy}
          </li>
        ))}
      </ul>
      {!closed && ctx.can("case.work") && (
        <input
          type="file"
          aria-label="add evidence"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (!f) return;
            act(async () => {
              const bytes = new Uint8Array(await f.arrayBuffer());
              let bin = "";
              for (let i = 0; i < bytes.length; i += 0x8000)
                bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
              await call("POST /api/cases/:id/evidence", {
                params: { id },
                body: {
                  name: f.name.replace(/[^A-Za-z0-9._ -]/g, "_"),
                  mediaType: f.type || "application/octet-stream",
                  content: btoa(bin),
                },
              });
            });
          }}
        />
      )}

      <h3>Timeline</h3>
      <ol className="case-timeline">
        {d.timeline.map((e) => (
          <li key={e.seq}>
            <span className="muted">{new Date(e.at).toLocaleString()}</span> {e.actor}: {e.kind}
            {e.text ? ` — ${e.text}` : ""}
          </li>
        ))}
      </ol>
      {!closed && ctx.can("case.work") && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            act(async () => {
              await call("POST /api/cases/:id/notes", { params: { id }, body: { text: note } });
              setNote("");
            });
          }}
        >
          <input aria-label="note" value={note} onChange={(e) => setNote(e.target.value)} placeholder="add a note" />
          <button type="submit">Add note</button>
        </form>
      )}
    </article>
  );
}
