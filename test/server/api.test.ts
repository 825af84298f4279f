/** The API: sessions, CSRF, limits, headers, models, versions, diffs, edits, alerts, audit. */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { LOGIN_POLICY } from "../../src/server/auth.ts";
import { fixtureFiles, METRICS_TOKEN, PASSWORD, snapshot, type TestServer, testServer } from "./helpers.ts";

let s: TestServer;
beforeAll(async () => {
  s = await testServer();
});
afterAll(async () => {
  await s.close();
});

describe("sessions and security", () => {
  test("[SEC-1] health and login are public; every other /api route answers 401 without a session", async () => {
    expect((await s.req(null, "GET", "/api/health")).json).toMatchObject({ status: "ok", store: "sqlite" });
    for (const r of s.routes) {
      if (r.permission === null) continue;
      const url = r.url
        .replace(":model", "tiny")
        .replace(":version", "1")
        .replace(":id", "00000000-0000-4000-8000-000000000000")
        .replace(":username", "viewer");
      const res = await s.req(null, r.method, url, r.method === "GET" ? undefined : {});
      expect(res.status, `${r.method} ${r.url}`).toBe(401);
      expect(res.json.error.code).toBe("unauthenticated");
    }
    expect((await s.req(null, "GET", "/api/no-such-route")).status).toBe(401);
    expect((await s.req(s.as.viewer, "GET", "/api/no-such-route")).status).toBe(404);
  });

  test("[SEC-2] login sets an HttpOnly SameSite=Strict cookie, Secure only behind TLS", async () => {
    const r = await s.req(null, "POST", "/api/auth/login", { username: "viewer", password: PASSWORD });
    expect(r.status).toBe(200);
    const cookie = String(r.headers["set-cookie"]);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toMatch(/Secure/);
    expect(r.json).toMatchObject({ username: "viewer", role: "viewer" });
    expect(r.json.csrfToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const behind = await testServer({ trustProxy: true });
    try {
      const t = await behind.req(
        null,
        "POST",
        "/api/auth/login",
        { username: "viewer", password: PASSWORD },
        { "x-forwarded-proto": "https" },
      );
      expect(String(t.headers["set-cookie"])).toMatch(/Secure/);
      expect(String(t.headers["strict-transport-security"])).toMatch(/max-age/);
    } finally {
      await behind.close();
    }
  });

  test("[SEC-3] wrong passwords and unknown users get the same 401; the store keeps only scrypt hashes", async () => {
    const a = await s.req(null, "POST", "/api/auth/login", { username: "viewer", password: "wrong password!" });
    const b = await s.req(null, "POST", "/api/auth/login", { username: "nobody", password: "wrong password!" });
    expect([a.status, b.status]).toEqual([401, 401]);
    expect(a.json.error).toEqual(b.json.error);
    const u = await s.store.getUser("viewer");
    expect(u?.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(u?.passwordHash).not.toContain(PASSWORD);
  });

  test("[SEC-4] a change without the session's CSRF token is refused and changes nothing", async () => {
    const before = await snapshot(s.store);
    const body = { username: "csrf-victim", password: "long enough password", role: "admin" };
    const none = await s.req(s.as.admin, "POST", "/api/users", body, { "x-csrf-token": "" });
    const wrong = await s.req(s.as.admin, "POST", "/api/users", body, { "x-csrf-token": s.as.viewer.csrf });
    expect([none.status, wrong.status]).toEqual([403, 403]);
    expect(none.json.error).toMatchObject({ code: "csrf", parameter: "header.x-csrf-token" });
    expect(await snapshot(s.store)).toBe(before);
    expect((await s.req(s.as.admin, "POST", "/api/users", body)).status).toBe(201);
    expect((await s.req(s.as.admin, "DELETE", "/api/users/csrf-victim")).status).toBe(200);
  });

  test("[SEC-5] the login rate limit answers 429 with Retry-After, even for the right password", async () => {
    const t = await testServer({ limiter: { ...LOGIN_POLICY, pair: { free: 3, capMs: 60_000 } } });
    try {
      for (let i = 0; i < 3; i++) {
        expect(
          (await t.req(null, "POST", "/api/auth/login", { username: "analyst", password: "nope nope" })).status,
        ).toBe(401);
      }
      const r = await t.req(null, "POST", "/api/auth/login", { username: "analyst", password: PASSWORD });
      expect(r.status).toBe(429);
      expect(Number(r.headers["retry-after"])).toBeGreaterThan(0);
      expect(r.json.error.code).toBe("rate-limited");
      // another user from the same address is not locked out by these failures
      expect((await t.req(null, "POST", "/api/auth/login", { username: "viewer", password: PASSWORD })).status).toBe(
        200,
      );
    } finally {
      await t.close();
    }
  });

  test("[SEC-6] every answer carries a strict CSP and the security headers", async () => {
    for (const [c, url] of [
      [null, "/api/health"],
      [s.as.viewer, "/api/models"],
      [null, "/metrics"],
    ] as const) {
      const r = await s.req(c, "GET", url);
      const csp = String(r.headers["content-security-policy"]);
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe");
      expect(r.headers["x-content-type-options"]).toBe("nosniff");
      expect(r.headers["x-frame-options"]).toBe("DENY");
      expect(r.headers["referrer-policy"]).toBe("no-referrer");
    }
  });

  test("[SEC-7] oversized, malformed and mistyped bodies get 413, 400 and 415 naming the body", async () => {
    const before = await snapshot(s.store);
    const big = { username: "x".repeat(10), password: "y".repeat(2 * 1024 * 1024), role: "viewer" };
    const r1 = await s.req(s.as.admin, "POST", "/api/users", big);
    expect(r1.status).toBe(413);
    expect(r1.json.error).toMatchObject({ code: "body-too-large", parameter: "body" });
    const r2 = await s.req(s.as.admin, "POST", "/api/users", '{"username": "x",');
    expect(r2.status).toBe(400);
    expect(r2.json.error.parameter).toBe("body");
    const r3 = await s.req(s.as.admin, "POST", "/api/users", "username=x", { "content-type": "text/plain" });
    expect(r3.status).toBe(415);
    const r4 = await s.req(s.as.admin, "POST", "/api/users", '{"__proto__": {"admin": true}, "username": "pp"}');
    expect(r4.status).toBe(400);
    const huge = { id: "huge", files: [{ file: "a.yaml", text: "#".repeat(17 * 1024 * 1024) }] };
    const r5 = await s.req(s.as.analyst, "POST", "/api/models", huge);
    expect(r5.status).toBe(413);
    expect(await snapshot(s.store)).toBe(before);
  });

  test("[SEC-8] logout ends the session; a disabled user's sessions end at once", async () => {
    const login = await s.req(null, "POST", "/api/auth/login", { username: "operator", password: PASSWORD });
    const c = {
      cookie: String(login.headers["set-cookie"]).split(";")[0],
      csrf: String(login.json.csrfToken),
      role: "operator" as const,
    };
    expect((await s.req(c, "GET", "/api/auth/me")).status).toBe(200);
    expect((await s.req(c, "POST", "/api/auth/logout")).status).toBe(200);
    expect((await s.req(c, "GET", "/api/auth/me")).status).toBe(401);
    await s.req(s.as.admin, "POST", "/api/users", { username: "temp", password: "a long password", role: "viewer" });
    const l2 = await s.req(null, "POST", "/api/auth/login", { username: "temp", password: "a long password" });
    const c2 = {
      cookie: String(l2.headers["set-cookie"]).split(";")[0],
      csrf: String(l2.json.csrfToken),
      role: "viewer" as const,
    };
    expect((await s.req(c2, "GET", "/api/models")).status).toBe(200);
    expect((await s.req(s.as.admin, "PATCH", "/api/users/temp", { disabled: true })).status).toBe(200);
    expect((await s.req(c2, "GET", "/api/models")).status).toBe(401);
    expect(
      (await s.req(null, "POST", "/api/auth/login", { username: "temp", password: "a long password" })).status,
    ).toBe(401);
    expect((await s.req(s.as.admin, "PATCH", "/api/users/admin", { role: "viewer" })).json.error.code).toBe(
      "self-lockout",
    );
  });
});

describe("models, versions, diffs and edits", () => {
  test("[API-1] an upload becomes version 1; an invalid one gets 422 with located issues and stores nothing", async () => {
    const r = await s.req(s.as.analyst, "POST", "/api/models", { id: "tiny", files: fixtureFiles(), message: "first" });
    expect(r.status).toBe(201);
    expect(r.json.version).toMatchObject({ modelId: "tiny", version: 1, counts: { services: 2, assets: 3 } });
    const before = await snapshot(s.store);
    const bad = fixtureFiles().map((f) =>
      f.file === "assets.yaml" ? { ...f, text: f.text.replace("zone: ot }", "zone: nowhere }") } : f,
    );
    const r2 = await s.req(s.as.analyst, "POST", "/api/models", { id: "tiny", files: bad });
    expect(r2.status).toBe(422);
    expect(r2.json.error.code).toBe("invalid-model");
    expect(r2.json.error.issues[0]).toMatchObject({ file: "assets.yaml", code: "unknown-ref" });
    expect(r2.json.error.issues[0].line).toBeGreaterThan(1);
    const r3 = await s.req(s.as.analyst, "POST", "/api/models", {
      id: "tiny",
      files: [{ file: "a.yaml", text: "rampart: 1\ncity: [" }],
    });
    expect(r3.status).toBe(422);
    expect(await snapshot(s.store)).toBe(before);
    const got = await s.req(s.as.viewer, "GET", "/api/models/tiny/versions/latest");
    expect(got.json.model.city.name).toBe("Tinytown");
    expect(got.json.version.version).toBe(1);
  });

  test("[API-2] editing a control or a person makes a new version; the diff names it; a bad edit is refused", async () => {
    const r = await s.req(s.as.analyst, "PUT", "/api/models/tiny/controls/backup-scada", {
      name: "Offline backups of SCADA",
      status: "planned",
      patch: [{ target: "assets.scada", set: { backup: { every: "24h", offline: true, restore: "8h" } } }],
    });
    expect(r.status).toBe(200);
    expect(r.json.version.version).toBe(2);
    const d = await s.req(s.as.viewer, "GET", "/api/models/tiny/diff?from=1&to=2");
    expect(d.json.diff.lists.controls.added).toEqual(["backup-scada"]);
    const before = await snapshot(s.store);
    const bad = await s.req(s.as.analyst, "PUT", "/api/models/tiny/people/bob", {
      name: "Bob",
      role: "x",
      responsible: ["nope"],
    });
    expect(bad.status).toBe(422);
    expect(bad.json.error.message).toMatch(/nope/);
    expect(await snapshot(s.store)).toBe(before);
    const del = await s.req(s.as.analyst, "DELETE", "/api/models/tiny/people/ana");
    expect(del.json.version.version).toBe(3);
    const v = await s.req(s.as.viewer, "GET", "/api/models/tiny/versions");
    expect(v.json.versions.map((x) => x.message)).toEqual(["first", "add controls backup-scada", "remove people ana"]);
    expect((await s.req(s.as.viewer, "GET", "/api/models/tiny/versions/9")).status).toBe(404);
  });

  test("[API-3] path imports stay inside the import folder", async () => {
    const out = await s.req(s.as.admin, "POST", "/api/models/import-path", { id: "etc", path: "../../../../etc" });
    expect(out.status).toBe(400);
    expect(out.json.error.parameter).toBe("body.path");
    const ok = await s.req(s.as.admin, "POST", "/api/models/import-path", { id: "tiny2", path: "tiny" });
    expect(ok.status).toBe(201);
  });

  test("[API-4] engines that are not there answer 501, not an invented result", async () => {
    const e = await s.req(s.as.viewer, "GET", "/api/engines");
    expect(e.json).toEqual({ assess: false, simulate: false, detect: false });
    const a = await s.req(s.as.analyst, "POST", "/api/models/tiny/versions/1/assessments", {});
    expect(a.status).toBe(501);
    const sim = await s.req(s.as.analyst, "POST", "/api/models/tiny/versions/1/simulations", { scenario: "x" });
    expect(sim.status).toBe(501);
  });
});

describe("injection and bad parameters", () => {
  const nasty = [
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "a%00b",
    "Robert'); DROP TABLE users;--",
    "x".repeat(300),
    "$" + "{jndi:ldap://x}",
  ];

  test("[SEC-9] injection attempts in every parameter get a 4xx naming it, and nothing stored changes", async () => {
    const before = await snapshot(s.store);
    const enc = encodeURIComponent;
    for (const v of nasty) {
      const cases: [string, string, string, unknown, string][] = [
        ["analyst", "GET", `/api/models/${enc(v)}`, undefined, "path.model"],
        ["analyst", "GET", `/api/models/tiny/versions/${enc(v)}`, undefined, "path.version"],
        ["analyst", "GET", `/api/models/tiny/diff?from=${enc(v)}`, undefined, "query.from"],
        ["analyst", "GET", `/api/results?model=${enc(v)}`, undefined, "query.model"],
        ["analyst", "GET", `/api/results?limit=${enc(v)}`, undefined, "query.limit"],
        ["analyst", "GET", `/api/results/${enc(v)}`, undefined, "path.id"],
        ["viewer", "GET", `/api/alerts?before=${enc(v)}`, undefined, "query.before"],
        ["operator", "POST", `/api/alerts/${enc(v)}/ack`, undefined, "path.id"],
        ["admin", "GET", `/api/audit?limit=${enc(v)}`, undefined, "query.limit"],
        ["admin", "POST", "/api/users", { username: v, password: "long enough pw", role: "viewer" }, "body.username"],
        ["admin", "POST", "/api/users", { username: "okname", password: "long enough pw", role: v }, "body.role"],
        ["admin", "PATCH", `/api/users/${enc(v)}`, { role: "viewer" }, "path.username"],
        ["analyst", "POST", "/api/models", { id: v, files: fixtureFiles() }, "body.id"],
        ["analyst", "POST", "/api/models", { id: "ok", files: [{ file: v, text: "x" }] }, "body.files[0].file"],
        ["analyst", "PUT", `/api/models/tiny/controls/${enc(v)}`, { name: "x" }, "path.id"],
        ["analyst", "POST", "/api/models/tiny/versions/1/simulations", { scenario: v }, "body.scenario"],
        ["admin", "POST", "/api/models/import-path", { id: v, path: "tiny" }, "body.id"],
      ];
      for (const [role, method, url, body, param] of cases) {
        const r = await s.req(s.as[role as "admin"], method, url, body);
        expect(r.status, `${method} ${url} ${JSON.stringify(body)?.slice(0, 80)}`).toBeGreaterThanOrEqual(400);
        expect(r.status).toBeLessThan(500);
        if (r.status === 400) expect(r.json.error.parameter, `${method} ${url}`).toBe(param);
        expect(r.text).not.toContain("<script>");
      }
    }
    const unknownQuery = await s.req(s.as.viewer, "GET", "/api/alerts?sort=1");
    expect(unknownQuery.status).toBe(400);
    expect(unknownQuery.json.error.parameter).toBe("query.sort");
    expect(await snapshot(s.store)).toBe(before);
  });
});

describe("alerts, audit, metrics, OpenAPI", () => {
  test("[API-5] alerts are listed newest first and acknowledged by operators", async () => {
    const a = await s.alerts.publish({
      at: new Date().toISOString(),
      source: "test",
      modelId: "tiny",
      assetId: "plc-1",
      signal: "pressure",
      severity: "critical",
      score: 9,
      message: "pressure out of range",
      services: ["water"],
    });
    const l = await s.req(s.as.viewer, "GET", "/api/alerts?open=true");
    expect(l.json.alerts[0]).toMatchObject({ id: a.id, assetId: "plc-1", services: ["water"] });
    expect((await s.req(s.as.viewer, "POST", `/api/alerts/${a.id}/ack`)).status).toBe(403);
    const ack = await s.req(s.as.operator, "POST", `/api/alerts/${a.id}/ack`);
    expect(ack.json.ackedBy).toBe("operator");
    expect((await s.req(s.as.viewer, "GET", "/api/alerts?open=true")).json.alerts).toEqual([]);
  });

  test("[AUD-3] every change is in the audit log and the chain verifies through the API", async () => {
    const log = await s.req(s.as.admin, "GET", "/api/audit?limit=1000");
    const actions = new Set(log.json.entries.map((e) => String(e.action)));
    for (const a of [
      "user.create",
      "user.update",
      "user.delete",
      "model.version",
      "alert.ack",
      "auth.login",
      "auth.logout",
    ]) {
      expect(actions).toContain(a);
    }
    // ids and counts only: no model content in the log
    expect(JSON.stringify(log.json)).not.toContain("Tinytown");
    expect(JSON.stringify(log.json)).not.toContain(PASSWORD);
    const v = await s.req(s.as.admin, "GET", "/api/audit/verify");
    expect(v.json).toMatchObject({ ok: true, problems: [] });
    await s.store.db.run("UPDATE audit SET target = 'users/someone-else' WHERE seq = 3");
    const broken = await s.req(s.as.admin, "GET", "/api/audit/verify");
    expect(broken.json.ok).toBe(false);
    expect(broken.json.problems[0]).toMatchObject({ seq: 3, code: "bad-hash" });
    await s.store.db.run("UPDATE audit SET target = 'users/viewer' WHERE seq = 3");
  });

  test("[API-6] /metrics is Prometheus text with request counts by route", async () => {
    const r = await s.req(null, "GET", "/metrics", undefined, { authorization: `Bearer ${METRICS_TOKEN}` });
    expect(r.status).toBe(200);
    expect(String(r.headers["content-type"])).toMatch(/^text\/plain; version=0.0.4/);
    expect(r.text).toMatch(/rampart_http_requests_total\{method="GET",route="\/api\/models",status="200"\} \d+/);
    expect(r.text).toContain("# TYPE rampart_http_request_duration_seconds histogram");
  });

  test("[API-7] /api/openapi.json is OpenAPI 3.1 generated from the validating schemas", async () => {
    const r = await s.req(s.as.viewer, "GET", "/api/openapi.json");
    expect(r.json.openapi).toBe("3.1.0");
    const paths = r.json.paths;
    for (const route of s.routes) {
      const p = route.url.replace(/:([A-Za-z]+)/g, "{$1}");
      expect(paths[p]?.[route.method.toLowerCase()], `${route.method} ${p}`).toBeDefined();
    }
    const createUser = paths["/api/users"].post;
    expect(createUser["x-permission"]).toBe("user.manage");
    const schema = createUser.requestBody.content["application/json"].schema;
    expect(schema.required).toEqual(expect.arrayContaining(["username", "password", "role"]));
    expect(schema.properties.role.enum).toEqual(["admin", "analyst", "operator", "viewer"]);
    expect(schema.properties.password.minLength).toBe(12);
    const limit = paths["/api/alerts"].get.parameters.find((p) => String(p.name) === "limit");
    expect(limit).toMatchObject({ in: "query", required: false });
  });
});
