/**
 * The `rampart` command line: thin commands over the model and the engines.
 * Exit codes: 0 ok, 1 invalid input or a failed check, 2 usage error. Bad input never shows a stack trace.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Command, Option } from "commander";
import { describeModel, requirementGraph, toDot, toMermaid } from "../model/describe.ts";
import { generateFiles } from "../model/generate.ts";
import { modelJsonSchema } from "../model/json-schema.ts";
import { loadModel } from "../model/load.ts";
import { registerAssess } from "./assess.ts";
import { registerAudit } from "./audit.ts";
import { CliError, command, EXIT_INVALID, EXIT_OK, EXIT_USAGE, exitCodeOf, reportError } from "./command.ts";
import { registerDetect } from "./detect.ts";
import { registerExercise } from "./exercise.ts";
import { registerGovern } from "./govern.ts";
import { registerInventory } from "./inventory.ts";
import { registerInvest } from "./invest.ts";
import { intOption, loadOrExit, printIssues } from "./io.ts";
import { registerRecover } from "./recover.ts";
import { registerRespond } from "./respond.ts";
import { registerServe } from "./serve.ts";
import { registerShare } from "./share.ts";
import { registerSimulate } from "./simulate.ts";
import { registerTwin } from "./twin.ts";
import { registerWorker } from "./worker.ts";

const out = (s: string) => process.stdout.write(s);

export function buildProgram(): Command {
  const program = new Command("rampart")
    .description("Rampart: keep a city's critical services running through cyber attacks.")
    .version("0.1.0")
    .showHelpAfterError("(run with --help for usage)")
    // commander's own usage errors print as `rampart: ...` like every other error ([CLI-2]); subcommands inherit it
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(s.replace(/^error: /, "rampart: ")),
    });

  program
    .command("validate")
    .description("Check a model (a YAML file or a folder of them); print every error as file:line:col")
    .argument("<model>", "model file or folder")
    .option("--json", "print the result as JSON")
    .option("--no-warnings", "do not print warnings")
    .action(
      command(async (path: string, o: { json?: boolean; warnings: boolean }) => {
        const r = await loadModel(path);
        if (o.json) {
          out(
            `${JSON.stringify(
              r.ok
                ? { ok: true, files: r.files.length, warnings: r.warnings }
                : { ok: false, files: r.files.length, issues: r.issues, warnings: r.warnings },
              null,
              2,
            )}\n`,
          );
        } else {
          if (!r.ok) printIssues(r.issues, process.stderr, 200);
          if (o.warnings) printIssues(r.warnings, process.stderr, 30);
          if (r.ok) {
            const m = r.model;
            out(
              `${path}: valid (${r.files.length} file${r.files.length === 1 ? "" : "s"}; ${m.services.length} services, ${m.assets.length} assets, ${m.zones.length - 1} zones; ${r.warnings.length} warning${r.warnings.length === 1 ? "" : "s"})\n`,
            );
          } else {
            process.stderr.write(`${path}: ${r.issues.length} error${r.issues.length === 1 ? "" : "s"}\n`);
          }
        }
        return r.ok ? EXIT_OK : EXIT_INVALID;
      }),
    );

  program
    .command("describe")
    .description("Summarize a model: counts by kind, layer, zone and sector; services with population and objectives")
    .argument("<model>", "model file or folder")
    .option("--json", "print as JSON")
    .action(
      command(async (path: string, o: { json?: boolean }) => {
        const { model } = await loadOrExit(path, o);
        const d = describeModel(model);
        if (o.json) {
          out(`${JSON.stringify(d, null, 2)}\n`);
          return EXIT_OK;
        }
        const num = (n: number) => n.toLocaleString("en-US");
        const table = (title: string, rec: Record<string, number>) =>
          `${title}\n${Object.entries(rec)
            .map(([k, v]) => `  ${k.padEnd(28)} ${String(v).padStart(7)}`)
            .join("\n")}\n`;
        out(`${d.city.name}: ${num(d.city.population)} people\n\n`);
        out(
          `${Object.entries(d.counts)
            .map(([k, v]) => `${num(v)} ${k}`)
            .join(", ")}\n\n`,
        );
        out(table("Assets by layer", d.assetsByLayer));
        out(table("Assets by kind", d.assetsByKind));
        out(table("Assets by zone", d.assetsByZone));
        out(table("Services by sector", d.servicesBySector));
        out("\nServices\n");
        for (const s of d.services) {
          const ob = s.objectives;
          const objectives = [ob.rto && `RTO ${ob.rto}`, ob.rpo && `RPO ${ob.rpo}`, ob.mtd && `MTD ${ob.mtd}`]
            .concat((ob.restore ?? []).map((r) => `${Math.round(r.level * 100)}% within ${r.within}`))
            .filter(Boolean)
            .join(", ");
          const fb = s.fallback ? `; fallback ${Math.round(s.fallback.level * 100)}% after ${s.fallback.after}` : "";
          out(
            `  ${s.id.padEnd(28)} ${s.sector.padEnd(12)} ${num(s.population).padStart(9)} people  ${objectives || "no objectives"}${fb}\n`,
          );
        }
        return EXIT_OK;
      }),
    );

  program
    .command("graph")
    .description("Print the requirement graph (what needs what) as Graphviz dot, Mermaid or JSON")
    .argument("<model>", "model file or folder")
    .addOption(new Option("--format <format>", "output format").choices(["dot", "mermaid", "json"]).default("dot"))
    .option("--service <id>", "only what this service depends on")
    .option("--json", "same as --format json")
    .action(
      command(async (path: string, o: { format: string; service?: string; json?: boolean }) => {
        const { model } = await loadOrExit(path);
        const g = requirementGraph(model, o.service);
        if (typeof g === "string") throw new CliError(`option --service: ${g}`, EXIT_USAGE);
        const format = o.json ? "json" : o.format;
        out(format === "json" ? `${JSON.stringify(g, null, 2)}\n` : format === "mermaid" ? toMermaid(g) : toDot(g));
        return EXIT_OK;
      }),
    );

  program
    .command("schema")
    .description("Print the JSON Schema of a model file (for editors: YAML language server)")
    .option("--out <file>", "write it to a file instead")
    .action(
      command(async (o: { out?: string }) => {
        const text = `${JSON.stringify(modelJsonSchema(), null, 2)}\n`;
        if (o.out) {
          await mkdir(dirname(o.out), { recursive: true });
          await writeFile(o.out, text);
        } else out(text);
        return EXIT_OK;
      }),
    );

  program
    .command("generate")
    .description("Write a synthetic city of N assets with realistic structure (same seed, same city)")
    .requiredOption("--assets <n>", "number of assets")
    .option("--seed <s>", "seed", "1")
    .requiredOption("--out <dir>", "folder to write the YAML files to")
    .option("--json", "print a JSON summary")
    .action(
      command(async (o: { assets: string; seed: string; out: string; json?: boolean }) => {
        const assets = intOption("--assets", o.assets, 60, 2_000_000) as number;
        const seed = intOption("--seed", o.seed, 0) as number;
        const files = generateFiles({ assets, seed });
        for (const f of files) {
          const p = join(o.out, f.path);
          await mkdir(dirname(p), { recursive: true });
          await writeFile(p, f.text);
        }
        const bytes = files.reduce((a, f) => a + f.text.length, 0);
        if (o.json) out(`${JSON.stringify({ out: o.out, files: files.length, assets, seed, bytes })}\n`);
        else out(`wrote ${files.length} files (${(bytes / 1e6).toFixed(1)} MB) with ${assets} assets to ${o.out}\n`);
        return EXIT_OK;
      }),
    );

  return program;
}

/** Commands contributed by the engines' CLI modules. */
function registerEngines(program: Command) {
  registerAssess(program);
  registerInventory(program);
  registerSimulate(program);
  registerInvest(program);
  registerDetect(program);
  registerServe(program);
  registerAudit(program);
  registerTwin(program);
  registerShare(program);
  registerGovern(program);
  registerWorker(program);
  registerExercise(program);
  registerRecover(program);
  registerRespond(program);
}

/** The whole command tree: the model commands and every engine's (the guard test walks it). */
export function buildCli(): Command {
  const program = buildProgram();
  registerEngines(program);
  const usageErrorsThrow = (cmd: Command) => {
    cmd.exitOverride();
    for (const c of cmd.commands) usageErrorsThrow(c);
  };
  usageErrorsThrow(program);
  return program;
}

/** Runs the CLI; returns the exit code. Errors print in the one form of command.ts. */
export async function main(argv: string[]): Promise<number> {
  const program = buildCli();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    return reportError(e);
  }
  return exitCodeOf(program);
}
