/**
 * The two SQL drivers behind the store. Statements are written once with `?` placeholders; the PostgreSQL
 * driver numbers them. Transactions are serialized: SQLite through one connection and a queue (BEGIN
 * IMMEDIATE), PostgreSQL through a pooled client per transaction.
 */
import Database from "better-sqlite3";
import pg from "pg";

export type Params = readonly unknown[];
export type RunResult = { changes: number };

export interface Sql {
  all<T>(sql: string, params?: Params): Promise<T[]>;
  get<T>(sql: string, params?: Params): Promise<T | undefined>;
  run(sql: string, params?: Params): Promise<RunResult>;
}

export interface Driver extends Sql {
  readonly kind: "sqlite" | "postgres";
  tx<T>(fn: (t: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A promise queue: one holder at a time. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => {
      release = r;
    });
    const prev = this.tail;
    this.tail = prev.then(() => next);
    return prev.then(() => release);
  }
}

export class SqliteDriver implements Driver {
  readonly kind = "sqlite" as const;
  readonly db: Database.Database;
  private readonly cache = new Map<string, Database.Statement>();
  private readonly mutex = new Mutex();

  constructor(file: string, opts: { readonly?: boolean } = {}) {
    if (opts.readonly) {
      // [AUD-4] a reader that cannot write: no journal change, no schema, not even to an empty file
      this.db = new Database(file, { readonly: true, fileMustExist: true });
      this.db.pragma("query_only = ON");
      return;
    }
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    // FULL: a committed transaction is on disk before COMMIT returns (crash and power-loss safe).
    this.db.pragma("synchronous = FULL");
    this.db.pragma("foreign_keys = ON");
    this.db.pragma("busy_timeout = 5000");
  }

  private stmt(sql: string): Database.Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  /** Synchronous read by a cached statement (the hot path of result reads). */
  getSync<T>(sql: string, params: Params = []): T | undefined {
    return this.stmt(sql).get(...(params as unknown[])) as T | undefined;
  }

  async all<T>(sql: string, params: Params = []): Promise<T[]> {
    return this.stmt(sql).all(...(params as unknown[])) as T[];
  }
  async get<T>(sql: string, params: Params = []): Promise<T | undefined> {
    return this.stmt(sql).get(...(params as unknown[])) as T | undefined;
  }
  async run(sql: string, params: Params = []): Promise<RunResult> {
    if (/^\s*(create|alter|drop)\s/i.test(sql)) {
      this.db.exec(sql);
      return { changes: 0 };
    }
    const r = this.stmt(sql).run(...(params as unknown[]));
    return { changes: r.changes };
  }

  async tx<T>(fn: (t: Sql) => Promise<T>): Promise<T> {
    const release = await this.mutex.lock();
    try {
      this.db.exec("BEGIN IMMEDIATE");
      try {
        const out = await fn(this);
        this.db.exec("COMMIT");
        return out;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec("ROLLBACK");
        throw e;
      }
    } finally {
      release();
    }
  }

  async close(): Promise<void> {
    const release = await this.mutex.lock();
    try {
      this.db.close();
    } finally {
      release();
    }
  }
}

function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

class PgSql implements Sql {
  constructor(private readonly q: pg.Pool | pg.PoolClient) {}
  async all<T>(sql: string, params: Params = []): Promise<T[]> {
    const r = await this.q.query(numbered(sql), params as unknown[]);
    return r.rows as T[];
  }
  async get<T>(sql: string, params: Params = []): Promise<T | undefined> {
    const r = await this.q.query(numbered(sql), params as unknown[]);
    return r.rows[0] as T | undefined;
  }
  async run(sql: string, params: Params = []): Promise<RunResult> {
    const r = await this.q.query(numbered(sql), params as unknown[]);
    return { changes: r.rowCount ?? 0 };
  }
}

// BIGINT as a JS number (ids and counts stay far below 2^53).
pg.types.setTypeParser(20, (v) => Number(v));

export class PgDriver implements Driver {
  readonly kind = "postgres" as const;
  readonly pool: pg.Pool;
  private readonly base: PgSql;

  constructor(url: string, schema?: string, opts: { readonly?: boolean } = {}) {
    if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error("invalid schema name");
    const options = [
      ...(schema ? [`-c search_path=${schema}`] : []),
      ...(opts.readonly ? ["-c default_transaction_read_only=on"] : []),
    ];
    this.pool = new pg.Pool({
      connectionString: url,
      max: 10,
      ...(options.length ? { options: options.join(" ") } : {}),
    });
    this.pool.on("error", () => {
      // an idle client lost its connection: the pool replaces it on the next query
    });
    this.base = new PgSql(this.pool);
  }

  all<T>(sql: string, params?: Params): Promise<T[]> {
    return this.base.all<T>(sql, params);
  }
  get<T>(sql: string, params?: Params): Promise<T | undefined> {
    return this.base.get<T>(sql, params);
  }
  run(sql: string, params?: Params): Promise<RunResult> {
    return this.base.run(sql, params);
  }

  async tx<T>(fn: (t: Sql) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      try {
        const out = await fn(new PgSql(client));
        await client.query("COMMIT");
        return out;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => {});
        throw e;
      }
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
