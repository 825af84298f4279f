/**
 * The evaluation engine of `rampart invest` [BUY-8]: against the slow obvious oracle (every candidate set
 * re-simulated from scratch through the simulator's full Monte Carlo, its own binding, no lean mode, no
 * sharing), the same per-run losses; the same report for any number of workers and with a pool reused across
 * calls; chunks merged by run index whatever their order; portfolios whose bound scenario is unchanged share
 * the baseline's runs.
 */
import { describe, expect, test } from "vitest";
import { ContextRunner, type EvalChunk, placeChunk } from "../../src/invest/chunk.ts";
import { Evaluator } from "../../src/invest/evaluate.ts";
import { EvalPool, invest } from "../../src/invest/index.ts";
import { weightedLoss } from "../../src/model/consequence.ts";
import { generateRaw } from "../../src/model/generate.ts";
import { type RawModel, validateRaw } from "../../src/model/load.ts";
import { streamFor } from "../../src/model/rng.ts";
import { SetRunner } from "../../src/simulate/chunk.ts";
import { withControls } from "../../src/simulate/index.ts";
import { BUILT_IN } from "../../src/simulate/library.ts";
import { type ChunkExecutor, monteCarlo } from "../../src/simulate/run.ts";
import { parseScenarioObject } from "../../src/simulate/scenario.ts";

const raw = generateRaw({ assets: 150, seed: 5 }) as RawModel & { controls: unknown[]; assets: { id: string }[] };
// a control that changes nothing a scenario reads (a name): its runs are the baseline's
raw.controls.push({
  id: "ctl-rename",
  name: "Rename an asset",
  status: "candidate",
  cost: { capex: 100 },
  patch: [{ target: `assets.${raw.assets[0].id}`, set: { name: "Renamed asset" } }],
});
const model = validateRaw(raw, () => {});
if (!model) throw new Error("generated city invalid");
const loaded = { model, raw };

function scenario(id: string) {
  const p = parseScenarioObject(BUILT_IN[id], `built-in:${id}`);
  if (!p.ok) throw new Error(p.issues[0].message);
  return p.scenario;
}
const scs = [scenario("ransomware"), scenario("supply-chain")];
const ids = [
  ...model.controls
    .filter((c) => c.status !== "implemented" && c.id !== "ctl-rename")
    .slice(0, 3)
    .map((c) => c.id),
  "ctl-rename",
];

describe("invest evaluation [BUY-8]", () => {
  test("[BUY-8] [BUY-3] per-run losses equal the oracle: every candidate set fully re-simulated", async () => {
    const runs = 30;
    const seed = 9;
    const pool = new EvalPool(1);
    const ev = new Evaluator(loaded, scs, ids, { runs, seed, parameter: "--candidates" }, pool);
    const portfolios: number[][] = [];
    for (let m = 0; m < 1 << ids.length; m++) portfolios.push(ids.map((_, i) => i).filter((i) => m & (1 << i)));
    const r = await ev.evaluate(portfolios);
    if (!r.ok) throw new Error(r.error.message);
    for (let j = 0; j < portfolios.length; j++) {
      const w = withControls(
        raw,
        model,
        portfolios[j].map((i) => ids[i]),
        "--candidates",
      );
      if (!w.ok) throw new Error(w.error.message);
      for (let k = 0; k < scs.length; k++) {
        const { merged } = await monteCarlo([w.model], scs[k].raw, scs[k].file, { runs, seed, workers: 1 });
        const m = merged[0];
        const want = Array.from({ length: runs }, (_, x) =>
          weightedLoss(w.model.services, m.personHours, x * m.services),
        );
        expect(Array.from(r.evals[j].wl[k])).toEqual(want);
      }
    }
    // ctl-rename binds to the same fingerprint as the baseline on every scenario: shared, not simulated
    const rename = ids.indexOf("ctl-rename");
    expect(r.evals[1 << rename].wl).toEqual(r.evals[0].wl);
    expect(ev.shared).toBeGreaterThanOrEqual((portfolios.length / 2) * scs.length);
    expect(ev.simulated).toBeLessThanOrEqual((portfolios.length / 2) * scs.length);
    ev.release();
    await pool.close();
  }, 300_000);

  test("[BUY-8] the same report for 1 or 3 workers, with a pool reused across calls and on a chunk executor", async () => {
    const opts = {
      budget: 80_000,
      years: 1,
      runs: 40,
      seed: 4,
      candidates: ids,
      likelihood: { ransomware: 0.3, "supply-chain": 0.1 },
    };
    const one = await invest(loaded, scs, { ...opts, workers: 1 });
    const three = await invest(loaded, scs, { ...opts, workers: 3 });
    const pool = new EvalPool(2);
    try {
      const a = await invest(loaded, scs, { ...opts, workers: 2, pool });
      const b = await invest(loaded, scs, { ...opts, workers: 2, pool, exactMax: 2 });
      const c = await invest(loaded, scs, { ...opts, workers: 2, pool });
      // an executor (as a queue would be): the simulator's own chunks of 7 runs, handed back last first
      const executor: ChunkExecutor = {
        chunkSize: () => 7,
        run: async (job, tasks, onChunk) => {
          const runner = new SetRunner(job.models[0], job.scenarioRaw, job.scenarioFile, job.horizon);
          for (const t of [...tasks].reverse()) onChunk(runner.runRange(job.seed, t.set, t.from, t.to));
        },
      };
      const d = await invest(loaded, scs, { ...opts, workers: 1, executor });
      if (!one.ok || !three.ok || !a.ok || !b.ok || !c.ok || !d.ok) throw new Error("invest failed");
      expect(d.report).toEqual(one.report);
      expect(three.report).toEqual(one.report);
      expect(a.report).toEqual(one.report);
      expect(c.report).toEqual(one.report);
      expect(b.report.method).toBe("additive");
    } finally {
      await pool.close();
    }
  }, 300_000);

  test("[BUY-8] chunks of any size, merged in any order, give the same runs", () => {
    const runner = new ContextRunner({ raw, model, scenarios: scs.map((s) => ({ raw: s.raw, file: s.file })) });
    const task = { ctx: "t", scenario: 0, controls: [ids[0]], key: ids[0], seed: 2, from: 0, to: 50 };
    const whole = runner.run(task);
    const rng = streamFor(77, 0);
    const chunks: EvalChunk[] = [];
    for (let from = 0; from < 50; ) {
      const to = Math.min(50, from + 1 + rng.int(12));
      chunks.push(
        new ContextRunner({ raw, model, scenarios: scs.map((s) => ({ raw: s.raw, file: s.file })) }).run({
          ...task,
          from,
          to,
        }),
      );
      from = to;
    }
    for (let i = chunks.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [chunks[i], chunks[j]] = [chunks[j], chunks[i]];
    }
    const out = { wl: new Float64Array(50), ph: new Float64Array(50) };
    for (const c of chunks) placeChunk(out, c);
    expect(Array.from(out.wl)).toEqual(Array.from(whole.wl));
    expect(Array.from(out.ph)).toEqual(Array.from(whole.ph));
  });
});
