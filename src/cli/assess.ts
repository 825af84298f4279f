/**
 * `rampart assess <model>`: categorization, criticality, findings, attack paths and choke points.
 * Exit codes: 0 ok, 1 invalid model or input file (each issue printed as file:line:col: error: message),
 * 2 usage error. Bad input never prints a stack trace.
 */
import { readFile, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { parseAcceptedRisks } from "../assess/accepted.ts";
import { type Actor, parseActors } from "../assess/actors.ts";
import { assess } from "../assess/assess.ts";
import { type KevCatalogue, parseKevCatalogue } from "../assess/catalogue.ts";
import { type FindingFilter, filterFindings, THEMES } from "../assess/groups.ts";
import { htmlReport } from "../assess/report-html.ts";
import { type TextHints, textReport } from "../assess/report-text.ts";
import { RULES } from "../assess/rules.ts";
import { type AcceptedRisk, type AssessReport, SEVERITIES, type Severity } from "../assess/types.ts";
import { buildIndex } from "../model/graph.ts";
import { parseJsonText, parseYamlBounded } from "../model/limits.ts";
import { command, EXIT_OK, invalidInput, optionError } from "./command.ts";
import { intOption, loadOrExit } from "./io.ts";

type Opts = {
  json?: boolean;
  accepted?: string;
  severity?: string[];
  rule?: string[];
  service?: string[];
  zone?: string[];
  owner?: string[];
  open?: boolean;
  html?: string;
  kev?: string;
  actors?: string;
  asOf?: string;
  paths?: string;
  top?: string;
};

/** The terminal summary's pointers to more, in this command's options. */
const HINTS: TextHints = {
  everyCve: "--json lists every CVE",
  allFindings: "--json or --html for all",
  filterBy: "filter with --severity, --rule, --service, --zone, --owner",
};

function fileError(file: string, message: string, line = 1, column = 1) {
  return invalidInput([{ file, line, column, message }]);
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
  const p = parseJsonText(file, text);
  if ("error" in p) throw fileError(file, `not valid JSON: ${p.error.message}`, p.error.line, p.error.column);
  const r = parseKevCatalogue(p.data);
  if (!r.ok) throw fileError(file, r.message);
  return r.value;
}

function parseActorData(file: string, data: unknown, source: "model" | "file", line: number): Actor[] {
  const r = parseActors(data, source);
  if (r.issues.length)
    throw invalidInput(
      r.issues.map((i) => ({ file, line, column: 1, message: `${i.path}: ${i.message}` })),
      `${file}: ${r.issues.length} error(s) in the threat actors`,
    );
  return r.actors;
}

async function readActorsFile(file: string): Promise<Actor[]> {
  const text = await readInput(file, "actors");
  const p = parseYamlBounded(file, text);
  if ("error" in p) throw fileError(file, `not valid YAML or JSON: ${p.error.message}`, p.error.line, p.error.column);
  return parseActorData(file, p.data, "file", 1);
}

async function readAccepted(file: string): Promise<AcceptedRisk[]> {
  const text = await readInput(file, "accepted risks");
  const p = parseYamlBounded(file, text); // [LIM-1], [LIM-2]
  if ("error" in p) throw fileError(file, `not valid YAML or JSON: ${p.error.message}`, p.error.line, p.error.column);
  const r = parseAcceptedRisks(p.data);
  if (r.issues.length)
    throw invalidInput(
      r.issues.map((i) => ({ file, line: 1, column: 1, message: `${i.path}: ${i.message}` })),
      `${file}: ${r.issues.length} error(s) in the accepted risks`,
    );
  return r.risks;
}

const list = (v: string, prev: string[] = []) => [
  ...prev,
  ...v
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean),
];

/** The finding filter from the options; unknown values are usage errors naming the option ([FND-4]). */
export function findingFilter(o: Opts, ids: { services: Set<string>; zones: Set<string>; people: Set<string> }) {
  const q: FindingFilter = {};
  const check = (name: string, vals: string[] | undefined, ok: (v: string) => boolean, expected: string) => {
    for (const v of vals ?? []) if (!ok(v)) throw optionError(`--${name}`, expected, v);
    return vals?.length ? vals : undefined;
  };
  const sev = check("severity", o.severity, (v) => (SEVERITIES as readonly string[]).includes(v), SEVERITIES.join("|"));
  if (sev) q.severity = sev as Severity[];
  const rules = new Set<string>([...RULES.map((r) => r.id), ...THEMES.map((t) => t.id)]);
  const rule = check(
    "rule",
    o.rule,
    (v) => rules.has(v) || v.startsWith("kev:"),
    "a rule id or group id (e.g. kev, weak-auth, backups, kev:Microsoft Windows)",
  );
  if (rule) q.rule = rule;
  const svc = check("service", o.service, (v) => ids.services.has(v), "a service id of the model");
  if (svc) q.service = svc;
  const zone = check("zone", o.zone, (v) => ids.zones.has(v), "a zone id of the model");
  if (zone) q.zone = zone;
  const owner = check("owner", o.owner, (v) => ids.people.has(v), "a person id of the model");
  if (owner) q.owner = owner;
  if (o.open) q.open = true;
  return q;
}

function describeFilter(q: FindingFilter): string {
  const parts: string[] = [];
  for (const k of ["severity", "rule", "service", "zone", "owner"] as const)
    if (q[k]?.length) parts.push(`--${k} ${q[k]?.join(",")}`);
  if (q.open) parts.push("--open");
  return parts.join(" ");
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
    .option("--accepted <file>", "accepted risks (YAML or JSON list of {rule, target?, owner, justification, expires})")
    .option("--severity <list>", "only findings of these severities (critical,high,medium,low)", list)
    .option("--rule <list>", "only these rules or groups (e.g. kev, weak-auth, backups, kev:Microsoft Windows)", list)
    .option("--service <list>", "only findings that put these services at risk", list)
    .option("--zone <list>", "only findings in these zones", list)
    .option("--owner <list>", "only findings on services these people answer for", list)
    .option("--open", "leave out findings under a current risk acceptance")
    .action(command(runAssess));
}

async function runAssess(path: string, o: Opts): Promise<number> {
  const asOf = o.asOf ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(`${asOf}T00:00:00Z`)))
    throw optionError("--as-of", "a date YYYY-MM-DD", asOf);
  const maxPaths = intOption("--paths", o.paths, 0) as number;
  const top = intOption("--top", o.top, 1, 1000) as number;
  const loaded = await loadOrExit(path, { json: o.json });
  const kev = o.kev ? await readKev(o.kev) : undefined;
  // the model's own actors (x-actors) come with the model from the loader, as they do on the server
  const actors = o.actors ? await readActorsFile(o.actors) : [];
  const accepted = o.accepted ? await readAccepted(o.accepted) : undefined;
  const m = loaded.model;
  const q = findingFilter(o, {
    services: new Set(m.services.map((x) => x.id)),
    zones: new Set(m.zones.map((x) => x.id)),
    people: new Set(m.people.map((x) => x.id)),
  });
  const index = buildIndex(m);
  // the caller's date ages the KEV catalogue ([KEV-3]); no clock for timings: the report is then byte for byte
  // what the server stores for the same model and options
  const today = new Date().toISOString().slice(0, 10);
  const full = assess(index, { asOf, today, kev, actors, accepted, maxPathsPerActor: maxPaths });
  const filtered = describeFilter(q);
  const report: AssessReport = filtered ? { ...full, ...filterFindings(full.findings, full.groups, q) } : full;
  if (o.json) for (const w of report.warnings) process.stderr.write(`warning: ${w.message}\n`);
  if (o.html) {
    try {
      await writeFile(o.html, htmlReport(report));
    } catch (e) {
      throw invalidInput([{ file: o.html, message: `cannot write: ${(e as NodeJS.ErrnoException).code ?? "error"}` }]);
    }
  }
  if (o.json) process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
  else {
    process.stdout.write(textReport(report, { top, filtered, hints: HINTS }));
    if (o.html) process.stdout.write(`\nHTML report written to ${o.html}\n`);
  }
  return EXIT_OK;
}
