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
import { JsonRefused, LIMITS, parseJsonStrict } from "../model/limits.ts";
import type { Session, Store } from "../store/types.ts";
import { TwinSessions } from "../twin/wire/sessions.ts";
import { AlertHub } from "./alerts.ts";
import { LoginThrottle, safeEqual, type ThrottlePolicy, tokenHash } from "./auth.ts";
import { Cases } from "./cases.ts";
import { CSRF_HEADER, SESSION_COOKIE, type ServerContext, VERSION } from "./context.ts";
import type { Engines } from "./engines.ts";
import { securityHeaders } from "./headers.ts";
import { type AnyRoute, type ErrorBody, HttpError, PreparedJson, parsePart } from "./http.ts";
import { type JobQueue, Jobs } from "./jobs.ts";
import { Metrics } from "./metrics.ts";
import { Models } from "./models.ts";
import { openApi } from "./openapi.ts";
import { parseTrustProxy } from "./proxy.ts";
import type { Replicas } from "./replicas.ts";
import { allowed } from "./roles.ts";
import { apiRoutes } from "./routes/index.ts";
import { registerTaxii, type TaxiiOptions } from "./routes/taxii.ts";
import { SessionCache } from "./sessions.ts";
import { ResultCache } from "./transport/cache.ts";

export { CSRF_HEADER, SESSION_COOKIE, type ServerContext, VERSION } from "./context.ts";
export { CSP, securityHeaders } from "./headers.ts";
export { Replicas } from "./replicas.ts";
export { SessionCache } from "./sessions.ts";

export type ServerOptions = {
  store: Store;
  engines: Engines;
  /** Folder the UI is served from (web/dist); absent = API only. */
  webRoot?: string;
  /** Folder that path imports must stay inside (default: the working folder). */
  importRoot?: string;
  /**
   * [SEC-13] Reverse proxies to trust (addresses, CIDR ranges, `loopback`): X-Forwarded-For then gives the
   * right-most untrusted hop and X-Forwarded-Proto is honoured from them. `true` means `loopback` only.
   */
  trustProxy?: boolean | string | string[];
  /** Serve HTTPS directly. */
  https?: { key: Buffer; cert: Buffer };
  sessionHours?: number;
  /** [SEC-16] /metrics needs `Authorization: Bearer <token>`; without a token it answers 401 unless opened. */
  metricsToken?: string;
  /** [SEC-16] Serve /metrics without a token (RAMPART_METRICS_OPEN=1). */
  metricsOpen?: boolean;
  /** [SEC-15] Server-sent event streams one user may hold open at once (default 8). */
  streamsPerUser?: number;
  /** [SEC-15] Simulations one user may run at once (default 2 of the server's 4). */
  jobsPerUser?: number;
  bodyLimit?: number;
  uploadLimit?: number;
  /** [RPL-1] Other replicas on the same PostgreSQL store: alerts, job events and cancels go through it. */
  replicas?: Replicas;
  /** TAXII 2.1 under /taxii2/ (src/server/routes/taxii.ts). */
  taxii?: TaxiiOptions;
  /** [SEC-11] login throttling (default LOGIN_POLICY). */
  loginPolicy?: ThrottlePolicy;
  /** [SCL-3] The work queue on PostgreSQL: simulations run on `rampart worker`s (`rampart serve --queue`). */
  queue?: JobQueue;
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

/**
 * [SEC-14] A request Node's HTTP parser refused (headers too large, a malformed request line): answered
 * on the socket with the security headers and the documented error shape, then closed.
 */
function rawClientError(err: Error & { code?: string }, socket: import("node:stream").Duplex): void {
  if (err.code === "ECONNRESET" || socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = err.code === "HPE_HEADER_OVERFLOW" ? 431 : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
  const [code, message] = status === 408 ? ["timeout", "the request took too long"] : frameworkError(status);
  const body = JSON.stringify(errorBody(code, message));
  const head = {
    ...securityHeaders(false),
    "cache-control": "no-store",
    "content-type": "application/json; charset=utf-8",
  };
  const lines = Object.entries(head).map(([k, v]) => `${k}: ${v}`);
  const reason =
    status === 431 ? "Request Header Fields Too Large" : status === 408 ? "Request Timeout" : "Bad Request";
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n${lines.join("\r\n")}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** [SEC-14] A fixed code and message for a framework refusal (its own messages may name paths). */
function frameworkError(status: number): [string, string] {
  switch (status) {
    case 404:
      return ["not-found", "not found"];
    case 405:
      return ["method-not-allowed", "method not allowed"];
    case 413:
      return ["body-too-large", "body: larger than the limit"];
    case 414:
      return ["uri-too-long", "the request's path or query is too long"];
    case 415:
      return ["unsupported-media-type", "body: expected Content-Type: application/json"];
    case 431:
      return ["headers-too-large", "the request's headers are too large"];
    default:
      return ["bad-request", "the request was not understood"];
  }
}

function errorBody(code: string, message: string, parameter?: string, extra?: Record<string, unknown>): ErrorBody {
  return { error: { code, message, ...(parameter ? { parameter } : {}), ...(extra ?? {}) } };
}

export async function buildServer(opts: ServerOptions): Promise<Server> {
  const { store, engines } = opts;
  const bodyLimit = opts.bodyLimit ?? 1024 * 1024;
  const uploadLimit = opts.uploadLimit ?? 16 * 1024 * 1024;
  const trusted =
    opts.trustProxy === true
      ? ["loopback"]
      : typeof opts.trustProxy === "string"
        ? (() => {
            const t = parseTrustProxy(opts.trustProxy);
            if (!t.ok) throw new Error(`trustProxy: not an address or CIDR range: ${t.entry}`);
            return t.list;
          })()
        : Array.isArray(opts.trustProxy)
          ? opts.trustProxy
          : [];
  const app = Fastify({
    logger: false,
    bodyLimit,
    trustProxy: trusted.length ? trusted : false,
    ...(opts.https ? { https: opts.https } : {}),
    routerOptions: { maxParamLength: 200 },
    // [SEC-14] the router's own refusals (a parameter too long, a malformed URL) in the documented shape
    frameworkErrors: (err: Error & { code?: string }, req: FastifyRequest, reply: FastifyReply) => {
      void frameworkRefusal(err, req, reply);
    },
    clientErrorHandler: rawClientError,
    requestTimeout: 120_000,
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;
  /** Without a session an /api refusal is the same 401 as any other, so routes cannot be probed. */
  async function frameworkRefusal(err: Error & { code?: string }, req: FastifyRequest, reply: FastifyReply) {
    const status = err.code === "FST_ERR_MAX_PARAM_LENGTH" ? 414 : 400;
    reply.headers(req.protocol === "https" ? securityHeaders(true) : securityHeaders(false));
    reply.header("cache-control", "no-store");
    const token = /(?:^|;\s*)rampart_session=([^;]{1,100})/.exec(String(req.headers.cookie ?? ""))?.[1];
    const session = token ? await sessions.get(tokenHash(decodeURIComponent(token))) : null;
    if (req.url.startsWith("/api") && !session) {
      return reply.code(401).send(errorBody("unauthenticated", "log in first: POST /api/auth/login"));
    }
    return reply.code(status).send(errorBody(...frameworkError(status)));
  }
  app.removeContentTypeParser("text/plain");
  // [LIM-3], [LIM-5] every JSON body: nesting depth checked before parsing, prototype keys refused
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === "") {
      done(new HttpError(400, "invalid-parameter", "body: expected a JSON body, found none", "body"), undefined);
      return;
    }
    try {
      done(null, parseJsonStrict(text, { maxBytes: Number.POSITIVE_INFINITY, maxDepth: LIMITS.json.maxDepth }));
    } catch (e) {
      const r = e instanceof JsonRefused ? e : new JsonRefused("json-syntax", "not valid JSON", 0);
      const message = r.code === "json-syntax" ? "expected valid JSON" : r.message;
      done(new HttpError(400, "invalid-parameter", `body: ${message}`, "body"), undefined);
    }
  });
  await app.register(fastifyCookie);

  const metrics = new Metrics();
  const models = new Models(store, opts.importRoot ?? process.cwd());
  const cases = new Cases(store, models);
  const results = new ResultCache();
  const jobs = new Jobs(
    store,
    models,
    engines,
    metrics,
    results,
    opts.queue ? 16 : 4,
    opts.jobsPerUser ?? 2,
    opts.queue,
  );
  const alerts = new AlertHub(store, metrics);
  const sessions = new SessionCache(store);
  if (opts.replicas) {
    jobs.attach(opts.replicas);
    alerts.attach(opts.replicas);
  }
  const twin = new TwinSessions();
  let doc: Record<string, unknown> = {};
  const ctx: ServerContext = {
    store,
    engines,
    models,
    cases,
    jobs,
    alerts,
    metrics,
    limiter: new LoginThrottle(store, opts.loginPolicy),
    sessionHours: opts.sessionHours ?? 12,
    sessions,
    results,
    twin,
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
      // [SEC-14] the framework's own refusals in the same shape, with a fixed message (never a path)
      return reply.code(err.statusCode).send(errorBody(...frameworkError(err.statusCode)));
    }
    console.error(`error ${err.code ?? err.name} on ${req.method} ${req.routeOptions.url ?? "unmatched"}`);
    return reply.code(500).send(errorBody("internal", "internal error (see the server log)"));
  });

  // [SEC-15] open event streams per user, released when the connection closes
  const streams = new Map<string, number>();
  const streamsPerUser = opts.streamsPerUser ?? 8;
  const holdStream = (req: FastifyRequest, user: string) => {
    const n = streams.get(user) ?? 0;
    if (n >= streamsPerUser) {
      throw new HttpError(429, "too-many-streams", `${streamsPerUser} event streams are open for ${user}; close one`);
    }
    streams.set(user, n + 1);
    req.raw.once("close", () => {
      const left = (streams.get(user) ?? 1) - 1;
      if (left > 0) streams.set(user, left);
      else streams.delete(user);
    });
  };

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
        if (r.sse && session) holdStream(req, session.username);
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
    if (!opts.metricsOpen) {
      const auth = req.headers.authorization ?? "";
      if (!opts.metricsToken || !safeEqual(auth, `Bearer ${opts.metricsToken}`)) {
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
    await twin.stop();
    await engines.close?.();
  });

  return { app, jobs, alerts, models, metrics, routes };
}
