import { checkTableText, LIMITS } from "../model/limits.ts";
import type { DetectIssue, Result } from "./errors.ts";
import { parseTimestamp } from "./time.ts";

/** A telemetry table: timestamp first column, numeric signal columns, optional label column. */
export interface Table {
  file: string;
  signals: string[];
  /** Raw timestamp cells, exactly as written. */
  rawTimes: string[];
  epoch: Float64Array;
  wall: Float64Array;
  /** Row-major values, rows x signals.length; NaN = empty cell. */
  values: Float64Array;
  /** 1 attack, 0 normal, -1 anything else (unknown); present only when a label column was asked for. */
  labels?: Int8Array;
  /** 1-based line number of each row, for messages. */
  lines: Int32Array;
}

export interface CsvOptions {
  labelColumn?: string;
  /** Fail when the label column is missing (default true when labelColumn is given). */
  requireLabel?: boolean;
  /** Columns to ignore entirely. */
  ignore?: string[];
}

interface Field {
  text: string;
  column: number;
}

/** Splits one CSV line into fields with their 1-based start columns; supports double-quoted fields. */
export function splitCsvLine(line: string): Field[] | null {
  const out: Field[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    const start = i;
    if (i < n && line[i] === '"') {
      let text = "";
      i++;
      for (;;) {
        if (i >= n) return null;
        const c = line[i];
        if (c === '"') {
          if (line[i + 1] === '"') {
            text += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += c;
        i++;
      }
      while (i < n && line[i] !== ",") i++;
      out.push({ text, column: start + 1 });
    } else {
      let j = line.indexOf(",", i);
      if (j < 0) j = n;
      out.push({ text: line.slice(i, j), column: start + 1 });
      i = j;
    }
    if (i >= n) break;
    i++; // skip comma
    if (i === n) {
      out.push({ text: "", column: n + 1 });
      break;
    }
  }
  return out;
}

const NUM = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function parseCsv(text: string, file: string, opts: CsvOptions = {}): Result<Table> {
  const issues: DetectIssue[] = [];
  // [LIM-4] size, line length and rows before anything is split
  const limit = checkTableText(file, text);
  if (limit)
    return {
      ok: false,
      issues: [{ code: "CSV_LIMIT", message: limit.message, file, line: limit.line, column: limit.column }],
    };
  const lines = text.split("\n");
  let li = 0;
  while (li < lines.length && lines[li].replace(/\r$/, "").trim() === "") li++;
  if (li >= lines.length) {
    return {
      ok: false,
      issues: [
        {
          code: "CSV_EMPTY",
          message: "no header line: expected a timestamp column then signal columns",
          file,
          line: 1,
          column: 1,
        },
      ],
    };
  }
  const headerLine = lines[li].replace(/\r$/, "").replace(/^\uFEFF/, "");
  const header = splitCsvLine(headerLine);
  if (header && header.length > LIMITS.table.maxColumns) {
    return {
      ok: false,
      issues: [
        {
          code: "CSV_LIMIT",
          message: `more than ${LIMITS.table.maxColumns} columns`,
          file,
          line: li + 1,
          column: header[LIMITS.table.maxColumns].column,
        },
      ],
    };
  }
  if (!header || header.length < 2) {
    return {
      ok: false,
      issues: [
        {
          code: "CSV_HEADER",
          message: "expected a header with a timestamp column and at least one signal column",
          file,
          line: li + 1,
          column: 1,
        },
      ],
    };
  }
  const names = header.map((f) => f.text.trim());
  const labelName = opts.labelColumn?.trim();
  let labelIdx = -1;
  const ignore = new Set((opts.ignore ?? []).map((s) => s.trim()));
  const sigIdx: number[] = [];
  const seen = new Map<string, number>();
  for (let c = 1; c < names.length; c++) {
    const nm = names[c];
    if (labelName !== undefined && nm === labelName) {
      labelIdx = c;
      continue;
    }
    if (ignore.has(nm)) continue;
    if (nm === "") {
      issues.push({
        code: "CSV_HEADER",
        message: `column ${c + 1} has an empty name`,
        file,
        line: li + 1,
        column: header[c].column,
      });
      continue;
    }
    if (seen.has(nm)) {
      issues.push({
        code: "CSV_HEADER",
        message: `duplicate column name "${nm}"`,
        file,
        line: li + 1,
        column: header[c].column,
      });
      continue;
    }
    seen.set(nm, c);
    sigIdx.push(c);
  }
  if (labelName !== undefined && labelIdx < 0 && (opts.requireLabel ?? true)) {
    issues.push({
      code: "CSV_LABEL_MISSING",
      message: `label column "${labelName}" not found in header`,
      file,
      line: li + 1,
      column: 1,
    });
  }
  if (sigIdx.length === 0) {
    issues.push({
      code: "CSV_HEADER",
      message: "no signal columns after the timestamp column",
      file,
      line: li + 1,
      column: 1,
    });
  }
  if (issues.length > 0) return { ok: false, issues };

  const m = sigIdx.length;
  const rawTimes: string[] = [];
  const epochs: number[] = [];
  const walls: number[] = [];
  const lineNos: number[] = [];
  let vals = new Float64Array(1024 * m);
  const labels: number[] = [];
  let rows = 0;
  for (let k = li + 1; k < lines.length; k++) {
    const line = lines[k].replace(/\r$/, "");
    if (line.trim() === "") continue;
    const lineNo = k + 1;
    const fields = splitCsvLine(line);
    if (!fields) {
      issues.push({
        code: "CSV_QUOTE",
        message: "unterminated quoted field",
        file,
        line: lineNo,
        column: line.length + 1,
      });
      if (issues.length >= 20) break;
      continue;
    }
    if (fields.length !== names.length) {
      issues.push({
        code: "CSV_FIELDS",
        message: `expected ${names.length} fields as in the header, found ${fields.length}`,
        file,
        line: lineNo,
        column: fields.length > names.length ? fields[names.length].column : line.length + 1,
      });
      if (issues.length >= 20) break;
      continue;
    }
    const t = parseTimestamp(fields[0].text);
    if (!t) {
      issues.push({
        code: "CSV_TIME",
        message: `"${fields[0].text.trim()}" is not a timestamp: expected ISO 8601 or dd/mm/yy HH`,
        file,
        line: lineNo,
        column: fields[0].column,
      });
      if (issues.length >= 20) break;
      continue;
    }
    if ((rows + 1) * m > vals.length) {
      const nv = new Float64Array(vals.length * 2);
      nv.set(vals);
      vals = nv;
    }
    let bad = false;
    for (let j = 0; j < m; j++) {
      const f = fields[sigIdx[j]];
      const s = f.text.trim();
      let v: number;
      if (s === "" || s === "NaN" || s === "nan" || s === "NA") v = Number.NaN;
      else if (NUM.test(s)) v = Number(s);
      else {
        issues.push({
          code: "CSV_NUMBER",
          message: `"${s}" in column "${names[sigIdx[j]]}" is not a number`,
          file,
          line: lineNo,
          column: f.column,
        });
        bad = true;
        break;
      }
      vals[rows * m + j] = v;
    }
    if (bad) {
      if (issues.length >= 20) break;
      continue;
    }
    if (labelIdx >= 0) {
      const s = fields[labelIdx].text.trim();
      labels.push(s === "1" || s === "1.0" ? 1 : s === "0" || s === "0.0" ? 0 : -1);
    }
    rawTimes.push(fields[0].text);
    epochs.push(t.epoch);
    walls.push(t.wall);
    lineNos.push(lineNo);
    rows++;
  }
  if (issues.length > 0) return { ok: false, issues };
  if (rows === 0)
    return {
      ok: false,
      issues: [{ code: "CSV_EMPTY", message: "no data rows after the header", file, line: li + 2, column: 1 }],
    };
  return {
    ok: true,
    value: {
      file,
      signals: sigIdx.map((c) => names[c]),
      rawTimes,
      epoch: Float64Array.from(epochs),
      wall: Float64Array.from(walls),
      values: vals.slice(0, rows * m),
      labels: labelIdx >= 0 ? Int8Array.from(labels) : undefined,
      lines: Int32Array.from(lineNos),
    },
  };
}

/** Labels only (timestamp + label column); other columns are ignored. Used by `detect score`. */
export interface LabelTable {
  file: string;
  keys: string[];
  labels: Int8Array;
  lines: Int32Array;
}

export function parseLabels(text: string, file: string, labelColumn: string): Result<LabelTable> {
  const lines = text.split("\n");
  let li = 0;
  while (li < lines.length && lines[li].trim() === "") li++;
  if (li >= lines.length)
    return { ok: false, issues: [{ code: "CSV_EMPTY", message: "no header line", file, line: 1, column: 1 }] };
  const header = splitCsvLine(lines[li].replace(/\r$/, "").replace(/^\uFEFF/, ""));
  const names = (header ?? []).map((f) => f.text.trim());
  const idx = names.indexOf(labelColumn.trim());
  if (idx <= 0) {
    return {
      ok: false,
      issues: [
        {
          code: "CSV_LABEL_MISSING",
          message: `label column "${labelColumn}" not found in header`,
          file,
          line: li + 1,
          column: 1,
        },
      ],
    };
  }
  const keys: string[] = [];
  const labels: number[] = [];
  const lineNos: number[] = [];
  const issues: DetectIssue[] = [];
  for (let k = li + 1; k < lines.length; k++) {
    const line = lines[k].replace(/\r$/, "");
    if (line.trim() === "") continue;
    const f = splitCsvLine(line);
    if (!f || f.length <= idx) {
      issues.push({
        code: "CSV_FIELDS",
        message: `expected at least ${idx + 1} fields`,
        file,
        line: k + 1,
        column: line.length + 1,
      });
      if (issues.length >= 20) break;
      continue;
    }
    const s = f[idx].text.trim();
    keys.push(f[0].text.trim());
    labels.push(s === "1" || s === "1.0" ? 1 : s === "0" || s === "0.0" ? 0 : -1);
    lineNos.push(k + 1);
  }
  if (issues.length) return { ok: false, issues };
  return { ok: true, value: { file, keys, labels: Int8Array.from(labels), lines: Int32Array.from(lineNos) } };
}

/** Flags file (`timestamp,score,flag`). */
export interface FlagTable {
  keys: string[];
  flags: Uint8Array;
}

export function parseFlags(text: string, file: string): Result<FlagTable> {
  const lines = text.split("\n");
  let li = 0;
  while (li < lines.length && lines[li].trim() === "") li++;
  const header = splitCsvLine((lines[li] ?? "").replace(/\r$/, ""));
  const names = (header ?? []).map((f) => f.text.trim().toLowerCase());
  const fi = names.indexOf("flag");
  if (fi <= 0)
    return {
      ok: false,
      issues: [
        { code: "CSV_HEADER", message: 'expected a header "timestamp,score,flag"', file, line: li + 1, column: 1 },
      ],
    };
  const keys: string[] = [];
  const flags: number[] = [];
  const issues: DetectIssue[] = [];
  for (let k = li + 1; k < lines.length; k++) {
    const line = lines[k].replace(/\r$/, "");
    if (line.trim() === "") continue;
    const f = splitCsvLine(line);
    if (!f || f.length <= fi) {
      issues.push({
        code: "CSV_FIELDS",
        message: `expected ${names.length} fields`,
        file,
        line: k + 1,
        column: line.length + 1,
      });
      if (issues.length >= 20) break;
      continue;
    }
    const s = f[fi].text.trim();
    if (s !== "0" && s !== "1") {
      issues.push({
        code: "CSV_FLAG",
        message: `flag must be 0 or 1, found "${s}"`,
        file,
        line: k + 1,
        column: f[fi].column,
      });
      if (issues.length >= 20) break;
      continue;
    }
    keys.push(f[0].text.trim());
    flags.push(s === "1" ? 1 : 0);
  }
  if (issues.length) return { ok: false, issues };
  return { ok: true, value: { keys, flags: Uint8Array.from(flags) } };
}

/** Quotes a CSV cell only when needed. */
export function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
