/** Live alerts: stored first, then pushed to every subscriber of the stream. */
import type { TelemetryStatus } from "../contracts/alerts.ts";
import type { Alert, NewAlert, Store } from "../store/types.ts";
import type { Metrics } from "./metrics.ts";
export class AlertHub {
  private readonly listeners = new Set<(a: Alert) => void>();
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
    return stored;
  }

  subscribe(fn: (a: Alert) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
