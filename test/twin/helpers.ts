import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Twin, type TwinConfig, type TwinRow } from "../../src/twin/engine.ts";
import { buildScenario, type Scenario } from "../../src/twin/load.ts";

export const CTOWN = join(import.meta.dirname, "..", "..", "..", "shared", "data", "batadal", "ctown");
export const haveCtown = existsSync(join(CTOWN, "CTOWN.INP"));
export const cpaPath = (name: string) => join(CTOWN, "epanetCPA", "scenarios", "ctown", `${name}.cpa`);

export function ctownScenario(name: string, patterns = true): Scenario {
  const net = join(CTOWN, "CTOWN.INP");
  const r = buildScenario({
    network: { file: net, text: readFileSync(net, "utf8") },
    cpa: { file: cpaPath(name), text: readFileSync(cpaPath(name), "utf8") },
    patterns: patterns
      ? { file: "ctown_patterns.csv", text: readFileSync(join(CTOWN, "epanetCPA", "ctown_patterns.csv"), "utf8") }
      : undefined,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

export async function runScenario(
  name: string,
  extra: Partial<TwinConfig> = {},
): Promise<{ twin: Twin; rows: TwinRow[] }> {
  const sc = ctownScenario(name);
  const t = await Twin.create({ ...sc, hours: 168, seed: 1, ...extra });
  if (!t.ok) throw new Error(JSON.stringify(t.issues));
  const rows = t.value.runAll();
  t.value.close();
  return { twin: t.value, rows };
}

export function column(twin: Twin, rows: TwinRow[], name: string, which: "truth" | "scada" = "truth"): number[] {
  const i = twin.columns.indexOf(name);
  if (i < 0) throw new Error(`no column ${name}`);
  return rows.map((r) => r[which][i] as number);
}

export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
export const switches = (xs: number[]) => xs.slice(1).filter((x, i) => x !== xs[i]).length;
