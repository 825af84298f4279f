/** Small helpers shared by the CLI commands: exit codes, errors without stack traces, issue printing. */
import { formatIssue, type ModelIssue } from "../model/issues.ts";
import { type LoadResult, loadModel } from "../model/load.ts";
import { parseSeed } from "../model/rng.ts";

export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;

/** An error the user caused: printed as one line, never with a stack trace. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_INVALID,
  ) {
    super(message);
  }
}

export function printIssues(issues: readonly ModelIssue[], stream: NodeJS.WritableStream = process.stderr, max = 50) {
  for (const i of issues.slice(0, max)) stream.write(`${formatIssue(i)}\n`);
  if (issues.length > max) stream.write(`… and ${issues.length - max} more\n`);
}

/** Loads a model for a command; prints its errors and throws a UserError (exit 1) if it is invalid. */
export async function loadOrExit(
  path: string,
  opts: { json?: boolean } = {},
): Promise<Extract<LoadResult, { ok: true }>> {
  const r = await loadModel(path);
  if (!r.ok) {
    if (opts.json) process.stdout.write(`${JSON.stringify({ ok: false, issues: r.issues }, null, 2)}\n`);
    else printIssues(r.issues);
    throw new UserError(`${path}: ${r.issues.length} error${r.issues.length === 1 ? "" : "s"}`, EXIT_INVALID);
  }
  return r;
}

/** Parses a whole number option, or throws a usage error naming the option. */
export function intOption(name: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER) {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max)
    throw new UserError(`option ${name}: expected a whole number from ${min} to ${max}, found "${value}"`, EXIT_USAGE);
  return Number(value);
}

/** Parses `--seed`: a whole number of up to 15 digits, or a usage error naming the option. */
export function seedOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const s = parseSeed(value);
  if (s === undefined)
    throw new UserError(`option --seed: expected a whole number (up to 15 digits), found "${value}"`, EXIT_USAGE);
  return s;
}
