/**
 * The Rampart HTTP server: API under /api, Prometheus metrics at /metrics, the web UI everywhere else.
 * Every /api route is declared in routes/<resource>.ts with its permission and schemas; this file enforces sessions,
 * roles, CSRF, limits and headers around them.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import fastifyCookie from "@fastify/cookie";
import fastifyStatic from "@fastify/static";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { Session, Store } from "../store/types.ts";
import { AlertHub } from "./alerts.ts";
import { LoginLimiter, safeEqual, tokenHash } from "./auth.ts";
import { CSRF_HEADER, SESSION_COOKIE, type ServerContext, VERSION } from "./context.ts";
import type { Engines } from "./engines.ts";
import { securityHeaders } from "./headers.ts";
import { type AnyRoute, type ErrorBody, HttpError, PreparedJson, parsePart } from "./http.ts";
import { Jobs } from "./jobs.ts";
import { Metrics } from "./metrics.ts";
import { Models } from "./models.ts";
import { openApi } from "./openapi.ts";
import { allowed } from "./roles.ts";
import { apiRoutes } from "./routes/index.ts";
import { registerTaxii, type TaxiiOptions } from "./routes/taxii.ts";
import { SessionCache } from "./sessions.ts";
import { ResultCache } from "./transport/cache.ts";

export { CSRF_HEADER, SESSION_COOKIE, type ServerContext, VERSION } from "./context.ts";
export { CSP, securityHeaders } from "./headers.ts";
export { SessionCache } from "./sessions.ts";

export type ServerOptions = {
  store: Store;
  engines: Engines;
  /** Folder the UI is served from (web/dist); absent = API only. */
  webRoot?: string;
  /** Folder that path imports must stay inside (default: the working folder). */
  importRoot?: string;
  /** Trust X-Forwarded-* from a reverse proxy (TLS terminated in front). */
  trustProxy?: boolean;
  /** Serve HTTPS directly. */
  https?: { key: Buffer; cert: Buffer };
  sessionHours?: number;
  /** When set, /metrics needs `Authorization: Bearer <token>`. */
  metricsToken?: string;
  bodyLimit?: number;
  uploadLimit?: number;
  loginLimiter?: LoginLimiter;
  /** TAXII 2.1 under /taxii2/ (src/server/routes/taxii.ts). */
  taxii?: TaxiiOptions;
};

export type Server = {
  app: FastifyInstance;
  jobs: Jobs;
  alerts: AlertHub;
  models: Models;
  metrics: Metrics;
  routes: AnyRoute[];
};

/**
 * Path parameters validated once per distinct value: a valid parse is kept (bounded), so a re-read of the
 * same result does no schema work. Invalid values are never kept and get the schema's error each time.
 */
function memoParams(r: AnyRoute): (raw: unknown) => unknown {
  if (!r.params) return () => undefined;
  const seen = new Map<string, unknown>();
  return (raw) => {
    const values = raw && typeof raw === "object" ? Object.values(raw as Record<string, unknown>) : [];
    const key = values.every((v) => typeof v === "string") ? values.join("\0") : undefined;
    if (key !== undefined) {
      const hit = seen.get(key);
      if (hit !== undefined) return hit;
    }
    const parsed = parsePart(r.params, raw, "path");
    if (key !== undefined && parsed && typeof parsed === "object") {
      if (seen.size >= 1000) seen.clear();
      seen.set(key, Object.freeze(parsed));
    }
    return parsed;
  };
}

function errorBody(code: string, message: string, parameter?: string, extra?: Record<string, unknown>): ErrorBody {
  return { error: { code, message, ...(parameter ? { parameter } : {}), ...(extra ?? {}) } };
}

export async function buildServer(opts: ServerOptions): Promise<Server> {
  const { store, engines } = opts;
  const bodyLimit = opts.bodyLimit ?? 1024 * 1024;
  const uploadLimit = opts.uploadLimit ?? 16 * 1024 * 1024;
  const app = Fastify({
    logger: false,
    bodyLimit,
    trustProxy: opts.trustProxy ?? false,
    ...(opts.https ? { https: opts.https } : {}),
    routerOptions: { maxParamLength: 200 },
    requestTimeout: 120_000,
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;
  app.removeContentTypeParser("text/plain");
  await app.register(fastifyCookie);

  const metrics = new Metrics();
  const models = new Models(store, opts.importRoot ?? process.cwd());
  const results = new ResultCache();
  const jobs = new Jobs(store, models, engines, metrics, results);
  const alerts = new AlertHub(store, metrics);
  const sessions = new SessionCache(store);
  let doc: Record<string, unknown> = {};
  const ctx: ServerContext = {
    store,
    engines,
    models,
    jobs,
    alerts,
    metrics,
    limiter: opts.loginLimiter ?? new LoginLimiter(),
    sessionHours: opts.sessionHours ?? 12,
    sessions,
    results,
    openapi: () => doc,
  };
  const routes = apiRoutes(ctx);
  await registerTaxii(app, ctx, opts.taxii);
  doc = openApi(routes, VERSION);

  const isSecure = (req: FastifyRequest) => req.protocol === "https";
  // computed once: the hooks below run on every answer, so they only copy ready-made values
  const plainHeaders = securityHeaders(false);
  const tlsHeaders = securityHeaders(true);

  // callback-style hooks (no promise per request); the latency comes from reply.elapsedTime
  app.addHook("onSend", (req, reply, payload, done) => {
    reply.headers(isSecure(req) ? tlsHeaders : plainHeaders);
    const url = req.url;
    if (url.startsWith("/api/") || url === "/metrics") reply.header("cache-control", "no-store");
    done(null, payload);
  });
  app.addHook("onResponse", (req, reply, done) => {
    metrics.request(req.method, req.routeOptions.url ?? "unmatched", reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  app.setErrorHandler((err: Error & { code?: string; statusCode?: number }, req, reply) => {
    if (err instanceof HttpError) {
      if (err.status === 429 && err.extra?.retryAfter) reply.header("retry-after", String(err.extra.retryAfter));
      const { retryAfter: _, ...extra } = err.extra ?? {};
      return reply.code(err.status).send(errorBody(err.code, err.message, err.parameter, extra));
    }
    switch (err.code) {
      case "FST_ERR_CTP_BODY_TOO_LARGE":
        return reply
          .code(413)
          .send(
            errorBody(
              "body-too-large",
              `body: larger than the limit of ${req.routeOptions.bodyLimit ?? bodyLimit} bytes`,
              "body",
            ),
          );
      case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
        return reply
          .code(415)
          .send(errorBody("unsupported-media-type", "body: expected Content-Type: application/json", "body"));
      case "FST_ERR_CTP_EMPTY_JSON_BODY":
        return reply.code(400).send(errorBody("invalid-parameter", "body: expected a JSON body, found none", "body"));
      case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
        return reply
          .code(400)
          .send(errorBody("invalid-parameter", "body: Content-Length does not match the body", "body"));
    }
    if (err instanceof SyntaxError || err.code === "FST_ERR_CTP_INVALID_JSON_BODY") {
      return reply.code(400).send(errorBody("invalid-parameter", "body: expected valid JSON", "body"));
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send(errorBody("bad-request", err.message.slice(0, 200)));
    }
    console.error(`error ${err.code ?? err.name} on ${req.method} ${req.routeOptions.url ?? "unmatched"}`);
    return reply.code(500).send(errorBody("internal", "internal error (see the server log)"));
  });

  const authenticate = async (req: FastifyRequest): Promise<Session | null> => {
    const token = req.cookies[SESSION_COOKIE];
    if (!token || token.length > 100) return null;
    return sessions.get(tokenHash(token));
  };

  for (const r of routes) {
    const paramsOf = memoParams(r);
    app.route({
      method: r.method,
      url: r.url,
      bodyLimit: r.bodyLimit ? uploadLimit : bodyLimit,
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        let session: Session | null = null;
        if (r.permission) {
          session = await authenticate(req);
          if (!session) throw new HttpError(401, "unauthenticated", "log in first: POST /api/auth/login");
          if (!allowed(session.role, r.permission)) {
            throw new HttpError(403, "forbidden", `role ${session.role} may not ${r.permission}`);
          }
          if (r.method !== "GET") {
            const h = req.headers[CSRF_HEADER];
            if (typeof h !== "string" || !safeEqual(h, session.csrf)) {
              throw new HttpError(403, "csrf", `missing or wrong ${CSRF_HEADER} header`, `header.${CSRF_HEADER}`);
            }
          }
        }
        const params = paramsOf(req.params);
        const query = parsePart(r.query, req.query, "query");
        const body = parsePart(r.body, req.body, "body");
        const out = await r.handler({ req, reply, params, query, body, session });
        if (r.sse || reply.sent) return reply;
        if (r.status) reply.code(r.status);
        if (out instanceof PreparedJson) return reply.type("application/json; charset=utf-8").send(out.text);
        if (typeof out === "string") return reply.type("application/json; charset=utf-8").send(out);
        return out ?? { ok: true };
      },
    });
  }

  app.get("/metrics", async (req, reply) => {
    if (opts.metricsToken) {
      const auth = req.headers.authorization ?? "";
      if (!safeEqual(auth, `Bearer ${opts.metricsToken}`)) {
        return reply.code(401).send(errorBody("unauthenticated", "metrics need Authorization: Bearer <token>"));
      }
    }
    return reply.type("text/plain; version=0.0.4; charset=utf-8").send(metrics.render());
  });

  const web = opts.webRoot;
  const hasWeb = !!web && existsSync(join(web, "index.html"));
  if (hasWeb && web) {
    await app.register(fastifyStatic, {
      root: web,
      prefix: "/",
      index: "index.html",
      wildcard: true,
      cacheControl: false,
      setHeaders(res, path) {
        res.header(
          "cache-control",
          path.includes(`${join(web, "assets")}`) ? "public, max-age=31536000, immutable" : "no-cache",
        );
      },
    });
  }

  app.setNotFoundHandler(async (req, reply) => {
    if (req.url === "/api" || req.url.startsWith("/api/")) {
      const s = await authenticate(req);
      if (!s) return reply.code(401).send(errorBody("unauthenticated", "log in first: POST /api/auth/login"));
      return reply
        .code(404)
        .send(errorBody("not-found", `no route ${req.method} ${req.url.split("?")[0].slice(0, 100)}`));
    }
    if (hasWeb && (req.method === "GET" || req.method === "HEAD") && !/\.[a-z0-9]+$/i.test(req.url.split("?")[0])) {
      return reply.header("cache-control", "no-cache").sendFile("index.html");
    }
    return reply.code(404).send(errorBody("not-found", "not found"));
  });

  app.addHook("onClose", async () => {
    jobs.cancelAll();
  });

  return { app, jobs, alerts, models, metrics, routes };
}
