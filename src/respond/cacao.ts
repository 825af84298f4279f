/**
 * OASIS CACAO 2.0 playbooks: parsing within the JSON limits, validation against the OASIS JSON schemas
 * (ajv, draft-07, formats on) and the workflow's references, every error located by JSON pointer and by
 * line and column in the file ([PBK-1], [PBK-2]). Pure apart from reading the schemas once (io/schemas.ts).
 */
import { createHash } from "node:crypto";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import type { ModelIssue } from "../model/issues.ts";
import { LIMITS, lineColumn, parseJsonText } from "../model/limits.ts";
import { cacaoSchemas } from "./io/schemas.ts";

export type PlaybookIssue = ModelIssue;

/** A CACAO playbook as Rampart reads it (the schema has checked the rest). */
export type Playbook = {
  type: "playbook";
  spec_version: "cacao-2.0";
  id: string;
  name: string;
  description?: string;
  created_by: string;
  created: string;
  modified: string;
  workflow_start: string;
  workflow: Record<string, WorkflowStep>;
  agent_definitions?: Record<string, AgentTarget>;
  target_definitions?: Record<string, AgentTarget>;
  extension_definitions?: Record<string, unknown>;
  [k: string]: unknown;
};
export type AgentTarget = {
  type: string;
  name: string;
  agent_target_extensions?: Record<string, unknown>;
  [k: string]: unknown;
};
export type WorkflowStep = {
  type: string;
  name?: string;
  description?: string;
  on_completion?: string;
  on_success?: string;
  on_failure?: string;
  next_steps?: string[];
  on_true?: string;
  on_false?: string;
  cases?: Record<string, string>;
  agent?: string;
  targets?: string[];
  commands?: { type: string; command?: string; [k: string]: unknown }[];
  step_extensions?: Record<string, unknown>;
  [k: string]: unknown;
};

const PLAYBOOK_SCHEMA = "https://raw.githubusercontent.com/oasis-open/cacao-json-schemas/main/schemas/playbook.json";
let validator: ValidateFunction | undefined;

function compiled(): ValidateFunction {
  if (validator) return validator;
  // [PBK-1] The files declare draft-07, and are applied as draft-07: `unevaluatedProperties` (a 2019-09
  // keyword) is not part of it. Read as 2019-09 they would refuse every command's own fields (command-data.json
  // closes itself to the properties its command types add), so no playbook with a command would pass.
  // biome-ignore lint/suspicious/noExplicitAny: ajv's CommonJS default export under ESM
  const AjvClass = ((Ajv as any).default ?? Ajv) as typeof Ajv;
  // biome-ignore lint/suspicious/noExplicitAny: idem for ajv-formats
  const formats = ((addFormats as any).default ?? addFormats) as typeof addFormats;
  const ajv = new AjvClass({ allErrors: true, strict: false });
  formats(ajv);
  for (const s of cacaoSchemas()) ajv.addSchema(s);
  const v = ajv.getSchema(PLAYBOOK_SCHEMA);
  if (!v) throw new Error("the CACAO playbook schema is missing from src/respond/io/cacao-schemas");
  validator = v;
  return v;
}

// ---- where each JSON pointer is in the text -------------------------------------------------------------

/** Offsets of each value (and of each member's key) by JSON pointer, from one pass over valid JSON text. */
export function pointerOffsets(text: string): { value: Map<string, number>; key: Map<string, number> } {
  const value = new Map<string, number>();
  const key = new Map<string, number>();
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\n" || text[i] === "\r" || text[i] === "\t")) i++;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const esc = (k: string) => k.replace(/~/g, "~0").replace(/\//g, "~1");
  const val = (ptr: string): void => {
    ws();
    value.set(ptr, i);
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        const at = i;
        const k = str();
        key.set(`${ptr}/${esc(k)}`, at);
        ws();
        i++; // :
        val(`${ptr}/${esc(k)}`);
        ws();
        if (text[i++] === "}") return;
      }
    } else if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        val(`${ptr}/${n}`);
        ws();
        if (text[i++] === "]") return;
      }
    } else if (c === '"') str();
    else while (i < text.length && !/[\s,\]}]/.test(text[i])) i++;
  };
  val("");
  return { value, key };
}

/** The offset of the first JSON syntax error in a text (its length when the text ends too soon). */
export function syntaxOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = () => {
    while (i < text.length && " \t\r\n".includes(text[i])) i++;
  };
  const lit = (w: string) => {
    if (text.startsWith(w, i)) i += w.length;
    else fail();
  };
  const str = () => {
    if (text[i] !== '"') fail();
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === "\\") {
        i++;
        if (text[i] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? "")) fail();
      }
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const val = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        str();
        ws();
        if (text[i] !== ":") fail();
        i++;
        val();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") {
          i++;
          return;
        } else fail();
      }
    } else if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        val();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") {
          i++;
          return;
        } else fail();
      }
    } else if (c === '"') str();
    else if (c === "t") lit("true");
    else if (c === "f") lit("false");
    else if (c === "n") lit("null");
    else {
      const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      if (!m) fail();
      i += (m as RegExpExecArray)[0].length;
    }
  };
  try {
    val();
    ws();
    return i < text.length ? i : 0;
  } catch (at) {
    return Math.min(at as number, text.length);
  }
}

/** Locates issues by JSON pointer in a text (the nearest enclosing value that exists). */
export function locator(file: string, text: string) {
  let offsets: ReturnType<typeof pointerOffsets> | undefined;
  return (pointer: string, atKey = false): { file: string; line: number; column: number } => {
    offsets ??= pointerOffsets(text);
    let p = pointer;
    for (;;) {
      const at = (atKey ? offsets.key.get(p) : undefined) ?? offsets.value.get(p);
      if (at !== undefined) return { file, ...lineColumn(text, at) };
      if (p === "") return { file, line: 1, column: 1 };
      p = p.slice(0, p.lastIndexOf("/"));
    }
  };
}

const unesc = (s: string) => s.replace(/~1/g, "/").replace(/~0/g, "~");
const lastKey = (ptr: string) => unesc(ptr.slice(ptr.lastIndexOf("/") + 1));

/** One readable message per schema error; null for the combinator noise (anyOf, if, not) around real ones. */
function describe(e: ErrorObject): { path: string; message: string; atKey: boolean } | null {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return { path: e.instancePath, message: `expected property "${p.missingProperty}"`, atKey: false };
    case "unevaluatedProperties":
    case "additionalProperties": {
      const k = String(p.unevaluatedProperty ?? p.additionalProperty);
      return { path: `${e.instancePath}/${k}`, message: `unknown property "${k}"`, atKey: true };
    }
    case "enum":
      return {
        path: e.instancePath,
        message: `expected one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`,
        atKey: false,
      };
    case "const":
      return { path: e.instancePath, message: `expected ${JSON.stringify(p.allowedValue)}`, atKey: false };
    case "type":
      return { path: e.instancePath, message: `expected ${p.type}`, atKey: false };
    case "pattern":
      return {
        path: e.instancePath,
        message: String(p.pattern).includes("--[0-9a-fA-F]{8}")
          ? "expected an identifier: object-type--UUID (e.g. action--6b2a0b6e-4f39-4f4b-9d7e-1a3e3f1f0c11)"
          : `expected text matching ${p.pattern}`,
        atKey: false,
      };
    case "format":
      return { path: e.instancePath, message: `expected a ${p.format} (e.g. 2026-01-01T00:00:00.000Z)`, atKey: false };
    case "minItems":
      return { path: e.instancePath, message: `expected at least ${p.limit} item(s)`, atKey: false };
    case "minProperties":
      return { path: e.instancePath, message: `expected at least ${p.limit} entr(y/ies)`, atKey: false };
    case "anyOf":
    case "oneOf":
    case "if":
    case "not":
    case "allOf":
      return null;
    default:
      return { path: e.instancePath, message: e.message ?? "not valid", atKey: false };
  }
}

export type ParsedPlaybook = { ok: true; playbook: Playbook; text: string } | { ok: false; issues: PlaybookIssue[] };

/** The step ids a step leads to, with the JSON pointer of each reference. */
export function stepRefs(step: WorkflowStep): { ref: string; field: string }[] {
  const out: { ref: string; field: string }[] = [];
  for (const f of ["on_completion", "on_success", "on_failure", "on_true", "on_false"] as const) {
    const v = step[f];
    if (typeof v === "string") out.push({ ref: v, field: f });
  }
  step.next_steps?.forEach((r, j) => {
    if (typeof r === "string") out.push({ ref: r, field: `next_steps/${j}` });
  });
  for (const [k, r] of Object.entries(step.cases ?? {}))
    if (typeof r === "string") out.push({ ref: r, field: `cases/${k}` });
  return out;
}

/**
 * [PBK-1] Parses and validates a CACAO 2.0 playbook text: JSON within LIMITS.json, the OASIS schema, then
 * the workflow's own references (workflow_start a start step; every step reference, agent and target
 * defined). Every issue carries file, line, column and the JSON pointer of the offending value.
 */
export function parsePlaybook(text: string, file = "<playbook>"): ParsedPlaybook {
  const parsed = parseJsonText(file, text, LIMITS.json);
  if ("error" in parsed) {
    let e = parsed.error;
    // the engine's message does not always give the position (e.g. an unexpected token): find it
    if (e.code === "json-syntax" && e.line === 1 && e.column === 1)
      e = { ...e, ...lineColumn(text, syntaxOffset(text)) };
    return {
      ok: false,
      issues: [
        {
          severity: "error",
          code: e.code,
          file,
          line: e.line,
          column: e.column,
          path: "",
          message: `${e.message}: expected a CACAO 2.0 playbook (JSON)`,
        },
      ],
    };
  }
  return checkPlaybook(parsed.data, text, file);
}

/** [PBK-1] Validates an already-parsed playbook whose text is `text`. */
export function checkPlaybook(data: unknown, text: string, file: string): ParsedPlaybook {
  const where = locator(file, text);
  const issues: PlaybookIssue[] = [];
  const add = (path: string, code: string, message: string, atKey = false) =>
    issues.push({ severity: "error", code, ...where(path, atKey), path, message });
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    add("", "not-a-playbook", 'expected a CACAO 2.0 playbook: a JSON object with type "playbook"');
    return { ok: false, issues };
  }
  const v = compiled();
  if (!v(data)) {
    const seen = new Set<string>();
    for (const e of v.errors ?? []) {
      const d = describe(e);
      if (!d) continue;
      const k = `${d.path}\0${d.message}`;
      if (seen.has(k)) continue;
      seen.add(k);
      add(d.path, `schema-${e.keyword}`, d.message, d.atKey);
    }
    if (issues.length === 0) add("", "schema", "not a valid CACAO 2.0 playbook");
  }
  if (issues.length) return { ok: false, issues: sortIssues(issues) };
  const pb = data as Playbook;
  const steps = pb.workflow;
  const startStep = steps[pb.workflow_start];
  if (!startStep) add("/workflow_start", "unknown-step", `no step "${pb.workflow_start}" in workflow`);
  else if (startStep.type !== "start")
    add("/workflow_start", "not-a-start", `"${pb.workflow_start}" is a ${startStep.type} step; expected a start step`);
  for (const [id, step] of Object.entries(steps)) {
    const base = `/workflow/${id.replace(/~/g, "~0").replace(/\//g, "~1")}`;
    for (const r of stepRefs(step))
      if (!steps[r.ref]) add(`${base}/${r.field}`, "unknown-step", `no step "${r.ref}" in workflow`);
    if (step.agent !== undefined && !pb.agent_definitions?.[step.agent])
      add(`${base}/agent`, "unknown-agent", `no agent "${step.agent}" in agent_definitions`);
    step.targets?.forEach((t, j) => {
      if (!pb.target_definitions?.[t])
        add(`${base}/targets/${j}`, "unknown-target", `no target "${t}" in target_definitions`);
    });
  }
  if (issues.length) return { ok: false, issues: sortIssues(issues) };
  return { ok: true, playbook: pb, text };
}

function sortIssues(issues: PlaybookIssue[]): PlaybookIssue[] {
  return issues.sort((a, b) => a.line - b.line || a.column - b.column || (a.message < b.message ? -1 : 1));
}

export { lastKey };

/** SHA-256 of a text (hex). */
export function sha256(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}
