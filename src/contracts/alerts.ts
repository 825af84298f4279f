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
  ackedBy: z.string().nullable(),
  ackedAt: z.string().nullable(),
});
export type Alert = z.infer<typeof Alert>;
