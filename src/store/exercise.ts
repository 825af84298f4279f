/**
 * Exercises, their participants and decisions, and lessons in the store (migration 7; docs/exercise.md).
 * Same SQL on SQLite and PostgreSQL; every change writes its audit entry in the same transaction ([EXR-11]);
 * accepting a lesson adds the model version and marks the lesson in one transaction ([LSN-3]).
 */
import type { Decision, ExerciseClock, ExerciseDef, ExerciseInfo, Lesson, Participant } from "../contracts/exercise.ts";
import type { Sql } from "./driver.ts";

type Actor = { user: string; ip?: string };
type Row = Record<string, unknown>;

export type StoredExercise = ExerciseInfo & { def: ExerciseDef; clock: ExerciseClock };
export type NewVersion = {
  modelId: string;
  name: string;
  sources: { file: string; text: string }[];
  rawJson: string;
  counts: Record<string, number>;
  message: string;
  sha256: string;
};

export const EXERCISE_MIGRATION = (): string[] => [
  `CREATE TABLE exercises (
    id TEXT PRIMARY KEY,
    model_id TEXT NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    facilitator TEXT NOT NULL,
    def TEXT NOT NULL,
    clock TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL)`,
  "CREATE INDEX exercises_model ON exercises (model_id)",
  `CREATE TABLE exercise_participants (
    exercise_id TEXT NOT NULL REFERENCES exercises(id) ON DELETE CASCADE,
    username TEXT NOT NULL,
    role TEXT NOT NULL,
    joined_at TEXT NOT NULL,
    PRIMARY KEY (exercise_id, username))`,
  `CREATE TABLE exercise_decisions (
    exercise_id TEXT NOT NULL REFERENCES exercises(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    decision TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (exercise_id, seq))`,
  `CREATE TABLE lessons (
    id TEXT PRIMARY KEY,
    exercise_id TEXT,
    model_id TEXT NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    base_version INTEGER NOT NULL,
    title TEXT NOT NULL,
    patch TEXT NOT NULL,
    status TEXT NOT NULL,
    compare TEXT NOT NULL,
    accepted_version INTEGER,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL)`,
  "CREATE INDEX lessons_model ON lessons (model_id)",
];

export class ExerciseStoreError extends Error {
  constructor(
    readonly code: "conflict" | "not-found",
    message: string,
  ) {
    super(message);
  }
}

export interface ExerciseStore {
  create(
    e: { id: string; modelId: string; version: number; def: ExerciseDef; clock: ExerciseClock },
    actor: Actor,
  ): Promise<StoredExercise>;
  get(id: string): Promise<StoredExercise | null>;
  list(modelId?: string): Promise<ExerciseInfo[]>;
  /** Replaces the definition and/or the clock; `action` names the change in the audit log. */
  update(
    id: string,
    change: { def?: ExerciseDef; clock?: ExerciseClock },
    action: string,
    details: Record<string, unknown>,
    actor: Actor,
  ): Promise<StoredExercise>;
  join(id: string, username: string, role: string, actor: Actor): Promise<Participant>;
  participants(id: string): Promise<Participant[]>;
  addDecision(id: string, d: Decision, actor: Actor): Promise<number>;
  decisions(id: string): Promise<Decision[]>;
  addLesson(l: Omit<Lesson, "status" | "acceptedVersion" | "createdBy" | "createdAt">, actor: Actor): Promise<Lesson>;
  getLesson(id: string): Promise<Lesson | null>;
  listLessons(modelId: string): Promise<Lesson[]>;
  /**
   * [LSN-3] Adds the patched model as a new version and marks the lesson accepted, in one transaction; refused
   * (conflict) when the lesson is not proposed or its base version is no longer the latest.
   */
  acceptLesson(id: string, version: NewVersion, actor: Actor): Promise<{ lesson: Lesson; version: number }>;
}

type Audit = (t: Sql, actor: Actor, action: string, target: string, details: Record<string, unknown>) => Promise<void>;
type InsertVersion = (t: Sql, v: NewVersion, actor: Actor) => Promise<{ version: number }>;

const toInfo = (r: Row): ExerciseInfo => ({
  id: String(r.id),
  modelId: String(r.model_id),
  version: Number(r.version),
  name: String(r.name),
  facilitator: String(r.facilitator),
  createdAt: String(r.created_at),
  updatedAt: String(r.updated_at),
});
const toExercise = (r: Row): StoredExercise => ({
  ...toInfo(r),
  def: JSON.parse(String(r.def)),
  clock: JSON.parse(String(r.clock)),
});
const toLesson = (r: Row): Lesson => ({
  id: String(r.id),
  exerciseId: r.exercise_id === null || r.exercise_id === undefined ? null : String(r.exercise_id),
  modelId: String(r.model_id),
  baseVersion: Number(r.base_version),
  title: String(r.title),
  patch: JSON.parse(String(r.patch)),
  status: String(r.status) as Lesson["status"],
  compare: JSON.parse(String(r.compare)),
  acceptedVersion: r.accepted_version === null || r.accepted_version === undefined ? null : Number(r.accepted_version),
  createdBy: String(r.created_by),
  createdAt: String(r.created_at),
});

export class SqlExerciseStore implements ExerciseStore {
  constructor(
    private readonly db: {
      get<T>(sql: string, p?: unknown[]): Promise<T | undefined>;
      all<T>(sql: string, p?: unknown[]): Promise<T[]>;
    },
    private readonly writeTx: <T>(fn: (t: Sql) => Promise<T>) => Promise<T>,
    private readonly audit: Audit,
    private readonly insertVersion: InsertVersion,
    private readonly now: () => string,
    private readonly kind: "sqlite" | "postgres",
  ) {}

  async create(
    e: { id: string; modelId: string; version: number; def: ExerciseDef; clock: ExerciseClock },
    actor: Actor,
  ): Promise<StoredExercise> {
    return this.writeTx(async (t) => {
      if (await t.get("SELECT id FROM exercises WHERE id = ?", [e.id]))
        throw new ExerciseStoreError("conflict", `exercise ${e.id} exists`);
      if (
        !(await t.get("SELECT version FROM model_versions WHERE model_id = ? AND version = ?", [e.modelId, e.version]))
      )
        throw new ExerciseStoreError("not-found", `model ${e.modelId} has no version ${e.version}`);
      const at = this.now();
      await t.run(
        `INSERT INTO exercises (id, model_id, version, name, facilitator, def, clock, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [e.id, e.modelId, e.version, e.def.name, actor.user, JSON.stringify(e.def), JSON.stringify(e.clock), at, at],
      );
      await this.audit(t, actor, "exercise.create", `exercises/${e.id}`, {
        model: e.modelId,
        version: e.version,
        scenario: e.def.scenario.id,
        seed: e.def.seed,
      });
      return {
        id: e.id,
        modelId: e.modelId,
        version: e.version,
        name: e.def.name,
        facilitator: actor.user,
        createdAt: at,
        updatedAt: at,
        def: e.def,
        clock: e.clock,
      };
    });
  }

  async get(id: string): Promise<StoredExercise | null> {
    const r = await this.db.get<Row>("SELECT * FROM exercises WHERE id = ?", [id]);
    return r ? toExercise(r) : null;
  }

  async list(modelId?: string): Promise<ExerciseInfo[]> {
    const cols = "id, model_id, version, name, facilitator, created_at, updated_at";
    const rows = modelId
      ? await this.db.all<Row>(`SELECT ${cols} FROM exercises WHERE model_id = ? ORDER BY created_at, id`, [modelId])
      : await this.db.all<Row>(`SELECT ${cols} FROM exercises ORDER BY created_at, id`);
    return rows.map(toInfo);
  }

  async update(
    id: string,
    change: { def?: ExerciseDef; clock?: ExerciseClock },
    action: string,
    details: Record<string, unknown>,
    actor: Actor,
  ): Promise<StoredExercise> {
    return this.writeTx(async (t) => {
      const lock = this.kind === "postgres" ? " FOR UPDATE" : "";
      const r = await t.get<Row>(`SELECT * FROM exercises WHERE id = ?${lock}`, [id]);
      if (!r) throw new ExerciseStoreError("not-found", `no exercise ${id}`);
      const cur = toExercise(r);
      const next = { ...cur, def: change.def ?? cur.def, clock: change.clock ?? cur.clock, updatedAt: this.now() };
      await t.run("UPDATE exercises SET def = ?, clock = ?, updated_at = ? WHERE id = ?", [
        JSON.stringify(next.def),
        JSON.stringify(next.clock),
        next.updatedAt,
        id,
      ]);
      await this.audit(t, actor, `exercise.${action}`, `exercises/${id}`, details);
      return next;
    });
  }

  async join(id: string, username: string, role: string, actor: Actor): Promise<Participant> {
    return this.writeTx(async (t) => {
      if (!(await t.get("SELECT id FROM exercises WHERE id = ?", [id])))
        throw new ExerciseStoreError("not-found", `no exercise ${id}`);
      const at = this.now();
      await t.run("DELETE FROM exercise_participants WHERE exercise_id = ? AND username = ?", [id, username]);
      await t.run("INSERT INTO exercise_participants (exercise_id, username, role, joined_at) VALUES (?, ?, ?, ?)", [
        id,
        username,
        role,
        at,
      ]);
      await this.audit(t, actor, "exercise.join", `exercises/${id}`, { role });
      return { username, role, joinedAt: at };
    });
  }

  async participants(id: string): Promise<Participant[]> {
    const rows = await this.db.all<Row>(
      "SELECT username, role, joined_at FROM exercise_participants WHERE exercise_id = ? ORDER BY joined_at, username",
      [id],
    );
    return rows.map((r) => ({ username: String(r.username), role: String(r.role), joinedAt: String(r.joined_at) }));
  }

  async addDecision(id: string, d: Decision, actor: Actor): Promise<number> {
    return this.writeTx(async (t) => {
      const lock = this.kind === "postgres" ? " FOR UPDATE" : "";
      if (!(await t.get(`SELECT id FROM exercises WHERE id = ?${lock}`, [id])))
        throw new ExerciseStoreError("not-found", `no exercise ${id}`);
      const last = await t.get<Row>("SELECT MAX(seq) AS m FROM exercise_decisions WHERE exercise_id = ?", [id]);
      const seq = (last?.m === null || last?.m === undefined ? 0 : Number(last.m)) + 1;
      await t.run("INSERT INTO exercise_decisions (exercise_id, seq, decision, created_at) VALUES (?, ?, ?, ?)", [
        id,
        seq,
        JSON.stringify(d),
        this.now(),
      ]);
      await this.audit(t, actor, "exercise.decision", `exercises/${id}/decisions/${seq}`, {
        role: d.role,
        kind: d.kind,
        at: d.at,
        targets: d.targets.length,
      });
      return seq;
    });
  }

  async decisions(id: string): Promise<Decision[]> {
    const rows = await this.db.all<Row>("SELECT decision FROM exercise_decisions WHERE exercise_id = ? ORDER BY seq", [
      id,
    ]);
    return rows.map((r) => JSON.parse(String(r.decision)) as Decision);
  }

  async addLesson(
    l: Omit<Lesson, "status" | "acceptedVersion" | "createdBy" | "createdAt">,
    actor: Actor,
  ): Promise<Lesson> {
    return this.writeTx(async (t) => {
      if (await t.get("SELECT id FROM lessons WHERE id = ?", [l.id]))
        throw new ExerciseStoreError("conflict", `lesson ${l.id} exists`);
      const at = this.now();
      await t.run(
        `INSERT INTO lessons (id, exercise_id, model_id, base_version, title, patch, status, compare, accepted_version, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 'proposed', ?, NULL, ?, ?, ?)`,
        [
          l.id,
          l.exerciseId,
          l.modelId,
          l.baseVersion,
          l.title,
          JSON.stringify(l.patch),
          JSON.stringify(l.compare),
          actor.user,
          at,
          at,
        ],
      );
      await this.audit(t, actor, "lesson.propose", `lessons/${l.id}`, {
        model: l.modelId,
        version: l.baseVersion,
        ops: l.patch.length,
        ...(l.exerciseId ? { exercise: l.exerciseId } : {}),
      });
      return { ...l, status: "proposed", acceptedVersion: null, createdBy: actor.user, createdAt: at };
    });
  }

  async getLesson(id: string): Promise<Lesson | null> {
    const r = await this.db.get<Row>("SELECT * FROM lessons WHERE id = ?", [id]);
    return r ? toLesson(r) : null;
  }

  async listLessons(modelId: string): Promise<Lesson[]> {
    const rows = await this.db.all<Row>("SELECT * FROM lessons WHERE model_id = ? ORDER BY created_at, id", [modelId]);
    return rows.map(toLesson);
  }

  async acceptLesson(id: string, v: NewVersion, actor: Actor): Promise<{ lesson: Lesson; version: number }> {
    return this.writeTx(async (t) => {
      const lock = this.kind === "postgres" ? " FOR UPDATE" : "";
      const r = await t.get<Row>(`SELECT * FROM lessons WHERE id = ?${lock}`, [id]);
      if (!r) throw new ExerciseStoreError("not-found", `no lesson ${id}`);
      const l = toLesson(r);
      if (l.status !== "proposed") throw new ExerciseStoreError("conflict", `lesson ${id} is already ${l.status}`);
      const m = await t.get<Row>(`SELECT latest_version FROM models WHERE id = ?${lock}`, [l.modelId]);
      if (!m || Number(m.latest_version) !== l.baseVersion)
        throw new ExerciseStoreError(
          "conflict",
          `lesson ${id} was simulated on version ${l.baseVersion} of ${l.modelId}; the latest is ${m ? Number(m.latest_version) : "none"}: propose it again`,
        );
      const { version } = await this.insertVersion(t, v, actor);
      const at = this.now();
      await t.run("UPDATE lessons SET status = 'accepted', accepted_version = ?, updated_at = ? WHERE id = ?", [
        version,
        at,
        id,
      ]);
      await this.audit(t, actor, "lesson.accept", `lessons/${id}`, { model: l.modelId, version });
      return { lesson: { ...l, status: "accepted", acceptedVersion: version }, version };
    });
  }
}
