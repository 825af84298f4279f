/**
 * Server job latency: how long an assessment job and a small simulation job take through the server's engine
 * adapters (`src/server/engines.ts`: a worker thread per job), the first one after start and the next ones.
 * The first pays for starting a thread that loads the TypeScript sources; with the warm pool the next ones
 * reuse that thread.
 *
 * Figures (one JSON line each): `jobs.assessment.first`, `jobs.assessment.next` (median of 5),
 * `jobs.simulation.first`, `jobs.simulation.next` (median of 5; 20 runs of ransomware), in ms, with the load
 * average (other jobs share this machine).
 */

import { loadavg } from "node:os";
import { join } from "node:path";
import { loadModel } from "../src/model/load.ts";
import { type JobHooks, loadEngines } from "../src/server/engines.ts";

const hooks = (): JobHooks => ({ progress: () => {}, signal: new AbortController().signal });

function print(name: string, ms: number, extra: Record<string, unknown> = {}) {
  process.stdout.write(
    `${JSON.stringify({ bench: name, ms: Math.round(ms), load: loadavg().map((x) => Math.round(x * 10) / 10), ...extra })}\n`,
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run(): Promise<void> {
  const loaded = await loadModel(join(import.meta.dirname, "..", "examples", "harborview"));
  if (!loaded.ok) throw new Error("harborview does not load");
  const { model, raw } = loaded;
  const engines = await loadEngines();
  const assess = engines.assess;
  const simulate = engines.simulate;
  if (!assess || !simulate) throw new Error("engines missing");
  const req = { asOf: "2026-06-01", today: "2026-06-01", accepted: [] };
  const sim = { scenario: "ransomware", runs: 20, seed: 1, controls: [], compare: [] };
  try {
    const time = async (f: () => Promise<unknown>) => {
      const t0 = performance.now();
      await f();
      return performance.now() - t0;
    };
    print("jobs.assessment.first", await time(() => assess.run(model, raw, req, hooks())));
    const next: number[] = [];
    for (let i = 0; i < 5; i++) next.push(await time(() => assess.run(model, raw, req, hooks())));
    print("jobs.assessment.next", median(next), { samples: next.map(Math.round) });
    print("jobs.simulation.first", await time(() => simulate.run(model, raw, sim, hooks())));
    const nextSim: number[] = [];
    for (let i = 0; i < 5; i++) nextSim.push(await time(() => simulate.run(model, raw, sim, hooks())));
    print("jobs.simulation.next", median(nextSim), { samples: nextSim.map(Math.round) });
  } finally {
    await (engines as { close?: () => Promise<void> }).close?.();
  }
}
