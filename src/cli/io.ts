/** Small helpers shared by the CLI commands: loading a model, parsing numeric options. Errors: command.ts. */
import type { ModelIssue } from "../model/issues.ts";
import { type LoadResult, loadModel } from "../model/load.ts";
import { parseSeed } from "../model/rng.ts";
import { CliError, EXIT_INVALID, optionError, printLocated } from "./command.ts";

export { CliError, EXIT_INVALID, EXIT_OK, EXIT_USAGE } from "./command.ts";

export function printIssues(issues: readonly ModelIssue[], stream: NodeJS.WritableStream = process.stderr, max = 50) {
  printLocated(issues, stream, max);
}

/** Loads a model for a command, or throws a CliError (exit 1) carrying its located issues. */
export async function loadOrExit(
  path: string,
  opts: { json?: boolean } = {},
): Promise<Extract<LoadResult, { ok: true }>> {
  const r = await loadModel(path);
  if (!r.ok) {
    const summary = `${path}: ${r.issues.length} error${r.issues.length === 1 ? "" : "s"}`;
    // with --json the issues go to stdout as data; stderr then only says why the exit code is 1
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ ok: false, issues: r.issues }, null, 2)}\n`);
      throw new CliError(summary, EXIT_INVALID);
    }
    throw new CliError(summary, EXIT_INVALID, r.issues);
  }
  return r;
}

/** Parses a whole number option, or throws a usage error naming the option. */
export function intOption(name: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER) {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max)
    throw optionError(name, `a whole number from ${min} to ${max}`, value);
  return Number(value);
}

/** Parses `--seed`: a whole number of up to 15 digits, or a usage error naming the option. */
export function seedOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const s = parseSeed(value);
  if (s === undefined) throw optionError("--seed", "a whole number (up to 15 digits)", value);
  return s;
}

/** @deprecated The one CLI error type is `CliError` (command.ts); this name stays for branches written before it. */
export const UserError = CliError;
