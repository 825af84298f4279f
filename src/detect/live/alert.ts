/**
 * The one live alert: what the pipeline raises, for the command line and the server alike ([LIV-3]), and its
 * stored form (the fields both stores keep). Pure: times are the readings' own.
 */
import type { Finding } from "../engine.ts";

export type AlertSeverity = "info" | "warning" | "critical";

/** Where an asset sits in the city: its zone and the services that depend on it (transitively). */
export interface AssetContext {
  zone: string | null;
  services: string[];
}

export interface LiveAlert {
  site: string;
  asset: string;
  /** The asset's zone and services at risk, from the city model (null/[] without a model). */
  zone: string | null;
  services: string[];
  /** Epoch ms of the reading (or row) that raised it. */
  t: number;
  score: number;
  /** Which detector raised it: a trained multi-signal detector, or the per-signal streaming one. */
  detector: "trained" | "stream";
  findings: Finding[];
}

/** The stored form: the server's store (`NewAlert`) and the command line's SQLite table hold these fields. */
export interface StoredAlert {
  at: string;
  source: string;
  modelId: string | null;
  assetId: string | null;
  zone: string | null;
  signal: string | null;
  severity: AlertSeverity;
  score: number;
  message: string;
  services: string[];
}

/**
 * Severity: a trained detector's score is 1 at the edge of normal training behaviour (alerts start at its
 * `on`, 1.5 by default): critical from 3. The streaming detector's score is a likelihood in [0, 1]: critical
 * from 0.9, warning from 0.7.
 */
export function severityOf(a: Pick<LiveAlert, "detector" | "score">): AlertSeverity {
  if (a.detector === "trained") return a.score >= 3 ? "critical" : "warning";
  return a.score >= 0.9 ? "critical" : a.score >= 0.7 ? "warning" : "info";
}

/** One line of text naming the signal and the kind of anomaly; no reading values. */
export function alertMessage(a: Pick<LiveAlert, "findings" | "score">): string {
  const f = a.findings[0];
  if (!f) return `anomaly (score ${a.score.toFixed(2)})`;
  return f.sigmas > 0
    ? `${f.signal}: ${f.component} anomaly (${f.sigmas.toFixed(1)} sigma from normal)`
    : `${f.signal}: readings unlike what this signal has shown (score ${a.score.toFixed(2)})`;
}

/** The stored form of an alert; `modelId` names the model the site maps to (the server), or null. */
export function toStoredAlert(a: LiveAlert, source: string, modelId: string | null): StoredAlert {
  return {
    at: new Date(Number.isFinite(a.t) ? a.t : 0).toISOString(),
    source,
    modelId,
    assetId: a.asset,
    zone: a.zone,
    signal: a.findings[0]?.signal ?? null,
    severity: severityOf(a),
    score: Math.round(a.score * 1000) / 1000,
    message: alertMessage(a),
    services: a.services,
  };
}
