/** Live alerts: stored first, then pushed to every subscriber of the stream. */
import type { TelemetryStatus } from "../contracts/alerts.ts";
import type { Alert, NewAlert, Store } from "../store/types.ts";
import type { Metrics } from "./metrics.ts";
import type { Replicas } from "./replicas.ts";
export class AlertHub {
  private readonly listeners = new Set<(a: Alert) => void>();
  private replicas: Replicas | null = null;
  /** The live pipeline's counts, when telemetry runs (set by telemetry.ts). */
  telemetry?: () => TelemetryStatus;
  constructor(
    private readonly store: Store,
    private readonly metrics: Metrics,
  ) {
    metrics.gauge("rampart_alert_subscribers", "Clients following the live alert stream.", () => this.listeners.size);
  }

  async publish(a: NewAlert): Promise<Alert> {
    const stored = await this.store.addAlert(a);
    this.metrics.inc("rampart_alerts_total", "Alerts raised.");
    for (const l of this.listeners) l(stored);
    void this.replicas?.alert(stored);
    return stored;
  }

  /** [RPL-3] Alerts stored by other replicas (or partitioned watchers) reach this replica's streams too. */
  attach(replicas: Replicas): void {
    this.replicas = replicas;
    replicas.onAlert((a) => {
      if (typeof a !== "number") {
        for (const l of this.listeners) l(a);
        return;
      }
      void this.store.listAlerts({ before: a + 1, limit: 1 }).then((r) => {
        if (r[0]?.id === a) for (const l of this.listeners) l(r[0]);
      });
    });
  }

  subscribe(fn: (a: Alert) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
