/**
 * The `.cpa` cyber-physical attack format (as used by epanetCPA): [CYBERNODES] PLCs with their sensors and
 * actuators, [CYBERLINKS] which PLC sends which readings to whom, [CYBERATTACKS] what an attacker does and
 * when, [CYBEROPTIONS] run options. Every error names file:line:col. The meaning of each field is written
 * down in docs/twin.md; where the original files leave it open (replay arguments, the CTRL suffix, the order
 * of initial_conditions) the twin's reading is documented there.
 */
import { boundedLines, stripComment, type TwinIssue, type TwinResult } from "./errors.ts";

export interface CyberNode {
  name: string;
  sensors: string[];
  actuators: string[];
  line: number;
}

export interface CyberLink {
  source: string;
  destination: string;
  sensors: string[];
  line: number;
}

/** A boolean condition over TIME (hours since start) and the physical state. */
export type Condition =
  | { kind: "cmp"; variable: string; op: "==" | "!=" | "<" | "<=" | ">" | ">="; value: number }
  | { kind: "and" | "or"; left: Condition; right: Condition }
  | { kind: "not"; inner: Condition };

export type LinkManipulation =
  | { kind: "dos" }
  | { kind: "constant"; value: number }
  | { kind: "offset"; value: number }
  | { kind: "replay"; delayHours: number; noiseSd: number; max: number; min: number };

export type AttackAction =
  /** A reading on a link (source PLC, or NULL for a PLC's own sensor, to a PLC or SCADA) is altered. */
  | { type: "communication"; source: string; sensor: string; destination: string; how: LinkManipulation }
  /** The PLC logic changes: control n's level (field "n") or its commanded status (field "s") is replaced. */
  | { type: "control"; control: number; field: "level" | "status"; value: number }
  /** An actuator is commanded to a fixed status, whatever its PLC decides (1 open/on, 0 closed/off). */
  | { type: "actuator"; actuator: string; value: number };

export interface Attack {
  action: AttackAction;
  start: Condition;
  end: Condition;
  line: number;
  /** The original target text, for reports. */
  target: string;
}

export interface CpaOptions {
  verbosity: number;
  /** Initial tank levels in natural id order of the tanks (T1, T2, ...). */
  initialConditions?: number[];
  whatToStore?: string[];
  patternsFile?: string;
  /** Pressure-driven analysis: exponent, minimum and required pressure. */
  pda?: { exponent: number; pmin: number; preq: number; model: string };
}

export interface CpaSpec {
  file: string;
  nodes: CyberNode[];
  links: CyberLink[];
  attacks: Attack[];
  options: CpaOptions;
}

interface Field {
  text: string;
  col: number;
}

/** Splits on commas (and on tabs when a line has no comma), trimming each field, keeping its column. */
function fields(line: string): Field[] {
  const sep = line.includes(",") ? "," : "\t";
  const out: Field[] = [];
  let start = 0;
  for (let i = 0; i <= line.length; i++) {
    if (i === line.length || line[i] === sep) {
      const raw = line.slice(start, i);
      const lead = raw.length - raw.trimStart().length;
      out.push({ text: raw.trim(), col: start + lead + 1 });
      start = i + 1;
    }
  }
  return out;
}

function words(f: Field): Field[] {
  const out: Field[] = [];
  const re = /\S+/g;
  for (let m = re.exec(f.text); m; m = re.exec(f.text)) out.push({ text: m[0], col: f.col + m.index });
  return out;
}

function num(text: string): number | undefined {
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

const SECTIONS = ["CYBERNODES", "CYBERLINKS", "CYBERATTACKS", "CYBEROPTIONS"];

export function parseCpa(text: string, file: string): TwinResult<CpaSpec> {
  const lr = boundedLines(text, file);
  if (!lr.ok) return lr;
  const issues: TwinIssue[] = [];
  const err = (line: number, column: number, code: string, message: string) => {
    if (issues.length < 200) issues.push({ code, message, file, line, column });
  };
  const spec: CpaSpec = { file, nodes: [], links: [], attacks: [], options: { verbosity: 1 } };
  let section = "";
  const seenSections = new Set<string>();
  for (const { no, text: raw } of lr.value) {
    const body = stripComment(raw);
    if (body.trim() === "") continue;
    const head = body.trim();
    if (head.startsWith("[")) {
      const m = /^\[([A-Za-z_]+)\]$/.exec(head);
      const name = m?.[1]?.toUpperCase();
      if (!name || !SECTIONS.includes(name)) {
        err(
          no,
          raw.indexOf("[") + 1,
          "CPA_SECTION",
          `unknown section "${head}": expected one of ${SECTIONS.map((s) => `[${s}]`).join(", ")}`,
        );
        section = "?";
      } else {
        if (seenSections.has(name)) err(no, raw.indexOf("[") + 1, "CPA_SECTION", `section [${name}] appears twice`);
        seenSections.add(name);
        section = name;
      }
      continue;
    }
    const f = fields(body);
    switch (section) {
      case "CYBERNODES": {
        if (f.length < 2 || f.length > 3) {
          err(no, 1, "CPA_NODE", "expected: Name, Sensors, Actuators");
          break;
        }
        const [n, s, a] = f as [Field, Field, Field | undefined];
        if (!/^[A-Za-z_][\w.]*$/.test(n.text)) err(no, n.col, "CPA_NODE", `"${n.text}" is not a PLC name`);
        else if (n.text.toUpperCase() === "SCADA" || n.text.toUpperCase() === "NULL")
          err(no, n.col, "CPA_NODE", `"${n.text}" is reserved`);
        else if (spec.nodes.some((x) => x.name === n.text))
          err(no, n.col, "CPA_DUPLICATE", `PLC "${n.text}" is defined twice`);
        else
          spec.nodes.push({
            name: n.text,
            sensors: words(s).map((w) => w.text),
            actuators: a ? words(a).map((w) => w.text) : [],
            line: no,
          });
        for (const w of words(s))
          if (!/^[PFSL]_\w+$/.test(w.text))
            err(
              no,
              w.col,
              "CPA_SENSOR",
              `"${w.text}" is not a sensor: expected P_<node> (pressure or tank level) or F_<link> (flow)`,
            );
        break;
      }
      case "CYBERLINKS": {
        if (f.length !== 3) {
          err(no, 1, "CPA_LINK", "expected: Source, Destination, Sensors");
          break;
        }
        const [s, d, x] = f as [Field, Field, Field];
        if (s.text === "" || d.text === "")
          err(no, s.text === "" ? s.col : d.col, "CPA_LINK", "source and destination are required");
        else spec.links.push({ source: s.text, destination: d.text, sensors: words(x).map((w) => w.text), line: no });
        break;
      }
      case "CYBERATTACKS": {
        if (f.length !== 5) {
          err(
            no,
            1,
            "CPA_ATTACK",
            `expected 5 fields (Type, Target, Init_cond, End_cond, Arguments), found ${f.length}`,
          );
          break;
        }
        const a = parseAttack(f as [Field, Field, Field, Field, Field], no, err);
        if (a) spec.attacks.push(a);
        break;
      }
      case "CYBEROPTIONS":
        parseOption(f, no, spec.options, err);
        break;
      case "?":
        break;
      default:
        err(no, 1, "CPA_OUTSIDE", "content before the first section header");
    }
  }
  checkReferences(spec, err);
  return issues.length ? { ok: false, issues } : { ok: true, value: spec };
}

type Err = (line: number, column: number, code: string, message: string) => void;

function parseAttack(f: [Field, Field, Field, Field, Field], no: number, err: Err): Attack | undefined {
  const [type, target, init, end, args] = f;
  const start = parseCondition(init.text, init.col, no, err);
  const stop = parseCondition(end.text, end.col, no, err);
  const argw = words(args);
  let action: AttackAction | undefined;
  switch (type.text.toLowerCase()) {
    case "communication": {
      const parts = target.text.split("-");
      if (parts.length !== 3 || parts.some((p) => p === "")) {
        err(
          no,
          target.col,
          "CPA_TARGET",
          `communication target must be SOURCE-SENSOR-DESTINATION, found "${target.text}"`,
        );
        return undefined;
      }
      const [source, sensor, destination] = parts as [string, string, string];
      const kind = argw[0]?.text.toLowerCase();
      const nums = argw.slice(1).map((w) => ({ w, v: num(w.text) }));
      const bad = nums.find((n) => n.v === undefined);
      if (bad) {
        err(no, bad.w.col, "CPA_ARGUMENT", `expected a number, found "${bad.w.text}"`);
        return undefined;
      }
      const v = nums.map((n) => n.v as number);
      const arity = (k: number) => {
        if (v.length === k) return true;
        err(no, args.col, "CPA_ARGUMENT", `"${kind}" takes ${k} number${k === 1 ? "" : "s"}, found ${v.length}`);
        return false;
      };
      let how: LinkManipulation | undefined;
      if (kind === "dos") {
        if (arity(0)) how = { kind: "dos" };
      } else if (kind === "constant") {
        if (arity(1)) how = { kind: "constant", value: v[0] as number };
      } else if (kind === "offset") {
        if (arity(1)) how = { kind: "offset", value: v[0] as number };
      } else if (kind === "replay") {
        if (arity(4)) {
          const [delayHours, noiseSd, max, min] = v as [number, number, number, number];
          if (delayHours <= 0)
            err(no, argw[1]?.col ?? args.col, "CPA_ARGUMENT", "replay delay must be positive (hours)");
          else if (noiseSd < 0) err(no, argw[2]?.col ?? args.col, "CPA_ARGUMENT", "replay noise must be >= 0");
          else if (max < min) err(no, argw[3]?.col ?? args.col, "CPA_ARGUMENT", "replay bounds: max must be >= min");
          else how = { kind: "replay", delayHours, noiseSd, max, min };
        }
      } else
        err(
          no,
          args.col,
          "CPA_ARGUMENT",
          `expected DoS, constant V, offset V or replay DELAY NOISE MAX MIN, found "${args.text}"`,
        );
      if (how) action = { type: "communication", source, sensor, destination, how };
      break;
    }
    case "control": {
      const m = /^CTRL(\d+)([ns]?)$/i.exec(target.text);
      if (!m) {
        err(
          no,
          target.col,
          "CPA_TARGET",
          `control target must be CTRL<n> with an optional n (level) or s (status) suffix, found "${target.text}"`,
        );
        return undefined;
      }
      const value = argw.length === 1 ? num((argw[0] as Field).text) : undefined;
      if (value === undefined) {
        err(no, args.col, "CPA_ARGUMENT", "a control attack takes one number: the new level, or 0/1 for the status");
        return undefined;
      }
      const field = (m[2] as string).toLowerCase() === "s" ? "status" : "level";
      if (field === "status" && value !== 0 && value !== 1) {
        err(no, args.col, "CPA_ARGUMENT", "a status is 0 (closed) or 1 (open)");
        return undefined;
      }
      action = { type: "control", control: Number(m[1]), field, value };
      break;
    }
    case "actuator": {
      const w = argw[0]?.text.toLowerCase();
      const value =
        w === "open" || w === "on" || w === "1" ? 1 : w === "closed" || w === "off" || w === "0" ? 0 : undefined;
      if (value === undefined || argw.length !== 1) {
        err(no, args.col, "CPA_ARGUMENT", "an actuator attack takes one of: open, closed (or on, off, 1, 0)");
        return undefined;
      }
      action = { type: "actuator", actuator: target.text, value };
      break;
    }
    default:
      err(no, type.col, "CPA_TYPE", `unknown attack type "${type.text}": expected Communication, Control or Actuator`);
      return undefined;
  }
  if (!start || !stop || !action) return undefined;
  return { action, start, end: stop, line: no, target: target.text };
}

function parseOption(f: Field[], no: number, o: CpaOptions, err: Err): void {
  const key = f[0] as Field;
  const rest = f.slice(1);
  const values = rest.flatMap((x) => words(x));
  const numbers = (): number[] | undefined => {
    const out: number[] = [];
    for (const w of values) {
      const v = num(w.text);
      if (v === undefined) {
        err(no, w.col, "CPA_OPTION", `expected a number, found "${w.text}"`);
        return undefined;
      }
      out.push(v);
    }
    return out;
  };
  switch (key.text.toLowerCase()) {
    case "verbosity": {
      const v = numbers();
      if (v && v.length === 1) o.verbosity = v[0] as number;
      else if (v) err(no, key.col, "CPA_OPTION", "verbosity takes one number");
      break;
    }
    case "initial_conditions": {
      const v = numbers();
      if (v?.some((x) => x < 0)) err(no, key.col, "CPA_OPTION", "initial tank levels must be >= 0");
      else if (v) o.initialConditions = v;
      break;
    }
    case "what_to_store":
      o.whatToStore = values.map((w) => w.text);
      break;
    case "patterns_file":
      if (values.length !== 1) err(no, key.col, "CPA_OPTION", "patterns_file takes one path");
      else o.patternsFile = (values[0] as Field).text;
      break;
    case "pda_options": {
      const ws = values;
      const nums = ws.slice(0, 3).map((w) => num(w.text));
      if (ws.length !== 4 || nums.some((x) => x === undefined))
        err(no, key.col, "CPA_OPTION", "pda_options takes: exponent pmin preq model");
      else {
        const [exponent, pmin, preq] = nums as [number, number, number];
        if (preq <= pmin) err(no, (ws[2] as Field).col, "CPA_OPTION", "required pressure must exceed minimum pressure");
        else o.pda = { exponent, pmin, preq, model: (ws[3] as Field).text };
      }
      break;
    }
    default:
      err(
        no,
        key.col,
        "CPA_OPTION",
        `unknown option "${key.text}": expected verbosity, initial_conditions, what_to_store, patterns_file or pda_options`,
      );
  }
}

/** Links and attacks must name defined PLCs (or SCADA / NULL) and sensors that the source holds. */
function checkReferences(spec: CpaSpec, err: Err): void {
  const plc = new Map(spec.nodes.map((n) => [n.name, n]));
  for (const l of spec.links) {
    const src = plc.get(l.source);
    if (!src) err(l.line, 1, "CPA_UNKNOWN_PLC", `link source "${l.source}" is not a PLC in [CYBERNODES]`);
    if (l.destination !== "SCADA" && !plc.has(l.destination))
      err(l.line, 1, "CPA_UNKNOWN_PLC", `link destination "${l.destination}" is not a PLC in [CYBERNODES] nor SCADA`);
    for (const s of l.sensors)
      if (src && !src.sensors.includes(s))
        err(l.line, 1, "CPA_UNKNOWN_SENSOR", `PLC "${l.source}" has no sensor "${s}"`);
  }
  for (const a of spec.attacks) {
    const x = a.action;
    if (x.type !== "communication") continue;
    if (x.source === "NULL") {
      const dst = plc.get(x.destination);
      if (!dst)
        err(a.line, 1, "CPA_UNKNOWN_PLC", `"${x.destination}" is not a PLC (a NULL source means a PLC's own sensor)`);
      else if (!dst.sensors.includes(x.sensor))
        err(a.line, 1, "CPA_UNKNOWN_SENSOR", `PLC "${x.destination}" has no sensor "${x.sensor}"`);
    } else if (
      !spec.links.some((l) => l.source === x.source && l.destination === x.destination && l.sensors.includes(x.sensor))
    )
      err(a.line, 1, "CPA_UNKNOWN_LINK", `no link ${x.source} -> ${x.destination} carries "${x.sensor}"`);
  }
}

const CMP_OPS = ["==", "!=", "<=", ">=", "<", ">"] as const;

/** Parses `TIME==10`, `(TIME>50)&&(PU2>0)`, with &&, ||, ! and parentheses. */
export function parseCondition(text: string, col: number, line: number, err: Err): Condition | undefined {
  let i = 0;
  const s = text;
  let failed = false;
  const bad = (msg: string) => {
    if (!failed) err(line, col + Math.min(i, s.length), "CPA_CONDITION", msg);
    failed = true;
    return undefined;
  };
  const ws = () => {
    while (i < s.length && /\s/.test(s[i] as string)) i++;
  };
  const primary = (depth: number): Condition | undefined => {
    if (depth > 32) return bad("condition nested too deeply");
    ws();
    if (s[i] === "(") {
      i++;
      const c = or(depth + 1);
      ws();
      if (s[i] !== ")") return bad("expected )");
      i++;
      return c;
    }
    if (s[i] === "!" && s[i + 1] !== "=") {
      i++;
      const c = primary(depth + 1);
      return c ? { kind: "not", inner: c } : undefined;
    }
    const m = /^[A-Za-z_][\w.]*/.exec(s.slice(i));
    if (!m) return bad("expected TIME or an element id");
    i += m[0].length;
    ws();
    const op = CMP_OPS.find((o) => s.startsWith(o, i));
    if (!op) return bad("expected a comparison (==, !=, <, <=, >, >=)");
    i += op.length;
    ws();
    const nm = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(s.slice(i));
    if (!nm) return bad("expected a number");
    i += nm[0].length;
    return { kind: "cmp", variable: m[0], op, value: Number(nm[0]) };
  };
  const and = (depth: number): Condition | undefined => {
    let left = primary(depth);
    for (;;) {
      ws();
      if (!left || !s.startsWith("&&", i)) return left;
      i += 2;
      const right = primary(depth);
      if (!right) return undefined;
      left = { kind: "and", left, right };
    }
  };
  const or = (depth: number): Condition | undefined => {
    let left = and(depth);
    for (;;) {
      ws();
      if (!left || !s.startsWith("||", i)) return left;
      i += 2;
      const right = and(depth);
      if (!right) return undefined;
      left = { kind: "or", left, right };
    }
  };
  const c = or(0);
  ws();
  if (c && i < s.length) return bad(`unexpected "${s.slice(i, i + 10)}"`);
  return failed ? undefined : c;
}

/** The variables a condition reads. */
export function conditionVariables(c: Condition, out = new Set<string>()): Set<string> {
  if (c.kind === "cmp") out.add(c.variable);
  else if (c.kind === "not") conditionVariables(c.inner, out);
  else {
    conditionVariables(c.left, out);
    conditionVariables(c.right, out);
  }
  return out;
}

/** Parses a demand-pattern CSV: one row per hour, one column per pattern (in the network's pattern order). */
export function parsePatterns(text: string, file: string): TwinResult<number[][]> {
  const lr = boundedLines(text, file);
  if (!lr.ok) return lr;
  const rows: number[][] = [];
  const issues: TwinIssue[] = [];
  for (const { no, text: t } of lr.value) {
    if (t.trim() === "") continue;
    const f = fields(t.includes(",") ? t : t.replace(/\s+/g, ","));
    const row: number[] = [];
    for (const x of f) {
      const v = num(x.text);
      if (v === undefined || v < 0) {
        if (issues.length < 50)
          issues.push({
            code: "PATTERN_VALUE",
            message: `expected a multiplier >= 0, found "${x.text}"`,
            file,
            line: no,
            column: x.col,
          });
      } else row.push(v);
    }
    if (rows.length && row.length !== (rows[0] as number[]).length && issues.length < 50)
      issues.push({
        code: "PATTERN_WIDTH",
        message: `expected ${(rows[0] as number[]).length} columns, found ${row.length}`,
        file,
        line: no,
        column: 1,
      });
    rows.push(row);
  }
  if (rows.length === 0) issues.push({ code: "PATTERN_EMPTY", message: "no rows", file, line: 1, column: 1 });
  return issues.length ? { ok: false, issues } : { ok: true, value: rows };
}
