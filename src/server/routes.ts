/** Every /api route: permission, schemas (validation and OpenAPI) and handler. */

import { createHash, randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { brotliCompress, gzip, constants as zc } from "node:zlib";
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { type Actor, ROLES, type Role, type Session, StoreError } from "../store/types.ts";
import type { ServerContext } from "./app.ts";
import { dummyHash, hashPassword, newToken, tokenHash, verifyPassword } from "./auth.ts";
import { available } from "./engines.ts";
import { securityHeaders } from "./headers.ts";
import {
  type AnyRoute,
  HttpError,
  IdParam,
  Limit,
  PasswordSchema,
  route,
  UsernameSchema,
  VersionParam,
} from "./http.ts";
import { MATRIX, PERMISSIONS } from "./roles.ts";

const SESSION_COOKIE = "rampart_session";

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

type Ready = { plain: Buffer; gz: Buffer; br: Buffer | null; etag: string };
export type Encoding = "br" | "gzip" | "identity";

/**
 * Finished results, ready to send: plain, gzip (level 9) and brotli (quality 11 up to 8 MiB, made in the
 * background: gzip is served until it is ready), bounded by total size. Compression runs on libuv's thread
 * pool, never on the event loop.
 */
export class ResultCache {
  private readonly map = new Map<string, Ready>();
  private readonly pending = new Map<string, Promise<Ready>>();
  private bytes = 0;
  constructor(private readonly maxBytes = 256 * 1024 * 1024) {}
  get(id: string): Ready | undefined {
    return this.map.get(id);
  }
  /** Compresses and keeps `text` (once, however many readers ask at the same time). */
  put(id: string, text: string): Promise<Ready> {
    const busy = this.pending.get(id);
    if (busy) return busy;
    const p = this.make(id, text).finally(() => this.pending.delete(id));
    this.pending.set(id, p);
    return p;
  }
  private async make(id: string, text: string): Promise<Ready> {
    const plain = Buffer.from(text);
    const gz = await gzipAsync(plain, { level: 9 });
    const e: Ready = {
      plain,
      gz,
      br: null,
      etag: createHash("sha256").update(plain).digest("base64url").slice(0, 27),
    };
    const size = plain.length + gz.length;
    if (size > this.maxBytes / 4) return e;
    while (this.bytes + size > this.maxBytes && this.map.size) this.evictOldest();
    this.map.set(id, e);
    this.bytes += size;
    const quality = plain.length <= 8 * 1024 * 1024 ? 11 : 5;
    brotliAsync(plain, {
      params: { [zc.BROTLI_PARAM_QUALITY]: quality, [zc.BROTLI_PARAM_SIZE_HINT]: plain.length },
    }).then(
      (br) => {
        if (this.map.get(id) !== e) return;
        e.br = br;
        this.bytes += br.length;
      },
      () => {},
    );
    return e;
  }
  private evictOldest() {
    const [k, v] = this.map.entries().next().value as [string, Ready];
    this.map.delete(k);
    this.bytes -= v.plain.length + v.gz.length + (v.br?.length ?? 0);
  }
  clear() {
    this.map.clear();
    this.bytes = 0;
  }
}

const encodings = new Map<string, Encoding>();
/** The best encoding an Accept-Encoding header allows (br, then gzip), honouring `;q=0`; memoized per header. */
export function pickEncoding(header: string | undefined): Encoding {
  if (!header) return "identity";
  const hit = encodings.get(header);
  if (hit) return hit;
  const ok = new Set<string>();
  for (const part of header.slice(0, 300).toLowerCase().split(",")) {
    const [name, ...ps] = part.trim().split(";");
    const q = ps.map((x) => x.trim()).find((x) => x.startsWith("q="));
    if (q && !(Number(q.slice(2)) > 0)) continue;
    ok.add(name.trim());
  }
  const out: Encoding = ok.has("br") ? "br" : ok.has("gzip") || ok.has("*") ? "gzip" : "identity";
  if (encodings.size >= 200) encodings.clear();
  encodings.set(header, out);
  return out;
}

const actorOf = (req: FastifyRequest, s: Session | null): Actor => ({ user: s?.username ?? "anonymous", ip: req.ip });

/** Maps store refusals to 4xx. */
async function guard<T>(p: Promise<T>, parameter?: string): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof StoreError) {
      throw new HttpError(e.code === "conflict" ? 409 : 404, e.code, e.message, parameter);
    }
    throw e;
  }
}

/** Starts a server-sent event stream on a hijacked reply. */
export function openSse(req: FastifyRequest, reply: FastifyReply, headers: Record<string, string>) {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    ...headers,
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  res.write("retry: 3000\n\n");
  const timer = setInterval(() => res.write(": keep-alive\n\n"), 15_000);
  const closers: (() => void)[] = [() => clearInterval(timer)];
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    for (const c of closers) c();
    res.end();
  };
  req.raw.on("close", close);
  return {
    send(event: string, data: unknown) {
      if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    onClose(fn: () => void) {
      closers.push(fn);
    },
    close,
  };
}

const ModelParams = z.strictObject({ model: IdParam });
const VersionParams = z.strictObject({ model: IdParam, version: VersionParam });
const SourceFileSchema = z.strictObject({
  file: z
    .string()
    .min(1, { error: "expected a file name" })
    .max(200, { error: "expected a file name of at most 200 characters" })
    .regex(/^[A-Za-z0-9._/-]+\.ya?ml$/, { error: "expected a .yaml or .yml file name (letters, digits, . _ - /)" })
    .refine((f) => !f.split("/").includes(".."), { error: "expected a file name without .." }),
  text: z.string().max(8 * 1024 * 1024, { error: "expected a file of at most 8 MiB" }),
});
const Message = z.string().max(500, { error: "expected a message of at most 500 characters" });
const UserOut = z.object({
  username: z.string(),
  role: z.enum(ROLES as [Role, ...Role[]]),
  disabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const VersionInfo = z.object({
  modelId: z.string(),
  version: z.number(),
  sha256: z.string(),
  message: z.string(),
  counts: z.record(z.string(), z.number()),
  createdBy: z.string(),
  createdAt: z.string(),
});
const ResultInfoOut = z.object({
  id: z.string(),
  kind: z.enum(["assessment", "simulation"]),
  modelId: z.string(),
  version: z.number(),
  status: z.enum(["queued", "running", "done", "failed", "cancelled"]),
  params: z.unknown(),
  error: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const AlertOut = z.object({
  id: z.number(),
  at: z.string(),
  source: z.string(),
  modelId: z.string().nullable(),
  assetId: z.string().nullable(),
  signal: z.string().nullable(),
  severity: z.enum(["info", "warning", "critical"]),
  score: z.number(),
  message: z.string(),
  services: z.array(z.string()),
  ackedBy: z.string().nullable(),
  ackedAt: z.string().nullable(),
});
const Me = z.object({
  username: z.string(),
  role: z.string(),
  permissions: z.array(z.string()),
  csrfToken: z.string(),
});
const Entity = z.record(z.string(), z.unknown());

export function apiRoutes(ctx: ServerContext): AnyRoute[] {
  const { store, models, jobs, alerts, metrics, limiter, sessions } = ctx;
  const results = new ResultCache();
  const me = (s: Session) => ({
    username: s.username,
    role: s.role,
    permissions: [...MATRIX[s.role]],
    csrfToken: s.csrf,
  });

  return [
    route({
      method: "GET",
      url: "/api/health",
      tag: "system",
      summary: "Liveness and store health (public).",
      permission: null,
      response: z.object({ status: z.enum(["ok", "degraded"]), store: z.string(), version: z.string() }),
      handler: async ({ reply }) => {
        const ok = await store.ping();
        if (!ok) reply.code(503);
        return { status: ok ? "ok" : "degraded", store: store.kind, version: "0.1.0" };
      },
    }),
    route({
      method: "POST",
      url: "/api/auth/login",
      tag: "auth",
      summary: "Log in: sets an HttpOnly, SameSite=Strict session cookie and returns the CSRF token.",
      permission: null,
      body: z.strictObject({
        username: z
          .string()
          .min(1, { error: "expected a username" })
          .max(64, { error: "expected a username of at most 64 characters" }),
        password: z
          .string()
          .min(1, { error: "expected a password" })
          .max(256, { error: "expected a password of at most 256 characters" }),
      }),
      response: Me,
      handler: async ({ req, reply, body }) => {
        const username = body.username.toLowerCase();
        const wait = limiter.retryAfter(req.ip, username);
        if (wait > 0) {
          metrics.inc("rampart_login_limited_total", "Logins refused by the rate limit.");
          throw new HttpError(429, "rate-limited", `too many failed logins; try again in ${wait} s`, undefined, {
            retryAfter: wait,
          });
        }
        const user = await store.getUser(username);
        // an unknown user costs the same hash as a known one, so timing does not reveal who exists
        const verified = await verifyPassword(body.password, user ? user.passwordHash : await dummyHash());
        const ok = !!user && verified;
        if (!user || !ok || user.disabled) {
          limiter.fail(req.ip, username);
          metrics.inc("rampart_login_failures_total", "Failed logins.");
          throw new HttpError(401, "bad-credentials", "wrong username or password");
        }
        limiter.succeed(username);
        const token = newToken();
        const now = new Date();
        const session: Session = {
          idHash: tokenHash(token),
          username,
          role: user.role,
          csrf: newToken(),
          createdAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + ctx.sessionHours * 3600_000).toISOString(),
        };
        await store.createSession(session);
        await store.audit("auth.login", `users/${username}`, {}, actorOf(req, session));
        reply.setCookie(SESSION_COOKIE, token, {
          httpOnly: true,
          sameSite: "strict",
          secure: req.protocol === "https",
          path: "/",
          maxAge: ctx.sessionHours * 3600,
        });
        return me(session);
      },
    }),
    route({
      method: "POST",
      url: "/api/auth/logout",
      tag: "auth",
      summary: "Log out: ends the session.",
      permission: "session.self",
      handler: async ({ req, reply, session }) => {
        const s = session as Session;
        await store.deleteSession(s.idHash);
        sessions.evict(s.idHash);
        await store.audit("auth.logout", `users/${s.username}`, {}, actorOf(req, s));
        reply.clearCookie(SESSION_COOKIE, { path: "/" });
        return { ok: true };
      },
    }),
    route({
      method: "GET",
      url: "/api/auth/me",
      tag: "auth",
      summary: "The logged-in user, their permissions and the CSRF token.",
      permission: "session.self",
      response: Me,
      handler: async ({ session }) => me(session as Session),
    }),
    route({
      method: "GET",
      url: "/api/openapi.json",
      tag: "system",
      summary: "This document.",
      permission: "session.self",
      handler: async () => ctx.openapi(),
    }),
    route({
      method: "GET",
      url: "/api/engines",
      tag: "system",
      summary: "Which engines this build provides (absent ones answer 501).",
      permission: "session.self",
      response: z.object({ assess: z.boolean(), simulate: z.boolean(), detect: z.boolean() }),
      handler: async () => available(ctx.engines),
    }),

    // models
    route({
      method: "GET",
      url: "/api/models",
      tag: "models",
      summary: "List models.",
      permission: "model.read",
      handler: async () => ({ models: await store.listModels() }),
    }),
    route({
      method: "POST",
      url: "/api/models",
      tag: "models",
      summary: "Import a model version from uploaded YAML files (a new model or a new version of one).",
      permission: "model.write",
      status: 201,
      bodyLimit: 16 * 1024 * 1024,
      body: z.strictObject({
        id: IdParam,
        message: Message.default(""),
        files: z
          .array(SourceFileSchema)
          .min(1, { error: "expected at least one file" })
          .max(200, { error: "expected at most 200 files" })
          .refine((fs) => new Set(fs.map((f) => f.file)).size === fs.length, { error: "expected distinct file names" }),
      }),
      response: z.object({ version: VersionInfo, warnings: z.number() }),
      handler: async ({ req, body, session }) => {
        const r = await models.importSources(body.id, body.files, body.message, actorOf(req, session));
        console.log(`model ${body.id} v${r.info.version} imported: ${body.files.length} files, ${r.warnings} warnings`);
        return { version: r.info, warnings: r.warnings };
      },
    }),
    route({
      method: "POST",
      url: "/api/models/import-path",
      tag: "models",
      summary: "Import a model version from a file or folder on the server (inside the import folder).",
      permission: "model.import-path",
      status: 201,
      body: z.strictObject({
        id: IdParam,
        path: z
          .string()
          .min(1, { error: "expected a path" })
          .max(500, { error: "expected a path of at most 500 characters" }),
        message: Message.default(""),
      }),
      response: z.object({ version: VersionInfo, warnings: z.number() }),
      handler: async ({ req, body, session }) => {
        const r = await models.importPath(body.id, body.path, body.message, actorOf(req, session));
        return { version: r.info, warnings: r.warnings };
      },
    }),
    route({
      method: "GET",
      url: "/api/models/:model",
      tag: "models",
      summary: "A model and its versions.",
      permission: "model.read",
      params: ModelParams,
      handler: async ({ params }) => {
        const m = await store.getModel(params.model);
        if (!m) throw new HttpError(404, "not-found", `no model ${params.model}`, "path.model");
        return { model: m, versions: await store.listVersions(params.model) };
      },
    }),
    route({
      method: "DELETE",
      url: "/api/models/:model",
      tag: "models",
      summary: "Delete a model, its versions and its results.",
      permission: "model.delete",
      params: ModelParams,
      handler: async ({ req, params, session }) => {
        const ok = await store.deleteModel(params.model, actorOf(req, session));
        if (!ok) throw new HttpError(404, "not-found", `no model ${params.model}`, "path.model");
        results.clear();
        return { ok: true };
      },
    }),
    route({
      method: "GET",
      url: "/api/models/:model/versions",
      tag: "models",
      summary: "List a model's versions.",
      permission: "model.read",
      params: ModelParams,
      response: z.object({ versions: z.array(VersionInfo) }),
      handler: async ({ params }) => {
        if (!(await store.getModel(params.model))) {
          throw new HttpError(404, "not-found", `no model ${params.model}`, "path.model");
        }
        return { versions: await store.listVersions(params.model) };
      },
    }),
    route({
      method: "GET",
      url: "/api/models/:model/versions/:version",
      tag: "models",
      summary: "One version: the validated model (defaults applied, durations in hours) and its warnings.",
      permission: "model.read",
      params: VersionParams,
      handler: async ({ params }) => {
        const l = await models.load(params.model, params.version);
        return { version: l.info, model: l.model, warnings: l.warnings };
      },
    }),
    route({
      method: "GET",
      url: "/api/models/:model/versions/:version/sources",
      tag: "models",
      summary: "One version's YAML files as imported.",
      permission: "model.read",
      params: VersionParams,
      handler: async ({ params }) => {
        const v = await models.resolveVersion(params.model, params.version);
        const s = await store.getVersion(params.model, v);
        if (!s) throw new HttpError(404, "not-found", `model ${params.model} has no version ${v}`, "path.version");
        return { files: s.sources };
      },
    }),
    route({
      method: "GET",
      url: "/api/models/:model/diff",
      tag: "models",
      summary: "What changed between two versions, entity by entity.",
      permission: "model.read",
      params: ModelParams,
      query: z.strictObject({ from: VersionParam, to: VersionParam.default("latest") }),
      handler: async ({ params, query }) => ({ diff: await models.diff(params.model, query.from, query.to) }),
    }),
    ...(["controls", "people"] as const).flatMap((list) => [
      route({
        method: "PUT",
        url: `/api/models/:model/${list}/:id`,
        tag: "models",
        summary: `Add or replace one of a model's ${list} (a new version).`,
        permission: "model.write",
        params: z.strictObject({ model: IdParam, id: IdParam }),
        body: Entity,
        response: z.object({ version: VersionInfo, warnings: z.number() }),
        handler: async ({ req, params, body, session }) => {
          const { id: _ignored, ...entity } = body;
          const r = await models.editEntity(params.model, list, params.id, entity, actorOf(req, session));
          return { version: r.info, warnings: r.warnings };
        },
      }),
      route({
        method: "DELETE",
        url: `/api/models/:model/${list}/:id`,
        tag: "models",
        summary: `Remove one of a model's ${list} (a new version).`,
        permission: "model.write",
        params: z.strictObject({ model: IdParam, id: IdParam }),
        response: z.object({ version: VersionInfo, warnings: z.number() }),
        handler: async ({ req, params, session }) => {
          const r = await models.editEntity(params.model, list, params.id, null, actorOf(req, session));
          return { version: r.info, warnings: r.warnings };
        },
      }),
    ]),

    // assessments and simulations
    route({
      method: "POST",
      url: "/api/models/:model/versions/:version/assessments",
      tag: "results",
      summary: "Run an assessment of a version and store it.",
      permission: "assessment.run",
      status: 201,
      params: VersionParams,
      body: z
        .strictObject({
          asOf: z
            .string()
            .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "expected a date YYYY-MM-DD" })
            .optional(),
        })
        .default({}),
      response: ResultInfoOut,
      handler: async ({ req, params, body, session }) => {
        const engine = ctx.engines.assess;
        if (!engine)
          throw new HttpError(501, "engine-unavailable", "the assessment engine is not available in this build");
        const l = await models.load(params.model, params.version);
        const asOf = body.asOf ?? new Date().toISOString().slice(0, 10);
        const id = randomUUID();
        const info = await guard(
          store.createResult(
            {
              id,
              kind: "assessment",
              modelId: params.model,
              version: l.info.version,
              params: { asOf },
              status: "running",
            },
            actorOf(req, session),
          ),
        );
        const t0 = performance.now();
        try {
          const report = engine.run(l.model, l.raw, { asOf });
          const json = JSON.stringify(report);
          await store.finishResult(id, "done", json, null);
          // the first read is usually right after: have it compressed by then (errors surface on that read)
          const finished = await store.getResultInfo(id);
          if (finished) results.put(id, `{"info":${JSON.stringify(finished)},"result":${json}}`).catch(() => {});
        } catch (e) {
          await store.finishResult(id, "failed", null, e instanceof Error ? e.message.slice(0, 500) : "failed");
          throw new HttpError(500, "assessment-failed", "the assessment failed (see the result's error)");
        }
        console.log(
          `assessment ${id} of ${params.model} v${l.info.version} in ${Math.round(performance.now() - t0)} ms`,
        );
        return { ...info, status: "done" };
      },
    }),
    route({
      method: "GET",
      url: "/api/models/:model/versions/:version/scenarios",
      tag: "results",
      summary: "Scenarios a version offers for simulation.",
      permission: "model.read",
      params: VersionParams,
      handler: async ({ params }) => {
        const engine = ctx.engines.simulate;
        if (!engine)
          throw new HttpError(501, "engine-unavailable", "the simulation engine is not available in this build");
        const l = await models.load(params.model, params.version);
        return { scenarios: engine.scenarios(l.model, l.raw) };
      },
    }),
    route({
      method: "POST",
      url: "/api/models/:model/versions/:version/simulations",
      tag: "results",
      summary: "Start a simulation job; follow it at /api/results/{id}/events.",
      permission: "simulation.run",
      status: 202,
      params: VersionParams,
      body: z.strictObject({
        scenario: IdParam,
        controls: z.array(IdParam).max(100, { error: "expected at most 100 controls" }).default([]),
        compare: z
          .array(z.array(IdParam).max(100, { error: "expected at most 100 controls per set" }))
          .max(4, { error: "expected at most 4 defence sets to compare" })
          .default([]),
        runs: z
          .number({ error: "expected a number of runs" })
          .int({ error: "expected a whole number of runs" })
          .min(1, { error: "expected runs from 1 to 100000" })
          .max(100_000, { error: "expected runs from 1 to 100000" })
          .default(200),
        seed: z
          .number({ error: "expected a seed (a whole number)" })
          .int({ error: "expected a whole-number seed" })
          .min(0, { error: "expected a seed >= 0" })
          .max(2 ** 32 - 1, { error: "expected a seed < 2^32" })
          .default(1),
      }),
      response: ResultInfoOut,
      handler: async ({ req, params, body, session }) => {
        const v = await models.resolveVersion(params.model, params.version);
        return jobs.start(params.model, v, body, actorOf(req, session));
      },
    }),
    route({
      method: "GET",
      url: "/api/results",
      tag: "results",
      summary: "List results (newest first).",
      permission: "result.read",
      query: z.strictObject({
        model: IdParam.optional(),
        kind: z.enum(["assessment", "simulation"], { error: "expected assessment or simulation" }).optional(),
        version: z
          .string()
          .regex(/^[1-9][0-9]{0,8}$/, { error: "expected a version number" })
          .transform(Number)
          .optional(),
        limit: Limit.optional(),
      }),
      response: z.object({ results: z.array(ResultInfoOut) }),
      handler: async ({ query }) => ({
        results: await store.listResults({
          modelId: query.model,
          kind: query.kind,
          version: query.version,
          limit: query.limit,
        }),
      }),
    }),
    route({
      method: "GET",
      url: "/api/results/:id",
      tag: "results",
      summary: "A result: its status and, when done, its body (the engine's report).",
      permission: "result.read",
      params: z.strictObject({ id: z.uuid({ error: "expected a result id (a UUID)" }) }),
      handler: async ({ req, reply, params }) => {
        let hit = results.get(params.id);
        if (!hit) {
          const info = await store.getResultInfo(params.id);
          if (!info) throw new HttpError(404, "not-found", `no result ${params.id}`, "path.id");
          const body = info.status === "done" ? await store.getResultBody(params.id) : null;
          // the stored body is spliced in as it is: no parse and re-serialize on the read path
          const text = `{"info":${JSON.stringify(info)},"result":${body ?? "null"}}`;
          // a finished result never changes: keep it ready to send, plain and compressed
          if (info.status !== "done" && info.status !== "failed" && info.status !== "cancelled") return text;
          hit = await results.put(params.id, text);
        }
        return sendReady(req, reply, hit);
      },
    }),
    route({
      method: "GET",
      url: "/api/results/:id/events",
      tag: "results",
      summary: "Progress of a simulation job as server-sent events (progress, then status).",
      permission: "result.read",
      sse: true,
      params: z.strictObject({ id: z.uuid({ error: "expected a result id (a UUID)" }) }),
      handler: async ({ req, reply, params }) => {
        const info = await store.getResultInfo(params.id);
        if (!info) throw new HttpError(404, "not-found", `no result ${params.id}`, "path.id");
        const sse = openSse(req, reply, headersOf(req));
        const sub = jobs.subscribe(params.id, (e) => {
          sse.send(e.type, e);
          if (e.type === "status") sse.close();
        });
        if (!sub) {
          sse.send("status", { type: "status", status: info.status, error: info.error });
          sse.close();
          return;
        }
        sse.send("progress", { type: "progress", ...sub.last });
        sse.onClose(sub.off);
      },
    }),
    route({
      method: "POST",
      url: "/api/results/:id/cancel",
      tag: "results",
      summary: "Cancel a running simulation job.",
      permission: "simulation.run",
      params: z.strictObject({ id: z.uuid({ error: "expected a result id (a UUID)" }) }),
      handler: async ({ req, params, session }) => {
        const info = await store.getResultInfo(params.id);
        if (!info) throw new HttpError(404, "not-found", `no result ${params.id}`, "path.id");
        const ok = jobs.cancel(params.id);
        if (!ok)
          throw new HttpError(409, "not-running", `result ${params.id} is ${info.status}, not running`, "path.id");
        await store.audit("simulation.cancel", `results/${params.id}`, {}, actorOf(req, session));
        return { ok: true };
      },
    }),

    // alerts
    route({
      method: "GET",
      url: "/api/alerts",
      tag: "alerts",
      summary: "List alerts (newest first).",
      permission: "alert.read",
      query: z.strictObject({
        limit: Limit.optional(),
        before: z
          .string()
          .regex(/^[1-9][0-9]{0,15}$/, { error: "expected an alert id" })
          .transform(Number)
          .optional(),
        model: IdParam.optional(),
        open: z.enum(["true", "false"], { error: "expected true or false" }).optional(),
      }),
      response: z.object({ alerts: z.array(AlertOut) }),
      handler: async ({ query }) => ({
        alerts: await store.listAlerts({
          limit: query.limit,
          before: query.before,
          modelId: query.model,
          open: query.open === "true",
        }),
      }),
    }),
    route({
      method: "GET",
      url: "/api/alerts/stream",
      tag: "alerts",
      summary: "Live alerts as server-sent events (event: alert).",
      permission: "alert.read",
      sse: true,
      handler: async ({ req, reply }) => {
        const sse = openSse(req, reply, headersOf(req));
        sse.onClose(alerts.subscribe((a) => sse.send("alert", a)));
        sse.send("ready", { detect: !!ctx.engines.detect });
      },
    }),
    route({
      method: "POST",
      url: "/api/alerts/:id/ack",
      tag: "alerts",
      summary: "Acknowledge an alert.",
      permission: "alert.ack",
      params: z.strictObject({
        id: z
          .string()
          .regex(/^[1-9][0-9]{0,15}$/, { error: "expected an alert id" })
          .transform(Number),
      }),
      response: AlertOut,
      handler: async ({ req, params, session }) => {
        const a = await store.ackAlert(params.id, actorOf(req, session));
        if (!a) throw new HttpError(404, "not-found", `no alert ${params.id}`, "path.id");
        return a;
      },
    }),

    // users
    route({
      method: "GET",
      url: "/api/users",
      tag: "users",
      summary: "List users.",
      permission: "user.manage",
      response: z.object({ users: z.array(UserOut) }),
      handler: async () => ({ users: await store.listUsers() }),
    }),
    route({
      method: "POST",
      url: "/api/users",
      tag: "users",
      summary: "Create a user.",
      permission: "user.manage",
      status: 201,
      body: z.strictObject({
        username: UsernameSchema,
        password: PasswordSchema,
        role: z.enum(ROLES as [Role, ...Role[]], { error: `expected a role: ${ROLES.join(", ")}` }),
      }),
      response: UserOut,
      handler: async ({ req, body, session }) =>
        guard(
          store.createUser(
            { username: body.username, role: body.role, passwordHash: await hashPassword(body.password) },
            actorOf(req, session),
          ),
          "body.username",
        ),
    }),
    route({
      method: "PATCH",
      url: "/api/users/:username",
      tag: "users",
      summary: "Change a user's role, password or disabled flag (ends their sessions).",
      permission: "user.manage",
      params: z.strictObject({ username: UsernameSchema }),
      body: z
        .strictObject({
          role: z.enum(ROLES as [Role, ...Role[]], { error: `expected a role: ${ROLES.join(", ")}` }).optional(),
          password: PasswordSchema.optional(),
          disabled: z.boolean({ error: "expected true or false" }).optional(),
        })
        .refine((b) => Object.keys(b).length > 0, { error: "expected role, password or disabled" }),
      response: UserOut,
      handler: async ({ req, params, body, session }) => {
        const s = session as Session;
        if (params.username === s.username && (body.disabled || (body.role && body.role !== "admin"))) {
          throw new HttpError(
            409,
            "self-lockout",
            "you cannot disable yourself or drop your own admin role",
            "path.username",
          );
        }
        const u = await store.updateUser(
          params.username,
          {
            role: body.role,
            disabled: body.disabled,
            passwordHash: body.password ? await hashPassword(body.password) : undefined,
          },
          actorOf(req, s),
        );
        if (!u) throw new HttpError(404, "not-found", `no user ${params.username}`, "path.username");
        sessions.evictUser(params.username);
        return u;
      },
    }),
    route({
      method: "DELETE",
      url: "/api/users/:username",
      tag: "users",
      summary: "Delete a user (ends their sessions).",
      permission: "user.manage",
      params: z.strictObject({ username: UsernameSchema }),
      handler: async ({ req, params, session }) => {
        const s = session as Session;
        if (params.username === s.username) {
          throw new HttpError(409, "self-lockout", "you cannot delete yourself", "path.username");
        }
        const ok = await store.deleteUser(params.username, actorOf(req, s));
        if (!ok) throw new HttpError(404, "not-found", `no user ${params.username}`, "path.username");
        sessions.evictUser(params.username);
        return { ok: true };
      },
    }),

    // audit
    route({
      method: "GET",
      url: "/api/audit",
      tag: "audit",
      summary: "The audit log, newest first.",
      permission: "audit.read",
      query: z.strictObject({
        limit: Limit.optional(),
        before: z
          .string()
          .regex(/^[1-9][0-9]{0,15}$/, { error: "expected an entry number" })
          .transform(Number)
          .optional(),
      }),
      handler: async ({ query }) => ({ entries: await store.listAudit({ limit: query.limit, before: query.before }) }),
    }),
    route({
      method: "GET",
      url: "/api/audit/verify",
      tag: "audit",
      summary: "Verify the audit log's hash chain.",
      permission: "audit.read",
      handler: async () => store.verifyAudit(),
    }),
    route({
      method: "GET",
      url: "/api/roles",
      tag: "auth",
      summary: "The role and permission matrix.",
      permission: "session.self",
      handler: async () => ({ permissions: PERMISSIONS, roles: MATRIX }),
    }),
  ];
}

/** The headers a hijacked reply must carry itself (onSend hooks do not run for it). */
function headersOf(req: FastifyRequest): Record<string, string> {
  return securityHeaders(req.protocol === "https");
}

/** Sends a ready result: 304 when the browser has it, else the smallest encoding it accepts (no work per request). */
function sendReady(req: FastifyRequest, reply: FastifyReply, hit: Ready): FastifyReply {
  const enc = pickEncoding(req.headers["accept-encoding"]);
  const body = enc === "br" ? (hit.br ?? hit.gz) : enc === "gzip" ? hit.gz : hit.plain;
  const tag = body === hit.br ? "br" : body === hit.gz ? "gz" : "id";
  reply.header("etag", `"${hit.etag}-${tag}"`).header("vary", "accept-encoding");
  const inm = req.headers["if-none-match"];
  if (inm?.includes(`"${hit.etag}-`)) return reply.code(304).send();
  reply.type("application/json; charset=utf-8");
  if (body !== hit.plain) reply.header("content-encoding", body === hit.br ? "br" : "gzip");
  return reply.send(body);
}
