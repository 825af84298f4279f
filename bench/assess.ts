/**
 * Benchmark of `rampart assess` on a generated city (default 100,000 assets; BENCH_ASSETS overrides).
 * Prints one JSON line per figure: the whole assessment, and attack paths with choke points alone.
 */
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { mergeActors } from "../src/assess/actors.ts";
import { assess } from "../src/assess/assess.ts";
import { attackPaths, buildAttackGraph, controlFixes } from "../src/assess/attack.ts";
import { categorizeArrays } from "../src/assess/categorize.ts";
import { generateRaw } from "../src/model/generate.ts";
import { buildIndex } from "../src/model/graph.ts";
import { validateRaw } from "../src/model/load.ts";

export async function run(): Promise<void> {
  const assets = Number(process.env.BENCH_ASSETS ?? 100_000);
  const seed = 1;
  const raw = generateRaw({ assets, seed });
  let errors = 0;
  const model = validateRaw(raw, () => errors++);
  if (!model) throw new Error(`generated model is invalid (${errors} errors)`);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const index = buildIndex(model);
  const report = assess(index, { asOf: "2026-06-01", clock: () => performance.now() });
  const all = (performance.now() - t0) / 1000;
  const cpuAll = cpuSince(c0);
  const common = { assets: index.assetCount, services: index.serviceCount, seed };
  console.log(
    JSON.stringify({
      bench: "assess.all",
      value: round(all),
      unit: "s",
      cpuSeconds: cpuAll,
      load1: round(loadavg()[0]),
      ...common,
      findings: report.findings.length,
      pairs: report.pairs.length,
      paths: report.paths.length,
      phasesMs: report.timings,
    }),
  );
  // attack paths and choke points alone (categorization is an input: crown jewels)
  const cat = categorizeArrays(index);
  const jewels: number[] = [];
  for (let a = 0; a < index.assetCount; a++)
    if (model.assets[a].layer === "ot" && (cat.integ[a] === 2 || cat.avail[a] === 2)) jewels.push(a);
  const c1 = process.cpuUsage();
  const t1 = performance.now();
  const ag = buildAttackGraph(index, new Uint8Array(index.assetCount), jewels);
  const atk = attackPaths(ag, mergeActors(), controlFixes(index));
  const paths = (performance.now() - t1) / 1000;
  const cpuPaths = cpuSince(c1);
  console.log(
    JSON.stringify({
      bench: "assess.paths",
      value: round(paths),
      unit: "s",
      cpuSeconds: cpuPaths,
      ...common,
      crownJewels: jewels.length,
      actors: atk.perActor.length,
      chokepoints: atk.chokepoints.length,
    }),
  );
}

/** CPU seconds (user + system, every thread) since `c0`: wall time alone misleads on a shared machine. */
function cpuSince(c0: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(c0);
  return round((c.user + c.system) / 1e6);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

if (process.argv[1]?.endsWith("bench/assess.ts")) await run();
