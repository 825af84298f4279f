/**
 * `rampart govern <model>`: NIST CSF 2.0 and NCSC CAF 4.0 self-assessment with evidence from the model, the
 * findings and the controls, manual answers from a file, current against target, tiers, gaps ranked by
 * person-hours at risk; CSV export. Exit codes: 0 ok, 1 invalid model or answers file, 2 usage error.
 */
import { readFile, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import yaml from "js-yaml";
import { assess } from "../assess/assess.ts";
import { type Answers, governAssess, governCsv, parseAnswers } from "../govern/assess.ts";
import { buildIndex } from "../model/graph.ts";
import { command, EXIT_OK, invalidInput, optionError } from "./command.ts";
import { intOption, loadOrExit } from "./io.ts";

type Opts = { answers?: string; csv?: string; json?: boolean; framework?: string; top?: string; asOf?: string };

async function readAnswers(file: string): Promise<Answers> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw invalidInput([{ file, message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? "error"}` }]);
  }
  let data: unknown;
  try {
    data = yaml.load(text, { schema: yaml.CORE_SCHEMA });
  } catch (e) {
    const mark = (e as { mark?: { line: number; column: number } }).mark;
    throw invalidInput([
      {
        file,
        line: (mark?.line ?? 0) + 1,
        column: (mark?.column ?? 0) + 1,
        message: `not valid YAML: ${(e as Error).message.split("\n")[0]}`,
      },
    ]);
  }
  const r = parseAnswers(data);
  if (!r.ok) throw invalidInput(r.issues.map((i) => ({ file, message: `${i.path}: ${i.message}` })));
  return r.value;
}

export function registerGovern(program: Command): void {
  program
    .command("govern")
    .description("CSF 2.0 and CAF 4.0 self-assessment with evidence: status, target, tiers, gaps (--csv, --json)")
    .argument("<model>", "model file or folder")
    .option(
      "--answers <file>",
      "manual answers and target profile (YAML: answers: [{id, status, justification}], target: {default, items})",
    )
    .option("--framework <name>", "csf, caf or both", "both")
    .option("--csv <file>", "write every item as CSV")
    .option("--json", "print the whole self-assessment as JSON")
    .option("--top <n>", "gaps listed", "15")
    .option("--as-of <date>", "assessment date YYYY-MM-DD (default: today)")
    .action(
      command(async (path: string, o: Opts) => {
        if (!["csf", "caf", "both"].includes(o.framework ?? "both"))
          throw optionError("--framework", "csf, caf or both", o.framework);
        const top = intOption("--top", o.top, 0, 10_000) as number;
        const asOf = o.asOf ?? new Date().toISOString().slice(0, 10);
        if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw optionError("--as-of", "YYYY-MM-DD", asOf);
        const answers = o.answers
          ? await readAnswers(o.answers)
          : { answers: [], target: { default: "achieved" as const, items: {} } };
        const { model } = await loadOrExit(path, { json: o.json });
        const full = governAssess(model, assess(buildIndex(model), { asOf }), answers);
        const keep = (fw: string) => o.framework === "both" || o.framework === fw;
        const r = {
          ...full,
          items: full.items.filter((i) => keep(i.framework)),
          gaps: full.gaps.filter((g) => keep(g.framework)),
        };
        if (o.csv) {
          try {
            await writeFile(o.csv, governCsv(r));
          } catch (e) {
            throw invalidInput([
              { file: o.csv, message: `cannot write: ${(e as NodeJS.ErrnoException).code ?? "error"}` },
            ]);
          }
        }
        if (o.json) {
          process.stdout.write(`${JSON.stringify(r, null, 1)}\n`);
          return EXIT_OK;
        }
        const out: string[] = [];
        for (const fw of ["csf", "caf"] as const) {
          if (!keep(fw)) continue;
          const c = r.counts[fw];
          out.push(
            `${fw.toUpperCase()}: ${c.achieved} achieved, ${c.partially} partially, ${c["not-achieved"]} not achieved, ${c["not-applicable"]} not applicable, ${c["not-assessed"]} not assessed (need a manual answer)`,
          );
        }
        if (keep("csf"))
          out.push(
            `CSF tiers: ${r.tiers.map((t) => `${t.fn} ${t.tier} ${t.name} (${t.achieved}/${t.total})`).join(", ")}`,
          );
        out.push(`gaps below target: ${r.gaps.length}; most person-hours per day at risk first:`);
        const byKey = new Map(r.items.map((i) => [`${i.framework}:${i.id}`, i]));
        for (const g of r.gaps.slice(0, top)) {
          const i = byKey.get(`${g.framework}:${g.id}`);
          out.push(
            `  ${g.framework.toUpperCase()} ${g.id.padEnd(9)} ${g.status.padEnd(13)} -> ${g.target.padEnd(9)} ${Math.round(g.personHoursAtRisk).toLocaleString("en").padStart(12)} ph/day  ${i?.basis ?? ""}`,
          );
        }
        if (o.csv) out.push(`CSV written to ${o.csv}`);
        process.stdout.write(`${out.join("\n")}\n`);
        return EXIT_OK;
      }),
    );
}
