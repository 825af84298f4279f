/**
 * The restoration planner against slow, obvious oracles: the simulator run on a fresh scenario per schedule,
 * and every assignment and order tried (test/recover/helpers.ts).
 */
import { describe, expect, test } from "vitest";
import { LevelsEngine } from "../../src/model/levels.ts";
import { capacityBoundPerService, combinedBound, lowerBound } from "../../src/recover/bound.ts";
import { ScheduleEvaluator } from "../../src/recover/evaluate.ts";
import { planHorizon, planRestoration, replan } from "../../src/recover/plan.ts";
import { ALWAYS, buildProblem, finishTime, startTime } from "../../src/recover/problem.ts";
import { decode, freshStart } from "../../src/recover/schedule.ts";
import { makeAsset, makeModel, makeService, req } from "../helpers/random-model.ts";
import { crewFileOf, finishByHours, oracleBest, randomCase, simulatedLoss } from "./helpers.ts";

const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);

describe("schedule evaluation is the simulator's", () => {
  test("[RCV-3] the evaluator's weighted loss equals a fresh simulator run on the same down set and restore times", () => {
    for (const seed of SEEDS) {
      const { model, problem } = randomCase(seed, 5);
      const h = planHorizon(problem, freshStart(problem));
      const ev = new ScheduleEvaluator(model, problem.index, problem.tasks, h);
      for (let k = 0; k < 4; k++) {
        const restore = problem.tasks.map((_, i) => 1 + ((seed * 7 + i * 13 + k * 5) % 40));
        expect(ev.loss(restore), `seed ${seed} try ${k}`).toBe(simulatedLoss(model, problem, restore, h));
      }
    }
  });

  test("[RCV-3] [DEP-4] [DEP-6] a buffer and a fallback shape the loss exactly as the simulator says", () => {
    const model = makeModel({
      assets: [makeAsset("pump", "z"), makeAsset("scada", "z")],
      services: [
        makeService("water", 1000, [req("all", ["pump"]), req("all", ["scada"], { buffer: 6, degrade: 0.5 })], {
          level: 0.5,
          after: 2,
          lasts: 10,
        }),
      ],
    });
    model.assets[0].rebuild = 4;
    model.assets[1].rebuild = 8;
    const pb = buildProblem({
      model,
      down: [{ id: "pump" }, { id: "scada" }],
      crewFile: crewFileOf([{ id: "one", count: 1, shift: ALWAYS }]),
    });
    if (!pb.ok) throw new Error("problem");
    const ev = new ScheduleEvaluator(model, pb.problem.index, pb.problem.tasks, 720);
    // pump first (0-4), then scada (4-12): water 0 until 2, fallback 0.5 from 2 to 4, then own level 1 until
    // the scada buffer ends at 6, then 0.5 (degrade) until 12: (2*1 + 2*0.5 + 6*0.5) * 1000 = 6000 person-hours
    expect(ev.loss([4, 12])).toBe(2 * 6000);
    expect(ev.personHours()[0]).toBe(6000);
  });
});

describe("exact search", () => {
  test("[RCV-4] on random small cases the plan's loss equals the best of every order and assignment", () => {
    for (const seed of SEEDS) {
      const { model, problem } = randomCase(seed, 5);
      const plan = planRestoration(problem);
      expect(plan.method).toBe("exact");
      expect(plan.optimal).toBe(true);
      const best = oracleBest(model, problem, plan.horizonHours);
      expect(plan.weightedLoss, `seed ${seed}`).toBeCloseTo(best, 6);
      // the plan's own schedule, re-simulated from scratch, gives the loss it states
      const restore = problem.tasks.map((t) => plan.tasks.find((x) => x.id === t.id)?.finish ?? Number.NaN);
      expect(simulatedLoss(model, problem, restore, plan.horizonHours)).toBe(plan.weightedLoss);
    }
  });

  test("[RCV-4] the heuristic alone is never better than the optimum and never worse than the simple orders", () => {
    for (const seed of SEEDS.slice(0, 15)) {
      const { problem } = randomCase(seed, 5);
      const exact = planRestoration(problem);
      const heur = planRestoration(problem, { exactMax: 0 });
      expect(heur.method).toBe("heuristic");
      expect(heur.weightedLoss).toBeGreaterThanOrEqual(exact.weightedLoss - 1e-6);
      expect(heur.weightedLoss).toBeLessThanOrEqual(Math.min(...heur.baselines.map((b) => b.weightedLoss)) + 1e-6);
    }
  });

  test("[RCV-2] work stops outside a team's shift and resumes at the next window", () => {
    const s = { from: 8, hours: 8, every: 24 };
    expect(startTime(0, s)).toBe(8);
    expect(finishTime(0, 4, s)).toBe(12);
    expect(finishTime(14, 4, s)).toBe(24 + 10);
    expect(finishTime(0, 20, s)).toBe(48 + 12);
    for (let st = 0; st < 30; st++)
      for (const w of [1, 3, 8, 9, 17]) expect(finishTime(st, w, s)).toBe(finishByHours(st, w, s));
  });
});

describe("lower bound", () => {
  test("[RCV-5] the bounds are never above the optimum (random cases) nor above any heuristic plan", () => {
    let capWins = 0;
    for (const seed of SEEDS) {
      const { model, problem } = randomCase(seed, 5);
      const plan = planRestoration(problem, { exactMax: 0 });
      expect(plan.lowerBound).toBeLessThanOrEqual(plan.weightedLoss + 1e-6);
      const earliest = problem.tasks.map((t) =>
        Math.min(
          ...Array.from(t.eligible, (j) => finishTime(0, t.duration, problem.crews[problem.teams[j].crew].shift)),
        ),
      );
      const L = new LevelsEngine(problem.index);
      const best = oracleBest(model, problem, plan.horizonHours);
      expect(lowerBound(problem, earliest, L), `seed ${seed}`).toBeLessThanOrEqual(best + 1e-6);
      const cap = capacityBoundPerService(problem, freshStart(problem), earliest, L).reduce((a, x) => a + x, 0);
      expect(cap, `seed ${seed} capacity`).toBeLessThanOrEqual(best + 1e-6);
      expect(combinedBound(problem, freshStart(problem), earliest, L), `seed ${seed} combined`).toBeLessThanOrEqual(
        best + 1e-6,
      );
      if (cap > lowerBound(problem, earliest, L)) capWins++;
      expect(plan.gap).toBeGreaterThanOrEqual(0);
    }
    // the capacity bound is the tighter one on some cases (else this test would not exercise it)
    expect(capWins).toBeGreaterThan(0);
  });
});

describe("re-planning", () => {
  const model = makeModel({
    assets: ["a", "b", "c", "d"].map((id) => makeAsset(id, "z")),
    services: [
      makeService("s1", 1000, [req("all", ["a"])]),
      makeService("s2", 500, [req("all", ["b", "c"])]),
      makeService("s3", 200, [req("any", ["d"])]),
    ],
  });
  model.assets.forEach((a, i) => {
    a.rebuild = [6, 4, 5, 3][i];
  });
  const pb = buildProblem({
    model,
    down: ["a", "b", "c", "d"].map((id) => ({ id })),
    crewFile: crewFileOf([{ id: "crew", count: 2, shift: ALWAYS }]),
  });
  if (!pb.ok) throw new Error("problem");
  const p = pb.problem;
  const plan = planRestoration(p);

  test("[RCV-6] a repair finishing early frees its team then; done and running repairs stay, the rest is re-planned", () => {
    const first = plan.tasks.filter((t) => t.start === 0).sort((x, y) => x.finish - y.finish)[0];
    const r = replan(p, plan, [{ id: first.id, at: first.finish - 1 }]);
    if (!r.ok) throw new Error(r.error.message);
    const np = r.plan;
    expect(np.now).toBe(first.finish - 1);
    const done = np.tasks.find((t) => t.id === first.id);
    expect(done?.state).toBe("done");
    expect(done?.finish).toBe(first.finish - 1);
    for (const t of np.tasks) if (t.state === "planned") expect(t.start).toBeGreaterThanOrEqual(np.now);
    // its stated loss is the simulator's for the whole timeline
    const restore = p.tasks.map((t) => np.tasks.find((x) => x.id === t.id)?.finish ?? Number.NaN);
    expect(simulatedLoss(model, p, restore, np.horizonHours)).toBe(np.weightedLoss);
    expect(np.weightedLoss).toBeLessThanOrEqual(plan.weightedLoss);
  });

  test("[RCV-6] a late repair pushes its team; a report the team had not reached, or an unknown id, is refused", () => {
    const first = plan.tasks.filter((t) => t.start === 0).sort((x, y) => x.finish - y.finish)[0];
    const r = replan(p, plan, [{ id: first.id, at: first.finish + 10 }]);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.plan.weightedLoss).toBeGreaterThanOrEqual(plan.weightedLoss);
    expect(r.plan.tasks.find((t) => t.id === first.id)?.finish).toBe(first.finish + 10);
    const bad = replan(p, plan, [{ id: "nope", at: 1 }]);
    expect(bad.ok).toBe(false);
    const later = plan.tasks.find((t) => t.start > 0);
    if (later) {
      const early = replan(p, plan, [{ id: later.id, at: 0.5 }]);
      expect(early.ok).toBe(false);
    }
  });
});

describe("problem input", () => {
  const model = makeModel({
    assets: [makeAsset("a", "z"), makeAsset("b", "z")],
    services: [makeService("s", 10, [req("all", ["a", "b"])])],
  });
  test("[RCV-7] unknown asset, a service named as down, a repeated id, no crew able to repair: each a clear error", () => {
    const fail = (r: ReturnType<typeof buildProblem>) => {
      if (r.ok) throw new Error("expected a refusal");
      return [
        ...r.errors.map((e) => ({ ...e, where: e.parameter })),
        ...r.issues.map((i) => ({ ...i, where: i.path })),
      ];
    };
    expect(fail(buildProblem({ model, down: [{ id: "aa" }] }))).toMatchObject([
      { code: "unknown-asset", where: "down[0]", message: 'unknown asset "aa"; did you mean a?' },
    ]);
    expect(fail(buildProblem({ model, down: [{ id: "a" }, { id: "s" }] }))).toMatchObject([
      { code: "not-an-asset", where: "down[1]" },
    ]);
    expect(fail(buildProblem({ model, down: [{ id: "a" }, { id: "a" }] }))).toMatchObject([
      { code: "duplicate-asset", where: "down[1]" },
    ]);
    expect(fail(buildProblem({ model, down: [] }))).toMatchObject([{ code: "empty-down", where: "down" }]);
    const r4 = fail(
      buildProblem({
        model,
        down: [{ id: "a" }],
        crewFile: crewFileOf([{ id: "ot", count: 1, layers: ["ot"], shift: ALWAYS }]),
      }),
    );
    expect(r4).toMatchObject([{ code: "no-crew", where: "crews" }]);
    expect(r4[0].message).toMatch(/no crew can repair a \(layer it/);
  });
  test("[RCV-1] repair hours: tested offline backup, else rebuild, else the simulator's default; list scheduling fills the earliest team", () => {
    const m = makeModel({ assets: [makeAsset("x", "z"), makeAsset("y", "z"), makeAsset("w", "z")], services: [] });
    m.assets[0].backup = { every: 24, offline: true, tested: "2026-01-01", restore: 3 };
    m.assets[0].rebuild = 50;
    m.assets[1].rebuild = 7;
    const r = buildProblem({ model: m, down: ["x", "y", "w"].map((id) => ({ id })) });
    if (!r.ok) throw new Error("problem");
    expect(r.problem.tasks.map((t) => [t.duration, t.durationSource])).toEqual([
      [3, "backup"],
      [7, "rebuild"],
      [48, "default"],
    ]);
    const s = decode(r.problem, freshStart(r.problem), [2, 1, 0]);
    expect(Array.from(s.finish)).toEqual([3, 7, 48]); // default crews: 4 IT teams, each repair on its own
  });
});
