/**
 * `npm run bench -- scale`: how Rampart grows across processes (docs/scale.md). One section per part, each
 * printing one JSON line per figure with the load average (other jobs share this machine):
 *
 * - `montecarlo`: runs per second of the built-in `ransomware` scenario on a generated city, in process (the
 *   main thread: the SQLite path) and on the PostgreSQL work queue with 1, 2 and 4 `rampart worker`
 *   processes; efficiency per core = queue throughput / (min(workers, cores) x in-process throughput), and
 *   CPU efficiency = in-process CPU per run / queue CPU per run (workers' and coordinator's CPU seconds from
 *   /proc: on a machine other jobs load, wall-clock shares say little, CPU per run still says what the queue
 *   costs). The
 *   aim: 90% or better of linear up to the core count, and no slower than in process at 1 worker. Each queue
 *   result is checked byte-identical to the in-process one. Workers are long-lived: they are started once
 *   (the most first), warmed by one job, and stopped down to each count; the in-process path is warmed too.
 *   Each timed job pays what a real one does: its description written and read, the scenario bound per
 *   worker, every chunk fetched, stored and merged.
 *
 * - `ingest`, `replicas`: partitioned `detect watch` processes and API replicas (bench/_scale-live.ts).
 *
 * Sections are listed in `SECTIONS`; `BENCH_SCALE=montecarlo,...` picks some. Settings: BENCH_PG_URL (else
 * DATABASE_URL, else the loopback test database), BENCH_SCALE_RUNS, BENCH_SCALE_ASSETS, BENCH_SCALE_WORKERS
 * (the worker counts, default 1,2,4).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { generateRaw } from "../src/model/generate.ts";
import { validateRaw } from "../src/model/load.ts";
import { PgQueue } from "../src/scale/queue.ts";
import { BUILT_IN } from "../src/simulate/library.ts";
import { monteCarlo } from "../src/simulate/run.ts";
import { parseScenarioObject } from "../src/simulate/scenario.ts";
import { summarize } from "../src/simulate/stats.ts";
import { ingestSection, replicasSection } from "./_scale-live.ts";

export type Section = { name: string; run(ctx: BenchContext): Promise<void> };
export type BenchContext = { pgUrl: string; cores: number; print(figure: Record<string, unknown>): void };

const BIN = join(import.meta.dirname, "..", "bin", "rampart");
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on Linux). */
const TICKS = 100;

/** CPU seconds (user + system) used so far by these processes, from /proc (Linux). */
function cpuOf(pids: number[]): number {
  let t = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      t += (Number(f[11]) + Number(f[12])) / TICKS;
    } catch {
      // gone: its time is no longer counted (stopped workers are not timed)
    }
  }
  return t;
}

/** CPU seconds used by this process (every thread). */
function ownCpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
const load = () => loadavg().map((x) => Math.round(x * 100) / 100);

/** Starts `rampart worker` processes on `schema` and waits until each is ready. */
async function startWorkers(n: number, url: string, schema: string): Promise<ChildProcess[]> {
  const out: ChildProcess[] = [];
  await Promise.all(
    Array.from({ length: n }, (_, i) => {
      const child = spawn(process.execPath, [BIN, "worker", "--quiet", "--name", `bench-${i}`], {
        env: { ...process.env, DATABASE_URL: url, RAMPART_QUEUE_SCHEMA: schema },
        stdio: ["ignore", "pipe", "inherit"],
      });
      out.push(child);
      return new Promise<void>((resolve, reject) => {
        let text = "";
        child.stdout?.on("data", (d: Buffer) => {
          text += d;
          if (text.includes("ready: queue")) resolve();
        });
        child.once("exit", (code) => reject(new Error(`bench: worker ${i} exited with ${code}: ${text}`)));
      });
    }),
  );
  return out;
}

async function stopWorkers(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null) return resolve();
          c.once("exit", () => resolve());
          c.kill("SIGTERM");
        }),
    ),
  );
}

const montecarlo: Section = {
  name: "montecarlo",
  async run(ctx) {
    const runs = Number(process.env.BENCH_SCALE_RUNS ?? 20_000);
    const assets = Number(process.env.BENCH_SCALE_ASSETS ?? 5000);
    const counts = (process.env.BENCH_SCALE_WORKERS ?? "1,2,4").split(",").map(Number);
    const raw = generateRaw({ assets, seed: 7 });
    const model = validateRaw(raw, () => {});
    if (!model) throw new Error("bench: the generated city does not validate");
    const sc = parseScenarioObject(BUILT_IN.ransomware, "built-in:ransomware");
    if (!sc.ok) throw new Error("bench: ransomware does not parse");
    const base = { runs, assets: model.assets.length, services: model.services.length, cores: ctx.cores };
    let pids: number[] = [];
    const once = async (executor?: Parameters<typeof monteCarlo>[3]["executor"], n = runs) => {
      const c0 = ownCpu() + cpuOf(pids);
      const t0 = performance.now();
      const { merged, runners } = await monteCarlo([model], sc.scenario.raw, sc.scenario.file, {
        runs: n,
        seed: 1,
        workers: 1,
        executor,
      });
      const json = JSON.stringify(summarize(runners[0].compiled, merged[0], []));
      return { s: (performance.now() - t0) / 1000, cpu: ownCpu() + cpuOf(pids) - c0, json };
    };
    // the in-process path: what a SQLite server or a CLI run with --workers 1 does (after a warm-up run, as
    // the workers below are long-lived and warm)
    await once(undefined, Math.ceil(runs / 4));
    const local = await once();
    const perCore = runs / local.s;
    const cpuPerRun = local.cpu / runs;
    ctx.print({
      bench: "scale.montecarlo.in-process",
      value: Math.round(perCore),
      unit: "runs/s",
      seconds: Math.round(local.s * 100) / 100,
      cpuSeconds: Math.round(local.cpu * 100) / 100,
      runsPerCpuSecond: Math.round(1 / cpuPerRun),
      ...base,
      load: load(),
    });
    const schema = `bench_scale_${process.pid}_${randomBytes(3).toString("hex")}`;
    const queue = await PgQueue.open({ url: ctx.pgUrl, schema });
    const tag = () => `bench-${randomBytes(4).toString("hex")}`;
    // the most workers first, warmed by one job; then fewer, stopping the extra ones
    const sorted = [...counts].sort((x, y) => y - x);
    const workers = await startWorkers(sorted[0], ctx.pgUrl, schema);
    try {
      await once(queue.executor(tag()), Math.ceil(runs / 4));
      for (const n of sorted) {
        await stopWorkers(workers.splice(n));
        pids = workers.map((w) => w.pid as number);
        const r = await once(queue.executor(tag()));
        const rate = runs / r.s;
        ctx.print({
          bench: `scale.montecarlo.queue.${n}`,
          value: Math.round(rate),
          unit: "runs/s",
          seconds: Math.round(r.s * 100) / 100,
          workers: n,
          speedup: Math.round((rate / perCore) * 100) / 100,
          efficiencyPerCore: Math.round((rate / (Math.min(n, ctx.cores) * perCore)) * 1000) / 1000,
          // CPU of the workers and the coordinator: what a run costs on the queue against in process, which
          // a busy machine does not distort (the database's own CPU is not counted)
          cpuSeconds: Math.round(r.cpu * 100) / 100,
          runsPerCpuSecond: Math.round(runs / r.cpu),
          cpuEfficiency: Math.round((cpuPerRun / (r.cpu / runs)) * 1000) / 1000,
          identical: r.json === local.json,
          ...base,
          load: load(),
        });
      }
    } finally {
      await stopWorkers(workers);
      await queue.close();
      const c = new pg.Client({ connectionString: ctx.pgUrl });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    }
  },
};

/** The sections in order: Monte Carlo, partitioned ingestion, API replicas (bench/_scale-live.ts). */
export const SECTIONS: Section[] = [montecarlo, ingestSection, replicasSection];

export async function run(): Promise<void> {
  const pgUrl = process.env.BENCH_PG_URL ?? process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
  const pick = process.env.BENCH_SCALE?.split(",").filter(Boolean);
  const ctx: BenchContext = {
    pgUrl,
    cores: availableParallelism(),
    print: (f) => process.stdout.write(`${JSON.stringify(f)}\n`),
  };
  const probe = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 2000 });
  try {
    await probe.connect();
  } catch {
    process.stdout.write(`${JSON.stringify({ bench: "scale", skipped: `no PostgreSQL at ${new URL(pgUrl).host}` })}\n`);
    return;
  } finally {
    await probe.end().catch(() => {});
  }
  for (const s of SECTIONS) if (!pick || pick.includes(s.name)) await s.run(ctx);
}
