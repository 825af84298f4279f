/** Opens the store: PostgreSQL when a database URL is given (DATABASE_URL), else SQLite in the data folder. */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import { PgDriver, SqliteDriver } from "./driver.ts";
import { SqlStore } from "./sql-store.ts";
import { StoreError } from "./types.ts";

export type { Driver } from "./driver.ts";
export { SqlStore } from "./sql-store.ts";
export * from "./types.ts";

export type StoreOptions = {
  /** Data folder for the SQLite file (default ./.rampart). */
  dataDir?: string;
  /** PostgreSQL connection string; when set, PostgreSQL is used. */
  databaseUrl?: string;
  /** PostgreSQL schema (search_path), e.g. a test run's own. */
  schema?: string;
};

export async function openStore(opts: StoreOptions = {}): Promise<SqlStore> {
  if (opts.databaseUrl) return SqlStore.open(new PgDriver(opts.databaseUrl, opts.schema));
  const dir = opts.dataDir ?? ".rampart";
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // [SEC-17] the folder 0700 and the database 0600 (its -wal and -shm files take the database's mode)
  chmodSync(dir, 0o700);
  const file = join(dir, "rampart.db");
  closeSync(openSync(file, "a", 0o600));
  chmodSync(file, 0o600);
  for (const side of ["-wal", "-shm"]) if (existsSync(file + side)) chmodSync(file + side, 0o600);
  return SqlStore.open(new SqliteDriver(file));
}

/** [AUD-4] Opens an existing store to read only; never creates or writes anything (see SqlStore.openReadOnly). */
export async function openStoreReadOnly(opts: StoreOptions = {}): Promise<SqlStore> {
  if (opts.databaseUrl) return SqlStore.openReadOnly(new PgDriver(opts.databaseUrl, opts.schema, { readonly: true }));
  const file = join(opts.dataDir ?? ".rampart", "rampart.db");
  let driver: SqliteDriver;
  try {
    driver = new SqliteDriver(file, { readonly: true });
  } catch (e) {
    throw new StoreError("not-found", `cannot open ${file} (${(e as { code?: string }).code ?? "unreadable"})`);
  }
  return SqlStore.openReadOnly(driver);
}

/** Where the store lives, for messages (never the password of a URL). */
export function describeStore(opts: StoreOptions): string {
  if (opts.databaseUrl) {
    try {
      const u = new URL(opts.databaseUrl);
      return `postgresql://${u.hostname}:${u.port || "5432"}${u.pathname}`;
    } catch {
      return "postgresql";
    }
  }
  return `sqlite:${join(opts.dataDir ?? ".rampart", "rampart.db")}`;
}
