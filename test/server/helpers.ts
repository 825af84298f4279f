/** A server on a temporary SQLite store, one user per role, and request helpers (fastify inject). */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildServer, type Server } from "../../src/server/app.ts";
import { hashPassword, LOGIN_POLICY, type ThrottlePolicy } from "../../src/server/auth.ts";
import type { Engines } from "../../src/server/engines.ts";
import { openStore, ROLES, type Role, type SqlStore } from "../../src/store/index.ts";

export const PASSWORD = "correct horse battery staple";
export const METRICS_TOKEN = "metrics-token-for-tests";
export const FIXTURE = join(import.meta.dirname, "fixtures", "tiny");

export function fixtureFiles(dir = FIXTURE): { file: string; text: string }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => ({ file: f, text: readFileSync(join(dir, f), "utf8") }));
}

export type Client = { cookie: string; csrf: string; role: Role };

export type TestServer = Server & {
  store: SqlStore;
  dir: string;
  as: Record<Role, Client>;
  req(
    c: Client | null,
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; json: Json; headers: Record<string, unknown>; text: string }>;
  close(): Promise<void>;
};

let hashed: Promise<string> | undefined;

/** Login throttling that the tests' own logins never reach (the throttle tests pass their own). */
export const LENIENT: ThrottlePolicy = {
  ...LOGIN_POLICY,
  account: { free: 1e6, capMs: 1000 },
  pair: { free: 1e6, capMs: 1000 },
  address: { free: 1e6, capMs: 1000 },
};

export async function testServer(
  o: { engines?: Engines; limiter?: ThrottlePolicy; trustProxy?: boolean | string } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), "rampart-srv-"));
  const store = await openStore({ dataDir: dir });
  hashed ??= hashPassword(PASSWORD);
  const hash = await hashed;
  for (const role of ROLES) await store.createUser({ username: role, role, passwordHash: hash }, { user: "system" });
  const server = await buildServer({
    store,
    engines: o.engines ?? {},
    importRoot: join(import.meta.dirname, "fixtures"),
    loginPolicy: o.limiter ?? LENIENT,
    metricsToken: METRICS_TOKEN,
    trustProxy: o.trustProxy,
  });
  const req: TestServer["req"] = async (c, method, url, body, headers = {}) => {
    const h: Record<string, string> = { ...headers };
    if (c) {
      h.cookie = c.cookie;
      if (method !== "GET" && !("x-csrf-token" in h)) h["x-csrf-token"] = c.csrf;
    }
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === "string" ? body : JSON.stringify(body);
      h["content-type"] ??= "application/json";
    }
    const r = await server.app.inject({ method: method as "GET", url, headers: h, payload });
    let json: unknown;
    try {
      json = JSON.parse(r.body);
    } catch {
      json = undefined;
    }
    return { status: r.statusCode, json: json as Json, headers: r.headers, text: r.body };
  };
  const as = {} as Record<Role, Client>;
  for (const role of ROLES) {
    const r = await server.app.inject({
      method: "POST",
      url: "/api/auth/login",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ username: role, password: PASSWORD }),
    });
    if (r.statusCode !== 200) throw new Error(`login ${role}: ${r.statusCode} ${r.body}`);
    const cookie = String(r.headers["set-cookie"]).split(";")[0];
    as[role] = { cookie, csrf: JSON.parse(r.body).csrfToken, role };
  }
  const t: TestServer = {
    ...server,
    store,
    dir,
    as,
    req,
    async close() {
      await server.app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}

/** Polls a job's result until it has ended (done, failed or cancelled); returns the result's body. */
export async function finished(s: TestServer, c: Client, id: string, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const g = await s.req(c, "GET", `/api/results/${id}`);
    if (g.status !== 200) throw new Error(`result ${id}: ${g.status} ${g.text}`);
    if (!["queued", "running"].includes(String(g.json.info.status))) return g;
    if (Date.now() > until) throw new Error(`result ${id} still ${g.json.info.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** What a refused request must not change: row counts of every table and the audit head. */
export async function snapshot(store: SqlStore): Promise<string> {
  const out: unknown[] = [];
  for (const t of ["users", "models", "model_versions", "results", "alerts", "audit", "sessions"]) {
    out.push(await store.db.get(`SELECT COUNT(*) AS n FROM ${t}`));
  }
  out.push(await store.db.get("SELECT seq, hash FROM audit_head"));
  out.push(await store.db.all("SELECT username, role, disabled, password_hash FROM users ORDER BY username"));
  return JSON.stringify(out);
}

/**
 * A parsed JSON answer as the tests read it: any property or index of an object or list, down to leaves
 * compared with expect(). Not `any`: a typo in a method name still fails to compile.
 */
export type Json = JsonNode & JsonList;
export interface JsonNode {
  readonly [key: string]: Json;
}
/** List methods, less those whose names answers use as fields (`entries` of the audit log). */
export interface JsonList extends Omit<Json[], "entries" | "keys" | "values"> {}
