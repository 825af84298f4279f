/**
 * TAXII 2.1 on the Rampart server ([SHR-10]..[SHR-15]), under /taxii2/: discovery, one API root
 * (`/taxii2/rampart/`), collections, objects (added_after, match[id|type|version|spec_version], limit/next),
 * manifest, one object, its versions, and the status of add requests.
 *
 * Who: partners with HTTP Basic credentials (`rampart share partner`), read and write rights per collection;
 * Rampart users by Basic or their session cookie (every role reads every collection; analysts and admins
 * write). Answers use the TAXII media type; errors are TAXII error objects, and a refused add stores nothing.
 */
import { createHash, randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { LIMITS } from "../../model/limits.ts";
import { type ParseLimits, parseJsonBounded, parseStixValue } from "../../share/import.ts";
import { ID_RE } from "../../share/stix.ts";
import type { Right } from "../../store/share.ts";
import { canonicalTime, type ObjectFilter, type StoredObject } from "../../store/share.ts";
import { dummyHash, tokenHash, verifyPassword } from "../auth.ts";
import { SESSION_COOKIE, type ServerContext } from "../context.ts";

export const TAXII_MEDIA = "application/taxii+json;version=2.1";
export const STIX_MEDIA = "application/stix+json;version=2.1";
export const API_ROOT = "rampart";
/** Objects per page at most (a client's larger `limit` is lowered to this). */
export const PAGE_MAX = 1000;

export type TaxiiOptions = {
  /** Largest request body, in bytes (max_content_length of the API root). */
  maxContentLength?: number;
  limits?: Partial<ParseLimits>;
};

class TaxiiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly description?: string,
    readonly details?: unknown,
  ) {
    super(title);
  }
}

type Principal = {
  name: string;
  kind: "partner" | "user";
  rights: (collection: string) => { read: boolean; write: boolean };
};

/** Sends TAXII JSON; a Buffer keeps fastify from rewriting the media type (it would add a charset). */
const sendText = (reply: FastifyReply, status: number, text: string) =>
  reply.code(status).header("content-type", TAXII_MEDIA).header("cache-control", "no-store").send(Buffer.from(text));
const send = (reply: FastifyReply, status: number, body: unknown) => sendText(reply, status, JSON.stringify(body));

function errorBody(e: TaxiiError) {
  return {
    title: e.title,
    ...(e.description ? { description: e.description } : {}),
    http_status: String(e.status),
    ...(e.details ? { details: e.details } : {}),
  };
}

const one = (v: unknown): string | undefined => (Array.isArray(v) ? v[v.length - 1] : (v as string | undefined));

/** Parses the objects query ([SHR-12]): every bad value is a 400 naming the parameter. */
function parseFilter(q: Record<string, unknown>, forVersions = false): ObjectFilter {
  const f: ObjectFilter = { limit: PAGE_MAX };
  const allowed = new Set(["added_after", "limit", "next", "match[spec_version]"]);
  if (!forVersions) for (const k of ["match[id]", "match[type]", "match[version]"]) allowed.add(k);
  for (const k of Object.keys(q))
    if (!allowed.has(k)) throw new TaxiiError(400, "Unknown parameter", `${k}: not a filter this endpoint supports`);
  const aa = one(q.added_after);
  if (aa !== undefined) {
    const t = canonicalTime(aa);
    if (!t)
      throw new TaxiiError(
        400,
        "Bad added_after",
        `added_after: expected an RFC 3339 UTC timestamp, found "${aa.slice(0, 40)}"`,
      );
    f.addedAfter = t;
  }
  const limit = one(q.limit);
  if (limit !== undefined) {
    if (!/^\d{1,9}$/.test(limit) || Number(limit) < 1)
      throw new TaxiiError(400, "Bad limit", `limit: expected a whole number >= 1, found "${limit.slice(0, 20)}"`);
    f.limit = Math.min(PAGE_MAX, Number(limit));
  }
  const next = one(q.next);
  if (next !== undefined && next !== "") {
    if (!/^\d{1,15}$/.test(next)) throw new TaxiiError(400, "Bad next", `next: not a page token of this server`);
    f.after = Number(next);
  }
  const list = (k: string) =>
    q[k] === undefined
      ? undefined
      : (Array.isArray(q[k]) ? (q[k] as string[]) : [q[k] as string]).flatMap((s) => s.split(",")).map((s) => s.trim());
  const ids = list("match[id]");
  if (ids) {
    const bad = ids.find((x) => !ID_RE.test(x));
    if (bad !== undefined)
      throw new TaxiiError(400, "Bad match[id]", `match[id]: "${bad.slice(0, 80)}" is not a STIX id`);
    f.ids = ids;
  }
  const types = list("match[type]");
  if (types) {
    const bad = types.find((x) => !/^[a-z][a-z0-9-]+[a-z0-9]$/.test(x));
    if (bad !== undefined)
      throw new TaxiiError(400, "Bad match[type]", `match[type]: "${bad.slice(0, 80)}" is not a STIX type`);
    f.types = types;
  }
  const versions = list("match[version]");
  if (versions) {
    f.versions = versions.map((v) => {
      if (v === "first" || v === "last" || v === "all") return v;
      const t = canonicalTime(v);
      if (!t)
        throw new TaxiiError(
          400,
          "Bad match[version]",
          `match[version]: expected first, last, all or a timestamp, found "${v.slice(0, 40)}"`,
        );
      return t;
    });
  }
  const specs = list("match[spec_version]");
  if (specs) {
    const bad = specs.find((x) => !/^\d\.\d$/.test(x));
    if (bad !== undefined)
      throw new TaxiiError(
        400,
        "Bad match[spec_version]",
        `match[spec_version]: expected e.g. 2.1, found "${bad.slice(0, 20)}"`,
      );
    f.specVersions = specs;
  }
  if (forVersions) f.versions = ["all"];
  return f;
}

function pageHeaders(reply: FastifyReply, rows: StoredObject[]) {
  if (!rows.length) return;
  reply.header("X-TAXII-Date-Added-First", rows[0].dateAdded);
  reply.header("X-TAXII-Date-Added-Last", rows[rows.length - 1].dateAdded);
}

/** Builds an objects envelope as text without parsing the stored JSON again. */
function envelope(rows: StoredObject[], more: boolean): string {
  const next = more && rows.length ? `,"next":"${rows[rows.length - 1].seq}"` : "";
  return rows.length ? `{"more":${more}${next},"objects":[${rows.map((r) => r.json).join(",")}]}` : `{"more":false}`;
}

export async function registerTaxii(app: FastifyInstance, ctx: ServerContext, opts: TaxiiOptions = {}): Promise<void> {
  const maxContentLength = opts.maxContentLength ?? 16 * 1024 * 1024;
  const limits: ParseLimits = { ...LIMITS.stix, maxBytes: maxContentLength, ...opts.limits };
  const store = ctx.store;
  // verified credentials for a minute, keyed by a hash of the header (scrypt costs about 60 ms per check)
  const verified = new Map<string, { name: string; kind: "partner" | "user"; role?: string; until: number }>();

  async function principal(req: FastifyRequest): Promise<Principal> {
    const now = Date.now();
    const auth = req.headers.authorization;
    let who: { name: string; kind: "partner" | "user"; role?: string } | undefined;
    if (typeof auth === "string" && /^Basic /i.test(auth) && auth.length < 1000) {
      const key = createHash("sha256").update(auth).digest("hex");
      const hit = verified.get(key);
      if (hit && hit.until > now) who = hit;
      else {
        const text = Buffer.from(auth.slice(6).trim(), "base64").toString("utf8");
        const i = text.indexOf(":");
        const [user, pass] = i < 0 ? [text, ""] : [text.slice(0, i), text.slice(i + 1)];
        // [SEC-11] counted before the password is checked, like the API's login
        const wait = await ctx.limiter.begin(`taxii:${user}`, req.ip);
        if (wait > 0) throw new TaxiiError(429, "Too many failed logins", `retry after ${wait} s`);
        const partner = await store.share.getPartner(user);
        const u = partner ? null : await store.getUser(user);
        const hash =
          partner && !partner.disabled ? partner.passwordHash : u && !u.disabled ? u.passwordHash : await dummyHash();
        const ok = (await verifyPassword(pass, hash)) && !!((partner && !partner.disabled) || (u && !u.disabled));
        if (!ok) throw new TaxiiError(401, "Unauthorized", "wrong user name or password");
        await ctx.limiter.succeed(`taxii:${user}`, req.ip);
        who = partner ? { name: user, kind: "partner" } : { name: user, kind: "user", role: u?.role };
        if (verified.size > 10_000) verified.clear();
        verified.set(key, { ...who, until: now + 60_000 });
      }
    } else {
      const token = req.cookies?.[SESSION_COOKIE];
      const s = token && token.length <= 100 ? await ctx.sessions.get(tokenHash(token)) : null;
      if (s) who = { name: s.username, kind: "user", role: s.role };
    }
    if (!who)
      throw new TaxiiError(401, "Unauthorized", "TAXII needs HTTP Basic credentials (a partner or a Rampart user)");
    if (who.kind === "user") {
      const write = who.role === "admin" || who.role === "analyst";
      return { name: who.name, kind: "user", rights: () => ({ read: true, write }) };
    }
    const rights = new Map<string, Right>((await store.share.rightsOf(who.name)).map((r) => [r.collection, r]));
    return {
      name: who.name,
      kind: "partner",
      rights: (c) => ({ read: !!rights.get(c)?.read, write: !!rights.get(c)?.write }),
    };
  }

  function checkAccept(req: FastifyRequest) {
    const a = req.headers.accept;
    if (!a) return;
    const ok = a
      .toLowerCase()
      .split(",")
      .some((p) => {
        const t = p.trim().split(";")[0].trim();
        const v = /version\s*=\s*([\d.]+)/.exec(p)?.[1];
        return t === "*/*" || t === "application/*" || (t === "application/taxii+json" && (!v || v === "2.1"));
      });
    if (!ok) throw new TaxiiError(406, "Not acceptable", `this server answers ${TAXII_MEDIA}`);
  }

  async function collectionFor(p: Principal, id: string, need: "read" | "write" | "see") {
    const c = await store.share.getCollection(id);
    const r = p.rights(id);
    if (!c || !(r.read || r.write))
      throw new TaxiiError(404, "Collection not found", `no collection "${id.slice(0, 80)}" you may use`);
    if (need === "read" && !r.read) throw new TaxiiError(403, "Forbidden", `${p.name} may not read collection ${id}`);
    if (need === "write" && !r.write)
      throw new TaxiiError(403, "Forbidden", `${p.name} may not write to collection ${id}`);
    return c;
  }

  await app.register(
    async (taxii) => {
      taxii.addContentTypeParser(
        /^application\/taxii\+json/i,
        { parseAs: "string", bodyLimit: maxContentLength },
        (_req, body, done) => done(null, body),
      );
      taxii.setErrorHandler((err: Error & { code?: string; statusCode?: number }, _req, reply) => {
        if (err instanceof TaxiiError) {
          if (err.status === 401) reply.header("www-authenticate", 'Basic realm="rampart-taxii"');
          return send(reply, err.status, errorBody(err));
        }
        if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE")
          return send(
            reply,
            413,
            errorBody(
              new TaxiiError(413, "Request too large", `larger than max_content_length ${maxContentLength} bytes`),
            ),
          );
        if (err.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE")
          return send(reply, 415, errorBody(new TaxiiError(415, "Unsupported media type", `send ${TAXII_MEDIA}`)));
        if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
          return send(
            reply,
            err.statusCode,
            errorBody(new TaxiiError(err.statusCode, "Bad request", err.message.slice(0, 200))),
          );
        console.error(`taxii error ${err.code ?? err.name}`);
        return send(reply, 500, errorBody(new TaxiiError(500, "Internal error", "see the server log")));
      });
      const r = (
        m: "GET" | "POST",
        path: string,
        h: (req: FastifyRequest, reply: FastifyReply, p: Principal) => Promise<unknown>,
      ) => {
        const wrap = async (req: FastifyRequest, reply: FastifyReply) => {
          checkAccept(req);
          return h(req, reply, await principal(req));
        };
        taxii.route({ method: m, url: path, handler: wrap, bodyLimit: maxContentLength });
        if (path !== "/")
          taxii.route({ method: m, url: path.slice(0, -1), handler: wrap, bodyLimit: maxContentLength });
      };
      const root = `/${API_ROOT}/`;

      r("GET", "/", async (_req, reply) =>
        send(reply, 200, {
          title: "Rampart TAXII server",
          description: "Threat information shared by a city's Rampart instance",
          default: `/taxii2${root}`,
          api_roots: [`/taxii2${root}`],
        }),
      );
      r("GET", root, async (_req, reply) =>
        send(reply, 200, {
          title: "Rampart",
          description: "Findings, alerts, indicators and what partners share",
          versions: [TAXII_MEDIA],
          max_content_length: maxContentLength,
        }),
      );
      const info = (p: Principal, c: { id: string; title: string; description: string }) => {
        const rt = p.rights(c.id);
        return {
          id: c.id,
          title: c.title,
          ...(c.description ? { description: c.description } : {}),
          can_read: rt.read,
          can_write: rt.write,
          media_types: [STIX_MEDIA],
        };
      };
      r("GET", `${root}collections/`, async (_req, reply, p) => {
        const cs = (await store.share.listCollections()).filter((c) => p.rights(c.id).read || p.rights(c.id).write);
        return send(reply, 200, cs.length ? { collections: cs.map((c) => info(p, c)) } : {});
      });
      r("GET", `${root}collections/:cid/`, async (req, reply, p) => {
        const c = await collectionFor(p, (req.params as { cid: string }).cid, "see");
        return send(reply, 200, info(p, c));
      });
      r("GET", `${root}collections/:cid/objects/`, async (req, reply, p) => {
        const c = await collectionFor(p, (req.params as { cid: string }).cid, "read");
        const f = parseFilter(req.query as Record<string, unknown>);
        const { rows, more } = await store.share.queryObjects(c.id, f);
        pageHeaders(reply, rows);
        return sendText(reply, 200, envelope(rows, more));
      });
      r("POST", `${root}collections/:cid/objects/`, async (req, reply, p) => {
        const c = await collectionFor(p, (req.params as { cid: string }).cid, "write");
        if (!/^application\/taxii\+json/i.test(String(req.headers["content-type"] ?? "")))
          throw new TaxiiError(415, "Unsupported media type", `send ${TAXII_MEDIA}`);
        const text = String(req.body ?? "");
        const j = parseJsonBounded(text, limits);
        if (!j.ok)
          throw new TaxiiError(
            j.status,
            j.status === 413 ? "Request too large" : "Invalid JSON",
            `body: ${j.issues[0].message}`,
          );
        const data = j.data;
        if (data && typeof data === "object" && !Array.isArray(data)) {
          const extra = Object.keys(data).filter((k) => k !== "objects" && k !== "more" && k !== "next");
          if (extra.length)
            throw new TaxiiError(400, "Not an envelope", `body: unexpected property "${extra[0].slice(0, 40)}"`);
        }
        const parsed = parseStixValue(data, limits);
        if (!parsed.ok)
          throw new TaxiiError(
            parsed.status,
            parsed.status === 413 ? "Request too large" : "Invalid STIX objects",
            parsed.issues[0]?.message,
            {
              issues: parsed.issues,
            },
          );
        const requested = new Date().toISOString();
        const out = await store.share.addObjects(c.id, parsed.objects, `taxii:${p.kind}:${p.name}`, {
          user: `${p.kind}:${p.name}`,
          ip: req.ip,
        });
        const successes = [
          ...out.added.map((o) => ({ id: o.id, ...(o.version ? { version: o.version } : {}) })),
          ...out.duplicates.map((o) => ({
            id: o.id,
            ...(o.version ? { version: o.version } : {}),
            message: "already in the collection",
          })),
        ];
        const status = {
          id: randomUUID(),
          status: "complete" as const,
          request_timestamp: requested,
          total_count: parsed.objects.length + parsed.repeats,
          success_count: parsed.objects.length + parsed.repeats,
          failure_count: 0,
          pending_count: 0,
          ...(successes.length ? { successes } : {}),
        };
        await store.share.putStatus(status, c.id);
        return send(reply, 202, status);
      });
      r("GET", `${root}collections/:cid/manifest/`, async (req, reply, p) => {
        const c = await collectionFor(p, (req.params as { cid: string }).cid, "read");
        const { rows, more } = await store.share.queryObjects(c.id, parseFilter(req.query as Record<string, unknown>));
        pageHeaders(reply, rows);
        const objects = rows.map((o) => ({
          id: o.id,
          date_added: o.dateAdded,
          version: o.version || o.dateAdded,
          media_type: STIX_MEDIA,
        }));
        return send(
          reply,
          200,
          objects.length
            ? { more, ...(more ? { next: String(rows[rows.length - 1].seq) } : {}), objects }
            : { more: false },
        );
      });
      r("GET", `${root}collections/:cid/objects/:oid/`, async (req, reply, p) => {
        const { cid, oid } = req.params as { cid: string; oid: string };
        const c = await collectionFor(p, cid, "read");
        if (!ID_RE.test(oid)) throw new TaxiiError(400, "Bad object id", `"${oid.slice(0, 80)}" is not a STIX id`);
        const q = req.query as Record<string, unknown>;
        if (q["match[id]"] !== undefined)
          throw new TaxiiError(400, "Unknown parameter", "match[id]: not a filter of this endpoint");
        const f = parseFilter(q);
        f.ids = [oid];
        const { rows, more } = await store.share.queryObjects(c.id, f);
        if (!rows.length && f.after === undefined)
          throw new TaxiiError(404, "Object not found", `no ${oid} in collection ${c.id}`);
        pageHeaders(reply, rows);
        return sendText(reply, 200, envelope(rows, more));
      });
      r("GET", `${root}collections/:cid/objects/:oid/versions/`, async (req, reply, p) => {
        const { cid, oid } = req.params as { cid: string; oid: string };
        const c = await collectionFor(p, cid, "read");
        if (!ID_RE.test(oid)) throw new TaxiiError(400, "Bad object id", `"${oid.slice(0, 80)}" is not a STIX id`);
        const f = parseFilter(req.query as Record<string, unknown>, true);
        f.ids = [oid];
        const { rows, more } = await store.share.queryObjects(c.id, f);
        if (!rows.length && f.after === undefined)
          throw new TaxiiError(404, "Object not found", `no ${oid} in collection ${c.id}`);
        pageHeaders(reply, rows);
        const versions = rows.map((o) => o.version || o.dateAdded);
        return send(
          reply,
          200,
          versions.length
            ? { more, ...(more ? { next: String(rows[rows.length - 1].seq) } : {}), versions }
            : { more: false },
        );
      });
      r("GET", `${root}status/:sid/`, async (req, reply, p) => {
        const found = await store.share.getStatus((req.params as { sid: string }).sid.slice(0, 100));
        const s = found && (p.rights(found.collection).read || p.rights(found.collection).write) ? found.status : null;
        if (!s) throw new TaxiiError(404, "Status not found", "no such status resource");
        return send(reply, 200, s);
      });
      taxii.setNotFoundHandler((_req, reply) =>
        send(reply, 404, errorBody(new TaxiiError(404, "Not found", "no such TAXII endpoint"))),
      );
    },
    { prefix: "/taxii2" },
  );
}
