/**
 * `npm run bench -- exercise`: on Harborview with the ransomware scenario, seed 1: building an exercise
 * (binding and tracing run 0 into injects), the injects after a decision (a traced re-run), playing decisions
 * (simulate over the exercise's runs) and the whole after-action review (team, nothing, best response with
 * its greedy search). Prints one JSON line per figure with wall seconds and the load average.
 */
import { loadavg } from "node:os";
import { buildExercise, injectsOf, play, review } from "../src/exercise/engine.ts";
import { loadModel } from "../src/model/load.ts";
import { BUILT_IN } from "../src/simulate/library.ts";
import { parseScenarioObject } from "../src/simulate/scenario.ts";

export async function run(): Promise<void> {
  const loaded = await loadModel("examples/harborview");
  if (!loaded.ok) throw new Error("bench: Harborview does not load");
  const p = parseScenarioObject(BUILT_IN.ransomware, "built-in:ransomware");
  if (!p.ok) throw new Error("bench: ransomware does not parse");
  const line = (figure: string, t0: number, extra: Record<string, unknown> = {}) =>
    console.log(
      JSON.stringify({
        bench: "exercise",
        figure,
        seconds: +((performance.now() - t0) / 1000).toFixed(3),
        load: +loadavg()[0].toFixed(2),
        ...extra,
      }),
    );
  let t0 = performance.now();
  const b = buildExercise(loaded, p.scenario, { id: "bench", seed: 1, runs: 1 });
  if (!b.ok) throw new Error(b.message);
  line("build (bind, trace, injects)", t0, { injects: b.injects.length });
  const ex = b.exercise;
  const decisions = [
    { at: 1.5, role: "incident-commander", kind: "contain" as const, targets: [] },
    { at: 2, role: "ot-operations", kind: "fallback" as const, targets: ["water-supply"] },
  ];
  t0 = performance.now();
  injectsOf(loaded, ex, decisions);
  line("injects after decisions (traced re-run)", t0);
  for (const runs of [1, 100]) {
    t0 = performance.now();
    await play(loaded, { ...ex, runs }, decisions);
    line(`play decisions (${runs} runs)`, t0);
  }
  t0 = performance.now();
  const r = await review(loaded, ex, decisions);
  line("after-action review (1 run, best response budget 40 x 3 rounds)", t0, { evaluations: r.best.evaluations });
}
