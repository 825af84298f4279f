/**
 * `rampart exercise new|run|report` (docs/exercise.md): build a tabletop exercise from a scenario and a seed,
 * play a scripted decisions file into it, render the after-action review. Exit 0 ok, 1 invalid input, 2 usage.
 */
import { readFile, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import type { z } from "zod";
import { ExerciseDef, Review } from "../contracts/exercise.ts";
import { parseDecisionsText } from "../exercise/decisions.ts";
import { bindingError, buildExercise, review, targetChecker } from "../exercise/engine.ts";
import { renderReviewHtml, renderReviewText } from "../exercise/html.ts";
import { clockText } from "../exercise/injects.ts";
import { parseJsonText } from "../model/limits.ts";
import { resolveScenario } from "../simulate/index.ts";
import { CliError, command, EXIT_INVALID, EXIT_OK, EXIT_USAGE, invalidInput, optionError } from "./command.ts";
import { intOption, loadOrExit, seedOption } from "./io.ts";

const out = (s: string) => process.stdout.write(s);

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    throw new CliError(`${what} ${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? "error"})`, EXIT_INVALID);
  }
}

async function writeText(path: string, text: string, option: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (e) {
    throw new CliError(`option ${option}: cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? "error"}`);
  }
}

/** Reads a JSON file against a schema; errors name the file and the field. */
async function readJson<T>(path: string, schema: z.ZodType<T>, what: string): Promise<T> {
  const p = parseJsonText(path, await readText(path, what));
  if ("error" in p) throw new CliError(`${p.error.file}:${p.error.line}:${p.error.column}: error: ${p.error.message}`);
  const r = schema.safeParse(p.data);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new CliError(`${path}: error: not ${what}: ${i.message} [${i.path.join(".")}]`);
  }
  return r.data;
}

const CLOCK = /^(\d{1,2}):(\d{2})$/;

export function registerExercise(program: Command): void {
  const ex = program
    .command("exercise")
    .description("Tabletop exercises: injects from a simulated scenario, decisions played into the simulation");

  ex.command("new")
    .description("Build an exercise from a scenario and a seed; print its injects")
    .argument("<model>", "model file or folder")
    .requiredOption("--scenario <id|file>", "a built-in scenario id or a scenario YAML file")
    .option("--seed <S>", "seed: which run the team lives (default 1)")
    .option("--runs <N>", "runs the outcome is measured on (default 1: the run the team lives)")
    .option("--start <HH:MM>", "wall-clock time of the exercise's hour 0 (default 06:00)")
    .option("--name <text>", "the exercise's name")
    .option("--id <id>", "the exercise's id (default: the scenario id and the seed)")
    .option("--out <file>", "write the exercise (JSON) to this file")
    .option("--json", "print the exercise and its injects as JSON")
    .action(
      command(
        async (
          modelPath: string,
          o: {
            scenario: string;
            seed?: string;
            runs?: string;
            start?: string;
            name?: string;
            id?: string;
            out?: string;
            json?: boolean;
          },
        ) => {
          const seed = seedOption(o.seed) ?? 1;
          const runs = intOption("--runs", o.runs, 1, 100_000) ?? 1;
          if (
            o.start !== undefined &&
            !(CLOCK.test(o.start) && Number(o.start.split(":")[0]) < 24 && Number(o.start.split(":")[1]) < 60)
          )
            throw optionError("--start", "a clock time such as 06:00", o.start);
          if (o.id !== undefined && !/^[a-z0-9][a-z0-9-]{0,63}$/.test(o.id))
            throw new CliError(
              `option --id: expected an id such as water-drill-1 (a-z, 0-9, -), found "${o.id}"`,
              EXIT_USAGE,
            );
          const loaded = await loadOrExit(modelPath, o);
          const sc = await resolveScenario(o.scenario, (p) => readFile(p, "utf8"));
          if (!sc.ok) throw invalidInput(sc.issues);
          const b = buildExercise(loaded, sc.scenario, {
            id: o.id ?? `${sc.scenario.id}-${seed}`,
            name: o.name,
            seed,
            runs,
            startClock: o.start,
          });
          if (!b.ok) throw invalidInput(b.issues, b.message);
          const text = `${JSON.stringify(b.exercise, null, 2)}\n`;
          if (o.out) await writeText(o.out, text, "--out");
          if (o.json) out(`${JSON.stringify({ exercise: b.exercise, injects: b.injects }, null, 2)}\n`);
          else {
            out(
              `${b.exercise.name}: ${b.injects.length} injects; roles ${b.exercise.roles.map((r) => r.id).join(", ")}\n`,
            );
            for (const i of b.injects) out(`  ${clockText(i.at, b.exercise.startClock).padEnd(12)} ${i.title}\n`);
            if (o.out) out(`wrote ${o.out}\n`);
          }
          return EXIT_OK;
        },
      ),
    );

  ex.command("run")
    .description("Play a scripted decisions file (YAML or JSON) into an exercise; print the after-action review")
    .argument("<model>", "model file or folder")
    .argument("<exercise>", "the exercise file written by `rampart exercise new --out`")
    .requiredOption("--decisions <file>", "the decisions (YAML or JSON)")
    .option("--budget <N>", "candidate decisions the best-response search tries per round (default 40)")
    .option("--out <file>", "write the review (JSON) to this file, for `rampart exercise report`")
    .option("--html <file>", "write the review as a self-contained HTML page")
    .option("--json", "print the review as JSON")
    .action(
      command(
        async (
          modelPath: string,
          exercisePath: string,
          o: { decisions: string; budget?: string; out?: string; html?: string; json?: boolean },
        ) => {
          const budget = intOption("--budget", o.budget, 1, 10_000) ?? 40;
          const exercise = await readJson(exercisePath, ExerciseDef, "an exercise");
          const loaded = await loadOrExit(modelPath, o);
          // the exercise must bind to this model (it may be another model than the one it was built on) [EXR-7]
          const bad = bindingError(loaded, exercise);
          if (bad) throw invalidInput(bad.issues, bad.message);
          const text = await readText(o.decisions, "decisions file");
          const d = parseDecisionsText(o.decisions, text, exercise, targetChecker(loaded, exercise));
          if (!d.ok) {
            if (o.json) out(`${JSON.stringify({ ok: false, issues: d.issues }, null, 2)}\n`);
            throw invalidInput(
              d.issues,
              `${o.decisions}: ${d.issues.length} error${d.issues.length === 1 ? "" : "s"}; nothing played`,
            );
          }
          const r = await review(loaded, exercise, d.decisions, { budget });
          if (o.out) await writeText(o.out, `${JSON.stringify(r, null, 2)}\n`, "--out");
          if (o.html) await writeText(o.html, renderReviewHtml(r), "--html");
          out(o.json ? `${JSON.stringify(r, null, 2)}\n` : renderReviewText(r));
          return EXIT_OK;
        },
      ),
    );

  ex.command("report")
    .description("Render an after-action review written by `rampart exercise run --out`")
    .argument("<review>", "the review (JSON)")
    .option("--html <file>", "write it as a self-contained HTML page")
    .option("--json", "print it as JSON")
    .action(
      command(async (reviewPath: string, o: { html?: string; json?: boolean }) => {
        const r = await readJson(reviewPath, Review, "an after-action review");
        if (o.html) await writeText(o.html, renderReviewHtml(r), "--html");
        out(o.json ? `${JSON.stringify(r, null, 2)}\n` : renderReviewText(r));
        return EXIT_OK;
      }),
    );
}
