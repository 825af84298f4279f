/**
 * The store: one interface over SQLite (embedded, default) and PostgreSQL (DATABASE_URL). Every change is
 * written together with its audit entry in one transaction, so the audit log and the data never disagree.
 */

import type { Alert, AlertSeverity, NewAlert } from "../contracts/alerts.ts";
import type { AuditEntry, AuditProblem, AuditVerify, ModelInfo, VersionInfo } from "../contracts/api.ts";
import type { ResultInfo, ResultKind, ResultStatus } from "../contracts/jobs.ts";
import type { CaseStore } from "./cases.ts";
import type { ExerciseStore } from "./exercise.ts";
import type { ShareStore } from "./share.ts";

// Shapes the API serves are declared once, in the contract.
export type {
  Alert,
  AlertSeverity,
  AuditEntry,
  AuditProblem,
  AuditVerify,
  ModelInfo,
  NewAlert,
  ResultInfo,
  ResultKind,
  ResultStatus,
};
export type ModelVersionInfo = VersionInfo;

export type Role = "admin" | "analyst" | "operator" | "viewer";
export const ROLES: readonly Role[] = ["admin", "analyst", "operator", "viewer"];

/** Who makes a change (written to the audit log). */
export type Actor = { user: string; ip?: string };

export type User = {
  username: string;
  role: Role;
  passwordHash: string;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
};
export type PublicUser = Omit<User, "passwordHash">;

export type Session = {
  /** sha256 of the cookie token (the token itself is never stored). */
  idHash: string;
  username: string;
  role: Role;
  csrf: string;
  createdAt: string;
  expiresAt: string;
};

export type SourceFile = { file: string; text: string };

/** Counts only: what may be logged and listed without showing model content. */
export type ModelCounts = Record<string, number>;

export type ModelVersion = VersionInfo & {
  sources: SourceFile[];
  /** The merged raw model (JSON text), as the loader returned it. */
  rawJson: string;
};

export type Page = { limit?: number; before?: number };

export type NewAcceptedRisk = { rule: string; target?: string; owner: string; justification: string; expires: string };
export type StoredAcceptedRisk = NewAcceptedRisk & { id: string; acceptedBy: string; acceptedAt: string };

export type ThrottleRequest = {
  keys: string[];
  now: number;
  windowMs: number;
  blockFor: (key: string, attempts: number) => number;
  trustKey?: string;
  skipIfTrusted?: string[];
};

export interface Store {
  readonly kind: "sqlite" | "postgres";
  /** Shared threat information: STIX objects, TAXII collections, partners and rights (src/store/share.ts). */
  readonly share: ShareStore;
  /** Incident cases and playbooks (src/store/cases.ts). */
  readonly cases: CaseStore;
  /** Exercises, participants, decisions and lessons (src/store/exercise.ts, migration 7). */
  readonly exercises: ExerciseStore;
  close(): Promise<void>;
  /** Applied migration versions, in order. */
  migrations(): Promise<number[]>;
  ping(): Promise<boolean>;

  // users and sessions
  countUsers(): Promise<number>;
  getUser(username: string): Promise<User | null>;
  listUsers(): Promise<PublicUser[]>;
  createUser(u: { username: string; role: Role; passwordHash: string }, actor: Actor): Promise<PublicUser>;
  updateUser(
    username: string,
    patch: { role?: Role; passwordHash?: string; disabled?: boolean },
    actor: Actor,
  ): Promise<PublicUser | null>;
  deleteUser(username: string, actor: Actor): Promise<boolean>;
  createSession(s: Session): Promise<void>;
  getSession(idHash: string): Promise<Session | null>;
  deleteSession(idHash: string): Promise<void>;
  deleteSessionsOf(username: string): Promise<void>;
  purgeSessions(now: string): Promise<number>;
  /**
   * [SEC-11] Reserves one login attempt, atomically (concurrent callers and other processes sharing the
   * store are serialized). Keys are `account`, `pair` and `address` counters. If any key is blocked at
   * `now` (ms), nothing is counted and the latest block end is returned; otherwise every key's attempt
   * count grows by one (counts older than `windowMs` start again), its block end becomes
   * `now + blockFor(key, count)`, and 0 is returned. `skipIfTrusted`: keys ignored when `trustKey` was
   * trusted by a success (an account's own usual address is not slowed down by others' guesses).
   */
  throttleAttempt(t: ThrottleRequest): Promise<number>;
  /** [SEC-11] A successful login: clears the counts of `clear`, and trusts `trustKey` until `trustUntil`. */
  throttleSuccess(clear: string[], trustKey: string, trustUntil: number, now: number): Promise<void>;
  /** Records a login or logout in the audit log (no other change). */
  audit(action: string, target: string, details: Record<string, unknown>, actor: Actor): Promise<void>;

  // models
  listModels(): Promise<ModelInfo[]>;
  getModel(id: string): Promise<ModelInfo | null>;
  /** Adds a version (creating the model if absent). Versions number from 1. */
  addModelVersion(
    v: {
      modelId: string;
      name: string;
      sources: SourceFile[];
      rawJson: string;
      counts: ModelCounts;
      message: string;
      sha256: string;
    },
    actor: Actor,
  ): Promise<ModelVersionInfo>;
  listVersions(modelId: string): Promise<ModelVersionInfo[]>;
  getVersion(modelId: string, version: number): Promise<ModelVersion | null>;
  deleteModel(id: string, actor: Actor): Promise<boolean>;

  // results (assessments and simulations)
  createResult(
    r: { id: string; kind: ResultKind; modelId: string; version: number; params: unknown; status: ResultStatus },
    actor: Actor,
  ): Promise<ResultInfo>;
  /** Marks results still queued or running as failed (their process ended); returns how many. */
  abandonRunning(reason: string): Promise<number>;
  finishResult(id: string, status: ResultStatus, body: string | null, error: string | null): Promise<void>;
  getResultInfo(id: string): Promise<ResultInfo | null>;
  /** The result body as stored (JSON text), or null. */
  getResultBody(id: string): Promise<string | null>;
  listResults(filter: {
    modelId?: string;
    kind?: ResultKind;
    version?: number;
    status?: ResultStatus;
    limit?: number;
  }): Promise<ResultInfo[]>;

  // alerts
  addAlert(a: NewAlert): Promise<Alert>;
  listAlerts(page: Page & { modelId?: string; open?: boolean }): Promise<Alert[]>;
  ackAlert(id: number, actor: Actor): Promise<Alert | null>;

  // audit
  listAudit(page: Page): Promise<AuditEntry[]>;

  // accepted risks ([FND-3])
  listAcceptedRisks(modelId: string): Promise<StoredAcceptedRisk[]>;
  addAcceptedRisk(modelId: string, r: NewAcceptedRisk, actor: Actor): Promise<StoredAcceptedRisk>;
  deleteAcceptedRisk(modelId: string, id: string, actor: Actor): Promise<boolean>;
  verifyAudit(): Promise<AuditVerify>;
}

export { StoreError } from "./errors.ts";
