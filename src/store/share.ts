/**
 * Shared threat information in the store ([SHR-10]..[SHR-13]): STIX objects per TAXII collection (one row
 * per id and version, with the date it was added and where it came from), collections, partners (TAXII
 * credentials) with read/write rights per collection, and the status of each TAXII add request.
 * Same SQL on SQLite and PostgreSQL; every change writes its audit entry in the same transaction.
 */
import type { Sql } from "./driver.ts";

/** Who makes a change (the store's Actor; declared here so types.ts can import this file without a cycle). */
type Actor = { user: string; ip?: string };

export type Collection = { id: string; title: string; description: string; createdAt: string };
export type Partner = { name: string; passwordHash: string; disabled: boolean; createdAt: string };
export type Right = { collection: string; principal: string; read: boolean; write: boolean };

/** One object to store (see src/share/import.ts `Incoming`). */
export type NewStixObject = { id: string; type: string; version: string; specVersion: string; json: string };

export type StoredObject = {
  seq: number;
  id: string;
  type: string;
  /** The object's modified (or created) as written; "" when it has neither. */
  version: string;
  specVersion: string;
  dateAdded: string;
  source: string;
  json: string;
};

export type ObjectFilter = {
  /** date_added strictly after this (canonical form, see `canonicalTime`). */
  addedAfter?: string;
  ids?: string[];
  types?: string[];
  /** "last" (default), "first", "all", or canonical timestamps. */
  versions?: string[];
  specVersions?: string[];
  /** Continue after this seq (the page token). */
  after?: number;
  limit: number;
};

export type AddOutcome = { added: NewStixObject[]; duplicates: NewStixObject[]; dateAdded: string[] };

export type TaxiiStatus = {
  id: string;
  status: "complete" | "pending";
  request_timestamp: string;
  total_count: number;
  success_count: number;
  failure_count: number;
  pending_count: number;
  successes?: { id: string; version?: string; message?: string }[];
  failures?: { id: string; version?: string; message?: string }[];
};

export interface ShareStore {
  listCollections(): Promise<Collection[]>;
  getCollection(id: string): Promise<Collection | null>;
  /** Creates or retitles a collection. */
  putCollection(c: { id: string; title: string; description?: string }, actor: Actor): Promise<Collection>;
  getPartner(name: string): Promise<Partner | null>;
  putPartner(p: { name: string; passwordHash: string; disabled?: boolean }, actor: Actor): Promise<void>;
  listPartners(): Promise<Omit<Partner, "passwordHash">[]>;
  setRight(r: Right, actor: Actor): Promise<void>;
  rightsOf(principal: string): Promise<Right[]>;
  /**
   * Adds objects to a collection; an id and version already there is a duplicate and changes nothing.
   * Objects get strictly increasing date_added values (microseconds), so pages and added_after never tie.
   */
  addObjects(collection: string, objects: NewStixObject[], source: string, actor: Actor): Promise<AddOutcome>;
  queryObjects(collection: string, f: ObjectFilter): Promise<{ rows: StoredObject[]; more: boolean }>;
  countObjects(collection: string): Promise<number>;
  putStatus(s: TaxiiStatus, collection: string): Promise<void>;
  getStatus(id: string): Promise<{ status: TaxiiStatus; collection: string } | null>;
}

/**
 * A timestamp in one fixed form, `YYYY-MM-DDTHH:MM:SS.ffffffZ` (six fraction digits), so that text order
 * is time order in both databases. Returns undefined for anything that is not an RFC 3339 UTC timestamp.
 */
export function canonicalTime(s: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/.exec(s);
  if (!m || Number.isNaN(Date.parse(`${m[1]}Z`))) return undefined;
  return `${m[1]}.${(m[2] ?? "").slice(0, 6).padEnd(6, "0")}Z`;
}

/** Adds `us` microseconds to a canonical timestamp. */
export function addMicros(t: string, us: number): string {
  const ms = Date.parse(`${t.slice(0, 19)}Z`);
  const micros = Number(t.slice(20, 26)) + us;
  const carryMs = Math.floor(micros / 1_000_000) * 1000;
  const d = new Date(ms + carryMs).toISOString().slice(0, 19);
  return `${d}.${String(micros % 1_000_000).padStart(6, "0")}Z`;
}

type Row = Record<string, unknown>;
const toCollection = (r: Row): Collection => ({
  id: String(r.id),
  title: String(r.title),
  description: String(r.description),
  createdAt: String(r.created_at),
});
const toObject = (r: Row): StoredObject => ({
  seq: Number(r.seq),
  id: String(r.id),
  type: String(r.type),
  version: String(r.version),
  specVersion: String(r.spec_version),
  dateAdded: String(r.date_added),
  source: String(r.source),
  json: String(r.json),
});

type Audit = (t: Sql, actor: Actor, action: string, target: string, details: Record<string, unknown>) => Promise<void>;

export class SqlShareStore implements ShareStore {
  constructor(
    private readonly db: Sql,
    private readonly writeTx: <T>(fn: (t: Sql) => Promise<T>) => Promise<T>,
    private readonly audit: Audit,
    private readonly now: () => string,
  ) {}

  async listCollections(): Promise<Collection[]> {
    return (await this.db.all<Row>("SELECT * FROM share_collections ORDER BY id")).map(toCollection);
  }
  async getCollection(id: string): Promise<Collection | null> {
    const r = await this.db.get<Row>("SELECT * FROM share_collections WHERE id = ?", [id]);
    return r ? toCollection(r) : null;
  }
  async putCollection(c: { id: string; title: string; description?: string }, actor: Actor): Promise<Collection> {
    return this.writeTx(async (t) => {
      const at = this.now();
      const old = await t.get<Row>("SELECT * FROM share_collections WHERE id = ?", [c.id]);
      if (old)
        await t.run("UPDATE share_collections SET title = ?, description = ? WHERE id = ?", [
          c.title,
          c.description ?? "",
          c.id,
        ]);
      else
        await t.run("INSERT INTO share_collections (id, title, description, created_at) VALUES (?, ?, ?, ?)", [
          c.id,
          c.title,
          c.description ?? "",
          at,
        ]);
      await this.audit(t, actor, old ? "share.collection.update" : "share.collection.create", c.id, {});
      return {
        id: c.id,
        title: c.title,
        description: c.description ?? "",
        createdAt: old ? String(old.created_at) : at,
      };
    });
  }

  async getPartner(name: string): Promise<Partner | null> {
    const r = await this.db.get<Row>("SELECT * FROM share_partners WHERE name = ?", [name]);
    return r
      ? {
          name: String(r.name),
          passwordHash: String(r.password_hash),
          disabled: Number(r.disabled) === 1,
          createdAt: String(r.created_at),
        }
      : null;
  }
  async putPartner(p: { name: string; passwordHash: string; disabled?: boolean }, actor: Actor): Promise<void> {
    await this.writeTx(async (t) => {
      const old = await t.get<Row>("SELECT name FROM share_partners WHERE name = ?", [p.name]);
      if (old)
        await t.run("UPDATE share_partners SET password_hash = ?, disabled = ? WHERE name = ?", [
          p.passwordHash,
          p.disabled ? 1 : 0,
          p.name,
        ]);
      else
        await t.run("INSERT INTO share_partners (name, password_hash, disabled, created_at) VALUES (?, ?, ?, ?)", [
          p.name,
          p.passwordHash,
          p.disabled ? 1 : 0,
          this.now(),
        ]);
      await this.audit(t, actor, old ? "share.partner.update" : "share.partner.create", p.name, {
        disabled: !!p.disabled,
      });
    });
  }
  async listPartners(): Promise<Omit<Partner, "passwordHash">[]> {
    const rows = await this.db.all<Row>("SELECT name, disabled, created_at FROM share_partners ORDER BY name");
    return rows.map((r) => ({
      name: String(r.name),
      disabled: Number(r.disabled) === 1,
      createdAt: String(r.created_at),
    }));
  }
  async setRight(r: Right, actor: Actor): Promise<void> {
    await this.writeTx(async (t) => {
      await t.run("DELETE FROM share_rights WHERE collection = ? AND principal = ?", [r.collection, r.principal]);
      if (r.read || r.write)
        await t.run("INSERT INTO share_rights (collection, principal, can_read, can_write) VALUES (?, ?, ?, ?)", [
          r.collection,
          r.principal,
          r.read ? 1 : 0,
          r.write ? 1 : 0,
        ]);
      await this.audit(t, actor, "share.right", `${r.collection}/${r.principal}`, { read: r.read, write: r.write });
    });
  }
  async rightsOf(principal: string): Promise<Right[]> {
    const rows = await this.db.all<Row>("SELECT * FROM share_rights WHERE principal = ? ORDER BY collection", [
      principal,
    ]);
    return rows.map((r) => ({
      collection: String(r.collection),
      principal: String(r.principal),
      read: Number(r.can_read) === 1,
      write: Number(r.can_write) === 1,
    }));
  }

  async addObjects(collection: string, objects: NewStixObject[], source: string, actor: Actor): Promise<AddOutcome> {
    return this.writeTx(async (t) => {
      const added: NewStixObject[] = [];
      const duplicates: NewStixObject[] = [];
      const dateAdded: string[] = [];
      const last = await t.get<Row>("SELECT MAX(date_added) AS d FROM share_objects");
      const now = canonicalTime(this.now()) as string;
      let next = last?.d && String(last.d) >= now ? addMicros(String(last.d), 1) : now;
      for (const o of objects) {
        const r = await t.run(
          `INSERT INTO share_objects (collection, id, version_key, version, type, spec_version, date_added, source, json)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (collection, id, version_key) DO NOTHING`,
          [collection, o.id, canonicalTime(o.version) ?? "", o.version, o.type, o.specVersion, next, source, o.json],
        );
        if (r.changes > 0) {
          added.push(o);
          dateAdded.push(next);
          next = addMicros(next, 1);
        } else duplicates.push(o);
      }
      await this.audit(t, actor, "share.add", collection, {
        added: added.length,
        duplicates: duplicates.length,
        source: source.slice(0, 200),
      });
      return { added, duplicates, dateAdded };
    });
  }

  async queryObjects(collection: string, f: ObjectFilter): Promise<{ rows: StoredObject[]; more: boolean }> {
    const where = ["o.collection = ?"];
    const params: unknown[] = [collection];
    const list = (col: string, xs: readonly unknown[]) => {
      where.push(`${col} IN (${xs.map(() => "?").join(", ")})`);
      params.push(...xs);
    };
    if (f.after !== undefined) {
      where.push("o.seq > ?");
      params.push(f.after);
    }
    if (f.addedAfter) {
      where.push("o.date_added > ?");
      params.push(f.addedAfter);
    }
    if (f.ids?.length) list("o.id", f.ids);
    if (f.types?.length) list("o.type", f.types);
    if (f.specVersions?.length) list("o.spec_version", f.specVersions);
    const versions = f.versions?.length ? f.versions : ["last"];
    if (!versions.includes("all")) {
      const ors: string[] = [];
      const sub = (agg: string) =>
        `o.version_key = (SELECT ${agg}(o2.version_key) FROM share_objects o2 WHERE o2.collection = o.collection AND o2.id = o.id)`;
      if (versions.includes("last")) ors.push(sub("MAX"));
      if (versions.includes("first")) ors.push(sub("MIN"));
      const stamps = versions.filter((v) => v !== "last" && v !== "first");
      if (stamps.length) {
        ors.push(`o.version_key IN (${stamps.map(() => "?").join(", ")})`);
        params.push(...stamps);
      }
      where.push(`(${ors.join(" OR ")})`);
    }
    params.push(f.limit + 1);
    const rows = await this.db.all<Row>(
      `SELECT o.seq, o.id, o.type, o.version, o.spec_version, o.date_added, o.source, o.json FROM share_objects o
       WHERE ${where.join(" AND ")} ORDER BY o.seq LIMIT ?`,
      params,
    );
    const more = rows.length > f.limit;
    return { rows: rows.slice(0, f.limit).map(toObject), more };
  }

  async countObjects(collection: string): Promise<number> {
    const r = await this.db.get<Row>("SELECT COUNT(*) AS n FROM share_objects WHERE collection = ?", [collection]);
    return Number(r?.n ?? 0);
  }

  async putStatus(s: TaxiiStatus, collection: string): Promise<void> {
    await this.db.run("INSERT INTO share_status (id, collection, body, created_at) VALUES (?, ?, ?, ?)", [
      s.id,
      collection,
      JSON.stringify(s),
      s.request_timestamp,
    ]);
  }
  async getStatus(id: string): Promise<{ status: TaxiiStatus; collection: string } | null> {
    const r = await this.db.get<Row>("SELECT body, collection FROM share_status WHERE id = ?", [id]);
    return r ? { status: JSON.parse(String(r.body)) as TaxiiStatus, collection: String(r.collection) } : null;
  }
}

export const SHARE_MIGRATION = (serial: string) => [
  `CREATE TABLE share_collections (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at TEXT NOT NULL)`,
  `CREATE TABLE share_objects (
    seq ${serial},
    collection TEXT NOT NULL REFERENCES share_collections(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    version_key TEXT NOT NULL,
    version TEXT NOT NULL,
    type TEXT NOT NULL,
    spec_version TEXT NOT NULL,
    date_added TEXT NOT NULL,
    source TEXT NOT NULL,
    json TEXT NOT NULL,
    UNIQUE (collection, id, version_key))`,
  "CREATE INDEX share_objects_id ON share_objects(collection, id, version_key)",
  "CREATE INDEX share_objects_added ON share_objects(date_added)",
  `CREATE TABLE share_partners (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL)`,
  `CREATE TABLE share_rights (
    collection TEXT NOT NULL REFERENCES share_collections(id) ON DELETE CASCADE,
    principal TEXT NOT NULL,
    can_read INTEGER NOT NULL,
    can_write INTEGER NOT NULL,
    PRIMARY KEY (collection, principal))`,
  `CREATE TABLE share_status (
    id TEXT PRIMARY KEY,
    collection TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL)`,
];
