/**
 * `rampart assess <model>`: categorization, criticality, findings, attack paths and choke points.
 * Exit codes: 0 ok, 1 invalid model or input file (each issue printed as file:line:col: error: message),
 * 2 usage error. Bad input never prints a stack trace.
 */
import { readFile, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import yaml from "js-yaml";
import { type Actor, parseActors } from "../assess/actors.ts";
import { assess } from "../assess/assess.ts";
import { type KevCatalogue, parseKevCatalogue } from "../assess/catalogue.ts";
import { htmlReport } from "../assess/report-html.ts";
import { textReport } from "../assess/report-text.ts";
import { buildIndex } from "../model/graph.ts";
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, intOption, loadOrExit, UserError } from "./io.ts";

type Opts = {
  json?: boolean;
  html?: string;
  kev?: string;
  actors?: string;
  asOf?: string;
  paths?: string;
  top?: string;
};

function fileError(file: string, message: string, line = 1, column = 1): UserError {
  process.stderr.write(`${file}:${line}:${column}: error: ${message}\n`);
  return new UserError(`${file}: invalid input`, EXIT_INVALID);
}

async function readInput(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    throw fileError(file, `cannot read the ${what} file: ${(e as NodeJS.ErrnoException).code ?? "error"}`);
  }
}

async function readKev(file: string): Promise<KevCatalogue> {
  const text = await readInput(file, "KEV catalogue");
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw fileError(file, `not valid JSON: ${(e as Error).message}`);
  }
  const r = parseKevCatalogue(data);
  if (!r.ok) throw fileError(file, r.message);
  return r.value;
}

function parseActorData(file: string, data: unknown, source: "model" | "file", line: number): Actor[] {
  const r = parseActors(data, source);
  if (r.issues.length) {
    for (const i of r.issues.slice(0, 20)) process.stderr.write(`${file}:${line}:1: error: ${i.path}: ${i.message}\n`);
    throw new UserError(`${file}: ${r.issues.length} error(s) in the threat actors`, EXIT_INVALID);
  }
  return r.actors;
}

async function readActorsFile(file: string): Promise<Actor[]> {
  const text = await readInput(file, "actors");
  let data: unknown;
  try {
    data = yaml.load(text, { schema: yaml.CORE_SCHEMA, filename: file });
  } catch (e) {
    const mark = e instanceof yaml.YAMLException ? e.mark : undefined;
    const reason = e instanceof yaml.YAMLException ? e.reason : (e as Error).message;
    throw fileError(file, `not valid YAML or JSON: ${reason}`, mark ? mark.line + 1 : 1, mark ? mark.column + 1 : 1);
  }
  return parseActorData(file, data, "file", 1);
}

export function registerAssess(program: Command): void {
  program
    .command("assess")
    .description(
      "Assess a model: categorization, criticality, findings, attack paths and choke points (--json, --html)",
    )
    .argument("<model>", "model file or folder")
    .option("--json", "print the whole assessment as JSON")
    .option("--html <file>", "write a self-contained HTML report")
    .option("--kev <file>", "a newer CISA KEV catalogue (JSON) instead of the shipped snapshot")
    .option("--actors <file>", "more threat actors (YAML or JSON list); same id replaces a built-in one")
    .option("--as-of <date>", "assessment date YYYY-MM-DD (default: today)")
    .option("--paths <n>", "attack paths reported per actor, most likely first (0 = all)", "25")
    .option("--top <n>", "lines per section in the terminal summary", "10")
    .action(async (path: string, o: Opts) => {
      process.exitCode = await runAssess(path, o);
    });
}

async function runAssess(path: string, o: Opts): Promise<number> {
  const asOf = o.asOf ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(`${asOf}T00:00:00Z`)))
    throw new UserError(`option --as-of: expected a date YYYY-MM-DD, found "${asOf}"`, EXIT_USAGE);
  const maxPaths = intOption("--paths", o.paths, 0) as number;
  const top = intOption("--top", o.top, 1, 1000) as number;
  const loaded = await loadOrExit(path, { json: o.json });
  const kev = o.kev ? await readKev(o.kev) : undefined;
  // the model's own actors (x-actors) come with the model from the loader, as they do on the server
  const actors = o.actors ? await readActorsFile(o.actors) : [];
  const index = buildIndex(loaded.model);
  // no clock: the report is then byte for byte what the server stores for the same model and options
  const report = assess(index, { asOf, kev, actors, maxPathsPerActor: maxPaths });
  if (o.html) {
    try {
      await writeFile(o.html, htmlReport(report));
    } catch (e) {
      throw new UserError(`cannot write ${o.html}: ${(e as NodeJS.ErrnoException).code ?? "error"}`, EXIT_INVALID);
    }
  }
  if (o.json) process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
  else {
    process.stdout.write(textReport(report, { top }));
    if (o.html) process.stdout.write(`\nHTML report written to ${o.html}\n`);
  }
  return EXIT_OK;
}
