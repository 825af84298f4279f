/** The store over either SQL driver: the same statements, the same behaviour (one test suite checks both). */
import { randomUUID } from "node:crypto";
import { entryHash, verifyChain } from "./audit.ts";
import { type CaseStore, SqlCaseStore } from "./cases.ts";
import type { Driver, Sql } from "./driver.ts";
import { type ExerciseStore, type NewVersion, SqlExerciseStore } from "./exercise.ts";
import { migrate } from "./migrations.ts";
import { type ShareStore, SqlShareStore } from "./share.ts";
import {
  type Actor,
  type Alert,
  type AuditEntry,
  type AuditVerify,
  type ModelInfo,
  type ModelVersion,
  type ModelVersionInfo,
  type NewAcceptedRisk,
  type NewAlert,
  type PublicUser,
  type ResultInfo,
  type ResultKind,
  type ResultStatus,
  type Role,
  type Session,
  type Store,
  type StoredAcceptedRisk,
  StoreError,
  type ThrottleRequest,
  type User,
} from "./types.ts";

type Row = Record<string, unknown>;
const now = () => new Date().toISOString();
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

function toUser(r: Row): User {
  return {
    username: String(r.username),
    role: r.role as Role,
    passwordHash: String(r.password_hash),
    disabled: Number(r.disabled) === 1,
    createdAt: String(r.created_at),
    updatedAt: String(r.updated_at),
  };
}
function publicUser(u: User): PublicUser {
  const { passwordHash: _, ...rest } = u;
  return rest;
}
function toModel(r: Row): ModelInfo {
  return {
    id: String(r.id),
    name: String(r.name),
    latestVersion: Number(r.latest_version),
    createdAt: String(r.created_at),
    updatedAt: String(r.updated_at),
  };
}
function toVersionInfo(r: Row): ModelVersionInfo {
  return {
    modelId: String(r.model_id),
    version: Number(r.version),
    sha256: String(r.sha256),
    message: String(r.message),
    counts: JSON.parse(String(r.counts)),
    createdBy: String(r.created_by),
    createdAt: String(r.created_at),
  };
}
function toResult(r: Row): ResultInfo {
  return {
    id: String(r.id),
    kind: r.kind as ResultKind,
    modelId: String(r.model_id),
    version: Number(r.version),
    status: r.status as ResultStatus,
    params: JSON.parse(String(r.params)),
    error: str(r.error),
    createdBy: String(r.created_by),
    createdAt: String(r.created_at),
    updatedAt: String(r.updated_at),
  };
}
function toAcceptedRisk(r: Row): StoredAcceptedRisk {
  return {
    id: String(r.id),
    rule: String(r.rule),
    ...(r.target !== null && r.target !== undefined ? { target: String(r.target) } : {}),
    owner: String(r.owner),
    justification: String(r.justification),
    expires: String(r.expires),
    acceptedBy: String(r.created_by),
    acceptedAt: String(r.created_at),
  };
}

function toAlert(r: Row): Alert {
  return {
    id: Number(r.id),
    at: String(r.at),
    source: String(r.source),
    modelId: str(r.model_id),
    assetId: str(r.asset_id),
    zone: str(r.zone),
    signal: str(r.signal),
    severity: r.severity as Alert["severity"],
    score: Number(r.score),
    message: String(r.message),
    services: JSON.parse(String(r.services)),
    ackedBy: str(r.acked_by),
    ackedAt: str(r.acked_at),
  };
}
function toAudit(r: Row): AuditEntry {
  return {
    seq: Number(r.seq),
    at: String(r.at),
    actor: String(r.actor),
    action: String(r.action),
    target: String(r.target),
    details: parseDetails(String(r.details)),
    prevHash: String(r.prev_hash),
    hash: String(r.hash),
  };
}

/** Details as stored; text that is not JSON (an edit outside Rampart) still verifies, and fails. */
function parseDetails(s: string): Record<string, unknown> {
  try {
    const v = JSON.parse(s);
    return v !== null && typeof v === "object" ? v : { unparseable: s };
  } catch {
    return { unparseable: s };
  }
}

const RESULT_COLS = "id, kind, model_id, version, status, params, error, created_by, created_at, updated_at";

export class SqlStore implements Store {
  readonly kind: Driver["kind"];
  private applied: number[] = [];

  readonly share: ShareStore;
  readonly cases: CaseStore;
  readonly exercises: ExerciseStore;

  private constructor(readonly db: Driver) {
    this.kind = db.kind;
    this.cases = new SqlCaseStore(
      db,
      (fn) => this.writeTx(fn),
      (t, actor, action, target, details) => this.appendAudit(t, actor, action, target, details),
      now,
      db.kind === "postgres" ? " FOR UPDATE" : "",
    );
    this.share = new SqlShareStore(
      db,
      (fn) => this.writeTx(fn),
      (t, actor, action, target, details) => this.appendAudit(t, actor, action, target, details),
      now,
    );
    this.exercises = new SqlExerciseStore(
      db,
      (fn) => this.writeTx(fn),
      (t, actor, action, target, details) => this.appendAudit(t, actor, action, target, details),
      (t, v, actor) => this.insertVersion(t, v, actor),
      now,
      db.kind,
    );
  }

  /**
   * [AUD-4] Opens a store to read only (audit verification): no migration, nothing written. Refuses a
   * database without Rampart's audit tables (an empty, foreign or damaged file) with a StoreError.
   */
  static async openReadOnly(db: Driver): Promise<SqlStore> {
    const s = new SqlStore(db);
    let tables: string[];
    try {
      const rows =
        db.kind === "sqlite"
          ? await db.all<Row>("SELECT name FROM sqlite_master WHERE type = 'table'")
          : await db.all<Row>(
              "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()",
            );
      tables = rows.map((r) => String(r.name));
    } catch (e) {
      await db.close().catch(() => {});
      throw new StoreError("not-found", `not a Rampart store (${(e as { code?: string }).code ?? "unreadable"})`);
    }
    if (!["audit", "audit_head", "schema_migrations"].every((t) => tables.includes(t))) {
      await db.close().catch(() => {});
      throw new StoreError("not-found", tables.length ? "not a Rampart store (no audit log in it)" : "an empty store");
    }
    return s;
  }

  static async open(db: Driver): Promise<SqlStore> {
    const s = new SqlStore(db);
    s.applied = await migrate(db);
    return s;
  }

  async close(): Promise<void> {
    await this.db.close();
  }
  async migrations(): Promise<number[]> {
    return this.applied;
  }
  async ping(): Promise<boolean> {
    try {
      await this.db.get("SELECT 1 AS one");
      return true;
    } catch {
      return false;
    }
  }

  /**
   * A writing transaction. On PostgreSQL it first locks the audit head row, so audited writers run one at a
   * time (SQLite's BEGIN IMMEDIATE does the same); reads never wait.
   */
  private writeTx<T>(fn: (t: Sql) => Promise<T>): Promise<T> {
    return this.db.tx(async (t) => {
      if (this.kind === "postgres") await t.get("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE");
      return fn(t);
    });
  }

  /** Appends one audit entry inside the caller's transaction (the head row serializes writers). */
  private async appendAudit(
    t: Sql,
    actor: Actor,
    action: string,
    target: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    const lock = this.kind === "postgres" ? " FOR UPDATE" : "";
    const head = await t.get<Row>(`SELECT seq, hash FROM audit_head WHERE id = 1${lock}`);
    if (!head) throw new Error("audit head missing");
    const seq = Number(head.seq) + 1;
    const prevHash = String(head.hash);
    const entry = { seq, at: now(), actor: actor.user, action, target, details: { ...details } };
    if (actor.ip) entry.details.ip = actor.ip;
    const hash = entryHash(prevHash, entry);
    await t.run(
      "INSERT INTO audit (seq, at, actor, action, target, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      [seq, entry.at, entry.actor, action, target, JSON.stringify(entry.details), prevHash, hash],
    );
    await t.run("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", [seq, hash]);
  }

  async throttleAttempt(r: ThrottleRequest): Promise<number> {
    return this.db.tx(async (t) => {
      const all = [...new Set([...r.keys, ...(r.trustKey ? [r.trustKey] : [])])].sort(); // one lock order
      for (const k of all) {
        await t.run(
          "INSERT INTO login_throttle (key, attempts, blocked_until, trusted_until, updated_at) VALUES (?, 0, 0, 0, ?) ON CONFLICT (key) DO NOTHING",
          [k, r.now],
        );
      }
      const lock = this.kind === "postgres" ? " FOR UPDATE" : "";
      const rows = new Map<string, Row>();
      for (const k of all) {
        const row = await t.get<Row>(`SELECT * FROM login_throttle WHERE key = ?${lock}`, [k]);
        if (row) rows.set(k, row);
      }
      const trusted = r.trustKey !== undefined && Number(rows.get(r.trustKey)?.trusted_until ?? 0) > r.now;
      const skip = new Set(trusted ? (r.skipIfTrusted ?? []) : []);
      const keys = r.keys.filter((k) => !skip.has(k));
      let until = 0;
      for (const k of keys) until = Math.max(until, Number(rows.get(k)?.blocked_until ?? 0));
      if (until > r.now) return until;
      for (const k of keys) {
        const row = rows.get(k);
        const fresh = !row || r.now - Number(row.updated_at) > r.windowMs;
        const attempts = (fresh ? 0 : Number(row?.attempts ?? 0)) + 1;
        const block = r.blockFor(k, attempts);
        await t.run("UPDATE login_throttle SET attempts = ?, blocked_until = ?, updated_at = ? WHERE key = ?", [
          attempts,
          block > 0 ? r.now + block : 0,
          r.now,
          k,
        ]);
      }
      return 0;
    });
  }

  async throttleSuccess(clear: string[], trustKey: string, trustUntil: number, now: number): Promise<void> {
    await this.db.tx(async (t) => {
      for (const k of clear) {
        await t.run("UPDATE login_throttle SET attempts = 0, blocked_until = 0, updated_at = ? WHERE key = ?", [
          now,
          k,
        ]);
      }
      await t.run(
        "INSERT INTO login_throttle (key, attempts, blocked_until, trusted_until, updated_at) VALUES (?, 0, 0, ?, ?) ON CONFLICT (key) DO UPDATE SET trusted_until = ?",
        [trustKey, trustUntil, now, trustUntil],
      );
    });
  }

  async audit(action: string, target: string, details: Record<string, unknown>, actor: Actor): Promise<void> {
    await this.writeTx((t) => this.appendAudit(t, actor, action, target, details));
  }

  // users
  async countUsers(): Promise<number> {
    const r = await this.db.get<Row>("SELECT COUNT(*) AS n FROM users");
    return Number(r?.n ?? 0);
  }
  async getUser(username: string): Promise<User | null> {
    const r = await this.db.get<Row>("SELECT * FROM users WHERE username = ?", [username]);
    return r ? toUser(r) : null;
  }
  async listUsers(): Promise<PublicUser[]> {
    const rows = await this.db.all<Row>("SELECT * FROM users ORDER BY username");
    return rows.map((r) => publicUser(toUser(r)));
  }
  async createUser(u: { username: string; role: Role; passwordHash: string }, actor: Actor): Promise<PublicUser> {
    return this.writeTx(async (t) => {
      const exists = await t.get<Row>("SELECT username FROM users WHERE username = ?", [u.username]);
      if (exists) throw new StoreError("conflict", `user ${u.username} already exists`);
      const at = now();
      await t.run(
        "INSERT INTO users (username, role, password_hash, disabled, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?)",
        [u.username, u.role, u.passwordHash, at, at],
      );
      await this.appendAudit(t, actor, "user.create", `users/${u.username}`, { role: u.role });
      return { username: u.username, role: u.role, disabled: false, createdAt: at, updatedAt: at };
    });
  }
  async updateUser(
    username: string,
    patch: { role?: Role; passwordHash?: string; disabled?: boolean },
    actor: Actor,
  ): Promise<PublicUser | null> {
    return this.writeTx(async (t) => {
      const r = await t.get<Row>("SELECT * FROM users WHERE username = ?", [username]);
      if (!r) return null;
      const u = toUser(r);
      const next = {
        role: patch.role ?? u.role,
        passwordHash: patch.passwordHash ?? u.passwordHash,
        disabled: patch.disabled ?? u.disabled,
      };
      const at = now();
      await t.run("UPDATE users SET role = ?, password_hash = ?, disabled = ?, updated_at = ? WHERE username = ?", [
        next.role,
        next.passwordHash,
        next.disabled ? 1 : 0,
        at,
        username,
      ]);
      if (patch.passwordHash !== undefined || patch.disabled || patch.role !== undefined) {
        await t.run("DELETE FROM sessions WHERE username = ?", [username]);
      }
      const changed: Record<string, unknown> = {};
      if (patch.role !== undefined) changed.role = patch.role;
      if (patch.disabled !== undefined) changed.disabled = patch.disabled;
      if (patch.passwordHash !== undefined) changed.password = "changed";
      await this.appendAudit(t, actor, "user.update", `users/${username}`, changed);
      return { ...publicUser(u), ...{ role: next.role, disabled: next.disabled }, updatedAt: at };
    });
  }
  async deleteUser(username: string, actor: Actor): Promise<boolean> {
    return this.writeTx(async (t) => {
      const r = await t.run("DELETE FROM users WHERE username = ?", [username]);
      if (r.changes === 0) return false;
      await this.appendAudit(t, actor, "user.delete", `users/${username}`, {});
      return true;
    });
  }

  // sessions
  async createSession(s: Session): Promise<void> {
    await this.db.run("INSERT INTO sessions (id_hash, username, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)", [
      s.idHash,
      s.username,
      s.csrf,
      s.createdAt,
      s.expiresAt,
    ]);
  }
  async getSession(idHash: string): Promise<Session | null> {
    const r = await this.db.get<Row>(
      `SELECT s.id_hash, s.username, s.csrf, s.created_at, s.expires_at, u.role, u.disabled
       FROM sessions s JOIN users u ON u.username = s.username WHERE s.id_hash = ?`,
      [idHash],
    );
    if (!r || Number(r.disabled) === 1) return null;
    return {
      idHash: String(r.id_hash),
      username: String(r.username),
      role: r.role as Role,
      csrf: String(r.csrf),
      createdAt: String(r.created_at),
      expiresAt: String(r.expires_at),
    };
  }
  async deleteSession(idHash: string): Promise<void> {
    await this.db.run("DELETE FROM sessions WHERE id_hash = ?", [idHash]);
  }
  async deleteSessionsOf(username: string): Promise<void> {
    await this.db.run("DELETE FROM sessions WHERE username = ?", [username]);
  }
  async purgeSessions(at: string): Promise<number> {
    const r = await this.db.run("DELETE FROM sessions WHERE expires_at < ?", [at]);
    return r.changes;
  }

  // models
  async listModels(): Promise<ModelInfo[]> {
    return (await this.db.all<Row>("SELECT * FROM models ORDER BY id")).map(toModel);
  }
  async getModel(id: string): Promise<ModelInfo | null> {
    const r = await this.db.get<Row>("SELECT * FROM models WHERE id = ?", [id]);
    return r ? toModel(r) : null;
  }
  async addModelVersion(
    v: {
      modelId: string;
      name: string;
      sources: { file: string; text: string }[];
      rawJson: string;
      counts: Record<string, number>;
      message: string;
      sha256: string;
    },
    actor: Actor,
  ): Promise<ModelVersionInfo> {
    return this.writeTx((t) => this.insertVersion(t, v, actor));
  }
  /** Adds a version inside a transaction (also used by accepting a lesson, [LSN-3]). */
  private async insertVersion(t: Sql, v: NewVersion, actor: Actor): Promise<ModelVersionInfo> {
    {
      const at = now();
      const lock = this.kind === "postgres" ? " FOR UPDATE" : "";
      const m = await t.get<Row>(`SELECT latest_version FROM models WHERE id = ?${lock}`, [v.modelId]);
      let version = 1;
      if (m) {
        version = Number(m.latest_version) + 1;
        await t.run("UPDATE models SET latest_version = ?, name = ?, updated_at = ? WHERE id = ?", [
          version,
          v.name,
          at,
          v.modelId,
        ]);
      } else {
        await t.run("INSERT INTO models (id, name, latest_version, created_at, updated_at) VALUES (?, ?, 1, ?, ?)", [
          v.modelId,
          v.name,
          at,
          at,
        ]);
      }
      await t.run(
        `INSERT INTO model_versions (model_id, version, sha256, message, counts, sources, raw, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          v.modelId,
          version,
          v.sha256,
          v.message,
          JSON.stringify(v.counts),
          JSON.stringify(v.sources),
          v.rawJson,
          actor.user,
          at,
        ],
      );
      await this.appendAudit(t, actor, "model.version", `models/${v.modelId}/versions/${version}`, {
        sha256: v.sha256,
        files: v.sources.length,
        counts: v.counts,
      });
      return {
        modelId: v.modelId,
        version,
        sha256: v.sha256,
        message: v.message,
        counts: v.counts,
        createdBy: actor.user,
        createdAt: at,
      };
    }
  }
  async listVersions(modelId: string): Promise<ModelVersionInfo[]> {
    const rows = await this.db.all<Row>(
      "SELECT model_id, version, sha256, message, counts, created_by, created_at FROM model_versions WHERE model_id = ? ORDER BY version",
      [modelId],
    );
    return rows.map(toVersionInfo);
  }
  async getVersion(modelId: string, version: number): Promise<ModelVersion | null> {
    const r = await this.db.get<Row>("SELECT * FROM model_versions WHERE model_id = ? AND version = ?", [
      modelId,
      version,
    ]);
    if (!r) return null;
    return { ...toVersionInfo(r), sources: JSON.parse(String(r.sources)), rawJson: String(r.raw) };
  }
  async deleteModel(id: string, actor: Actor): Promise<boolean> {
    return this.writeTx(async (t) => {
      await t.run("DELETE FROM results WHERE model_id = ?", [id]);
      await t.run("DELETE FROM accepted_risks WHERE model_id = ?", [id]);
      await t.run("DELETE FROM lessons WHERE model_id = ?", [id]);
      await t.run("DELETE FROM exercise_decisions WHERE exercise_id IN (SELECT id FROM exercises WHERE model_id = ?)", [
        id,
      ]);
      await t.run(
        "DELETE FROM exercise_participants WHERE exercise_id IN (SELECT id FROM exercises WHERE model_id = ?)",
        [id],
      );
      await t.run("DELETE FROM exercises WHERE model_id = ?", [id]);
      await t.run("DELETE FROM model_versions WHERE model_id = ?", [id]);
      const r = await t.run("DELETE FROM models WHERE id = ?", [id]);
      if (r.changes === 0) return false;
      await this.appendAudit(t, actor, "model.delete", `models/${id}`, {});
      return true;
    });
  }

  // results
  async createResult(
    r: { id: string; kind: ResultKind; modelId: string; version: number; params: unknown; status: ResultStatus },
    actor: Actor,
  ): Promise<ResultInfo> {
    return this.writeTx(async (t) => {
      const v = await t.get<Row>("SELECT version FROM model_versions WHERE model_id = ? AND version = ?", [
        r.modelId,
        r.version,
      ]);
      if (!v) throw new StoreError("not-found", `model ${r.modelId} has no version ${r.version}`);
      const at = now();
      await t.run(
        `INSERT INTO results (id, kind, model_id, version, status, params, body, error, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?)`,
        [r.id, r.kind, r.modelId, r.version, r.status, JSON.stringify(r.params ?? null), actor.user, at, at],
      );
      await this.appendAudit(t, actor, `${r.kind}.start`, `results/${r.id}`, {
        model: r.modelId,
        version: r.version,
      });
      return {
        id: r.id,
        kind: r.kind,
        modelId: r.modelId,
        version: r.version,
        status: r.status,
        params: r.params ?? null,
        error: null,
        createdBy: actor.user,
        createdAt: at,
        updatedAt: at,
      };
    });
  }
  async abandonRunning(reason: string): Promise<number> {
    const r = await this.db.run(
      "UPDATE results SET status = 'failed', error = ?, updated_at = ? WHERE status IN ('queued', 'running')",
      [reason, now()],
    );
    return r.changes;
  }
  async finishResult(id: string, status: ResultStatus, body: string | null, error: string | null): Promise<void> {
    await this.db.run("UPDATE results SET status = ?, body = ?, error = ?, updated_at = ? WHERE id = ?", [
      status,
      body,
      error,
      now(),
      id,
    ]);
  }
  async getResultInfo(id: string): Promise<ResultInfo | null> {
    const r = await this.db.get<Row>(`SELECT ${RESULT_COLS} FROM results WHERE id = ?`, [id]);
    return r ? toResult(r) : null;
  }
  async getResultBody(id: string): Promise<string | null> {
    const r = await this.db.get<Row>("SELECT body FROM results WHERE id = ?", [id]);
    return r && r.body !== null ? String(r.body) : null;
  }
  async listResults(filter: {
    modelId?: string;
    kind?: ResultKind;
    version?: number;
    status?: ResultStatus;
    limit?: number;
  }): Promise<ResultInfo[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.modelId !== undefined) {
      where.push("model_id = ?");
      params.push(filter.modelId);
    }
    if (filter.kind !== undefined) {
      where.push("kind = ?");
      params.push(filter.kind);
    }
    if (filter.version !== undefined) {
      where.push("version = ?");
      params.push(filter.version);
    }
    if (filter.status !== undefined) {
      where.push("status = ?");
      params.push(filter.status);
    }
    params.push(Math.min(Math.max(filter.limit ?? 100, 1), 1000));
    const sql = `SELECT ${RESULT_COLS} FROM results ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY created_at DESC, id DESC LIMIT ?`;
    return (await this.db.all<Row>(sql, params)).map(toResult);
  }

  // alerts
  async addAlert(a: NewAlert): Promise<Alert> {
    const r = await this.db.get<Row>(
      `INSERT INTO alerts (at, source, model_id, asset_id, zone, signal, severity, score, message, services)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [
        a.at,
        a.source,
        a.modelId,
        a.assetId,
        a.zone ?? null,
        a.signal,
        a.severity,
        a.score,
        a.message,
        JSON.stringify(a.services),
      ],
    );
    return { ...a, zone: a.zone ?? null, id: Number(r?.id), ackedBy: null, ackedAt: null };
  }
  async listAlerts(page: { limit?: number; before?: number; modelId?: string; open?: boolean }): Promise<Alert[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (page.before !== undefined) {
      where.push("id < ?");
      params.push(page.before);
    }
    if (page.modelId !== undefined) {
      where.push("model_id = ?");
      params.push(page.modelId);
    }
    if (page.open) where.push("acked_at IS NULL");
    params.push(Math.min(Math.max(page.limit ?? 100, 1), 1000));
    const sql = `SELECT * FROM alerts ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`;
    return (await this.db.all<Row>(sql, params)).map(toAlert);
  }
  async ackAlert(id: number, actor: Actor): Promise<Alert | null> {
    return this.writeTx(async (t) => {
      const r = await t.get<Row>("SELECT * FROM alerts WHERE id = ?", [id]);
      if (!r) return null;
      const a = toAlert(r);
      if (a.ackedAt) return a;
      const at = now();
      await t.run("UPDATE alerts SET acked_by = ?, acked_at = ? WHERE id = ?", [actor.user, at, id]);
      await this.appendAudit(t, actor, "alert.ack", `alerts/${id}`, {});
      return { ...a, ackedBy: actor.user, ackedAt: at };
    });
  }

  // accepted risks ([FND-3])
  async listAcceptedRisks(modelId: string): Promise<StoredAcceptedRisk[]> {
    const rows = await this.db.all<Row>("SELECT * FROM accepted_risks WHERE model_id = ? ORDER BY created_at, id", [
      modelId,
    ]);
    return rows.map(toAcceptedRisk);
  }
  async addAcceptedRisk(modelId: string, r: NewAcceptedRisk, actor: Actor): Promise<StoredAcceptedRisk> {
    return this.writeTx(async (t) => {
      const m = await t.get<Row>("SELECT id FROM models WHERE id = ?", [modelId]);
      if (!m) throw new StoreError("not-found", `no model ${modelId}`);
      const id = randomUUID();
      const at = now();
      await t.run(
        `INSERT INTO accepted_risks (id, model_id, rule, target, owner, justification, expires, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [id, modelId, r.rule, r.target ?? null, r.owner, r.justification, r.expires, actor.user, at],
      );
      // ids and dates only: the justification is the city's own words about a weakness
      await this.appendAudit(t, actor, "risk.accept", `models/${modelId}/accepted-risks/${id}`, {
        rule: r.rule,
        ...(r.target ? { target: r.target } : {}),
        expires: r.expires,
      });
      return { ...r, id, acceptedBy: actor.user, acceptedAt: at };
    });
  }
  async deleteAcceptedRisk(modelId: string, id: string, actor: Actor): Promise<boolean> {
    return this.writeTx(async (t) => {
      const r = await t.run("DELETE FROM accepted_risks WHERE model_id = ? AND id = ?", [modelId, id]);
      if (r.changes === 0) return false;
      await this.appendAudit(t, actor, "risk.revoke", `models/${modelId}/accepted-risks/${id}`, {});
      return true;
    });
  }

  // audit
  async listAudit(page: { limit?: number; before?: number }): Promise<AuditEntry[]> {
    const params: unknown[] = [];
    let where = "";
    if (page.before !== undefined) {
      where = "WHERE seq < ?";
      params.push(page.before);
    }
    params.push(Math.min(Math.max(page.limit ?? 100, 1), 1000));
    return (await this.db.all<Row>(`SELECT * FROM audit ${where} ORDER BY seq DESC LIMIT ?`, params)).map(toAudit);
  }
  /** The stored hash of entry `seq`, or null ([AUD-6] anchors). */
  async auditHashAt(seq: number): Promise<string | null> {
    const r = await this.db.get<Row>("SELECT hash FROM audit WHERE seq = ?", [seq]);
    return r ? String(r.hash) : null;
  }
  async auditHead(): Promise<{ seq: number; hash: string }> {
    const r = await this.db.get<Row>("SELECT seq, hash FROM audit_head WHERE id = 1");
    return { seq: Number(r?.seq ?? 0), hash: String(r?.hash ?? "") };
  }
  async verifyAudit(): Promise<AuditVerify> {
    const rows = await this.db.all<Row>("SELECT * FROM audit ORDER BY seq");
    const head = await this.db.get<Row>("SELECT seq, hash FROM audit_head WHERE id = 1");
    return verifyChain(rows.map(toAudit), { seq: Number(head?.seq ?? -1), hash: String(head?.hash ?? "") });
  }
}
