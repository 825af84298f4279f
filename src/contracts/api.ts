/**
 * Every /api endpoint's shapes, keyed "METHOD /path": path parameters, query, body and response. The server
 * declares each route against its key (validation, OpenAPI and the handler's return type all come from
 * here); the web client's calls are typed by the same key. Adding a route: add its key here, then its handler
 * in src/server/routes/<resource>.ts.
 */
import { z } from "zod";
import type { ModelIssue } from "../model/issues.ts";
import type { CityModel } from "../model/model.ts";
import { Alert, TelemetryStatus } from "./alerts.ts";
import { AcceptedRisk, AssessmentRequest } from "./assessment.ts";
import {
  AssetsRequest,
  CaseDetail,
  CaseStatus,
  CaseSummary,
  CaseTask,
  EvidenceInfo,
  EvidenceRequest,
  NewCaseRequest,
  NoteRequest,
  PlaybookImportRequest,
  PlaybookInfo,
  PlaybookIssue,
  RunPlaybookRequest,
  StatusRequest,
  TaskRequest,
  TaskUpdateRequest,
  TimelineEntry,
} from "./cases.ts";
import {
  ClockRequest,
  DecisionRequest,
  ExerciseInfo,
  ExerciseState,
  InjectEdit,
  JoinRequest,
  Lesson,
  LessonRequest,
  NewExercise,
  ResilienceRow,
  Review,
} from "./exercise.ts";
import { InvestRequest } from "./invest.ts";
import { JobEvent, ResultBody, ResultInfo, ResultKind } from "./jobs.ts";
import { IdParam, Limit, PasswordSchema, UsernameSchema, VersionParam } from "./params.ts";
import { DrpRequest, DrpResponse, RecoverPlanRequest, RecoveryPlan } from "./recover.ts";
import { ScenarioInfo, SimulationRequest } from "./simulation.ts";
import { TwinAttackRequest, TwinStartRequest, TwinState } from "./twin.ts";

export const RoleName = z.enum(["admin", "analyst", "operator", "viewer"]);

export const Ok = z.object({ ok: z.boolean() });

export const Me = z.object({
  username: z.string(),
  role: z.string(),
  permissions: z.array(z.string()),
  csrfToken: z.string(),
});
export type Me = z.infer<typeof Me>;

export const PublicUser = z.object({
  username: z.string(),
  role: RoleName,
  disabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type PublicUser = z.infer<typeof PublicUser>;

export const ModelInfo = z.object({
  id: z.string(),
  name: z.string(),
  latestVersion: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ModelInfo = z.infer<typeof ModelInfo>;

export const VersionInfo = z.object({
  modelId: z.string(),
  version: z.number(),
  sha256: z.string(),
  message: z.string(),
  /** Counts only: what may be logged and listed without showing model content. */
  counts: z.record(z.string(), z.number()),
  createdBy: z.string(),
  createdAt: z.string(),
});
export type VersionInfo = z.infer<typeof VersionInfo>;

export const ModelDiff = z.object({
  city: z.array(z.string()),
  lists: z.record(
    z.string(),
    z.object({
      added: z.array(z.string()),
      removed: z.array(z.string()),
      changed: z.array(z.object({ id: z.string(), fields: z.array(z.string()) })),
    }),
  ),
  total: z.number(),
});
export type ModelDiff = z.infer<typeof ModelDiff>;

export const AuditEntry = z.object({
  seq: z.number(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  /** Ids and counts only, never model content or secrets. */
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditProblem = z.object({
  seq: z.number(),
  code: z.enum(["bad-hash", "bad-link", "gap", "head-mismatch"]),
  message: z.string(),
});
export type AuditProblem = z.infer<typeof AuditProblem>;
export const AuditVerify = z.object({
  ok: z.boolean(),
  entries: z.number(),
  head: z.string(),
  problems: z.array(AuditProblem),
});
export type AuditVerify = z.infer<typeof AuditVerify>;

export const EnginesAvailable = z.object({ assess: z.boolean(), simulate: z.boolean(), detect: z.boolean() });
export type EnginesAvailable = z.infer<typeof EnginesAvailable>;

const SourceFile = z.strictObject({
  file: z
    .string()
    .min(1, { error: "expected a file name" })
    .max(200, { error: "expected a file name of at most 200 characters" })
    .regex(/^[A-Za-z0-9._/-]+\.ya?ml$/, { error: "expected a .yaml or .yml file name (letters, digits, . _ - /)" })
    .refine((f) => !f.split("/").includes(".."), { error: "expected a file name without .." }),
  text: z.string().max(8 * 1024 * 1024, { error: "expected a file of at most 8 MiB" }),
});
const Message = z.string().max(500, { error: "expected a message of at most 500 characters" });
const Role = z.enum(["admin", "analyst", "operator", "viewer"], {
  error: "expected a role: admin, analyst, operator, viewer",
});
const SeqParam = (what: string) =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, { error: `expected ${what}` })
    .transform(Number);

const ModelParams = z.strictObject({ model: IdParam });
const VersionParams = z.strictObject({ model: IdParam, version: VersionParam });
const ResultParams = z.strictObject({ id: z.uuid({ error: "expected a result id (a UUID)" }) });
const EntityParams = z.strictObject({ model: IdParam, id: IdParam });
const RiskParams = z.strictObject({ model: IdParam, id: z.uuid({ error: "expected an accepted risk id (a UUID)" }) });
/** A new accepted risk ([FND-3]): who accepts which finding's risk, why, and until when. */
const NewAcceptedRisk = AcceptedRisk.pick({ rule: true, target: true, owner: true, justification: true, expires: true })
  .strict()
  .refine((r) => !Number.isNaN(Date.parse(`${r.expires}T00:00:00Z`)), {
    error: "expected a real date YYYY-MM-DD",
    path: ["expires"],
  });
const StoredAcceptedRisk = AcceptedRisk.required({ id: true, acceptedBy: true, acceptedAt: true });
const CaseId = z.uuid({ error: "expected a case id (a UUID)" });
const CaseParams = z.strictObject({ id: CaseId });
const PlaybookParams = z.strictObject({
  id: z
    .string()
    .max(100)
    .regex(/^(playbook--[0-9a-fA-F-]{36}|[a-z0-9-]+)$/, {
      error: "expected a playbook id (playbook--UUID) or a built-in scenario id",
    }),
});
const ExerciseParams = z.strictObject({ id: IdParam });
const Imported = z.object({ version: VersionInfo, warnings: z.number() });

/** The shapes of one endpoint. `events`: the answer is a text/event-stream; the data of each event by name. */
export type Endpoint = {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response?: z.ZodType;
  events?: Record<string, z.ZodType>;
};

export const ENDPOINTS = {
  "GET /api/health": {
    response: z.object({ status: z.enum(["ok", "degraded"]), store: z.string(), version: z.string() }),
  },
  "POST /api/auth/login": {
    body: z.strictObject({
      username: z
        .string()
        .min(1, { error: "expected a username" })
        .max(64, { error: "expected a username of at most 64 characters" }),
      password: z
        .string()
        .min(1, { error: "expected a password" })
        .max(256, { error: "expected a password of at most 256 characters" }),
    }),
    response: Me,
  },
  "POST /api/auth/logout": { response: Ok },
  "GET /api/auth/me": { response: Me },
  "GET /api/roles": {
    response: z.object({
      permissions: z.record(z.string(), z.string()),
      roles: z.record(RoleName, z.array(z.string()).readonly()),
    }),
  },
  "GET /api/openapi.json": { response: z.record(z.string(), z.unknown()) },
  "GET /api/engines": { response: EnginesAvailable },

  "GET /api/models": { response: z.object({ models: z.array(ModelInfo) }) },
  "POST /api/models": {
    body: z.strictObject({
      id: IdParam,
      message: Message.default(""),
      files: z
        .array(SourceFile)
        .min(1, { error: "expected at least one file" })
        .max(200, { error: "expected at most 200 files" })
        .refine((fs) => new Set(fs.map((f) => f.file)).size === fs.length, { error: "expected distinct file names" }),
    }),
    response: Imported,
  },
  "POST /api/models/import-path": {
    body: z.strictObject({
      id: IdParam,
      path: z
        .string()
        .min(1, { error: "expected a path" })
        .max(500, { error: "expected a path of at most 500 characters" }),
      message: Message.default(""),
    }),
    response: Imported,
  },
  "GET /api/models/:model": {
    params: ModelParams,
    response: z.object({ model: ModelInfo, versions: z.array(VersionInfo) }),
  },
  "DELETE /api/models/:model": { params: ModelParams, response: Ok },
  "GET /api/models/:model/versions": { params: ModelParams, response: z.object({ versions: z.array(VersionInfo) }) },
  "GET /api/models/:model/versions/:version": {
    params: VersionParams,
    response: z.object({
      version: VersionInfo,
      /** The validated model (defaults applied, durations in hours); its schema is src/model/model.ts. */
      model: z.custom<CityModel>(),
      warnings: z.array(z.custom<ModelIssue>()),
    }),
  },
  "GET /api/models/:model/versions/:version/sources": {
    params: VersionParams,
    response: z.object({ files: z.array(z.object({ file: z.string(), text: z.string() })) }),
  },
  "GET /api/models/:model/diff": {
    params: ModelParams,
    query: z.strictObject({ from: VersionParam, to: VersionParam.default("latest") }),
    response: z.object({ diff: ModelDiff }),
  },
  "PUT /api/models/:model/controls/:id": {
    params: EntityParams,
    body: z.record(z.string(), z.unknown()),
    response: Imported,
  },
  "DELETE /api/models/:model/controls/:id": { params: EntityParams, response: Imported },
  "PUT /api/models/:model/people/:id": {
    params: EntityParams,
    body: z.record(z.string(), z.unknown()),
    response: Imported,
  },
  "DELETE /api/models/:model/people/:id": { params: EntityParams, response: Imported },

  "GET /api/models/:model/accepted-risks": {
    params: ModelParams,
    response: z.object({ risks: z.array(StoredAcceptedRisk) }),
  },
  "POST /api/models/:model/accepted-risks": {
    params: ModelParams,
    body: NewAcceptedRisk,
    response: StoredAcceptedRisk,
  },
  "DELETE /api/models/:model/accepted-risks/:id": { params: RiskParams, response: Ok },

  "POST /api/models/:model/versions/:version/assessments": {
    params: VersionParams,
    body: AssessmentRequest.default({}),
    response: ResultInfo,
  },
  "GET /api/models/:model/versions/:version/scenarios": {
    params: VersionParams,
    response: z.object({ scenarios: z.array(ScenarioInfo) }),
  },
  "POST /api/models/:model/versions/:version/simulations": {
    params: VersionParams,
    body: SimulationRequest,
    response: ResultInfo,
  },
  "POST /api/models/:model/versions/:version/recover/plans": {
    params: VersionParams,
    body: RecoverPlanRequest,
    response: RecoveryPlan,
  },
  "POST /api/models/:model/versions/:version/recover/drp": {
    params: VersionParams,
    body: DrpRequest,
    response: DrpResponse,
  },
  "POST /api/models/:model/versions/:version/invest": {
    params: VersionParams,
    body: InvestRequest,
    response: ResultInfo,
  },
  "GET /api/results": {
    query: z.strictObject({
      model: IdParam.optional(),
      kind: z.enum(ResultKind.options, { error: "expected assessment, simulation or invest" }).optional(),
      version: z
        .string()
        .regex(/^[1-9][0-9]{0,8}$/, { error: "expected a version number" })
        .transform(Number)
        .optional(),
      limit: Limit.optional(),
    }),
    response: z.object({ results: z.array(ResultInfo) }),
  },
  "GET /api/results/:id": { params: ResultParams, response: ResultBody },
  "GET /api/results/:id/events": {
    params: ResultParams,
    events: { progress: JobEvent.options[0], status: JobEvent.options[1] },
  },
  "POST /api/results/:id/cancel": { params: ResultParams, response: Ok },

  "GET /api/alerts": {
    query: z.strictObject({
      limit: Limit.optional(),
      before: SeqParam("an alert id").optional(),
      model: IdParam.optional(),
      open: z.enum(["true", "false"], { error: "expected true or false" }).optional(),
    }),
    response: z.object({ alerts: z.array(Alert) }),
  },
  "GET /api/alerts/stream": {
    events: { ready: z.object({ detect: z.boolean() }), alert: Alert },
  },
  "POST /api/alerts/:id/ack": { params: z.strictObject({ id: SeqParam("an alert id") }), response: Alert },
  "GET /api/telemetry": { response: TelemetryStatus },

  "GET /api/users": { response: z.object({ users: z.array(PublicUser) }) },
  "POST /api/users": {
    body: z.strictObject({ username: UsernameSchema, password: PasswordSchema, role: Role }),
    response: PublicUser,
  },
  "PATCH /api/users/:username": {
    params: z.strictObject({ username: UsernameSchema }),
    body: z
      .strictObject({
        role: Role.optional(),
        password: PasswordSchema.optional(),
        disabled: z.boolean({ error: "expected true or false" }).optional(),
      })
      .refine((b) => Object.keys(b).length > 0, { error: "expected role, password or disabled" }),
    response: PublicUser,
  },
  "DELETE /api/users/:username": { params: z.strictObject({ username: UsernameSchema }), response: Ok },

  "GET /api/audit": {
    query: z.strictObject({ limit: Limit.optional(), before: SeqParam("an entry number").optional() }),
    response: z.object({ entries: z.array(AuditEntry) }),
  },
  "GET /api/audit/verify": { response: AuditVerify },

  "GET /api/twin": { response: TwinState },
  "POST /api/twin": { body: TwinStartRequest, response: TwinState },
  "POST /api/twin/attacks": { body: TwinAttackRequest, response: TwinState },
  "DELETE /api/twin": { response: Ok },

  "GET /api/cases": {
    query: z.strictObject({
      model: IdParam.optional(),
      status: z.enum(CaseStatus.options, { error: "expected a case status" }).optional(),
      limit: Limit.optional(),
    }),
    response: z.object({ cases: z.array(CaseSummary) }),
  },
  "POST /api/cases": { body: NewCaseRequest, response: CaseSummary },
  "GET /api/cases/:id": { params: CaseParams, response: CaseDetail },
  "POST /api/cases/:id/status": { params: CaseParams, body: StatusRequest, response: CaseSummary },
  "POST /api/cases/:id/close": {
    params: CaseParams,
    body: z.strictObject({ note: z.string().max(2000).optional() }).default({}),
    response: CaseSummary,
  },
  "POST /api/cases/:id/assets": { params: CaseParams, body: AssetsRequest, response: CaseSummary },
  "POST /api/cases/:id/notes": { params: CaseParams, body: NoteRequest, response: TimelineEntry },
  "POST /api/cases/:id/evidence": { params: CaseParams, body: EvidenceRequest, response: EvidenceInfo },
  "GET /api/cases/:id/evidence/:evidence": {
    params: z.strictObject({ id: CaseId, evidence: z.uuid({ error: "expected an evidence id (a UUID)" }) }),
    response: z.object({ evidence: EvidenceInfo, content: z.string() }),
  },
  "POST /api/cases/:id/tasks": { params: CaseParams, body: TaskRequest, response: CaseTask },
  "PATCH /api/cases/:id/tasks/:task": {
    params: z.strictObject({ id: CaseId, task: z.uuid({ error: "expected a task id (a UUID)" }) }),
    body: TaskUpdateRequest,
    response: CaseTask,
  },
  "POST /api/cases/:id/playbooks": {
    params: CaseParams,
    body: RunPlaybookRequest,
    response: z.object({ tasks: z.array(CaseTask) }),
  },
  "GET /api/playbooks": { response: z.object({ playbooks: z.array(PlaybookInfo) }) },
  "GET /api/playbooks/:id": {
    params: PlaybookParams,
    /** The CACAO 2.0 playbook itself (export). */
    response: z.record(z.string(), z.unknown()),
  },
  "POST /api/playbooks": { body: PlaybookImportRequest, response: PlaybookInfo },
  "POST /api/playbooks/validate": {
    body: PlaybookImportRequest,
    response: z.object({ ok: z.boolean(), issues: z.array(PlaybookIssue), steps: z.number().nullable() }),
  },
  "DELETE /api/playbooks/:id": { params: PlaybookParams, response: Ok },
  "GET /api/exercises": {
    query: z.strictObject({ model: IdParam.optional() }),
    response: z.object({ exercises: z.array(ExerciseInfo) }),
  },
  "POST /api/exercises": { body: NewExercise, response: ExerciseState },
  "GET /api/exercises/:id": { params: ExerciseParams, response: ExerciseState },
  "GET /api/exercises/:id/events": { params: ExerciseParams, events: { state: ExerciseState } },
  "POST /api/exercises/:id/injects": { params: ExerciseParams, body: InjectEdit, response: ExerciseState },
  "POST /api/exercises/:id/clock": { params: ExerciseParams, body: ClockRequest, response: ExerciseState },
  "POST /api/exercises/:id/join": { params: ExerciseParams, body: JoinRequest, response: ExerciseState },
  "POST /api/exercises/:id/decisions": { params: ExerciseParams, body: DecisionRequest, response: ExerciseState },
  "GET /api/exercises/:id/review": { params: ExerciseParams, response: Review },
  "POST /api/exercises/:id/lessons": { params: ExerciseParams, body: LessonRequest, response: Lesson },
  "GET /api/models/:model/lessons": { params: ModelParams, response: z.object({ lessons: z.array(Lesson) }) },
  "POST /api/lessons/:id/accept": {
    params: ExerciseParams,
    response: z.object({ lesson: Lesson, version: z.number() }),
  },
  "GET /api/models/:model/resilience": {
    params: ModelParams,
    query: z.strictObject({ runs: Limit.optional() }),
    response: z.object({ rows: z.array(ResilienceRow) }),
  },
} satisfies Record<string, Endpoint>;

export type Endpoints = typeof ENDPOINTS;
export type EndpointKey = keyof Endpoints;

type Part<K extends EndpointKey, P extends keyof Endpoint> =
  Endpoints[K] extends Record<P, infer S extends z.ZodType> ? S : never;
/** What a client sends and receives for an endpoint (the wire forms: input before defaults, output parsed). */
export type BodyIn<K extends EndpointKey> = [Part<K, "body">] extends [never] ? undefined : z.input<Part<K, "body">>;
export type QueryIn<K extends EndpointKey> = [Part<K, "query">] extends [never] ? undefined : z.input<Part<K, "query">>;
export type ResponseOf<K extends EndpointKey> = [Part<K, "response">] extends [never]
  ? unknown
  : z.output<Part<K, "response">>;
/** The data of each server-sent event of a streaming endpoint, by event name. */
export type EventsOf<K extends EndpointKey> = Endpoints[K] extends { events: infer E extends Record<string, z.ZodType> }
  ? { [N in keyof E]: z.output<E[N]> }
  : never;
