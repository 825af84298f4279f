/**
 * What every route file receives: the store, the engines and the server's long-lived parts. Built once by
 * app.ts; route files import only this type, never app.ts (no import cycle).
 */
import type { Store } from "../store/types.ts";
import type { TwinSessions } from "../twin/wire/sessions.ts";
import type { AlertHub } from "./alerts.ts";
import type { LoginThrottle } from "./auth.ts";
import type { Cases } from "./cases.ts";
import type { Engines } from "./engines.ts";
import type { Jobs } from "./jobs.ts";
import type { Metrics } from "./metrics.ts";
import type { Models } from "./models.ts";
import type { SessionCache } from "./sessions.ts";
import type { ResultCache } from "./transport/cache.ts";

export const SESSION_COOKIE = "rampart_session";
export const CSRF_HEADER = "x-csrf-token";
export const VERSION = "0.1.0";

export type ServerContext = {
  store: Store;
  engines: Engines;
  models: Models;
  /** Incident cases and playbooks (cases.ts). */
  cases: Cases;
  jobs: Jobs;
  alerts: AlertHub;
  metrics: Metrics;
  limiter: LoginThrottle;
  sessionHours: number;
  sessions: SessionCache;
  /** Finished results ready to send (dropped when a model is deleted). */
  results: ResultCache;
  /** The live water twin (one session at a time). */
  twin: TwinSessions;
  /** The OpenAPI document (built after the routes). */
  openapi: () => Record<string, unknown>;
};
