/**
 * Incident cases and playbooks as stored and served (`/api/cases`, `/api/playbooks`; docs/specs/respond.md).
 * src/respond computes the impact, src/store keeps the rest, the web pages read both through these shapes.
 */
import { z } from "zod";
import { IdParam } from "./params.ts";

export const CaseStatus = z.enum(["open", "contained", "eradicated", "recovered", "closed"]);
export type CaseStatus = z.infer<typeof CaseStatus>;
export const TaskStatus = z.enum(["open", "done", "failed", "skipped"]);
export type TaskStatus = z.infer<typeof TaskStatus>;
export const CaseSeverity = z.enum(["low", "medium", "high", "critical"]);
export type CaseSeverity = z.infer<typeof CaseSeverity>;
export const CaseSourceKind = z.enum(["alert", "finding", "simulation", "manual"]);
export type CaseSourceKind = z.infer<typeof CaseSourceKind>;

/** What a case was opened from: an alert (its id), a finding (rule or group id), a simulation (result id), or by hand. */
export const CaseSource = z.object({ kind: CaseSourceKind, ref: z.string().nullable() });
export type CaseSource = z.infer<typeof CaseSource>;

export const CaseSummary = z.object({
  id: z.string(),
  modelId: z.string(),
  version: z.number(),
  title: z.string(),
  status: CaseStatus,
  /** Severity when the asset log last changed ([CASE-5]); the detail recomputes it. */
  severity: CaseSeverity,
  source: CaseSource,
  openedBy: z.string(),
  openedAt: z.string(),
  updatedAt: z.string(),
  closedAt: z.string().nullable(),
  assetsDown: z.number(),
  openTasks: z.number(),
});
export type CaseSummary = z.infer<typeof CaseSummary>;

/** One line of a case's asset log. */
export const AssetLogEntry = z.object({
  seq: z.number(),
  at: z.string(),
  asset: z.string(),
  state: z.enum(["down", "restored"]),
  by: z.string(),
});
export type AssetLogEntry = z.infer<typeof AssetLogEntry>;

/** One event of a case's timeline (opened, status, asset, note, evidence, playbook, task). */
export const TimelineEntry = z.object({
  seq: z.number(),
  at: z.string(),
  actor: z.string(),
  kind: z.string(),
  text: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const CaseTask = z.object({
  id: z.string(),
  caseId: z.string(),
  title: z.string(),
  description: z.string(),
  instructions: z.string(),
  /** The playbook and step it came from (null for a task added by hand). */
  playbookId: z.string().nullable(),
  stepId: z.string().nullable(),
  phase: z.string().nullable(),
  /** The responsible person's role, as the model writes it. */
  role: z.string(),
  /** RACI: people of the model by id ([CASE-8]). */
  responsible: z.string(),
  accountable: z.string(),
  consulted: z.array(z.string()),
  informed: z.array(z.string()),
  assets: z.array(z.string()),
  status: TaskStatus,
  /** What came of the step (recorded when the task is finished). */
  outcome: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
});
export type CaseTask = z.infer<typeof CaseTask>;

export const EvidenceInfo = z.object({
  id: z.string(),
  name: z.string(),
  mediaType: z.string(),
  size: z.number(),
  /** SHA-256 of the file's bytes (hex), also written to the audit entry ([CASE-10]). */
  sha256: z.string(),
  addedBy: z.string(),
  addedAt: z.string(),
});
export type EvidenceInfo = z.infer<typeof EvidenceInfo>;

export const ServiceImpact = z.object({
  id: z.string(),
  name: z.string(),
  worstLevel: z.number(),
  personHours: z.number(),
  weightedLoss: z.number(),
  essential: z.boolean(),
});
export const CaseImpact = z.object({
  down: z.array(z.string()),
  services: z.array(ServiceImpact),
  personHours: z.number(),
  weightedLoss: z.number(),
  lossRate: z.number(),
  share: z.number(),
  severity: CaseSeverity,
  hours: z.number(),
});
export type CaseImpact = z.infer<typeof CaseImpact>;

export const CaseDetail = z.object({
  case: CaseSummary,
  /** Computed from the model at the time of the request; null when the model no longer has the case's assets. */
  impact: CaseImpact.nullable(),
  impactError: z.string().nullable(),
  assets: z.array(AssetLogEntry),
  timeline: z.array(TimelineEntry),
  tasks: z.array(CaseTask),
  evidence: z.array(EvidenceInfo),
  /** The model's people named by the tasks (id, name, role). */
  people: z.array(z.object({ id: z.string(), name: z.string(), role: z.string() })),
});
export type CaseDetail = z.infer<typeof CaseDetail>;

export const PlaybookInfo = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  builtIn: z.boolean(),
  /** The built-in scenario it answers (built-ins only). */
  scenario: z.string().nullable(),
  modified: z.string(),
  sha256: z.string(),
  steps: z.number(),
});
export type PlaybookInfo = z.infer<typeof PlaybookInfo>;

/** A located playbook problem: file, line, column and the JSON pointer of the value ([PBK-2]). */
export const PlaybookIssue = z.object({
  file: z.string(),
  line: z.number(),
  column: z.number(),
  path: z.string(),
  code: z.string(),
  message: z.string(),
});

const Text = (what: string, max: number) =>
  z
    .string({ error: `expected ${what}` })
    .min(1, { error: `expected ${what}` })
    .max(max, { error: `expected ${what} of at most ${max} characters` });
const AssetIds = z
  .array(IdParam, { error: "expected a list of asset ids" })
  .max(1000, { error: "expected at most 1000 assets" });

export const NewCaseRequest = z.strictObject({
  model: IdParam,
  version: z
    .number({ error: "expected a version number" })
    .int({ error: "expected a version number" })
    .min(1, { error: "expected a version number" })
    .optional(),
  title: Text("a title", 200),
  source: z
    .strictObject({
      kind: CaseSourceKind,
      ref: z
        .string()
        .max(100, { error: "expected a reference of at most 100 characters" })
        .regex(/^[A-Za-z0-9._:-]+$/, { error: "expected a reference: letters, digits, . _ : -" })
        .optional(),
    })
    .default({ kind: "manual" }),
  /** Assets known to be down when the case opens (an alert's asset is added when none are given). */
  down: AssetIds.default([]),
});
export const StatusRequest = z.strictObject({
  status: CaseStatus,
  note: z.string().max(2000, { error: "expected a note of at most 2000 characters" }).optional(),
});
export const AssetsRequest = z.strictObject({
  assets: AssetIds.min(1, { error: "expected at least one asset id" }),
  state: z.enum(["down", "restored"], { error: "expected down or restored" }),
});
export const NoteRequest = z.strictObject({ text: Text("a note", 4000) });
export const EvidenceRequest = z.strictObject({
  name: z
    .string()
    .min(1, { error: "expected a file name" })
    .max(200, { error: "expected a file name of at most 200 characters" })
    .regex(/^[A-Za-z0-9._ -]+$/, { error: "expected a file name: letters, digits, dot, dash, space, underscore" }),
  mediaType: z
    .string()
    .max(100)
    .regex(/^[a-z]+\/[a-z0-9.+-]+$/, { error: "expected a media type such as text/plain" })
    .default("application/octet-stream"),
  /** The file's bytes, base64. */
  content: z
    .string()
    .max(14 * 1024 * 1024, { error: "expected a file of at most 10 MiB" })
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, { error: "expected the file's bytes in base64" }),
});
export const TaskRequest = z.strictObject({
  title: Text("a title", 200),
  description: z.string().max(4000).default(""),
  /** The role of the model's people who take it (exact role text); the person is chosen as [CASE-8] says. */
  role: Text("a role", 200),
  accountableRole: z.string().min(1).max(200).optional(),
  assets: AssetIds.default([]),
});
export const TaskUpdateRequest = z.strictObject({
  status: TaskStatus,
  outcome: z.string().max(4000, { error: "expected an outcome of at most 4000 characters" }).optional(),
});
export const RunPlaybookRequest = z.strictObject({
  playbook: z
    .string()
    .max(100)
    .regex(/^(playbook--[0-9a-fA-F-]{36}|[a-z0-9-]+)$/, {
      error: "expected a playbook id (playbook--UUID) or a built-in scenario id",
    }),
});
export const PlaybookImportRequest = z.strictObject({
  /** The playbook's JSON text as written in its file (so errors have a line and column). */
  text: z
    .string()
    .min(1, { error: "expected the playbook's JSON text" })
    .max(4 * 1024 * 1024),
  file: z.string().max(200).default("playbook.json"),
  /** Bind against this model's latest version before storing ([PBK-3]). */
  model: IdParam.optional(),
});
