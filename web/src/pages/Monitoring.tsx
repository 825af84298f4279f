import { useEffect, useState } from "react";
import type { Alert, TelemetryStatus } from "../../../src/contracts/alerts.ts";
import { call, stream } from "../api.ts";
import type { Ctx } from "../context.ts";

/** Live alerts, tied to the asset and the services at risk. */
export function MonitoringPage({ ctx }: { ctx: Ctx }) {
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [live, setLive] = useState(false);
  const [counts, setCounts] = useState<TelemetryStatus | null>(null);
  useEffect(() => {
    // the live pipeline's counts: every reading judged or dropped with a reason ([LIV-4])
    const read = () => call("GET /api/telemetry", {}).then(setCounts, () => {});
    read();
    const timer = setInterval(read, 5000);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    call("GET /api/alerts", { query: { limit: 200 } }).then((r) => setAlerts(r.alerts));
    const close = stream(
      "GET /api/alerts/stream",
      {},
      {
        ready: () => setLive(true),
        alert: (a) => {
          setAlerts((xs) => [a, ...xs.filter((x) => x.id !== a.id)].slice(0, 500));
        },
      },
    );
    return close;
  }, []);
  const names = new Map<string, string>([...ctx.model.services, ...ctx.model.assets].map((x) => [x.id, x.name]));
  const zoneOf = new Map<string, string>(ctx.model.assets.map((x) => [x.id, x.zone]));
  return (
    <section>
      <p className="muted">
        {ctx.engines.detect
          ? "Detection on: readings published over MQTT are checked live."
          : "The detection engine is not available in this build."}{" "}
        {live ? "● live" : "connecting…"}
      </p>
      {counts?.enabled && <TelemetryCounts status={counts} />}
      {alerts.length === 0 && <p>No alerts.</p>}
      <ul className="alerts">
        {alerts.map((a) => (
          <li key={a.id} className={`alert sev-${a.severity} ${a.ackedBy ? "acked" : ""}`} data-asset={a.assetId ?? ""}>
            <strong>{a.severity}</strong> {new Date(a.at).toLocaleString()} ·{" "}
            {a.assetId ? (names.get(a.assetId) ?? a.assetId) : "unknown asset"}
            {a.zone || (a.assetId && zoneOf.get(a.assetId)) ? ` · zone ${a.zone ?? zoneOf.get(a.assetId ?? "")}` : ""}
            {a.signal ? ` · ${a.signal}` : ""}
            <div>{a.message}</div>
            <div className="muted">
              Services at risk: {a.services.map((s) => names.get(s) ?? s).join(", ") || "none known"}
            </div>
            {a.ackedBy ? (
              <div className="muted">acknowledged by {a.ackedBy}</div>
            ) : (
              ctx.can("alert.ack") && (
                <button
                  type="button"
                  onClick={async () => {
                    const x = await call("POST /api/alerts/:id/ack", { params: { id: a.id } });
                    setAlerts((xs) => xs.map((y) => (y.id === x.id ? x : y)));
                  }}
                >
                  Acknowledge
                </button>
              )
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Readings received, judged and dropped by reason; never values. */
function TelemetryCounts({ status }: { status: TelemetryStatus }) {
  const s = status.stats;
  const dropped = Object.entries(s.dropped).filter(([, n]) => n > 0);
  const total = dropped.reduce((a, [, n]) => a + n, 0);
  return (
    <p className="muted telemetry-counts">
      Readings: {s.received.toLocaleString("en-US")} received, {s.judged.toLocaleString("en-US")} judged,{" "}
      {total.toLocaleString("en-US")} dropped
      {dropped.length
        ? ` (${dropped.map(([k, n]) => `${k.replace("-", " ")}: ${n.toLocaleString("en-US")}`).join(", ")})`
        : ""}
      {status.alertsFailed ? `; ${status.alertsFailed} alerts not stored` : ""}
      {status.detectors.length
        ? `. Trained detectors: ${status.detectors.map((d) => `${d.model}/${d.asset}`).join(", ")}`
        : ""}
      .
    </p>
  );
}
