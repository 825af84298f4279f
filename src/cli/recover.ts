/**
 * `rampart recover plan|drp`: restoration plans (what to repair first, by whom) and per-service disaster
 * recovery plans (docs/recover.md). Exit 0 ok, 1 invalid input, 2 usage error.
 */
import { readFile, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { disasterRecoveryPlan } from "../recover/drp.ts";
import { downSetFromScenario } from "../recover/from-scenario.ts";
import { planRestoration, replan } from "../recover/plan.ts";
import { buildProblem, type CrewFile, parseCrewFile } from "../recover/problem.ts";
import { parseProgress } from "../recover/progress.ts";
import { drpHtml, drpText, planHtml, planText } from "../recover/report.ts";
import { downNow } from "../respond/impact.ts";
import { resolveScenario } from "../simulate/index.ts";
import { openStoreReadOnly, type SqlStore } from "../store/index.ts";
import {
  CliError,
  command,
  EXIT_INVALID,
  EXIT_OK,
  EXIT_USAGE,
  engineError,
  invalidInput,
  type Located,
  optionError,
} from "./command.ts";
import { intOption, loadOrExit, seedOption } from "./io.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type PlanOpts = {
  down?: string;
  case?: string;
  data?: string;
  scenario?: string;
  seed?: string;
  crews?: string;
  progress?: string;
  exactMax?: string;
  json?: boolean;
  html?: string;
};

/** Located issues: with --json also on stdout as data; the exit code is 1 either way. */
function fail(issues: readonly Located[], json?: boolean): never {
  if (json) {
    process.stdout.write(`${JSON.stringify({ ok: false, issues }, null, 2)}\n`);
    throw new CliError(`${issues.length} error${issues.length === 1 ? "" : "s"}`, EXIT_INVALID);
  }
  throw invalidInput(issues);
}

async function readInput(option: string, path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    throw new CliError(
      `option ${option}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? "error"}`,
      EXIT_INVALID,
    );
  }
}

async function writeOut(option: string, path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (e) {
    throw new CliError(
      `option ${option}: cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? "error"}`,
      EXIT_INVALID,
    );
  }
}

export async function planCommand(modelPath: string, o: PlanOpts): Promise<number> {
  const sources = [o.down !== undefined, o.case !== undefined, o.scenario !== undefined].filter(Boolean).length;
  if (sources !== 1)
    throw new CliError("expected exactly one of --down ID,..., --case ID or --scenario ID --seed S", EXIT_USAGE);
  const exactMax = intOption("--exact-max", o.exactMax, 0, 12);
  const seed = seedOption(o.seed);
  if (o.scenario !== undefined && seed === undefined)
    throw new CliError("option --scenario: expected --seed S with it", EXIT_USAGE);
  let down: { id: string }[] = [];
  if (o.down !== undefined) {
    down = o.down
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean)
      .map((id) => ({ id }));
    if (down.length === 0)
      throw optionError("--down", 'a comma-separated list of asset ids, such as "scada-1,plc-2"', o.down);
  }
  if (o.case !== undefined && !UUID.test(o.case)) throw optionError("--case", "a case id (a UUID)", o.case);
  const loaded = await loadOrExit(modelPath, { json: o.json });
  const notes: string[] = [];
  if (o.case !== undefined) {
    const id = o.case.toLowerCase();
    let store: SqlStore;
    try {
      store = await openStoreReadOnly({ dataDir: o.data, databaseUrl: process.env.DATABASE_URL || undefined });
    } catch (e) {
      throw new CliError(`option --data: ${(e as Error).message}`, EXIT_INVALID);
    }
    try {
      const c = await store.cases.getCase(id);
      if (!c) throw new CliError(`option --case: no case ${id} in the store`, EXIT_INVALID);
      const rec = await store.cases.records(id);
      down = downNow(rec.assets.map((a) => ({ at: a.at, asset: a.asset, state: a.state }))).map((x) => ({ id: x }));
      if (down.length === 0) throw new CliError(`option --case: no asset is down in case ${id}`, EXIT_INVALID);
      notes.push(`down set: the ${down.length} assets down now in case ${id} (model ${c.modelId} v${c.version})`);
    } finally {
      await store.close();
    }
  }
  if (o.scenario !== undefined) {
    const sc = await resolveScenario(o.scenario, (p) => readFile(p, "utf8"));
    if (!sc.ok) fail(sc.issues, o.json);
    const ds = downSetFromScenario(loaded.model, sc.scenario, seed as number);
    if (!ds)
      throw new CliError(
        `option --scenario: ${sc.scenario.id} damaged no asset in 1000 runs of seed ${seed}`,
        EXIT_INVALID,
      );
    down = ds.down.map((id) => ({ id }));
    notes.push(
      `down set: scenario ${sc.scenario.id}, seed ${seed}, run ${ds.run}, at ${Math.round(ds.at * 100) / 100}h (the moment of maximum weighted loss rate); planned as all down at plan time 0 with buffers full`,
    );
  }
  let crewFile: CrewFile | undefined;
  if (o.crews !== undefined) {
    const r = parseCrewFile(o.crews, await readInput("--crews", o.crews));
    if (!r.ok) fail(r.issues, o.json);
    crewFile = r.value;
  }
  const pb = buildProblem({
    model: loaded.model,
    down,
    crewFile,
    downParameter: o.scenario !== undefined ? "scenario" : o.case !== undefined ? "case" : "down",
  });
  if (!pb.ok) {
    if (pb.issues.length) fail(pb.issues, o.json);
    const e = pb.errors[0];
    // a down list's entry is named by the option it came in (the scenario's down set: --scenario)
    throw engineError(
      { message: e.message, parameter: e.parameter.replace(/\[\d+\]$/, "") },
      { down: "--down", scenario: "--scenario", case: "--case", crews: "--crews" },
    );
  }
  let plan = planRestoration(pb.problem, { exactMax, notes });
  if (o.progress !== undefined) {
    const pr = parseProgress(o.progress, await readInput("--progress", o.progress));
    if (!pr.ok) fail(pr.issues, o.json);
    const rp = replan(pb.problem, plan, pr.done, pr.now, { exactMax, notes });
    if (!rp.ok)
      throw new CliError(`option --progress: ${o.progress}: ${rp.error.parameter}: ${rp.error.message}`, EXIT_INVALID);
    plan = rp.plan;
  }
  if (o.html !== undefined) await writeOut("--html", o.html, planHtml(plan));
  process.stdout.write(o.json ? `${JSON.stringify(plan, null, 2)}\n` : planText(plan));
  return EXIT_OK;
}

type DrpOpts = { service: string; runs?: string; seed?: string; json?: boolean; html?: string };

export async function drpCommand(modelPath: string, o: DrpOpts): Promise<number> {
  const runs = intOption("--runs", o.runs, 1, 100_000) ?? 200;
  const seed = seedOption(o.seed) ?? 1;
  const loaded = await loadOrExit(modelPath, { json: o.json });
  const r = disasterRecoveryPlan(loaded.model, o.service, { runs, seed });
  if (!r.ok) throw new CliError(`option --service: ${r.message}`, EXIT_INVALID);
  if (o.html !== undefined) await writeOut("--html", o.html, drpHtml(r.drp, r.plan));
  process.stdout.write(o.json ? `${JSON.stringify(r.drp, null, 2)}\n` : drpText(r.drp));
  return EXIT_OK;
}

export function registerRecover(program: Command): void {
  const rec = program.command("recover").description("Restoration plans and disaster recovery plans");
  rec
    .command("plan")
    .description("Order and assign repairs to crews to minimise the weighted loss (exact for small cases)")
    .argument("<model>", "model file or folder")
    .option("--down <IDS>", "the assets that are down (comma-separated)")
    .option("--case <ID>", "the assets down now in an incident case (from the store: --data or DATABASE_URL)")
    .option("--data <DIR>", "data folder of the embedded store, for --case", ".rampart")
    .option("--scenario <ID|FILE>", "the down set of a simulated attack at its moment of maximum impact (with --seed)")
    .option("--seed <S>", "seed of the simulated attack")
    .option("--crews <FILE>", "crews YAML overriding the model's (skills, counts, shifts, repair durations)")
    .option("--progress <FILE>", "repairs reported done (early or late): re-plan from then")
    .option("--exact-max <N>", "exact search up to N repairs (default 7)")
    .option("--json", "print the plan as JSON")
    .option("--html <FILE>", "write a self-contained HTML report with the Gantt chart")
    .action(command(planCommand));
  rec
    .command("drp")
    .description("A service's disaster recovery plan: restoration order, objectives, fallbacks, people, odds")
    .argument("<model>", "model file or folder")
    .requiredOption("--service <ID>", "the service")
    .option("--runs <N>", "simulated runs per scenario for the odds (default 200)")
    .option("--seed <S>", "seed (default 1)")
    .option("--json", "print as JSON")
    .option("--html <FILE>", "write a self-contained HTML document")
    .action(command(drpCommand));
}
