/**
 * [SEC-18] The hostile-input suite: for every operation of the OpenAPI document, generated hostile path
 * parameters, query parameters, bodies and headers. Each must be a 4xx in the documented error shape with
 * the security headers, change nothing stored (row counts, users, audit head) and leave the server live.
 * In-process (fastify inject), so it runs in seconds.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadEngines } from "../../src/server/engines.ts";
import { aliasBombModel, deepJson, deepJsonArray, INJECTION_STRINGS } from "../helpers/bombs.ts";
import { fixtureFiles, snapshot, type TestServer, testServer } from "../server/helpers.ts";

type Op = {
  method: string;
  path: string;
  params: string[];
  query: string[];
  body?: { properties?: Record<string, unknown>; required?: string[] };
};

const HOSTILE_VALUES = [...INJECTION_STRINGS, "a".repeat(300), "-1", "1e309", "0x10", "", " "];
/** Values that are hostile for any query parameter (`0x10` and `1e309` are well-formed model ids). */
const QUERY_VALUES = HOSTILE_VALUES.filter((v) => v !== "0x10" && v !== "1e309");
const WRONG_TYPES: unknown[] = [null, 0, -1, 1e308, true, "text", [], [[[]]], {}];

let s: TestServer;
let ops: Op[] = [];
beforeAll(async () => {
  s = await testServer({ engines: await loadEngines() });
  expect((await s.req(s.as.analyst, "POST", "/api/models", { id: "tiny", files: fixtureFiles() })).status).toBe(201);
  const doc = (await s.req(s.as.admin, "GET", "/api/openapi.json")).json as unknown as {
    paths: Record<
      string,
      Record<
        string,
        {
          parameters?: { name: string; in: string }[];
          requestBody?: { content: Record<string, { schema: Op["body"] }> };
        }
      >
    >;
  };
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const ps = op.parameters ?? [];
      ops.push({
        method: method.toUpperCase(),
        path,
        params: ps.filter((p) => p.in === "path").map((p) => p.name),
        query: ps.filter((p) => p.in === "query").map((p) => p.name),
        body: op.requestBody?.content["application/json"]?.schema,
      });
    }
  }
  // logging out has no input to refuse: it would only end the suite's own session
  ops = ops.filter((o) => o.path !== "/api/auth/logout");
});
afterAll(async () => {
  await s?.close();
});

/** A concrete URL for an operation, with valid-looking path parameters unless one is given. */
function urlOf(op: Op, override?: [string, string], query = ""): string {
  let url = op.path;
  for (const p of op.params) {
    const v = override && override[0] === p ? override[1] : p === "version" ? "1" : p === "model" ? "tiny" : "x1";
    url = url.replace(`{${p}}`, encodeURIComponent(v));
  }
  return url + query;
}

function hostileBodies(op: Op): { name: string; body: string }[] {
  const out = [
    { name: "malformed", body: '{"a": ' },
    { name: "deep object", body: deepJson(2000) },
    { name: "deep array", body: deepJsonArray(50_000) },
    { name: "prototype key", body: '{"__proto__": {"role": "admin"}}' },
    { name: "huge", body: JSON.stringify({ x: "y".repeat(17 * 1024 * 1024) }) },
    // an empty object (or no body) is a valid request when nothing is required
    ...WRONG_TYPES.filter((v) => op.body?.required?.length || (v !== null && JSON.stringify(v) !== "{}")).map((v) => ({
      name: `top-level ${JSON.stringify(v)}`,
      body: JSON.stringify(v),
    })),
  ];
  for (const key of Object.keys(op.body?.properties ?? {})) {
    for (const v of [...WRONG_TYPES.filter((x) => x !== null), ...INJECTION_STRINGS.map((x) => ({ x }))]) {
      out.push({
        name: `${key}=${JSON.stringify(v).slice(0, 30)}`,
        body: JSON.stringify({ [key]: v, "x-unknown": 1 }),
      });
    }
    out.push({
      name: `${key}=alias bomb`,
      body: JSON.stringify({
        [key]: aliasBombModel(9),
        id: "bomb",
        files: [{ file: "b.yaml", text: aliasBombModel(9) }],
        extra: 1,
      }),
    });
  }
  return out;
}

const SECURITY_HEADERS = ["content-security-policy", "x-content-type-options", "x-frame-options", "cache-control"];

describe("[SEC-18] hostile input on every OpenAPI operation", () => {
  test("[SEC-18] the document lists the routes (the suite is not empty)", () => {
    expect(ops.length).toBeGreaterThan(20);
  });

  test("[SEC-18] hostile parameters, queries, bodies and headers: 4xx in the documented shape, nothing changed, server live", async () => {
    let requests = 0;
    const failures: string[] = [];
    for (const op of ops) {
      const before = await snapshot(s.store);
      const send = async (what: string, url: string, body?: string, headers: Record<string, string> = {}) => {
        requests++;
        const h: Record<string, string> = { cookie: s.as.admin.cookie, ...headers };
        if (op.method !== "GET" && !("x-csrf-token" in h)) h["x-csrf-token"] = s.as.admin.csrf;
        if (body !== undefined) h["content-type"] ??= "application/json";
        const r = await s.app.inject({ method: op.method as "GET", url, headers: h, payload: body });
        let json: { error?: { code?: unknown; message?: unknown } } | undefined;
        try {
          json = JSON.parse(r.body);
        } catch {
          json = undefined;
        }
        const where = `${op.method} ${op.path} ${what}: ${r.statusCode}`;
        if (r.statusCode < 400 || r.statusCode >= 500) failures.push(`${where} ${r.body.slice(0, 120)}`);
        else if (typeof json?.error?.code !== "string" || typeof json.error.message !== "string")
          failures.push(`${where} shape`);
        for (const k of SECURITY_HEADERS) if (r.headers[k] === undefined) failures.push(`${where} no ${k}`);
        if (/\/(tmp|work|home|root)\//.test(r.body)) failures.push(`${where} names a server path`);
      };
      for (const p of op.params)
        for (const v of HOSTILE_VALUES) await send(`path.${p}=${JSON.stringify(v).slice(0, 20)}`, urlOf(op, [p, v]));
      for (const q of op.query) {
        for (const v of QUERY_VALUES)
          await send(
            `query.${q}=${JSON.stringify(v).slice(0, 20)}`,
            urlOf(op, undefined, `?${q}=${encodeURIComponent(v)}`),
          );
        await send(`query.${q} twice`, urlOf(op, undefined, `?${q}=1&${q}=2`));
      }
      if (op.query.length) await send("unknown query", urlOf(op, undefined, "?zzz=1"));
      if (op.body) {
        for (const b of hostileBodies(op)) await send(`body ${b.name}`, urlOf(op), b.body);
        await send("body as text/plain", urlOf(op), "{}", { "content-type": "text/plain" });
        await send("body as form", urlOf(op), "a=1", { "content-type": "application/x-www-form-urlencoded" });
      }
      if (op.method !== "GET" && op.path !== "/api/auth/login") {
        await send("no csrf", urlOf(op), op.body ? "{}" : undefined, { "x-csrf-token": "" });
        await send("forged csrf", urlOf(op), op.body ? "{}" : undefined, { "x-csrf-token": "<script>" });
      }
      if (op.path !== "/api/health" && op.path !== "/api/auth/login") {
        await send("forged cookie", urlOf(op), undefined, { cookie: `rampart_session=${"A".repeat(90)}` });
        await send("huge cookie", urlOf(op), undefined, { cookie: `rampart_session=${"A".repeat(20_000)}` });
      }
      const after = await snapshot(s.store);
      if (after !== before) failures.push(`${op.method} ${op.path}: stored state changed`);
      const health = await s.req(null, "GET", "/api/health");
      if (health.status !== 200) failures.push(`${op.method} ${op.path}: health ${health.status} afterwards`);
    }
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(500);
  }, 600_000);
});
