/** Errors of the twin are data, in the shape the detectors use: where (file:line:col, or `path` naming a
 * parameter) and what was expected. */
import type { DetectIssue } from "../detect/errors.ts";
import { LIMITS } from "../model/limits.ts";

export type TwinIssue = DetectIssue;
export type TwinResult<T> = { ok: true; value: T } | { ok: false; issues: TwinIssue[] };

/** Bounded text ([LIM-4]): the limits of line-oriented files come from the one limits module. */
export const TEXT_LIMITS = LIMITS.text;

export interface Line {
  /** 1-based line number. */
  no: number;
  text: string;
}

/** Splits a text into lines within TEXT_LIMITS, or returns the located reason it cannot. */
export function boundedLines(text: string, file: string): TwinResult<Line[]> {
  if (text.length > TEXT_LIMITS.maxBytes)
    return fail(file, 1, 1, "size-limit", `file is larger than ${TEXT_LIMITS.maxBytes} characters`);
  const raw = text.split(/\r\n|\n|\r/);
  if (raw.length > TEXT_LIMITS.maxLines)
    return fail(file, TEXT_LIMITS.maxLines + 1, 1, "size-limit", `more than ${TEXT_LIMITS.maxLines} lines`);
  const lines: Line[] = [];
  for (let i = 0; i < raw.length; i++) {
    const t = raw[i] as string;
    if (t.length > TEXT_LIMITS.maxLineLength)
      return fail(
        file,
        i + 1,
        TEXT_LIMITS.maxLineLength + 1,
        "size-limit",
        `line longer than ${TEXT_LIMITS.maxLineLength} characters`,
      );
    lines.push({ no: i + 1, text: t });
  }
  return { ok: true, value: lines };
}

export function fail<T>(file: string, line: number, column: number, code: string, message: string): TwinResult<T> {
  return { ok: false, issues: [{ code, message, file, line, column }] };
}

/** Tokens of a line with their 1-based columns, split on whitespace (and commas when asked). */
export function tokens(text: string, commas = false): { text: string; col: number }[] {
  const out: { text: string; col: number }[] = [];
  const re = commas ? /[^\s,]+/g : /\S+/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push({ text: m[0], col: m.index + 1 });
  return out;
}

/** Removes a `;` comment, keeping columns. */
export function stripComment(text: string): string {
  const i = text.indexOf(";");
  return i < 0 ? text : text.slice(0, i);
}
