/**
 * `rampart simulate <model> --scenario <id|file>`: Monte Carlo simulation of an attack or of explicit events
 * on a model, with defences side by side (docs/simulate.md). Exit 0 ok, 1 invalid input, 2 usage error.
 */

import { randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import type { Command } from "commander";
import { parseDuration } from "../model/primitives.ts";
import { renderHtml } from "../simulate/html.ts";
import { resolveScenario, simulate } from "../simulate/index.ts";
import { renderText } from "../simulate/text.ts";
import { command, EXIT_OK, engineError, invalidInput, optionError } from "./command.ts";
import { intOption, loadOrExit, seedOption } from "./io.ts";
import { openQueueOption } from "./worker.ts";

type Opts = {
  scenario: string;
  runs?: string;
  seed?: string;
  with: string[];
  compare: string[];
  workers?: string;
  horizon?: string;
  json?: boolean;
  html?: string;
  queue?: boolean;
};

const collect = (v: string, prev: string[]) => [...prev, v];

function progressBar(): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let last = -1;
  return (done, total) => {
    const pct = Math.floor((done * 100) / total);
    if (pct === last && done !== total) return;
    last = pct;
    const width = 30;
    const fill = Math.round((done * width) / total);
    process.stderr.write(`\r[${"#".repeat(fill)}${".".repeat(width - fill)}] ${pct}% ${done}/${total} runs`);
    if (done === total) process.stderr.write("\n");
  };
}

export async function simulateCommand(modelPath: string, o: Opts): Promise<number> {
  const runs = intOption("--runs", o.runs, 1, 10_000_000) ?? 1000;
  const workers = intOption("--workers", o.workers, 1, 256) ?? Math.max(1, availableParallelism());
  const seed = seedOption(o.seed) ?? 1;
  let horizon: number | undefined;
  if (o.horizon !== undefined) {
    horizon = parseDuration(o.horizon);
    if (horizon === undefined || !(horizon > 0))
      throw optionError("--horizon", "a duration greater than zero such as 30d or 72h", o.horizon);
  }
  const compare = o.compare.map((list) =>
    list
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean),
  );
  if (compare.some((c) => c.length === 0))
    throw optionError("--compare", 'a comma-separated list of control ids, such as "mfa-vendors,offline-backups"');

  const loaded = await loadOrExit(modelPath, { json: o.json });
  const sc = await resolveScenario(o.scenario, (p) => readFile(p, "utf8"));
  if (!sc.ok) {
    if (o.json) process.stdout.write(`${JSON.stringify({ ok: false, issues: sc.issues }, null, 2)}\n`);
    throw invalidInput(sc.issues);
  }
  const queue = o.queue ? await openQueueOption() : undefined;
  const r = await simulate(loaded, sc.scenario, {
    runs,
    seed,
    workers,
    horizon,
    with: o.with,
    compare,
    onProgress: progressBar(),
    trace: o.html !== undefined,
    executor: queue?.executor(`cli-${randomUUID()}`),
  }).finally(() => queue?.close());
  if (!r.ok) {
    if (o.json) process.stdout.write(`${JSON.stringify({ ok: false, issues: r.issues ?? [r.error] }, null, 2)}\n`);
    throw r.error ? engineError(r.error) : invalidInput(r.issues ?? []);
  }
  if (o.html !== undefined) {
    try {
      await writeFile(o.html, renderHtml(r.report, r.sets, r.representative));
    } catch (e) {
      throw invalidInput([{ file: o.html, message: `cannot write: ${(e as NodeJS.ErrnoException).code ?? "error"}` }]);
    }
  }
  if (o.json) {
    process.stdout.write(`${JSON.stringify(r.report, null, 2)}\n`);
    return EXIT_OK;
  }
  process.stdout.write(renderText(r.report, !!sc.scenario.attack));
  return EXIT_OK;
}

export function registerSimulate(program: Command): void {
  program
    .command("simulate")
    .description("Monte Carlo simulation of an attack or explicit events: cascades, recovery, objectives met")
    .argument("<model>", "model file or folder")
    .requiredOption(
      "--scenario <id|file>",
      "a built-in scenario id (ransomware, grid-attack, ...) or a scenario YAML file",
    )
    .option("--runs <N>", "number of runs (default 1000)")
    .option("--seed <S>", "seed of the random streams (default 1)")
    .option("--with <ID>", "apply a control's patch first (repeatable)", collect, [] as string[])
    .option("--compare <LIST>", "also run with these controls (comma-separated; repeatable)", collect, [] as string[])
    .option("--workers <N>", "worker threads (default: the number of cores; results do not depend on it)")
    .option("--queue", "run the chunks on `rampart worker` processes through the PostgreSQL queue (DATABASE_URL)")
    .option("--horizon <DURATION>", "how long a run may last (default: the scenario's, else 30d)")
    .option("--json", "print the report as JSON")
    .option("--html <FILE>", "write a self-contained HTML report")
    .action(command(simulateCommand));
}
