import { useEffect, useState } from "react";
import type { ResponseOf } from "../../../src/contracts/api.ts";
import { ApiError, call, located } from "../api.ts";
import type { Ctx } from "../context.ts";

type TwinState = ResponseOf<"GET /api/twin">;
type Upload = { file: string; text: string };
type AttackKind = "coil" | "register" | "program" | "spec";

const KIND_HINT: Record<AttackKind, string> = {
  coil: "coil ADDR=0|1, e.g. 1=0 holds actuator 1 off",
  register: "holding register ADDR=VALUE, e.g. 202=300",
  program: "rule K=LEVEL in metres, e.g. 2=3.0",
  spec: "a full wire attack spec (docs/twin.md)",
};

/** The wire attack spec (docs/twin.md) a form's fields describe; START is relative to the current hour. */
export function attackSpec(kind: AttackKind, plc: string, target: string, at: string): string {
  const t = target.trim();
  if (kind === "spec") return t;
  const when = at.trim() || "0";
  if (kind === "program") return `program:${plc}:${t}@${when}`;
  return `write:${plc}:${kind}:${t}@${when}`;
}

function errorOf(e: unknown): string {
  if (e instanceof ApiError) return [e.message, ...e.issues.slice(0, 5).map(located)].join("\n");
  return String((e as Error)?.message ?? e);
}

/** A file input whose file is read as text (null when none is chosen). */
function FileField(p: { label: string; name: string; accept: string; onFile: (u: Upload | null) => void }) {
  return (
    <label>
      {p.label}{" "}
      <input
        type="file"
        name={p.name}
        accept={p.accept}
        onChange={async (e) => {
          const f = e.currentTarget.files?.[0];
          p.onFile(f ? { file: f.name, text: await f.text() } : null);
        }}
      />
    </label>
  );
}

/** The live water twin: tanks, pumps and valves as they change, wire attacks, their timeline and the truth. */
export function TwinPage({ ctx }: { ctx: Ctx }) {
  const canRun = ctx.can("twin.run");
  const [st, setSt] = useState<TwinState | null>(null);
  const [error, setError] = useState("");
  const [network, setNetwork] = useState<Upload | null>(null);
  const [cpa, setCpa] = useState<Upload | null>(null);
  const [hours, setHours] = useState("168");
  const [speed, setSpeed] = useState("3600");
  const [busy, setBusy] = useState(false);
  const [kind, setKind] = useState<AttackKind>("coil");
  const [plc, setPlc] = useState("");
  const [target, setTarget] = useState("");
  const [at, setAt] = useState("0");

  useEffect(() => {
    let live = true;
    const poll = () =>
      call("GET /api/twin")
        .then((s) => live && setSt(s))
        .catch((e) => live && setError(errorOf(e)));
    poll();
    const timer = setInterval(poll, 1000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);

  const act = async (f: () => Promise<TwinState | null>) => {
    setBusy(true);
    setError("");
    try {
      const s = await f();
      if (s) setSt(s);
      else setSt(await call("GET /api/twin"));
    } catch (e) {
      setError(errorOf(e));
    } finally {
      setBusy(false);
    }
  };

  const plcs = st?.plcs ?? [];
  const chosenPlc = plc || plcs[0]?.plc || "";
  const spec = attackSpec(kind, chosenPlc, target, at);
  const truth = (st?.truth ?? []).slice(-24).reverse();
  const tanks = st?.tanks ?? [];

  return (
    <section className="twin">
      <p className="muted" data-testid="twin-status">
        {st?.running
          ? `Running · hour ${st.hour.toFixed(1)} of ${st.hours} · ${st.speed}x`
          : st && st.hours > 0
            ? `Stopped at hour ${st.hour.toFixed(1)} of ${st.hours}`
            : "No twin running."}
      </p>
      {error && <pre className="error">{error}</pre>}

      {canRun && !st?.running && (
        <form
          aria-label="start twin"
          onSubmit={(e) => {
            e.preventDefault();
            if (!network || !cpa) return;
            act(() =>
              call("POST /api/twin", { body: { network, cpa, hours: Number(hours), speed: Number(speed), seed: 1 } }),
            );
          }}
        >
          <FileField label="Network (.inp)" name="twin-network" accept=".inp,.INP" onFile={setNetwork} />{" "}
          <FileField label="Attacks (.cpa)" name="twin-cpa" accept=".cpa" onFile={setCpa} />{" "}
          <label>
            Hours{" "}
            <input name="twin-hours" type="number" min={1} value={hours} onChange={(e) => setHours(e.target.value)} />
          </label>{" "}
          <label>
            Speed{" "}
            <input
              name="twin-speed"
              type="number"
              min={1}
              max={3600}
              value={speed}
              onChange={(e) => setSpeed(e.target.value)}
            />
          </label>{" "}
          <button type="submit" disabled={busy || !network || !cpa}>
            Start twin
          </button>
        </form>
      )}
      {canRun && st?.running && (
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            act(async () => {
              await call("DELETE /api/twin");
              return null;
            })
          }
        >
          Stop twin
        </button>
      )}
      {!canRun && <p className="muted">Watching only: an analyst or admin starts the twin and launches attacks.</p>}

      <div className="twin-body">
        <div>
          <h3>Tanks</h3>
          <ul className="tanks">
            {tanks.map((t) => (
              <li key={t.id} data-tank={t.id}>
                <span className="tank-id">{t.id}</span>{" "}
                <meter min={0} max={t.max} value={t.level} aria-label={`level of ${t.id}`} />{" "}
                <span className="tank-level">{t.level.toFixed(2)}</span> m of {t.max} m
              </li>
            ))}
          </ul>
          <h3>Pumps and valves</h3>
          <table className="actuators">
            <thead>
              <tr>
                <th>Actuator</th>
                <th>PLC</th>
                <th>State</th>
                <th>Mode</th>
              </tr>
            </thead>
            <tbody>
              {(st?.actuators ?? []).map((a) => (
                <tr key={a.id} data-actuator={a.id} className={a.manual ? "manual" : ""}>
                  <td>{a.id}</td>
                  <td>{a.plc}</td>
                  <td>{a.open ? "on / open" : "off / closed"}</td>
                  <td>{a.manual ? "manual (overridden)" : "PLC logic"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div>
          <h3>Ground truth</h3>
          <table className="truth">
            <thead>
              <tr>
                <th>Hour</th>
                <th>Attack</th>
                {tanks.map((t) => (
                  <th key={t.id}>{t.id}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {truth.map((r) => (
                <tr key={r.hour} className={r.attack ? "attacked" : ""}>
                  <td>{r.hour}</td>
                  <td>{r.attack ? "ATTACK" : "–"}</td>
                  {tanks.map((t, i) => (
                    <td key={t.id}>{r.levels[i] == null ? "" : r.levels[i]?.toFixed(2)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>

      {canRun && st?.running && (
        <form
          aria-label="launch attack"
          onSubmit={(e) => {
            e.preventDefault();
            act(() => call("POST /api/twin/attacks", { body: { spec } }));
          }}
        >
          <h3>Launch a wire attack</h3>
          <select aria-label="attack kind" value={kind} onChange={(e) => setKind(e.target.value as AttackKind)}>
            <option value="coil">Modbus write: coil</option>
            <option value="register">Modbus write: holding register</option>
            <option value="program">PLC program swap</option>
            <option value="spec">Any spec (incl. man-in-the-middle)</option>
          </select>{" "}
          {kind !== "spec" && (
            <select aria-label="attack plc" value={chosenPlc} onChange={(e) => setPlc(e.target.value)}>
              {plcs.map((p) => (
                <option key={p.plc} value={p.plc}>
                  {p.plc} (port {p.port})
                </option>
              ))}
            </select>
          )}{" "}
          <input
            name="attack-target"
            placeholder={KIND_HINT[kind]}
            value={target}
            onChange={(e) => setTarget(e.target.value)}
            size={36}
          />{" "}
          {kind !== "spec" && (
            <label>
              in hours <input name="attack-at" value={at} onChange={(e) => setAt(e.target.value)} size={8} />
            </label>
          )}{" "}
          <button type="submit" disabled={busy || !target.trim()}>
            Launch
          </button>
          <div className="muted">
            Spec: <code>{spec || "—"}</code>
          </div>
        </form>
      )}

      <h3>Attack timeline</h3>
      {(st?.timeline ?? []).length === 0 && <p className="muted">Nothing yet.</p>}
      <ol className="timeline">
        {(st?.timeline ?? []).map((t, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the timeline only grows; an entry's index is stable
          <li key={i}>
            <strong>hour {t.hour.toFixed(1)}</strong> {t.text}
          </li>
        ))}
      </ol>
    </section>
  );
}
