/**
 * Schema migrations, numbered and applied in order, each in its own transaction, recorded in
 * schema_migrations. A migration is never edited once released: changes come as a new one.
 */

import { CASE_MIGRATION } from "./cases.ts";
import type { Driver, Sql } from "./driver.ts";
import { EXERCISE_MIGRATION } from "./exercise.ts";
import { SHARE_MIGRATION } from "./share.ts";

export type Migration = { version: number; name: string; sql: (kind: Driver["kind"]) => string[] };

const serial = (kind: Driver["kind"]) =>
  kind === "sqlite" ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY";

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "initial",
    sql: (kind) => [
      `CREATE TABLE users (
        username TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL)`,
      `CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
        csrf TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL)`,
      `CREATE INDEX sessions_user ON sessions(username)`,
      `CREATE TABLE models (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        latest_version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL)`,
      `CREATE TABLE model_versions (
        model_id TEXT NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        message TEXT NOT NULL,
        counts TEXT NOT NULL,
        sources TEXT NOT NULL,
        raw TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (model_id, version))`,
      `CREATE TABLE results (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        model_id TEXT NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        status TEXT NOT NULL,
        params TEXT NOT NULL,
        body TEXT,
        error TEXT,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL)`,
      `CREATE INDEX results_model ON results(model_id, kind, created_at)`,
      `CREATE TABLE alerts (
        id ${serial(kind)},
        at TEXT NOT NULL,
        source TEXT NOT NULL,
        model_id TEXT,
        asset_id TEXT,
        signal TEXT,
        severity TEXT NOT NULL,
        score DOUBLE PRECISION NOT NULL,
        message TEXT NOT NULL,
        services TEXT NOT NULL,
        acked_by TEXT,
        acked_at TEXT)`,
      `CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        details TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL)`,
      `CREATE TABLE audit_head (
        id INTEGER PRIMARY KEY,
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL)`,
      `INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${"0".repeat(64)}')`,
    ],
  },
  {
    version: 2,
    name: "share: STIX objects, TAXII collections, partners, rights, status",
    sql: (kind) => SHARE_MIGRATION(serial(kind)),
  },
  {
    // [SEC-11] login attempts counted in the store, so that concurrent requests and replicas share them
    version: 3,
    name: "login-throttle",
    sql: () => [
      `CREATE TABLE login_throttle (
        key TEXT PRIMARY KEY,
        attempts INTEGER NOT NULL,
        blocked_until BIGINT NOT NULL,
        trusted_until BIGINT NOT NULL,
        updated_at BIGINT NOT NULL)`,
    ],
  },
  {
    // [FND-3] accepted risks per model: owner, justification, expiry; every change audited
    version: 4,
    name: "accepted-risks",
    sql: () => [
      `CREATE TABLE accepted_risks (
        id TEXT PRIMARY KEY,
        model_id TEXT NOT NULL,
        rule TEXT NOT NULL,
        target TEXT,
        owner TEXT NOT NULL,
        justification TEXT NOT NULL,
        expires TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL)`,
      "CREATE INDEX accepted_risks_model ON accepted_risks (model_id)",
    ],
  },
  {
    version: 5,
    name: "alert zone",
    sql: () => ["ALTER TABLE alerts ADD COLUMN zone TEXT"],
  },
  {
    // [CASE-1] incident cases: asset log, timeline, tasks, evidence; imported CACAO playbooks
    version: 6,
    name: "cases and playbooks",
    sql: () => CASE_MIGRATION(),
  },
  {
    // [EXR-11] [LSN-3] exercises, participants, decisions; lessons proposed and accepted into model versions
    version: 7,
    name: "exercises and lessons",
    sql: () => EXERCISE_MIGRATION(),
  },
  {
    // [PRT-2] partitioned ingestion: partition leases, members' heartbeats, detector checkpoints, verdicts
    version: 9,
    name: "ingest partitions",
    sql: (kind) => {
      const bytes = kind === "sqlite" ? "BLOB" : "BYTEA";
      return [
        `CREATE TABLE ingest_leases (
          grp TEXT NOT NULL,
          part INTEGER NOT NULL,
          owner TEXT NOT NULL,
          epoch BIGINT NOT NULL,
          expires_at BIGINT NOT NULL,
          PRIMARY KEY (grp, part))`,
        `CREATE TABLE ingest_members (
          grp TEXT NOT NULL,
          owner TEXT NOT NULL,
          expires_at BIGINT NOT NULL,
          PRIMARY KEY (grp, owner))`,
        `CREATE TABLE ingest_state (
          grp TEXT NOT NULL,
          part INTEGER NOT NULL,
          state_seq BIGINT NOT NULL,
          state ${bytes},
          open TEXT NOT NULL,
          saved_at BIGINT NOT NULL,
          PRIMARY KEY (grp, part))`,
        `CREATE TABLE ingest_readings (
          grp TEXT NOT NULL,
          part INTEGER NOT NULL,
          seq BIGINT NOT NULL,
          site TEXT NOT NULL,
          asset TEXT NOT NULL,
          signal TEXT NOT NULL,
          t DOUBLE PRECISION NOT NULL,
          v DOUBLE PRECISION NOT NULL,
          score DOUBLE PRECISION NOT NULL,
          flag SMALLINT NOT NULL,
          epoch BIGINT NOT NULL,
          PRIMARY KEY (grp, part, seq))`,
      ];
    },
  },
];

export async function migrate(db: Driver): Promise<number[]> {
  await db.run(
    `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
  );
  for (const m of MIGRATIONS) {
    await db.tx(async (t: Sql) => {
      if (db.kind === "postgres") await t.run("SELECT pg_advisory_xact_lock(727274)");
      const done = await t.get<{ version: number }>("SELECT version FROM schema_migrations WHERE version = ?", [
        m.version,
      ]);
      if (done) return;
      for (const s of m.sql(db.kind)) await t.run(s);
      await t.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", [
        m.version,
        m.name,
        new Date().toISOString(),
      ]);
    });
  }
  const rows = await db.all<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
  return rows.map((r) => Number(r.version));
}
