/**
 * `rampart simulate <model> --scenario <id|file>`: Monte Carlo simulation of an attack or of explicit events
 * on a model, with defences side by side (docs/simulate.md). Exit 0 ok, 1 invalid input, 2 usage error.
 */

import { randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import type { Command } from "commander";
import { formatIssue } from "../model/issues.ts";
import { parseDuration } from "../model/primitives.ts";
import { PgQueue, QueueError } from "../scale/queue.ts";
import { renderHtml } from "../simulate/html.ts";
import { resolveScenario, simulate } from "../simulate/index.ts";
import { renderText } from "../simulate/text.ts";
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, intOption, loadOrExit, seedOption, UserError } from "./io.ts";
import { queueSettings } from "./worker.ts";

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
      throw new UserError(
        `option --horizon: expected a duration greater than zero such as 30d or 72h, found "${o.horizon}"`,
        EXIT_USAGE,
      );
  }
  const compare = o.compare.map((list) =>
    list
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean),
  );
  if (compare.some((c) => c.length === 0))
    throw new UserError(
      'option --compare: expected a comma-separated list of control ids, such as "mfa-vendors,offline-backups"',
      EXIT_USAGE,
    );

  const loaded = await loadOrExit(modelPath, { json: o.json });
  const sc = await resolveScenario(o.scenario, (p) => readFile(p, "utf8"));
  if (!sc.ok) {
    for (const i of sc.issues) process.stderr.write(`${formatIssue(i)}\n`);
    if (o.json) process.stdout.write(`${JSON.stringify({ ok: false, issues: sc.issues }, null, 2)}\n`);
    return EXIT_INVALID;
  }
  let queue: PgQueue | undefined;
  if (o.queue) {
    try {
      queue = await PgQueue.open(queueSettings());
    } catch (e) {
      if (e instanceof QueueError) throw new UserError(e.message);
      throw e;
    }
  }
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
    if (r.issues) for (const i of r.issues) process.stderr.write(`${formatIssue(i)}\n`);
    if (r.error) process.stderr.write(`rampart: ${r.error.message}\n`);
    if (o.json) process.stdout.write(`${JSON.stringify({ ok: false, issues: r.issues ?? [r.error] }, null, 2)}\n`);
    return EXIT_INVALID;
  }
  if (o.html !== undefined) {
    try {
      await writeFile(o.html, renderHtml(r.report, r.sets, r.representative));
    } catch (e) {
      throw new UserError(
        `option --html: cannot write ${o.html}: ${(e as NodeJS.ErrnoException).code ?? "error"}`,
        EXIT_INVALID,
      );
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
    // errors reach the one handler in main.ts (exit codes, no stack traces)
    .action(async (modelPath: string, o: Opts) => {
      process.exitCode = await simulateCommand(modelPath, o);
    });
}
