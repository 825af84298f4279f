/**
 * Bounded parsing: the one place that defines how much input Rampart accepts and the guarded parse
 * functions every parser uses ([LIM-1]..[LIM-6], docs/specs/security.md). YAML (models, scenarios), JSON
 * (request bodies, catalogues, STIX/CACAO bundles as they arrive), CSV and line-oriented text formats
 * (telemetry, `.cpa` files) all take their limits from here, so the CLI, the server and every future
 * parser refuse the same bombs with the same located error.
 *
 * Pure: no clock of its own. A parse-time limit needs the caller's clock (`clock`), which the I/O layers
 * (the loader, the server, the CLI) pass in.
 */
import yaml from "js-yaml";

export type ParseLimits = {
  /** Bytes (UTF-16 code units) of one input text. */
  maxBytes: number;
  /** Nesting depth of mappings and sequences (YAML) or objects and arrays (JSON). */
  maxDepth: number;
  /** YAML alias uses (`*name`) in one parse budget. */
  maxAliases: number;
  /** Nodes that aliases add when expanded (what a consumer walking the data would visit twice or more). */
  maxAliasNodes: number;
  /** Bytes that aliases add when expanded (about their JSON size). */
  maxAliasBytes: number;
  /** Total bytes after expansion: the text plus what aliases add. */
  maxExpandedBytes: number;
  /** Milliseconds of parsing, checked against the caller's clock when one is given. */
  maxMillis: number;
};

/** Line-oriented tables (CSV telemetry, `.cpa` sections). */
export type TableLimits = { maxBytes: number; maxLineLength: number; maxColumns: number; maxRows: number };

const MiB = 1024 * 1024;

/** The limits in force. One definition: the CLI, the server and every parser read them from here. */
export const LIMITS = {
  /** A model or scenario YAML file ([LIM-1], [LIM-2]). */
  yaml: {
    maxBytes: 64 * MiB,
    maxDepth: 64,
    maxAliases: 100_000,
    maxAliasNodes: 1_000_000,
    maxAliasBytes: 16 * MiB,
    maxExpandedBytes: 128 * MiB,
    maxMillis: 30_000,
  } satisfies ParseLimits,
  /** A model uploaded to the server, all its files together ([LIM-1], [LIM-2], [LIM-5]). */
  upload: {
    maxBytes: 8 * MiB,
    maxDepth: 64,
    maxAliases: 20_000,
    maxAliasNodes: 200_000,
    maxAliasBytes: 4 * MiB,
    maxExpandedBytes: 24 * MiB,
    maxMillis: 10_000,
  } satisfies ParseLimits,
  /** A JSON text: a request body, a catalogue, a STIX or CACAO bundle ([LIM-3]). */
  json: {
    maxBytes: 64 * MiB,
    maxDepth: 64,
    maxAliases: 0,
    maxAliasNodes: 0,
    maxAliasBytes: 0,
    maxExpandedBytes: 64 * MiB,
    maxMillis: 30_000,
  } satisfies ParseLimits,
  /** A STIX 2.1 bundle or TAXII envelope, read from a file ([LIM-3], [SHR-7]); the TAXII route caps bytes at its body limit. */
  stix: { maxBytes: 64 * MiB, maxDepth: 32, maxObjects: 200_000 },
  /** One telemetry reading: an MQTT payload or an NDJSON line ([LIM-4]). */
  reading: { maxBytes: 64 * 1024, maxDepth: 4 },
  /** Line-oriented model files of the twin: `.cpa` attack files, demand patterns ([LIM-4]). */
  text: { maxBytes: 8 * MiB, maxLines: 200_000, maxLineLength: 4096 },
  /** CSV telemetry and other line tables ([LIM-4]). */
  table: { maxBytes: 512 * MiB, maxLineLength: 1 * MiB, maxColumns: 10_000, maxRows: 50_000_000 } satisfies TableLimits,
  /** The server ([LIM-5]): request bodies, model uploads and what one model version may store. */
  server: {
    bodyBytes: 1 * MiB,
    uploadBytes: 16 * MiB,
    uploadFileBytes: 8 * MiB,
    uploadFiles: 200,
    /** Sources plus the merged model as stored, per version. */
    storedModelBytes: 48 * MiB,
  },
} as const;

/** What a limit refusal says: a code, a message, and where (offset into the text; converted to line:col). */
export type LimitCode = "size-limit" | "depth-limit" | "alias-limit" | "expansion-limit" | "time-limit";

export type LocatedError = { file: string; line: number; column: number; code: string; message: string };

/** Thrown inside a parse and caught by the guarded parse functions. */
export class LimitExceeded extends Error {
  constructor(
    readonly code: LimitCode,
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  const end = Math.max(0, Math.min(offset, text.length));
  for (let i = text.indexOf("\n"); i !== -1 && i < end; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: end - start + 1 };
}

export function locatedLimit(file: string, text: string, e: LimitExceeded): LocatedError {
  return { file, ...lineColumn(text, e.offset), code: e.code, message: e.message };
}

function mib(n: number): string {
  return n >= MiB ? `${(n / MiB).toFixed(n % MiB ? 1 : 0)} MiB` : `${n} bytes`;
}

/** Refuses a text longer than the limit, located at the first byte past it. */
export function checkSize(text: string, max: number, what = "input"): void {
  if (text.length > max) {
    throw new LimitExceeded("size-limit", `${what} is larger than the limit of ${mib(max)}`, max);
  }
}

/**
 * A budget for one parse (or several: a model's files share one, so the limits hold per model). It counts
 * YAML alias uses and what they add when expanded, without expanding anything: each mapping and sequence
 * records its expanded size once (nodes and approximate JSON bytes), and an alias adds its target's size.
 * The count is exact for any sharing (an alias of an alias-rich node adds that node's full expansion), so
 * a billion-laughs document is refused after reading its few hundred bytes.
 */
export class ParseBudget {
  aliases = 0;
  aliasNodes = 0;
  aliasBytes = 0;
  textBytes = 0;
  private events = 0;
  private readonly started: number | undefined;

  constructor(
    readonly limits: ParseLimits = LIMITS.yaml,
    private readonly clock?: () => number,
  ) {
    this.started = clock?.();
  }

  /** Adds a text's size; refuses it past `maxBytes` or past the expanded total. */
  addText(text: string, what = "file"): void {
    checkSize(text, this.limits.maxBytes, what);
    this.textBytes += text.length;
    this.checkExpanded(0);
  }

  /** Checks the clock every 1,024 calls. */
  tick(offset: number): void {
    if (this.clock === undefined || this.started === undefined || ++this.events & 1023) return;
    if (this.clock() - this.started > this.limits.maxMillis) {
      throw new LimitExceeded(
        "time-limit",
        `parsing took longer than the limit of ${this.limits.maxMillis} ms`,
        offset,
      );
    }
  }

  alias(nodes: number, bytes: number, offset: number, name: string): void {
    this.aliases++;
    this.aliasNodes += nodes;
    this.aliasBytes += bytes;
    const l = this.limits;
    if (this.aliases > l.maxAliases) {
      throw new LimitExceeded("alias-limit", `more than ${l.maxAliases} aliases (at *${name})`, offset);
    }
    if (this.aliasNodes > l.maxAliasNodes) {
      throw new LimitExceeded(
        "expansion-limit",
        `aliases expand to more than ${l.maxAliasNodes} nodes (at *${name}: a YAML alias bomb?)`,
        offset,
      );
    }
    if (this.aliasBytes > l.maxAliasBytes) {
      throw new LimitExceeded(
        "expansion-limit",
        `aliases expand to more than ${mib(l.maxAliasBytes)} (at *${name}: a YAML alias bomb?)`,
        offset,
      );
    }
    this.checkExpanded(offset);
  }

  private checkExpanded(offset: number): void {
    const total = this.textBytes + this.aliasBytes;
    if (total > this.limits.maxExpandedBytes) {
      throw new LimitExceeded(
        "expansion-limit",
        `the input expands to more than ${mib(this.limits.maxExpandedBytes)}`,
        offset,
      );
    }
  }
}

type YamlState = { position: number; result: unknown; kind: string | null; input: string };
export type YamlListener = (event: "open" | "close", state: YamlState) => void;

/** Skips white space and comments from an offset (js-yaml opens a node before the space in front of it). */
function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else if (c === 35) {
      const nl = text.indexOf("\n", i);
      if (nl < 0) return text.length;
      i = nl + 1;
    } else return i;
  }
}

/**
 * A js-yaml listener that counts alias uses and their expanded size into a budget ([LIM-2]). Sizes are
 * kept per mapping and sequence (once each) and per open node on a stack, so the cost is linear in the
 * text, whatever the aliases would expand to.
 */
export function aliasCounter(budget: ParseBudget, text: string): YamlListener {
  const sizeOf = new WeakMap<object, { nodes: number; bytes: number }>();
  const nodesStack: number[] = [];
  const bytesStack: number[] = [];
  const resStack: unknown[] = [];
  let top = 0;
  const frameBase: number[] = [];
  const frameOpen: number[] = [];
  let frames = 0;
  return (event, state) => {
    if (event === "open") {
      frameBase[frames] = top;
      frameOpen[frames] = state.position;
      frames++;
      budget.tick(state.position);
      return;
    }
    frames--;
    const base = frameBase[frames];
    const n = top - base;
    const result = state.result;
    let nodes = 1;
    let bytes = 0;
    const at = state.kind === null && n === 0 ? skipSpace(text, frameOpen[frames]) : -1;
    if (n === 1 && resStack[base] === result) {
      // a wrapper around the node just closed (block collections' entries): the same size
      nodes = nodesStack[base];
      bytes = bytesStack[base];
    } else if (at >= 0 && text.charCodeAt(at) === 42) {
      // an alias (`*name`): its target's expanded size is added again
      const m = /^\*([^\s,[\]{}]*)/.exec(text.slice(at, at + 130));
      if (result !== null && typeof result === "object") {
        const s = sizeOf.get(result);
        nodes = s?.nodes ?? 1;
        bytes = s?.bytes ?? 2;
      } else bytes = result === null || result === undefined ? 4 : String(result).length + 2;
      budget.alias(nodes, bytes, at, m ? m[1] : "alias");
    } else if (result !== null && typeof result === "object") {
      bytes = 2;
      for (let i = base; i < top; i++) {
        nodes += nodesStack[i];
        bytes += bytesStack[i] + 1;
      }
      sizeOf.set(result, { nodes, bytes });
    } else {
      bytes = result === null || result === undefined ? 4 : String(result).length + 2;
    }
    for (let i = base; i < top; i++) resStack[i] = undefined;
    top = base;
    resStack[top] = result;
    nodesStack[top] = nodes;
    bytesStack[top] = bytes;
    top++;
  };
}

/** Whether a YAML text can hold aliases at all (an alias needs an anchor `&name`). */
export function mayHaveAliases(text: string): boolean {
  return text.indexOf("&") !== -1;
}

/**
 * Parses YAML (1.2 core schema) within the limits ([LIM-1], [LIM-2]): size, depth (js-yaml's maxDepth),
 * aliases and their expansion, time. `extra` is another listener (the loader's position recorder).
 * Returns the data or a located error; never throws for bad input.
 */
export function parseYamlBounded(
  file: string,
  text: string,
  budget: ParseBudget = new ParseBudget(LIMITS.yaml),
  extra?: YamlListener,
): { data: unknown } | { error: LocatedError } {
  try {
    budget.addText(text, file);
    const counter = mayHaveAliases(text) ? aliasCounter(budget, text) : undefined;
    const listener: YamlListener | undefined =
      counter && extra
        ? (e, s) => {
            counter(e, s);
            extra(e, s);
          }
        : (counter ?? extra);
    const data = yaml.load(text, {
      schema: yaml.CORE_SCHEMA,
      filename: file,
      maxDepth: budget.limits.maxDepth,
      ...(listener ? { listener: listener as never } : {}),
    } as yaml.LoadOptions);
    return { data };
  } catch (e) {
    if (e instanceof LimitExceeded) return { error: locatedLimit(file, text, e) };
    if (e instanceof yaml.YAMLException) {
      const mark = (e as unknown as { mark?: { line: number; column: number } }).mark;
      const reason = (e as unknown as { reason?: string }).reason ?? "invalid YAML";
      const place = { file, line: (mark?.line ?? 0) + 1, column: (mark?.column ?? 0) + 1 };
      if (/maxDepth/.test(reason)) {
        return {
          error: {
            ...place,
            code: "depth-limit",
            message: `nested deeper than the limit of ${budget.limits.maxDepth} levels`,
          },
        };
      }
      const duplicate = /duplicated mapping key/.test(reason);
      return {
        error: {
          ...place,
          code: duplicate ? "duplicate-key" : "yaml-syntax",
          message: duplicate ? "duplicate key in a mapping (each key may appear once)" : `invalid YAML: ${reason}`,
        },
      };
    }
    if (e instanceof RangeError) {
      return { error: { file, line: 1, column: 1, code: "depth-limit", message: "nested too deeply to parse" } };
    }
    throw e;
  }
}

/**
 * The nesting depth of a JSON text, found by a scan outside strings, stopping at the first place past
 * `max` (returned as the offset), or -1 when within it. Linear, no allocation.
 */
export function jsonDepthExceeded(text: string, max: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return i;
    } else if (c === 125 || c === 93) depth--;
  }
  return -1;
}

/** Keys that must not appear in parsed JSON (prototype pollution). */
function poisoned(key: string, value: unknown): boolean {
  return (
    key === "__proto__" ||
    (key === "constructor" && value !== null && typeof value === "object" && "prototype" in value)
  );
}

export class JsonRefused extends Error {
  constructor(
    readonly code: LimitCode | "json-syntax" | "proto-key",
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/**
 * Parses a JSON text within the limits ([LIM-3]): size, nesting depth (checked before parsing, so a deep
 * text never reaches a recursive consumer), no `__proto__` or `constructor.prototype` keys. Throws
 * JsonRefused (code, message, offset); `parseJsonText` returns a located error instead.
 */
export function parseJsonStrict(
  text: string,
  limits: Pick<ParseLimits, "maxBytes" | "maxDepth"> = LIMITS.json,
): unknown {
  if (text.length > limits.maxBytes) {
    throw new JsonRefused("size-limit", `larger than the limit of ${mib(limits.maxBytes)}`, limits.maxBytes);
  }
  const deep = jsonDepthExceeded(text, limits.maxDepth);
  if (deep >= 0)
    throw new JsonRefused("depth-limit", `nested deeper than the limit of ${limits.maxDepth} levels`, deep);
  const risky = text.includes("proto") || text.includes("constructor") || text.includes("\\u");
  try {
    if (!risky) return JSON.parse(text);
    return JSON.parse(text, (k, v) => {
      if (poisoned(k, v)) throw new JsonRefused("proto-key", `the key "${k}" is not allowed`, 0);
      return v;
    });
  } catch (e) {
    if (e instanceof JsonRefused) throw e;
    const m = /position (\d+)/.exec((e as Error).message);
    throw new JsonRefused("json-syntax", "not valid JSON", m ? Number(m[1]) : 0);
  }
}

/** `parseJsonStrict` with a located error (file:line:col) instead of an exception. */
export function parseJsonText(
  file: string,
  text: string,
  limits: Pick<ParseLimits, "maxBytes" | "maxDepth"> = LIMITS.json,
): { data: unknown } | { error: LocatedError } {
  try {
    return { data: parseJsonStrict(text, limits) };
  } catch (e) {
    if (!(e instanceof JsonRefused)) throw e;
    return { error: { file, ...lineColumn(text, e.offset), code: e.code, message: e.message } };
  }
}

/** The depth of an already-parsed value, stopping past `max` (for values that did not come from text). */
export function valueDepthExceeds(v: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length) {
    const [x, d] = stack.pop() as [unknown, number];
    if (x === null || typeof x !== "object") continue;
    if (d + 1 > max) return true;
    for (const c of Array.isArray(x) ? x : Object.values(x))
      if (c !== null && typeof c === "object") stack.push([c, d + 1]);
  }
  return false;
}

/**
 * Checks a line table against its limits ([LIM-4]) before it is split: total size and the longest line.
 * Returns null or a located error; the table parser checks columns and rows as it goes.
 */
export function checkTableText(file: string, text: string, limits: TableLimits = LIMITS.table): LocatedError | null {
  if (text.length > limits.maxBytes) {
    return {
      file,
      line: 1,
      column: 1,
      code: "size-limit",
      message: `larger than the limit of ${mib(limits.maxBytes)}`,
    };
  }
  let line = 1;
  let start = 0;
  for (;;) {
    const nl = text.indexOf("\n", start);
    const end = nl < 0 ? text.length : nl;
    if (end - start > limits.maxLineLength) {
      return {
        file,
        line,
        column: limits.maxLineLength + 1,
        code: "size-limit",
        message: `line longer than the limit of ${mib(limits.maxLineLength)}`,
      };
    }
    if (nl < 0) return null;
    start = nl + 1;
    line++;
    if (line > limits.maxRows + 1) {
      return { file, line, column: 1, code: "size-limit", message: `more than ${limits.maxRows} rows` };
    }
  }
}
