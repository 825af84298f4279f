/** Alerts as stored and served (`GET /api/alerts`, the `alert` events of `/api/alerts/stream`). */
import { z } from "zod";

export const AlertSeverity = z.enum(["info", "warning", "critical"]);
export type AlertSeverity = z.infer<typeof AlertSeverity>;

/** An alert before the store numbers it. */
export const NewAlert = z.object({
  at: z.string(),
  source: z.string(),
  modelId: z.string().nullable(),
  assetId: z.string().nullable(),
  /** The asset's zone in the model (null when unknown; optional for alerts raised without a model). */
  zone: z.string().nullable().optional(),
  signal: z.string().nullable(),
  severity: AlertSeverity,
  score: z.number(),
  message: z.string(),
  /** Service ids at risk (through the dependency graph). */
  services: z.array(z.string()),
});
export type NewAlert = z.infer<typeof NewAlert>;

export const Alert = NewAlert.extend({
  id: z.number(),
  zone: z.string().nullable(),
  ackedBy: z.string().nullable(),
  ackedAt: z.string().nullable(),
});
export type Alert = z.infer<typeof Alert>;

/** The live pipeline's counts ([LIV-4]): `GET /api/telemetry`, the Monitoring page. Counts only, never values. */
export const TelemetryStatus = z.object({
  enabled: z.boolean(),
  stats: z.object({
    /** Readings that reached the pipeline. */
    received: z.number(),
    /** Routed to a detector (judged, or waiting in an open row of a trained detector). */
    accepted: z.number(),
    /** Verdicts handed to the sink. */
    judged: z.number(),
    /** Dropped readings by reason (topic, payload, unknown-model, unknown-asset, sink). */
    dropped: z.record(z.string(), z.number()),
    alerts: z.number(),
  }),
  /** Alerts the store refused to keep. */
  alertsFailed: z.number(),
  /** Trained detectors loaded from the data folder. */
  detectors: z.array(z.object({ model: z.string(), asset: z.string() })),
});
export type TelemetryStatus = z.infer<typeof TelemetryStatus>;
