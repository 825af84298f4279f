/**
 * `rampart case ...` and `rampart playbook ...`: thin commands over the store `serve` uses (`--data DIR`, or
 * DATABASE_URL) and src/server/cases.ts, the same code the API runs. The command line acts as the user
 * `cli` with every right: whoever can open the store's files can change them anyway; each change is audited.
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import type { z } from "zod";
import {
  AssetsRequest,
  CaseStatus,
  EvidenceRequest,
  NewCaseRequest,
  NoteRequest,
  RunPlaybookRequest,
  TaskRequest,
  TaskUpdateRequest,
} from "../contracts/cases.ts";
import { buildIndex } from "../model/graph.ts";
import { bindPlaybook } from "../respond/binding.ts";
import { parsePlaybook } from "../respond/cacao.ts";
import { BUILT_IN_PLAYBOOKS, builtInText } from "../respond/library.ts";
import { builtInPlaybooks, Cases } from "../server/cases.ts";
import { HttpError } from "../server/http.ts";
import { Models } from "../server/models.ts";
import { openStore, type SqlStore } from "../store/index.ts";
import { CliError, command, EXIT_INVALID, EXIT_OK, EXIT_USAGE, invalidInput, type Located } from "./command.ts";
import { loadOrExit } from "./io.ts";

const out = (s: string) => process.stdout.write(s);
const CLI = { user: "cli" };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type StoreOpt = { data: string };

/** The command-line names of the API's parameters, for refusals. */
const OPTION_OF: Record<string, string> = {
  "body.model": "option --model",
  "path.model": "option --model",
  "path.version": "option --version",
  "body.down": "option --down",
  "body.source.ref": "option --from",
  "body.status": "<status>",
  "body.assets": "<assets>",
  "body.playbook": "<playbook>",
  "body.role": "option --role",
  "body.text": "<file>",
  "path.id": "<case>",
  "path.task": "[task]",
};

/** Opens the store and the case service; refusals (HttpError) become one-line errors, exit 1. */
async function withCases<T>(o: StoreOpt, fn: (c: Cases, s: SqlStore) => Promise<T>): Promise<T> {
  const s = await openStore({ dataDir: o.data, databaseUrl: process.env.DATABASE_URL || undefined });
  try {
    return await fn(new Cases(s, new Models(s, process.cwd())), s);
  } catch (e) {
    if (e instanceof HttpError) {
      const issues = ((e.extra?.issues as Located[] | undefined) ?? []).map((i) => ({ ...i }));
      const name = e.parameter?.replace(/\[\d+\]$/, "");
      const where = name ? `${OPTION_OF[name] ?? name.replace(/^(body|path)\./, "")}: ` : "";
      // a located refusal prints its issues in the one form; others print the message
      if (issues.length) throw new CliError("", EXIT_INVALID, issues);
      throw new CliError(`${where}${e.message}`, e.status === 400 ? EXIT_USAGE : EXIT_INVALID);
    }
    throw e;
  } finally {
    await s.close();
  }
}

/** Checks a request with the API's own schema; the first problem names the option. */
function parse<S extends z.ZodType>(schema: S, value: unknown, option: (path: PropertyKey[]) => string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const i = r.error.issues[0];
  const key = i.code === "unrecognized_keys" ? [...i.path, i.keys[0]] : i.path;
  throw new CliError(`option ${option(key)}: ${i.message}`, EXIT_USAGE);
}

function caseId(v: string): string {
  if (!UUID.test(v))
    throw new CliError(`argument <case>: expected a case id (a UUID), found "${v.slice(0, 60)}"`, EXIT_USAGE);
  return v.toLowerCase();
}

const list = (v: string | undefined) =>
  (v ?? "")
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

const hours = (h: number) => (h < 48 ? `${h.toFixed(1)} h` : `${(h / 24).toFixed(1)} days`);
const num = (n: number) => Math.round(n).toLocaleString("en-US");

export function registerRespond(program: Command): void {
  const kase = program
    .command("case")
    .description("Incident cases: open, work, run playbooks, close (docs/respond.md)");
  const withData = (c: Command) =>
    c.option("--data <dir>", "data folder of the embedded store (or DATABASE_URL)", ".rampart");

  withData(
    kase
      .command("open")
      .description("Open a case against a stored model")
      .requiredOption("--model <id>", "the stored model (as `serve` holds it)")
      .option("--version <n>", "model version (default: latest)")
      .requiredOption("--title <text>", "what happened, in a line")
      .option(
        "--from <kind:ref>",
        "what it was opened from: alert:ID, finding:ID, simulation:RESULT (default: by hand)",
      )
      .option("--down <ids>", "assets known to be down, comma-separated")
      .option("--json", "print the case as JSON"),
  ).action(
    command(
      async (
        o: StoreOpt & { model: string; version?: string; title: string; from?: string; down?: string; json?: boolean },
      ) => {
        let source: { kind: string; ref?: string } = { kind: "manual" };
        if (o.from) {
          const [kind, ...rest] = o.from.split(":");
          source = rest.length ? { kind, ref: rest.join(":") } : { kind };
        }
        const body = parse(
          NewCaseRequest,
          {
            model: o.model,
            ...(o.version !== undefined ? { version: Number(o.version) } : {}),
            title: o.title,
            source,
            down: list(o.down),
          },
          (p) => (p[0] === "source" ? "--from" : `--${String(p[0])}`),
        );
        const c = await withCases(o, (cs) => cs.open(body, CLI));
        out(
          o.json
            ? `${JSON.stringify(c, null, 2)}\n`
            : `${c.id}\topened (${c.severity}, ${c.assetsDown} asset(s) down)\n`,
        );
      },
    ),
  );

  withData(
    kase
      .command("list")
      .description("List cases, newest first")
      .option("--model <id>", "only this model's")
      .option("--status <status>", "only cases with this status")
      .option("--json", "print as JSON"),
  ).action(
    command(async (o: StoreOpt & { model?: string; status?: string; json?: boolean }) => {
      const status = o.status === undefined ? undefined : parse(CaseStatus, o.status, () => "--status");
      const cases = await withCases(o, (_c, s) => s.cases.listCases({ modelId: o.model, status }));
      if (o.json) out(`${JSON.stringify({ cases }, null, 2)}\n`);
      else
        for (const c of cases)
          out(`${c.id}  ${c.status.padEnd(10)} ${c.severity.padEnd(8)} ${c.modelId}@${c.version}  ${c.title}\n`);
    }),
  );

  withData(
    kase
      .command("show")
      .description("A case: impact now, asset log, tasks with their people, timeline, evidence")
      .argument("<case>", "case id")
      .option("--json", "print as JSON"),
  ).action(
    command(async (id: string, o: StoreOpt & { json?: boolean }) => {
      const d = await withCases(o, (c) => c.detail(caseId(id)));
      if (o.json) {
        out(`${JSON.stringify(d, null, 2)}\n`);
        return;
      }
      const c = d.case;
      out(`${c.title}\n${c.id}  ${c.status}  model ${c.modelId}@${c.version}  opened ${c.openedAt} by ${c.openedBy}\n`);
      if (d.impact) {
        const i = d.impact;
        out(
          `severity ${i.severity}; ${i.down.length} asset(s) down; ${num(i.personHours)} person-hours lost over ${hours(i.hours)} (weighted ${num(i.weightedLoss)})\n`,
        );
        for (const s of i.services)
          out(
            `  ${s.id.padEnd(28)} worst level ${s.worstLevel.toFixed(2)}  ${num(s.personHours).padStart(12)} person-hours\n`,
          );
      } else out(`impact: ${d.impactError}\n`);
      const name = new Map(d.people.map((p) => [p.id, `${p.name} (${p.role})`]));
      if (d.tasks.length) out("tasks\n");
      for (const t of d.tasks)
        out(
          `  ${t.id}  ${t.status.padEnd(7)} ${t.title}  R: ${name.get(t.responsible) ?? t.responsible}  A: ${name.get(t.accountable) ?? t.accountable}${t.outcome ? `  outcome: ${t.outcome}` : ""}\n`,
        );
      if (d.evidence.length) out("evidence\n");
      for (const e of d.evidence) out(`  ${e.name}  ${e.size} bytes  sha256 ${e.sha256}\n`);
      out("timeline\n");
      for (const e of d.timeline) out(`  ${e.at}  ${e.actor.padEnd(10)} ${e.kind.padEnd(11)} ${e.text}\n`);
    }),
  );

  withData(
    kase
      .command("status")
      .description("Move a case to its next status: contained, eradicated, recovered, closed")
      .argument("<case>", "case id")
      .argument("<status>", "the next status")
      .option("--note <text>", "why"),
  ).action(
    command(async (id: string, status: string, o: StoreOpt & { note?: string }) => {
      const to = parse(CaseStatus, status, () => "<status>");
      const c = await withCases(o, (cs) => cs.setStatus(caseId(id), to, o.note, CLI));
      out(`${c.id}\t${c.status}\n`);
    }),
  );

  for (const [verb, state] of [
    ["down", "down"],
    ["restore", "restored"],
  ] as const) {
    withData(
      kase
        .command(verb)
        .description(verb === "down" ? "Mark assets down in a case" : "Mark assets restored in a case")
        .argument("<case>", "case id")
        .argument("<assets>", "asset ids, comma-separated"),
    ).action(
      command(async (id: string, assets: string, o: StoreOpt) => {
        const body = parse(AssetsRequest, { assets: list(assets), state }, () => "<assets>");
        const c = await withCases(o, (cs) => cs.markAssets(caseId(id), body.assets, body.state, CLI));
        out(`${c.id}\t${c.assetsDown} asset(s) down, severity ${c.severity}\n`);
      }),
    );
  }

  withData(
    kase
      .command("note")
      .description("Add a note to a case's timeline")
      .argument("<case>", "case id")
      .argument("<text>", "the note"),
  ).action(
    command(async (id: string, text: string, o: StoreOpt) => {
      const body = parse(NoteRequest, { text }, () => "<text>");
      await withCases(o, async (cs, s) => {
        await cs.get(caseId(id));
        await s.cases.addNote(caseId(id), body.text, CLI);
      });
    }),
  );

  withData(
    kase
      .command("evidence")
      .description("Attach an evidence file; its SHA-256 is recorded in the timeline and the audit log")
      .argument("<case>", "case id")
      .argument("<file>", "the file")
      .option("--media-type <type>", "its media type", "application/octet-stream"),
  ).action(
    command(async (id: string, file: string, o: StoreOpt & { mediaType: string }) => {
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (e) {
        throw new CliError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? "error"})`, EXIT_INVALID);
      }
      if (bytes.length > 10 * 1024 * 1024) throw new CliError(`${file}: larger than the 10 MiB evidence limit`);
      const name = file.split("/").pop() as string;
      parse(EvidenceRequest, { name, mediaType: o.mediaType, content: "" }, (p) =>
        p[0] === "name" ? "<file>" : "--media-type",
      );
      const e = await withCases(o, async (cs, s) => {
        await cs.get(caseId(id));
        return s.cases.addEvidence(caseId(id), { name, mediaType: o.mediaType, bytes }, CLI);
      });
      out(`${e.id}\tsha256 ${e.sha256}\n`);
    }),
  );

  withData(
    kase
      .command("playbook")
      .description("Run a playbook in a case: one task per action step, assigned to the model's people")
      .argument("<case>", "case id")
      .argument("<playbook>", "a built-in scenario id (ransomware, ...) or an imported playbook's id"),
  ).action(
    command(async (id: string, ref: string, o: StoreOpt) => {
      const body = parse(RunPlaybookRequest, { playbook: ref }, () => "<playbook>");
      const tasks = await withCases(o, (cs) => cs.runPlaybook(caseId(id), body.playbook, CLI));
      for (const t of tasks) out(`${t.id}\t${t.title}\t${t.responsible}\n`);
    }),
  );

  withData(
    kase
      .command("task")
      .description("Add a task by role (--add), or finish one: done, failed or skipped, with its outcome")
      .argument("<case>", "case id")
      .argument("[task]", "task id (to finish it)")
      .argument("[status]", "done, failed or skipped")
      .option("--outcome <text>", "what came of it")
      .option("--add <title>", "add a task with this title")
      .option("--role <role>", "the role of who takes the added task (as the model writes it)")
      .option("--assets <ids>", "assets the added task is about"),
  ).action(
    command(
      async (
        id: string,
        task: string | undefined,
        status: string | undefined,
        o: StoreOpt & { outcome?: string; add?: string; role?: string; assets?: string },
      ) => {
        if (o.add !== undefined) {
          const body = parse(
            TaskRequest,
            { title: o.add, role: o.role ?? "", assets: list(o.assets) },
            (p) => `--${p[0] === "title" ? "add" : String(p[0])}`,
          );
          const t = await withCases(o, (cs) => cs.addTask(caseId(id), body, CLI));
          out(`${t.id}\t${t.title}\t${t.responsible}\n`);
          return;
        }
        if (!task || !UUID.test(task)) throw new CliError("argument [task]: expected a task id (a UUID)", EXIT_USAGE);
        const body = parse(TaskUpdateRequest, { status, ...(o.outcome ? { outcome: o.outcome } : {}) }, (p) =>
          p[0] === "outcome" ? "--outcome" : "[status]",
        );
        const t = await withCases(o, async (cs, s) =>
          s.cases.updateTask((await cs.get(caseId(id))).id, task.toLowerCase(), body, CLI),
        );
        out(`${t.id}\t${t.status}\n`);
      },
    ),
  );

  // ---- playbooks ------------------------------------------------------------------------------------------
  const pb = program.command("playbook").description("OASIS CACAO 2.0 playbooks: validate, import, list, export");

  pb.command("validate")
    .description("Validate a CACAO 2.0 playbook file; with --model, bind it to a model's people and assets")
    .argument("<file>", "playbook JSON file")
    .option("--model <path>", "a model file or folder to bind against")
    .option("--json", "print the result as JSON")
    .action(
      command(async (file: string, o: { model?: string; json?: boolean }) => {
        let text: string;
        try {
          text = await readFile(file, "utf8");
        } catch (e) {
          throw new CliError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? "error"})`, EXIT_INVALID);
        }
        const p = parsePlaybook(text, file);
        let issues = p.ok ? [] : p.issues;
        let steps: number | null = null;
        if (p.ok && o.model) {
          const { model } = await loadOrExit(o.model, o);
          const b = bindPlaybook(p.playbook, model, buildIndex(model), { text, file });
          if (b.ok) steps = b.steps.length;
          else issues = b.issues;
        }
        if (o.json) out(`${JSON.stringify({ ok: issues.length === 0, issues, steps }, null, 2)}\n`);
        else if (issues.length) {
          throw invalidInput(issues, `${file}: ${issues.length} error${issues.length === 1 ? "" : "s"}`);
        } else
          out(`${file}: valid CACAO 2.0 playbook${steps !== null ? ` (${steps} steps bound to ${o.model})` : ""}\n`);
        return issues.length ? EXIT_INVALID : EXIT_OK;
      }),
    );

  withData(
    pb
      .command("import")
      .description("Import a playbook into the store (validated, and bound to a stored model with --model)")
      .argument("<file>", "playbook JSON file")
      .option("--model <id>", "a stored model to bind it against first"),
  ).action(
    command(async (file: string, o: StoreOpt & { model?: string }) => {
      let text: string;
      try {
        text = await readFile(file, "utf8");
      } catch (e) {
        throw new CliError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? "error"})`, EXIT_INVALID);
      }
      const info = await withCases(o, (cs) => cs.importPlaybook(text, file, o.model, CLI));
      out(`${info.id}\t${info.name}\t${info.steps} steps\n`);
    }),
  );

  withData(pb.command("list").description("Built-in and imported playbooks").option("--json", "print as JSON")).action(
    command(async (o: StoreOpt & { json?: boolean }) => {
      // the built-ins need no store: a store is opened only when one exists
      const hasStore = !!process.env.DATABASE_URL || existsSync(join(o.data, "rampart.db"));
      const list = hasStore ? await withCases(o, (cs) => cs.listPlaybooks()) : builtInPlaybooks();
      if (o.json) out(`${JSON.stringify({ playbooks: list }, null, 2)}\n`);
      else
        for (const p of list)
          out(
            `${(p.scenario ?? p.id).padEnd(24)} ${p.builtIn ? "built-in" : "imported"}  ${p.steps} steps  ${p.name}\n`,
          );
    }),
  );

  withData(
    pb
      .command("export")
      .description("Write a playbook as CACAO 2.0 JSON")
      .argument("<playbook>", "a built-in scenario id or an imported playbook's id")
      .option("--out <file>", "write to a file instead of standard output"),
  ).action(
    command(async (ref: string, o: StoreOpt & { out?: string }) => {
      const body = parse(RunPlaybookRequest, { playbook: ref }, () => "<playbook>");
      const builtIn = Object.entries(BUILT_IN_PLAYBOOKS).find(
        ([k, v]) => k === body.playbook || v.id === body.playbook,
      );
      const text = builtIn
        ? (builtInText(builtIn[0]) as string)
        : await withCases(o, async (cs) => (await cs.resolvePlaybook(body.playbook, "<playbook>")).text);
      if (o.out) await writeFile(o.out, text.endsWith("\n") ? text : `${text}\n`);
      else out(text.endsWith("\n") ? text : `${text}\n`);
    }),
  );
}
