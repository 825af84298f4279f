/** TAXII 2.1 on the Rampart server, the client, two instances, and the OASIS Python client ([SHR-10]..[SHR-16]). */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { hashPassword } from "../../src/server/auth.ts";
import { TaxiiClient } from "../../src/share/io/taxii-client.ts";
import type { StixObject } from "../../src/share/stix.ts";
import { PASSWORD, type TestServer, testServer } from "../server/helpers.ts";

const MEDIA = "application/taxii+json;version=2.1";
const PARTNER_PW = "partner password 12345";
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;
const PARTNER = basic("cert", PARTNER_PW);
const ROOT = "/taxii2/rampart";

const uuid = (n: number) => `8e2e2d2b-17d4-4cbf-938f-${String(n).padStart(12, "0")}`;
const ind = (n: number, modified = "2026-01-01T00:00:00.000Z"): StixObject => ({
  type: "indicator",
  spec_version: "2.1",
  id: `indicator--${uuid(n)}`,
  created: "2026-01-01T00:00:00.000Z",
  modified,
  pattern: `[network-traffic:dst_port = ${n}]`,
  pattern_type: "stix",
  valid_from: "2026-01-01T00:00:00Z",
});

async function setup(t: TestServer) {
  const cli = { user: "test" };
  await t.store.share.putCollection({ id: "shared", title: "Shared with partners" }, cli);
  await t.store.share.putCollection({ id: "inbox", title: "From partners" }, cli);
  await t.store.share.putCollection({ id: "private", title: "Internal" }, cli);
  await t.store.share.putPartner({ name: "cert", passwordHash: await hashPassword(PARTNER_PW) }, cli);
  await t.store.share.setRight({ collection: "shared", principal: "cert", read: true, write: false }, cli);
  await t.store.share.setRight({ collection: "inbox", principal: "cert", read: true, write: true }, cli);
}

type Res = { status: number; json: Record<string, unknown>; headers: Record<string, unknown> };
let t: TestServer;
async function taxii(
  method: string,
  url: string,
  o: { auth?: string | null; body?: unknown; type?: string; accept?: string } = {},
): Promise<Res> {
  const headers: Record<string, string> = { accept: o.accept ?? MEDIA };
  if (o.auth !== null) headers.authorization = o.auth ?? PARTNER;
  let payload: string | undefined;
  if (o.body !== undefined) {
    payload = typeof o.body === "string" ? o.body : JSON.stringify(o.body);
    headers["content-type"] = o.type ?? MEDIA;
  }
  const r = await t.app.inject({ method: method as "GET", url, headers, payload });
  return { status: r.statusCode, json: r.body ? JSON.parse(r.body) : {}, headers: r.headers };
}
const count = async (c: string) => t.store.share.countObjects(c);

beforeAll(async () => {
  t = await testServer();
  await setup(t);
}, 60_000);
afterAll(async () => {
  await t?.close();
});

test("[SHR-10] discovery, API root, collections: TAXII media type, with and without the trailing slash", async () => {
  const d = await taxii("GET", "/taxii2/");
  expect(d.status).toBe(200);
  expect(d.headers["content-type"]).toBe(MEDIA);
  expect(d.json.api_roots).toEqual([`${ROOT}/`]);
  const root = await taxii("GET", ROOT);
  expect(root.json.versions).toEqual([MEDIA]);
  expect(root.json.max_content_length).toBeGreaterThan(0);
  const cs = await taxii("GET", `${ROOT}/collections/`);
  expect(
    (cs.json.collections as { id: string; can_read: boolean; can_write: boolean }[]).map((c) => [
      c.id,
      c.can_read,
      c.can_write,
    ]),
  ).toEqual([
    ["inbox", true, true],
    ["shared", true, false],
  ]);
  expect((await taxii("GET", `${ROOT}/collections/inbox`)).json.media_types).toEqual([
    "application/stix+json;version=2.1",
  ]);
  expect((await taxii("GET", "/taxii2/", { accept: "application/xml" })).status).toBe(406);
});

test("[SHR-11] credentials and rights: 401 without or with wrong ones, 403 without the right, 404 for unseen collections", async () => {
  const none = await taxii("GET", "/taxii2/", { auth: null });
  expect(none.status).toBe(401);
  expect(none.headers["www-authenticate"]).toContain("Basic");
  expect(none.json.http_status).toBe("401");
  expect((await taxii("GET", "/taxii2/", { auth: basic("cert", "wrong password") })).status).toBe(401);
  const before = await count("shared");
  const w = await taxii("POST", `${ROOT}/collections/shared/objects/`, { body: { objects: [ind(1)] } });
  expect(w.status).toBe(403);
  expect(w.json.title).toBe("Forbidden");
  expect(await count("shared")).toBe(before);
  expect((await taxii("GET", `${ROOT}/collections/private/objects/`)).status).toBe(404);
  // Rampart users: every role reads, viewers may not write, analysts may
  expect((await taxii("GET", `${ROOT}/collections/private/objects/`, { auth: basic("viewer", PASSWORD) })).status).toBe(
    200,
  );
  expect(
    (
      await taxii("POST", `${ROOT}/collections/private/objects/`, {
        auth: basic("viewer", PASSWORD),
        body: { objects: [ind(1)] },
      })
    ).status,
  ).toBe(403);
  expect(
    (
      await taxii("POST", `${ROOT}/collections/private/objects/`, {
        auth: basic("analyst", PASSWORD),
        body: { objects: [ind(1)] },
      })
    ).status,
  ).toBe(202);
  // a session cookie works too
  const r = await t.app.inject({
    method: "GET",
    url: `${ROOT}/collections/`,
    headers: { cookie: t.as.viewer.cookie, accept: MEDIA },
  });
  expect(r.statusCode).toBe(200);
});

test("[SHR-14] bad adds store nothing: wrong media type 415, invalid objects 400 with issues, oversized 413", async () => {
  const before = await count("inbox");
  const audit = (await t.store.listAudit({ limit: 1 }))[0].seq;
  expect(
    (
      await taxii("POST", `${ROOT}/collections/inbox/objects/`, {
        body: { objects: [ind(1)] },
        type: "application/json",
      })
    ).status,
  ).toBe(415);
  const bad = await taxii("POST", `${ROOT}/collections/inbox/objects/`, {
    body: { objects: [ind(2), { ...ind(3), id: "indicator--x" }] },
  });
  expect(bad.status).toBe(400);
  expect(bad.json.http_status).toBe("400");
  expect(JSON.stringify(bad.json.details)).toContain("objects[1].id");
  expect((await taxii("POST", `${ROOT}/collections/inbox/objects/`, { body: "{not json" })).status).toBe(400);
  expect(
    (await taxii("POST", `${ROOT}/collections/inbox/objects/`, { body: { objects: [ind(4)], extra: 1 } })).status,
  ).toBe(400);
  const big = { objects: Array.from({ length: 90_000 }, (_, i) => ind(i + 10)) };
  const tooBig = await taxii("POST", `${ROOT}/collections/inbox/objects/`, { body: big });
  expect(tooBig.status).toBe(413);
  expect(tooBig.json.title).toBe("Request too large");
  expect(await count("inbox")).toBe(before);
  expect((await t.store.listAudit({ limit: 1 }))[0].seq).toBe(audit);
});

test("[SHR-12] [SHR-13] objects: added_after, match filters, pages with next and date headers; manifest, versions, status", async () => {
  const objs = [
    ind(101),
    ind(102),
    ind(103),
    ind(101, "2026-02-01T00:00:00.000Z"),
    { ...ind(104), type: "malware", id: `malware--${uuid(104)}`, is_family: false },
  ];
  const add = await taxii("POST", `${ROOT}/collections/inbox/objects/`, { body: { objects: objs } });
  expect(add.status).toBe(202);
  expect(add.json).toMatchObject({ status: "complete", total_count: 5, success_count: 5, failure_count: 0 });
  const again = await taxii("POST", `${ROOT}/collections/inbox/objects/`, { body: { objects: [ind(102)] } });
  expect((again.json.successes as { message: string }[])[0].message).toContain("already");
  const st = await taxii("GET", `${ROOT}/status/${add.json.id}`);
  expect(st.json.id).toBe(add.json.id);
  expect((await taxii("GET", `${ROOT}/status/${add.json.id}/`, { auth: basic("nobody", "x") })).status).toBe(401);

  const q = (s: string) => taxii("GET", `${ROOT}/collections/inbox/objects/?${s}`);
  const ids = (r: Res) =>
    ((r.json.objects as StixObject[]) ?? []).map((o) => `${o.id.slice(-3)}@${String(o.modified).slice(5, 7)}`);
  const all = await q(
    "match[type]=indicator,malware&match[id]=" +
      [101, 102, 103].map((n) => `indicator--${uuid(n)}`).join(",") +
      `,malware--${uuid(104)}`,
  );
  expect(ids(all)).toEqual(["102@01", "103@01", "101@02", "104@01"]);
  expect(ids(await q(`match[id]=indicator--${uuid(101)}&match[version]=all`))).toEqual(["101@01", "101@02"]);
  expect(ids(await q(`match[id]=indicator--${uuid(101)}&match[version]=first`))).toEqual(["101@01"]);
  expect(ids(await q(`match[id]=indicator--${uuid(101)}&match[version]=2026-02-01T00:00:00Z`))).toEqual(["101@02"]);
  expect(ids(await q("match[type]=malware"))).toEqual(["104@01"]);
  expect(ids(await q("match[spec_version]=2.0"))).toEqual([]);
  // pages of two, in the order added, with next and the date headers; added_after continues the same way
  const p1 = await q(
    "match[type]=indicator,malware&limit=2&added_after=" +
      String(add.headers["x-taxii-date-added-first"] ?? "2000-01-01T00:00:00Z"),
  );
  const first = await q("match[type]=indicator,malware&match[version]=all&limit=2");
  expect(first.json.more).toBe(true);
  expect(typeof first.json.next).toBe("string");
  const last = String(first.headers["x-taxii-date-added-last"]);
  expect(String(first.headers["x-taxii-date-added-first"]) < last).toBe(true);
  const byNext = await q(`match[type]=indicator,malware&match[version]=all&limit=2&next=${first.json.next}`);
  const byDate = await q(`match[type]=indicator,malware&match[version]=all&limit=2&added_after=${last}`);
  expect(ids(byNext)).toEqual(ids(byDate));
  expect(ids(byNext).length).toBe(2);
  expect(p1.status).toBe(200);
  // bad parameters
  for (const bad of [
    "added_after=yesterday",
    "limit=0",
    "match[version]=newest",
    "match[id]=nope",
    "match[colour]=red",
    "next=abc",
  ])
    expect((await q(bad)).status, bad).toBe(400);
  // manifest, one object, its versions
  const man = await taxii(
    "GET",
    `${ROOT}/collections/inbox/manifest/?match[id]=indicator--${uuid(101)}&match[version]=all`,
  );
  expect((man.json.objects as { version: string; media_type: string }[]).map((m) => m.version)).toEqual([
    "2026-01-01T00:00:00.000Z",
    "2026-02-01T00:00:00.000Z",
  ]);
  const one = await taxii("GET", `${ROOT}/collections/inbox/objects/indicator--${uuid(101)}/`);
  expect(ids(one)).toEqual(["101@02"]);
  const vs = await taxii("GET", `${ROOT}/collections/inbox/objects/indicator--${uuid(101)}/versions/`);
  expect(vs.json.versions).toEqual(["2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z"]);
  expect((await taxii("GET", `${ROOT}/collections/inbox/objects/indicator--${uuid(999)}/`)).status).toBe(404);
});

describe("over the network", () => {
  let b: TestServer;
  let urlA: string;
  let urlB: string;
  beforeAll(async () => {
    b = await testServer();
    await setup(b);
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    await b.app.listen({ port: 0, host: "127.0.0.1" });
    urlA = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/taxii2/`;
    urlB = `http://127.0.0.1:${(b.app.server.address() as AddressInfo).port}/taxii2/`;
  }, 60_000);
  afterAll(async () => {
    await b?.close();
  });

  test("[SHR-16] two Rampart instances exchange bundles both ways through the client", async () => {
    const a2b = Array.from({ length: 2500 }, (_, i) => ind(20_000 + i));
    const b2a = [ind(30_001), ind(30_002)];
    const toB = new TaxiiClient(urlB, { user: "cert", password: PARTNER_PW });
    const toA = new TaxiiClient(urlA, { user: "cert", password: PARTNER_PW });
    // A's analyst publishes to A's shared collection; the partner copies it into B's inbox, and back
    const analystA = new TaxiiClient(urlA, { user: "analyst", password: PASSWORD });
    expect((await analystA.push("shared", a2b)).success).toBe(2500);
    const pulled = await toA.pull("shared", { limit: 700 });
    expect(pulled.map((o) => o.id)).toEqual(a2b.map((o) => o.id));
    const pushed = await toB.push("inbox", pulled);
    expect(pushed).toMatchObject({ total: 2500, success: 2500, failure: 0 });
    const analystB = new TaxiiClient(urlB, { user: "analyst", password: PASSWORD });
    await analystB.push("shared", b2a);
    expect((await toA.push("inbox", await toB.pull("shared"))).success).toBe(2);
    expect((await toA.pull("inbox")).map((o) => o.id)).toEqual(expect.arrayContaining(b2a.map((o) => o.id)));
    expect(await b.store.share.countObjects("inbox")).toBe(2500);
    await expect(toB.push("shared", b2a)).rejects.toThrow(/403/);
  }, 120_000);

  const PY = "/usr/bin/python3";
  const CLIENT = join(import.meta.dirname, "../../../shared/interop/taxii2-client");
  const pyOk =
    existsSync(CLIENT) && spawnSync(PY, ["-c", "import requests, six, pytz"], { encoding: "utf8" }).status === 0;
  const CI = process.env.CI === "true";
  if (!pyOk && !CI)
    console.log("skip: OASIS TAXII client: python3-requests/six/tz or ../shared/interop absent (runs under CI=true)");

  test.skipIf(!pyOk && !CI)(
    "[SHR-10] [SHR-12] [SHR-14] the OASIS Python TAXII client reads and writes Rampart's collections",
    async () => {
      const script = `
import json, sys
from taxii2client.v21 import Server, as_pages
url, user, pw = sys.argv[1], sys.argv[2], sys.argv[3]
server = Server(url, user=user, password=pw)
out = {"title": server.title, "roots": len(server.api_roots)}
root = server.default
out["collections"] = sorted(c.id for c in root.collections)
inbox = [c for c in root.collections if c.id == "inbox"][0]
shared = [c for c in root.collections if c.id == "shared"][0]
obj = {"type": "indicator", "spec_version": "2.1", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-000000077777",
       "created": "2026-03-01T00:00:00.000Z", "modified": "2026-03-01T00:00:00.000Z",
       "pattern": "[domain-name:value = 'bad.example']", "pattern_type": "stix", "valid_from": "2026-03-01T00:00:00Z"}
status = inbox.add_objects({"objects": [obj]})
out["status"] = [status.status, status.success_count, status.failure_count]
got = inbox.get_object(obj["id"])
out["got"] = [o["id"] for o in got["objects"]]
out["manifest"] = len(inbox.get_manifest(id=obj["id"])["objects"])
n = 0
for env in as_pages(shared.get_objects, per_request=1000):
    n += len(env.get("objects", []))
out["shared"] = n
try:
    shared.add_objects({"objects": [obj]})
    out["write_shared"] = "accepted"
except Exception as e:
    out["write_shared"] = type(e).__name__
print(json.dumps(out))
`;
      const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const p = spawn(PY, ["-c", script, urlA, "cert", PARTNER_PW], { env: { ...process.env, PYTHONPATH: CLIENT } });
        let stdout = "";
        let stderr = "";
        p.stdout.on("data", (d) => (stdout += d));
        p.stderr.on("data", (d) => (stderr += d));
        p.on("close", (status) => resolve({ status, stdout, stderr }));
      });
      expect(r.stderr).toBe("");
      const out = JSON.parse(r.stdout);
      expect(out).toMatchObject({
        title: "Rampart TAXII server",
        roots: 1,
        collections: ["inbox", "shared"],
        status: ["complete", 1, 0],
        got: ["indicator--8e2e2d2b-17d4-4cbf-938f-000000077777"],
        manifest: 1,
        write_shared: "AccessError",
      });
      expect(out.shared).toBe(await t.store.share.countObjects("shared"));
    },
    120_000,
  );
});
