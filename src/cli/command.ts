/**
 * The one way a CLI command runs ([CLI-2]): every action is wrapped by `command()`, every error the user caused
 * is a `CliError`, and every error prints in one form:
 *
 *   file:line:col: error: message [path]     an input error located in a file (exit 1)
 *   topic T: error: message                  an input error located on an MQTT topic (exit 1)
 *   rampart: message                         anything else: usage errors (exit 2), failed checks (exit 1)
 *
 * Exit codes: 0 ok, 1 invalid input or a failed check, 2 usage error, 70 internal error (a bug: the only case
 * with a stack trace, and only with RAMPART_DEBUG set). Engines return located errors as data (model issues,
 * detection and twin issues, engine errors with a `parameter`); `CliError` carries them as they are.
 */
import { type Command, CommanderError } from "commander";

export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 70;

/** Where an input error is and what was expected: the shape every engine's issue type already has. */
export interface Located {
  message: string;
  file?: string;
  line?: number;
  column?: number;
  /** A field path (`services[3].requires[1]`), printed after the message. */
  path?: string;
  topic?: string;
  severity?: "error" | "warning";
}

/** How many located issues one error prints before "… and N more". */
const MAX_PRINTED = 50;

/** An error the user caused: printed in the one form, never with a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_INVALID,
    /** Located issues printed before the message (which may then be empty, or a summary). */
    readonly issues: readonly Located[] = [],
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** A usage error naming the option: `option --x: expected ..., found "..."` (exit 2). */
export function optionError(option: string, expected: string, found?: string): CliError {
  return new CliError(
    `option ${option}: expected ${expected}${found === undefined ? "" : `, found "${found}"`}`,
    EXIT_USAGE,
  );
}

/** Invalid input, located by the engine or parser that found it (exit 1). */
export function invalidInput(issues: readonly Located[], summary = ""): CliError {
  return new CliError(summary, EXIT_INVALID, issues);
}

/** The option a CLI gives for an engine's parameter: `maxPaths` -> `--max-paths`, unless `options` says else. */
export function optionFor(parameter: string, options: Readonly<Record<string, string>> = {}): string {
  return options[parameter] ?? `--${parameter.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * An engine's refusal ([CLI-2]): engines name their own parameter (`candidates`) and never an option; the CLI
 * prints the option it maps to (`option --candidates: ...`). Exit 1: the value given is not valid input.
 */
export function engineError(
  e: { message: string; parameter?: string },
  options: Readonly<Record<string, string>> = {},
): CliError {
  const where = e.parameter ? `option ${optionFor(e.parameter, options)}: ` : "";
  return new CliError(`${where}${e.message}`, EXIT_INVALID);
}

/** One located issue in the one form. */
export function formatLocated(i: Located): string {
  const sev = i.severity ?? "error";
  const at = i.path ? ` [${i.path}]` : "";
  if (i.file !== undefined) {
    const where = i.line === undefined ? i.file : `${i.file}:${i.line}:${i.column ?? 1}`;
    return `${where}: ${sev}: ${i.message}${at}`;
  }
  if (i.topic !== undefined) return `topic ${i.topic}: ${sev}: ${i.message}${at}`;
  return `rampart: ${i.path ? `${i.path}: ` : ""}${i.message}`;
}

/** Prints located issues (at most `max`, then a count of the rest). */
export function printLocated(
  issues: readonly Located[],
  stream: NodeJS.WritableStream = process.stderr,
  max = MAX_PRINTED,
): void {
  for (const i of issues.slice(0, max)) stream.write(`${formatLocated(i)}\n`);
  if (issues.length > max) stream.write(`… and ${issues.length - max} more\n`);
}

/** Prints any error an action or the parser raised; returns the exit code. Bad input never shows a stack. */
export function reportError(e: unknown, stream: NodeJS.WritableStream = process.stderr): number {
  if (e instanceof CliError) {
    printLocated(e.issues, stream);
    if (e.message) stream.write(`rampart: ${e.message}\n`);
    return e.exitCode;
  }
  if (e instanceof CommanderError)
    return e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help"
      ? EXIT_OK
      : EXIT_USAGE;
  stream.write(`rampart: internal error: ${(e as Error)?.message ?? String(e)}\n`);
  if (process.env.RAMPART_DEBUG) stream.write(`${(e as Error)?.stack}\n`);
  return EXIT_INTERNAL;
}

/** The body of a command: returns its exit code (nothing = 0) or throws a CliError. */
export type Action<A extends unknown[]> = (
  ...args: A
) => Promise<number | undefined> | Promise<void> | number | undefined | void;

const WRAPPED = new WeakSet<object>();
const EXIT = new WeakMap<Command, number>();

function root(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

/**
 * The one command wrapper: `.action(command(async (file, opts) => { ...; return EXIT_OK; }))`. It runs the
 * body, prints any error in the one form, and leaves the exit code for `main` (never `process.exit`, never
 * `process.exitCode`: the CLI runs in-process in tests).
 */
export function command<A extends unknown[]>(fn: Action<A>): (this: Command, ...args: A) => Promise<void> {
  const action = async function (this: Command, ...args: A): Promise<void> {
    let code: number;
    try {
      code = (await fn(...args)) ?? EXIT_OK;
    } catch (e) {
      if (e instanceof CommanderError) throw e;
      code = reportError(e);
    }
    EXIT.set(root(this), code);
  };
  WRAPPED.add(action);
  return action;
}

/** Whether an action handler was made by `command()` (the guard test walks every registered command). */
export function isWrapped(fn: unknown): boolean {
  return typeof fn === "function" && WRAPPED.has(fn);
}

/** The exit code the last action run under this program left (0 when none ran). */
export function exitCodeOf(program: Command): number {
  return EXIT.get(program) ?? EXIT_OK;
}
