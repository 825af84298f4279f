/**
 * Incident cases and playbooks in the store ([CASE-1], [CASE-2], [CASE-9], [CASE-10], [PBK-6]): cases, their
 * asset log, timeline, tasks and evidence files, and imported CACAO playbooks. Same SQL on SQLite and
 * PostgreSQL; every change writes its timeline line (cases) and its audit entry in the same transaction, so
 * a refused change stores nothing. Audit details hold ids, counts, states and hashes, never note text.
 */
import { createHash, randomUUID } from "node:crypto";
import type {
  AssetLogEntry,
  CaseSeverity,
  CaseSourceKind,
  CaseStatus,
  CaseSummary,
  CaseTask,
  EvidenceInfo,
  PlaybookInfo,
  TaskStatus,
  TimelineEntry,
} from "../contracts/cases.ts";
import type { Sql } from "./driver.ts";
import { StoreError } from "./errors.ts";

type Actor = { user: string; ip?: string };
type Row = Record<string, unknown>;
type Audit = (t: Sql, actor: Actor, action: string, target: string, details: Record<string, unknown>) => Promise<void>;

export const CASE_MIGRATION = (): string[] => [
  `CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    model_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    severity TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    source_ref TEXT,
    assets_down INTEGER NOT NULL,
    open_tasks INTEGER NOT NULL,
    opened_by TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    closed_at TEXT)`,
  "CREATE INDEX cases_model ON cases (model_id, opened_at)",
  `CREATE TABLE case_assets (
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    asset TEXT NOT NULL,
    state TEXT NOT NULL,
    by_user TEXT NOT NULL,
    PRIMARY KEY (case_id, seq))`,
  `CREATE TABLE case_timeline (
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (case_id, seq))`,
  `CREATE TABLE case_tasks (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    instructions TEXT NOT NULL,
    playbook_id TEXT,
    step_id TEXT,
    phase TEXT,
    role TEXT NOT NULL,
    responsible TEXT NOT NULL,
    accountable TEXT NOT NULL,
    consulted TEXT NOT NULL,
    informed TEXT NOT NULL,
    assets TEXT NOT NULL,
    status TEXT NOT NULL,
    outcome TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL)`,
  "CREATE INDEX case_tasks_case ON case_tasks (case_id, ord)",
  `CREATE TABLE case_evidence (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content TEXT NOT NULL,
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL)`,
  "CREATE INDEX case_evidence_case ON case_evidence (case_id, added_at)",
  `CREATE TABLE playbooks (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    modified TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    steps INTEGER NOT NULL,
    json TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at TEXT NOT NULL)`,
];

export type NewCase = {
  modelId: string;
  version: number;
  title: string;
  source: { kind: CaseSourceKind; ref: string | null };
  /** Assets down when the case opens. */
  down: string[];
  severity: CaseSeverity;
};

export type NewTask = Omit<CaseTask, "id" | "caseId" | "status" | "outcome" | "createdAt" | "updatedAt" | "updatedBy">;

/** What a status change is checked against, inside the transaction. */
export type CaseState = { status: CaseStatus; assetsDown: number; openTasks: number };

export type CaseRecords = {
  assets: AssetLogEntry[];
  timeline: TimelineEntry[];
  tasks: CaseTask[];
  evidence: EvidenceInfo[];
};

export type StoredPlaybook = Omit<PlaybookInfo, "builtIn" | "scenario"> & { json: string };

export interface CaseStore {
  openCase(c: NewCase, actor: Actor): Promise<CaseSummary>;
  listCases(f: { modelId?: string; status?: CaseStatus; limit?: number }): Promise<CaseSummary[]>;
  getCase(id: string): Promise<CaseSummary | null>;
  records(id: string): Promise<CaseRecords>;
  /** [CASE-6] `check` decides inside the transaction (null = allowed, else the refusal's message). */
  setStatus(
    id: string,
    to: CaseStatus,
    note: string | undefined,
    check: (s: CaseState) => string | null,
    actor: Actor,
  ): Promise<CaseSummary>;
  /**
   * [CASE-2] Appends asset lines; an asset already in that state is refused. `severityOf` gets the whole log
   * (new lines included) and gives the severity stored with the case.
   */
  markAssets(
    id: string,
    assets: string[],
    state: "down" | "restored",
    severityOf: (log: AssetLogEntry[]) => CaseSeverity,
    actor: Actor,
  ): Promise<CaseSummary>;
  addNote(id: string, text: string, actor: Actor): Promise<TimelineEntry>;
  /** [CASE-10] Stores a file; its SHA-256 goes to the timeline and the audit entry. */
  addEvidence(
    id: string,
    f: { name: string; mediaType: string; bytes: Uint8Array },
    actor: Actor,
  ): Promise<EvidenceInfo>;
  getEvidence(caseId: string, evidenceId: string): Promise<{ info: EvidenceInfo; content: string } | null>;
  /** Adds tasks (from a playbook run, or one by hand) in one transaction. */
  addTasks(
    id: string,
    tasks: NewTask[],
    from: { playbookId: string; name: string } | null,
    actor: Actor,
  ): Promise<CaseTask[]>;
  /** [CASE-9] An open task becomes done, failed or skipped with its outcome; a finished task does not change. */
  updateTask(
    caseId: string,
    taskId: string,
    u: { status: TaskStatus; outcome?: string },
    actor: Actor,
  ): Promise<CaseTask>;

  putPlaybook(p: StoredPlaybook, actor: Actor): Promise<void>;
  listPlaybooks(): Promise<StoredPlaybook[]>;
  getPlaybook(id: string): Promise<StoredPlaybook | null>;
  deletePlaybook(id: string, actor: Actor): Promise<boolean>;
}

const toCase = (r: Row): CaseSummary => ({
  id: String(r.id),
  modelId: String(r.model_id),
  version: Number(r.version),
  title: String(r.title),
  status: r.status as CaseStatus,
  severity: r.severity as CaseSeverity,
  source: { kind: r.source_kind as CaseSourceKind, ref: r.source_ref === null ? null : String(r.source_ref) },
  openedBy: String(r.opened_by),
  openedAt: String(r.opened_at),
  updatedAt: String(r.updated_at),
  closedAt: r.closed_at === null || r.closed_at === undefined ? null : String(r.closed_at),
  assetsDown: Number(r.assets_down),
  openTasks: Number(r.open_tasks),
});
const toAsset = (r: Row): AssetLogEntry => ({
  seq: Number(r.seq),
  at: String(r.at),
  asset: String(r.asset),
  state: r.state as "down" | "restored",
  by: String(r.by_user),
});
const toTimeline = (r: Row): TimelineEntry => ({
  seq: Number(r.seq),
  at: String(r.at),
  actor: String(r.actor),
  kind: String(r.kind),
  text: String(r.text),
  data: JSON.parse(String(r.data)),
});
const nul = (v: unknown) => (v === null || v === undefined ? null : String(v));
const toTask = (r: Row): CaseTask => ({
  id: String(r.id),
  caseId: String(r.case_id),
  title: String(r.title),
  description: String(r.description),
  instructions: String(r.instructions),
  playbookId: nul(r.playbook_id),
  stepId: nul(r.step_id),
  phase: nul(r.phase),
  role: String(r.role),
  responsible: String(r.responsible),
  accountable: String(r.accountable),
  consulted: JSON.parse(String(r.consulted)),
  informed: JSON.parse(String(r.informed)),
  assets: JSON.parse(String(r.assets)),
  status: r.status as TaskStatus,
  outcome: nul(r.outcome),
  createdAt: String(r.created_at),
  updatedAt: String(r.updated_at),
  updatedBy: String(r.updated_by),
});
const toEvidence = (r: Row): EvidenceInfo => ({
  id: String(r.id),
  name: String(r.name),
  mediaType: String(r.media_type),
  size: Number(r.size),
  sha256: String(r.sha256),
  addedBy: String(r.added_by),
  addedAt: String(r.added_at),
});
const toPlaybook = (r: Row): StoredPlaybook => ({
  id: String(r.id),
  name: String(r.name),
  description: String(r.description),
  modified: String(r.modified),
  sha256: String(r.sha256),
  steps: Number(r.steps),
  json: String(r.json),
});

/** Which assets are down after a log (in order). */
function downSet(log: AssetLogEntry[]): Set<string> {
  const down = new Set<string>();
  for (const e of log) e.state === "down" ? down.add(e.asset) : down.delete(e.asset);
  return down;
}

export class SqlCaseStore implements CaseStore {
  constructor(
    private readonly db: Sql,
    private readonly writeTx: <T>(fn: (t: Sql) => Promise<T>) => Promise<T>,
    private readonly audit: Audit,
    private readonly now: () => string,
    private readonly lock: string,
  ) {}

  /** The case row, locked for the transaction; refused when absent or (for changes) closed. */
  private async live(t: Sql, id: string, allowClosed = false): Promise<CaseSummary> {
    const r = await t.get<Row>(`SELECT * FROM cases WHERE id = ?${this.lock}`, [id]);
    if (!r) throw new StoreError("not-found", `no case ${id}`);
    const c = toCase(r);
    if (c.status === "closed" && !allowClosed)
      throw new StoreError("conflict", `case ${id} is closed; a closed case does not change`);
    return c;
  }

  private async timeline(
    t: Sql,
    caseId: string,
    at: string,
    actor: Actor,
    kind: string,
    text: string,
    data: Record<string, unknown>,
  ): Promise<TimelineEntry> {
    const m = await t.get<Row>("SELECT MAX(seq) AS n FROM case_timeline WHERE case_id = ?", [caseId]);
    const seq = Number(m?.n ?? 0) + 1;
    await t.run("INSERT INTO case_timeline (case_id, seq, at, actor, kind, text, data) VALUES (?, ?, ?, ?, ?, ?, ?)", [
      caseId,
      seq,
      at,
      actor.user,
      kind,
      text,
      JSON.stringify(data),
    ]);
    return { seq, at, actor: actor.user, kind, text, data };
  }

  private async touch(t: Sql, id: string, at: string, set = "", params: unknown[] = []): Promise<CaseSummary> {
    await t.run(`UPDATE cases SET updated_at = ?${set} WHERE id = ?`, [at, ...params, id]);
    return toCase((await t.get<Row>("SELECT * FROM cases WHERE id = ?", [id])) as Row);
  }

  private async assetLog(t: Sql, id: string): Promise<AssetLogEntry[]> {
    return (await t.all<Row>("SELECT * FROM case_assets WHERE case_id = ? ORDER BY seq", [id])).map(toAsset);
  }

  async openCase(c: NewCase, actor: Actor): Promise<CaseSummary> {
    return this.writeTx(async (t) => {
      const m = await t.get<Row>("SELECT version FROM model_versions WHERE model_id = ? AND version = ?", [
        c.modelId,
        c.version,
      ]);
      if (!m) throw new StoreError("not-found", `model ${c.modelId} has no version ${c.version}`);
      const id = randomUUID();
      const at = this.now();
      const down = [...new Set(c.down)].sort();
      await t.run(
        `INSERT INTO cases (id, model_id, version, title, status, severity, source_kind, source_ref, assets_down,
           open_tasks, opened_by, opened_at, updated_at, closed_at)
         VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, 0, ?, ?, ?, NULL)`,
        [id, c.modelId, c.version, c.title, c.severity, c.source.kind, c.source.ref, down.length, actor.user, at, at],
      );
      let seq = 0;
      for (const a of down)
        await t.run(
          "INSERT INTO case_assets (case_id, seq, at, asset, state, by_user) VALUES (?, ?, ?, ?, 'down', ?)",
          [id, ++seq, at, a, actor.user],
        );
      await this.timeline(t, id, at, actor, "opened", `opened from ${c.source.kind}`, {
        source: c.source,
        down,
        severity: c.severity,
      });
      await this.audit(t, actor, "case.open", `cases/${id}`, {
        model: c.modelId,
        version: c.version,
        source: c.source.kind,
        ...(c.source.ref ? { ref: c.source.ref } : {}),
        down: down.length,
        severity: c.severity,
      });
      return toCase((await t.get<Row>("SELECT * FROM cases WHERE id = ?", [id])) as Row);
    });
  }

  async listCases(f: { modelId?: string; status?: CaseStatus; limit?: number }): Promise<CaseSummary[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.modelId !== undefined) {
      where.push("model_id = ?");
      params.push(f.modelId);
    }
    if (f.status !== undefined) {
      where.push("status = ?");
      params.push(f.status);
    }
    params.push(Math.min(Math.max(f.limit ?? 100, 1), 1000));
    const sql = `SELECT * FROM cases ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY opened_at DESC, id DESC LIMIT ?`;
    return (await this.db.all<Row>(sql, params)).map(toCase);
  }

  async getCase(id: string): Promise<CaseSummary | null> {
    const r = await this.db.get<Row>("SELECT * FROM cases WHERE id = ?", [id]);
    return r ? toCase(r) : null;
  }

  async records(id: string): Promise<CaseRecords> {
    return {
      assets: (await this.db.all<Row>("SELECT * FROM case_assets WHERE case_id = ? ORDER BY seq", [id])).map(toAsset),
      timeline: (await this.db.all<Row>("SELECT * FROM case_timeline WHERE case_id = ? ORDER BY seq", [id])).map(
        toTimeline,
      ),
      tasks: (await this.db.all<Row>("SELECT * FROM case_tasks WHERE case_id = ? ORDER BY ord", [id])).map(toTask),
      evidence: (
        await this.db.all<Row>(
          "SELECT id, case_id, name, media_type, size, sha256, added_by, added_at FROM case_evidence WHERE case_id = ? ORDER BY added_at, id",
          [id],
        )
      ).map(toEvidence),
    };
  }

  async setStatus(
    id: string,
    to: CaseStatus,
    note: string | undefined,
    check: (s: CaseState) => string | null,
    actor: Actor,
  ): Promise<CaseSummary> {
    return this.writeTx(async (t) => {
      const c = await this.live(t, id, true);
      const refusal = check({ status: c.status, assetsDown: c.assetsDown, openTasks: c.openTasks });
      if (refusal) throw new StoreError("conflict", refusal);
      const at = this.now();
      await this.timeline(t, id, at, actor, "status", note ?? "", { from: c.status, to });
      await this.audit(t, actor, "case.status", `cases/${id}`, { from: c.status, to });
      return this.touch(t, id, at, ", status = ?, closed_at = ?", [to, to === "closed" ? at : null]);
    });
  }

  async markAssets(
    id: string,
    assets: string[],
    state: "down" | "restored",
    severityOf: (log: AssetLogEntry[]) => CaseSeverity,
    actor: Actor,
  ): Promise<CaseSummary> {
    return this.writeTx(async (t) => {
      await this.live(t, id);
      const log = await this.assetLog(t, id);
      const down = downSet(log);
      const list = [...new Set(assets)];
      for (const a of list) {
        if (state === "down" && down.has(a))
          throw new StoreError("conflict", `asset ${a} is already down in this case`);
        if (state === "restored" && !down.has(a))
          throw new StoreError("conflict", `asset ${a} is not down in this case; only a down asset can be restored`);
      }
      const at = this.now();
      let seq = log.length ? log[log.length - 1].seq : 0;
      for (const a of list) {
        await t.run("INSERT INTO case_assets (case_id, seq, at, asset, state, by_user) VALUES (?, ?, ?, ?, ?, ?)", [
          id,
          ++seq,
          at,
          a,
          state,
          actor.user,
        ]);
        log.push({ seq, at, asset: a, state, by: actor.user });
      }
      const severity = severityOf(log);
      const nowDown = downSet(log).size;
      await this.timeline(t, id, at, actor, "asset", "", { assets: list, state, severity });
      await this.audit(t, actor, `case.asset.${state}`, `cases/${id}`, {
        assets: list,
        down: nowDown,
        severity,
      });
      return this.touch(t, id, at, ", assets_down = ?, severity = ?", [nowDown, severity]);
    });
  }

  async addNote(id: string, text: string, actor: Actor): Promise<TimelineEntry> {
    return this.writeTx(async (t) => {
      await this.live(t, id);
      const at = this.now();
      const e = await this.timeline(t, id, at, actor, "note", text, {});
      await this.audit(t, actor, "case.note", `cases/${id}`, { seq: e.seq, length: text.length });
      await this.touch(t, id, at);
      return e;
    });
  }

  async addEvidence(
    id: string,
    f: { name: string; mediaType: string; bytes: Uint8Array },
    actor: Actor,
  ): Promise<EvidenceInfo> {
    return this.writeTx(async (t) => {
      await this.live(t, id);
      const evId = randomUUID();
      const at = this.now();
      const sha256 = createHash("sha256").update(f.bytes).digest("hex");
      const info: EvidenceInfo = {
        id: evId,
        name: f.name,
        mediaType: f.mediaType,
        size: f.bytes.length,
        sha256,
        addedBy: actor.user,
        addedAt: at,
      };
      await t.run(
        `INSERT INTO case_evidence (id, case_id, name, media_type, size, sha256, content, added_by, added_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [evId, id, f.name, f.mediaType, info.size, sha256, Buffer.from(f.bytes).toString("base64"), actor.user, at],
      );
      await this.timeline(t, id, at, actor, "evidence", f.name, { evidence: evId, sha256, size: info.size });
      await this.audit(t, actor, "case.evidence", `cases/${id}/evidence/${evId}`, { sha256, size: info.size });
      await this.touch(t, id, at);
      return info;
    });
  }

  async getEvidence(caseId: string, evidenceId: string): Promise<{ info: EvidenceInfo; content: string } | null> {
    const r = await this.db.get<Row>("SELECT * FROM case_evidence WHERE case_id = ? AND id = ?", [caseId, evidenceId]);
    return r ? { info: toEvidence(r), content: String(r.content) } : null;
  }

  async addTasks(
    id: string,
    tasks: NewTask[],
    from: { playbookId: string; name: string } | null,
    actor: Actor,
  ): Promise<CaseTask[]> {
    return this.writeTx(async (t) => {
      await this.live(t, id);
      const at = this.now();
      const m = await t.get<Row>("SELECT MAX(ord) AS n FROM case_tasks WHERE case_id = ?", [id]);
      let ord = Number(m?.n ?? 0);
      const out: CaseTask[] = [];
      for (const k of tasks) {
        const task: CaseTask = {
          ...k,
          id: randomUUID(),
          caseId: id,
          status: "open",
          outcome: null,
          createdAt: at,
          updatedAt: at,
          updatedBy: actor.user,
        };
        await t.run(
          `INSERT INTO case_tasks (id, case_id, ord, title, description, instructions, playbook_id, step_id, phase, role,
             responsible, accountable, consulted, informed, assets, status, outcome, created_at, updated_at, updated_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', NULL, ?, ?, ?)`,
          [
            task.id,
            id,
            ++ord,
            task.title,
            task.description,
            task.instructions,
            task.playbookId,
            task.stepId,
            task.phase,
            task.role,
            task.responsible,
            task.accountable,
            JSON.stringify(task.consulted),
            JSON.stringify(task.informed),
            JSON.stringify(task.assets),
            at,
            at,
            actor.user,
          ],
        );
        out.push(task);
      }
      const ids = out.map((x) => x.id);
      if (from) {
        await this.timeline(t, id, at, actor, "playbook", from.name, { playbook: from.playbookId, tasks: ids });
        await this.audit(t, actor, "case.playbook.run", `cases/${id}`, {
          playbook: from.playbookId,
          tasks: ids.length,
        });
      } else {
        await this.timeline(t, id, at, actor, "task", out[0]?.title ?? "", { tasks: ids });
        await this.audit(t, actor, "case.task.add", `cases/${id}`, { tasks: ids });
      }
      await this.touch(t, id, at, ", open_tasks = open_tasks + ?", [out.length]);
      return out;
    });
  }

  async updateTask(
    caseId: string,
    taskId: string,
    u: { status: TaskStatus; outcome?: string },
    actor: Actor,
  ): Promise<CaseTask> {
    return this.writeTx(async (t) => {
      await this.live(t, caseId);
      const r = await t.get<Row>(`SELECT * FROM case_tasks WHERE case_id = ? AND id = ?${this.lock}`, [caseId, taskId]);
      if (!r) throw new StoreError("not-found", `no task ${taskId} in case ${caseId}`);
      const task = toTask(r);
      if (task.status !== "open")
        throw new StoreError("conflict", `task ${taskId} is already ${task.status}; a finished task does not change`);
      if (u.status === "open") throw new StoreError("conflict", `task ${taskId} is already open`);
      const at = this.now();
      const outcome = u.outcome ?? null;
      await t.run("UPDATE case_tasks SET status = ?, outcome = ?, updated_at = ?, updated_by = ? WHERE id = ?", [
        u.status,
        outcome,
        at,
        actor.user,
        taskId,
      ]);
      await this.timeline(t, caseId, at, actor, "task-update", task.title, {
        task: taskId,
        step: task.stepId,
        status: u.status,
        outcome,
      });
      await this.audit(t, actor, "case.task.update", `cases/${caseId}/tasks/${taskId}`, {
        status: u.status,
        ...(task.stepId ? { step: task.stepId } : {}),
      });
      await this.touch(t, caseId, at, ", open_tasks = open_tasks - 1");
      return { ...task, status: u.status, outcome, updatedAt: at, updatedBy: actor.user };
    });
  }

  async putPlaybook(p: StoredPlaybook, actor: Actor): Promise<void> {
    await this.writeTx(async (t) => {
      const at = this.now();
      const old = await t.get<Row>("SELECT sha256 FROM playbooks WHERE id = ?", [p.id]);
      if (old) {
        await t.run(
          "UPDATE playbooks SET name = ?, description = ?, modified = ?, sha256 = ?, steps = ?, json = ?, imported_by = ?, imported_at = ? WHERE id = ?",
          [p.name, p.description, p.modified, p.sha256, p.steps, p.json, actor.user, at, p.id],
        );
      } else {
        await t.run(
          `INSERT INTO playbooks (id, name, description, modified, sha256, steps, json, imported_by, imported_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [p.id, p.name, p.description, p.modified, p.sha256, p.steps, p.json, actor.user, at],
        );
      }
      await this.audit(t, actor, "playbook.import", `playbooks/${p.id}`, {
        sha256: p.sha256,
        steps: p.steps,
        replaced: !!old,
      });
    });
  }

  async listPlaybooks(): Promise<StoredPlaybook[]> {
    return (await this.db.all<Row>("SELECT * FROM playbooks ORDER BY name, id")).map(toPlaybook);
  }

  async getPlaybook(id: string): Promise<StoredPlaybook | null> {
    const r = await this.db.get<Row>("SELECT * FROM playbooks WHERE id = ?", [id]);
    return r ? toPlaybook(r) : null;
  }

  async deletePlaybook(id: string, actor: Actor): Promise<boolean> {
    return this.writeTx(async (t) => {
      const r = await t.run("DELETE FROM playbooks WHERE id = ?", [id]);
      if (r.changes === 0) return false;
      await this.audit(t, actor, "playbook.delete", `playbooks/${id}`, {});
      return true;
    });
  }
}
