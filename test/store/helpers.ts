/** Store backends for the shared suite: SQLite in a temp folder; PostgreSQL in a schema of its own. */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { openStore, type SqlStore } from "../../src/store/index.ts";

export const PG_URL = process.env.RAMPART_TEST_PG ?? "postgresql://postgres@127.0.0.1:5432/test";
export const CI = process.env.CI === "true";

/** Whether PostgreSQL answers (checked once, before the suites are collected). */
export async function pgReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

export type Backend = {
  name: "sqlite" | "postgres";
  open(): Promise<SqlStore>;
  /** A second connection to the store opened last (as another server process would have). */
  reopen(): Promise<SqlStore>;
  cleanup(): Promise<void>;
};

export function sqliteBackend(): Backend {
  const dirs: string[] = [];
  return {
    name: "sqlite",
    async open() {
      const dir = mkdtempSync(join(tmpdir(), "rampart-store-"));
      dirs.push(dir);
      return openStore({ dataDir: dir });
    },
    async reopen() {
      return openStore({ dataDir: dirs[dirs.length - 1] });
    },
    async cleanup() {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

export function pgBackend(): Backend {
  const schemas: string[] = [];
  return {
    name: "postgres",
    async open() {
      const schema = `rampart_test_${process.pid}_${randomBytes(4).toString("hex")}`;
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`CREATE SCHEMA ${schema}`);
      await c.end();
      schemas.push(schema);
      return openStore({ databaseUrl: PG_URL, schema });
    },
    async reopen() {
      return openStore({ databaseUrl: PG_URL, schema: schemas[schemas.length - 1] });
    },
    async cleanup() {
      if (!schemas.length) return;
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
      await c.end();
    },
  };
}
