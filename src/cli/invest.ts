/**
 * `rampart invest <model> --budget AMOUNT`: which candidate controls to buy under a budget, by simulated
 * expected annual loss (docs/invest.md). Exit 0 ok (also an empty plan, which says why), 1 invalid input,
 * 2 usage error.
 */

import { randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import type { Command } from "commander";
import { renderInvestHtml } from "../invest/html.ts";
import { type InvestReport, invest, type Portfolio } from "../invest/index.ts";
import { BUILT_IN_IDS, resolveScenario } from "../simulate/index.ts";
import type { Scenario } from "../simulate/scenario.ts";
import { command, EXIT_OK, engineError, invalidInput, optionError } from "./command.ts";
import { intOption, loadOrExit, seedOption } from "./io.ts";
import { openQueueOption } from "./worker.ts";

type Opts = {
  budget: string;
  years?: string;
  scenarios?: string;
  candidates?: string;
  likelihood: string[];
  runs?: string;
  seed?: string;
  workers?: string;
  exactMax?: string;
  pairs?: string;
  yearBudgets?: string;
  candidatesFile?: string;
  json?: boolean;
  html?: string;
  queue?: boolean;
};

/** A candidates file: one control id per line; `#` starts a comment. Ids with their line and column. */
export function parseCandidatesFile(text: string): { id: string; line: number; column: number }[] {
  const out: { id: string; line: number; column: number }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const body = raw.replace(/#.*$/, "");
    const m = /\S+/.exec(body);
    if (m) out.push({ id: m[0], line: i + 1, column: m.index + 1 });
  });
  return out;
}

const collect = (v: string, prev: string[]) => [...prev, v];
const list = (v: string) =>
  v
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

const n0 = (x: number) => Math.round(x).toLocaleString("en-US");

function line(p: Portfolio): string {
  const ci = p.benefitCI95 === null ? " (estimated)" : ` ± ${n0(p.benefitCI95)}`;
  const p95 = p.annualLossP95 === null ? "" : `  P95 ${n0(p.annualLossP95)}`;
  return `cost ${n0(p.cost)}  expected annual loss ${n0(p.expectedAnnualLoss)}${p95}  benefit ${n0(p.benefit)}${ci}  [${p.controls.join(", ") || "nothing"}]`;
}

export function renderInvestText(r: InvestReport): string {
  const out: string[] = [];
  out.push(
    `invest: budget ${n0(r.budget)} over ${r.years} year(s) (capex + ${r.years} x opex), ${r.candidates.length} candidates, ${r.scenarios.length} scenarios, ${r.runs} runs, seed ${r.seed}, method ${r.method}`,
  );
  out.push(
    `scenarios (likelihood per year): ${r.scenarios.map((s) => `${s.id} ${s.likelihood} (${s.source})`).join(", ")}`,
  );
  out.push(
    `baseline: expected annual weighted loss ${n0(r.baseline.expectedAnnualLoss)}, person-hours ${n0(r.baseline.expectedAnnualPersonHours)}`,
  );
  if (r.best) {
    out.push(`recommended: ${line(r.best)}`);
    out.push(`  person-hours per year: ${n0(r.best.expectedAnnualPersonHours)}`);
  } else out.push(`recommended: nothing: ${r.why}`);
  out.push(`ratio order (benefit per cost): ${line(r.ratioOrder)}`);
  if (r.advantageOverRatio !== null)
    out.push(`  the recommended portfolio saves ${n0(r.advantageOverRatio)} more per year than the ratio order`);
  out.push("candidates (single control, benefit per year, per unit of cost):");
  for (const c of [...r.candidates].sort((a, b) => (b.benefitPerCost ?? 0) - (a.benefitPerCost ?? 0)))
    out.push(
      `  ${c.id.padEnd(28)} cost ${n0(c.cost).padStart(9)}  benefit ${n0(c.single.benefit).padStart(10)} ± ${n0(c.single.benefitCI95 ?? 0)}  ratio ${(c.benefitPerCost ?? 0).toFixed(3)}${c.leadTimeHours !== null ? `  lead ${Math.round(c.leadTimeHours / 24)}d` : ""}`,
    );
  if (r.nextTranche)
    out.push(
      `next tranche: ${n0(r.nextTranche.cost)} more avoids ${n0(r.nextTranche.benefit)} more a year (add ${r.nextTranche.add.join(", ")}${r.nextTranche.remove.length ? `; drop ${r.nextTranche.remove.join(", ")}` : ""})`,
    );
  out.push(`frontier (cost against expected annual loss, ${r.frontier.length} points; ratio order at that budget):`);
  for (const p of r.frontier)
    out.push(`  ${line(p)}  ratio order ${n0(p.ratioOrderLoss)} (+${n0(p.advantageOverRatio)})`);
  const inter = r.interactions.filter((i) => i.kind !== "none");
  out.push(`interactions (${r.interactions.length} pairs simulated, ${inter.length} beyond their 95% interval):`);
  for (const i of inter)
    out.push(
      `  ${i.a} + ${i.b}: together ${n0(i.joint)}, alone ${n0(i.sumOfSingles)}: ${i.kind} ${n0(i.interaction)} ± ${n0(i.ci95)}`,
    );
  if (r.plan) {
    out.push(`plan over ${r.plan.years.length} years (lead times delay each control's effect):`);
    for (const y of r.plan.years)
      out.push(
        `  year ${y.year}: budget ${n0(y.budget)}  buy [${y.buy.join(", ") || "nothing"}]  capex ${n0(y.capex)}  opex ${n0(y.opex)}  expected loss ${n0(y.expectedLoss)} (estimated)`,
      );
    out.push(
      `  over the plan: ${n0(r.plan.totalExpectedLoss)} expected against ${n0(r.plan.baselineLoss)} buying nothing; in force at the end (simulated): ${line(r.plan.final)}`,
    );
    for (const n of r.plan.notes) out.push(`  note: ${n}`);
  }
  out.push(
    `optimality: ${r.optimality.guarantee}${r.optimality.gap !== null ? ` (gap to the lower bound ${n0(r.optimality.gap)})` : ""}`,
  );
  for (const w of r.warnings) out.push(`warning: ${w}`);
  return `${out.join("\n")}\n`;
}

export async function investCommand(modelPath: string, o: Opts): Promise<number> {
  const budget = Number(o.budget);
  if (!/^\s*[-+]?\d+(\.\d+)?\s*$/.test(o.budget) || !Number.isFinite(budget))
    throw optionError("--budget", "an amount such as 150000", o.budget);
  if (budget < 0) throw optionError("--budget", "an amount >= 0", o.budget);
  const years = intOption("--years", o.years, 1, 100) ?? 1;
  const runs = intOption("--runs", o.runs, 1, 1_000_000) ?? 200;
  const workers = intOption("--workers", o.workers, 1, 256) ?? Math.max(1, availableParallelism());
  const exactMax = intOption("--exact-max", o.exactMax, 0, 16);
  const seed = seedOption(o.seed) ?? 1;
  const likelihood: Record<string, number> = {};
  for (const l of o.likelihood) {
    const m = /^([a-z0-9][a-z0-9-]*)=(\d+(\.\d+)?)$/.exec(l.trim());
    if (!m) throw optionError("--likelihood", "ID=occurrences-per-year such as ransomware=0.2", l);
    likelihood[m[1]] = Number(m[2]);
  }
  const specs = !o.scenarios || o.scenarios === "all" ? BUILT_IN_IDS : list(o.scenarios);
  if (specs.length === 0) throw optionError("--scenarios", "all or a list of scenario ids or files");
  const pairs = intOption("--pairs", o.pairs, 0, 30);
  let yearBudgets: number[] | undefined;
  if (o.yearBudgets !== undefined) {
    const parts = list(o.yearBudgets);
    if (!parts.length || parts.some((x) => !/^\d+(\.\d+)?$/.test(x)))
      throw optionError(
        "--year-budgets",
        "amounts >= 0 per year, comma-separated, such as 100000,80000",
        o.yearBudgets,
      );
    yearBudgets = parts.map(Number);
  }
  if (o.candidates !== undefined && o.candidatesFile !== undefined)
    throw optionError("--candidates-file", "either --candidates or --candidates-file, not both");
  let candidates = o.candidates !== undefined ? list(o.candidates) : undefined;
  let located: { id: string; line: number; column: number }[] | undefined;
  if (o.candidatesFile !== undefined) {
    let text: string;
    try {
      text = await readFile(o.candidatesFile, "utf8");
    } catch {
      throw optionError("--candidates-file", "a readable file of control ids, one a line", o.candidatesFile);
    }
    located = parseCandidatesFile(text);
    candidates = located.map((x) => x.id);
  }

  const loaded = await loadOrExit(modelPath, { json: o.json });
  const scenarios: Scenario[] = [];
  for (const spec of specs) {
    const sc = await resolveScenario(spec, (p) => readFile(p, "utf8"));
    if (!sc.ok) {
      if (o.json) process.stdout.write(`${JSON.stringify({ ok: false, issues: sc.issues }, null, 2)}\n`);
      throw invalidInput(sc.issues);
    }
    scenarios.push(sc.scenario);
  }
  const queue = o.queue ? await openQueueOption() : undefined;
  const r = await invest(loaded, scenarios, {
    budget,
    years,
    runs,
    seed,
    workers,
    candidates,
    likelihood,
    exactMax,
    pairs,
    yearBudgets,
    executor: queue?.executor(`cli-${randomUUID()}`),
  }).finally(() => queue?.close());
  if (!r.ok) {
    // a candidate from the file: its line and column there
    const at = r.error.index !== undefined && located && o.candidatesFile ? located[r.error.index] : undefined;
    if (at && o.candidatesFile) {
      const issue = {
        file: o.candidatesFile,
        line: at.line,
        column: at.column,
        message: r.error.message,
        code: r.error.code,
      };
      if (o.json) process.stdout.write(`${JSON.stringify({ ok: false, issues: [issue] }, null, 2)}\n`);
      throw invalidInput([issue]);
    }
    if (o.json) process.stdout.write(`${JSON.stringify({ ok: false, issues: [r.error] }, null, 2)}\n`);
    throw engineError(r.error);
  }
  if (o.html) await writeFile(o.html, renderInvestHtml(r.report, `Which defences to buy: ${loaded.model.city.name}`));
  if (o.json) process.stdout.write(`${JSON.stringify(r.report, null, 2)}\n`);
  else process.stdout.write(renderInvestText(r.report));
  return EXIT_OK;
}

export function registerInvest(program: Command): void {
  program
    .command("invest")
    .description("Which candidate controls to buy under a budget, by simulated expected annual loss")
    .argument("<model>", "model file or folder")
    .requiredOption("--budget <AMOUNT>", "money available over --years (capex + years x opex)")
    .option("--years <N>", "years the budget covers (default 1)")
    .option("--scenarios <LIST>", "all (the built-ins, default) or comma-separated scenario ids or files")
    .option("--candidates <LIST>", "comma-separated control ids (default: every control not implemented)")
    .option("--likelihood <ID=X>", "occurrences per year of a scenario (repeatable)", collect, [] as string[])
    .option("--runs <N>", "runs per portfolio and scenario (default 200)")
    .option("--seed <S>", "seed of the random streams, the same for every portfolio (default 1)")
    .option("--workers <N>", "worker threads (default: the number of cores)")
    .option("--exact-max <N>", "simulate every subset up to this many candidates (default 6)")
    .option("--candidates-file <FILE>", "control ids, one a line (# comments); errors give its line and column")
    .option("--pairs <N>", "beyond --exact-max, simulate the pairs of this many best candidates (default 6)")
    .option(
      "--year-budgets <LIST>",
      "a plan over years: budget per year, comma-separated (default with --years N: budget / N)",
    )
    .option("--queue", "run the simulations on `rampart worker` processes through the PostgreSQL queue (DATABASE_URL)")
    .option("--json", "print the report as JSON")
    .option("--html <FILE>", "write the council report (self-contained HTML) to FILE")
    .action(command(investCommand));
}
