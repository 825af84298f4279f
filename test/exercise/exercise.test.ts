/**
 * Tabletop exercises (docs/exercise.md): injects from the simulator's timeline, decisions played into the
 * simulation, equivalence with `rampart simulate` on the same actions, refusals, the after-action review.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { beforeAll, describe, expect, test } from "vitest";
import type { ExerciseDef } from "../../src/contracts/exercise.ts";
import { checkDecision, parseDecisionsText } from "../../src/exercise/decisions.ts";
import { bestResponse, buildExercise, injectsOf, play, review, targetChecker } from "../../src/exercise/engine.ts";
import { renderReviewHtml } from "../../src/exercise/html.ts";
import { arrange, editInjects } from "../../src/exercise/injects.ts";
import { type LoadResult, loadModel } from "../../src/model/load.ts";
import { BUILT_IN } from "../../src/simulate/library.ts";
import { parseScenarioObject } from "../../src/simulate/scenario.ts";

type Loaded = Extract<LoadResult, { ok: true }>;
const dir = mkdtempSync(join(tmpdir(), "rampart-exercise-"));
const MODEL = "examples/harborview";

function rampart(...args: string[]) {
  const r = spawnSync(process.execPath, ["bin/rampart", ...args], { encoding: "utf8", timeout: 300_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let loaded: Loaded;
let ex: ExerciseDef;

beforeAll(async () => {
  const m = await loadModel(MODEL);
  if (!m.ok) throw new Error("harborview does not load");
  loaded = m;
  const p = parseScenarioObject(BUILT_IN.ransomware, "built-in:ransomware");
  if (!p.ok) throw new Error("ransomware");
  const b = buildExercise(loaded, p.scenario, { id: "drill", seed: 3, runs: 8 });
  if (!b.ok) throw new Error(b.message);
  ex = b.exercise;
});

/** A known decision file, in exercise time (the clock shows 06:00 at hour 0). */
const DECISIONS = `decisions:
  - { at: "06:30", role: ot-operations, isolate: [wtr-control], for: 12h, note: "cut the water SCADA off" }
  - { at: 1h30m, role: incident-commander, contain: true }
  - { at: 2h, role: ot-operations, fallback: [water-supply, wastewater] }
  - { at: 2h, role: it-operations, crew: city-it-ops, count: 2 }
  - { at: 3h, role: ot-operations, restore: [tun-scada-a] }
  - { at: 3h10m, role: communications, note: "statement to the press" }
`;

describe("exercises", () => {
  test("[EXR-3][SCN-5] a scripted exercise gives the same outcome as rampart simulate with those actions", async () => {
    const d = parseDecisionsText("decisions.yaml", DECISIONS, ex, targetChecker(loaded, ex));
    if (!d.ok) throw new Error(d.issues.map((i) => i.message).join("; "));
    const played = await play(loaded, ex, d.decisions);
    // the same actions written by hand as explicit scenario actions, at scenario time (hour 0 = ex.offset)
    const o = ex.offset;
    const scenario = `${yaml.dump(BUILT_IN.ransomware)}actions:
  - { at: ${o}h30m, isolate: [wtr-control], for: 12h }
  - { at: ${o + 1}h30m, contain: true }
  - { at: ${o + 2}h, fallback: [water-supply, wastewater] }
  - { at: ${o + 2}h, crew: city-it-ops, count: 2 }
  - { at: ${o + 3}h, restore: [tun-scada-a] }
`;
    const file = join(dir, "ransomware-with-actions.yaml");
    writeFileSync(file, scenario);
    const r = rampart("simulate", MODEL, "--scenario", file, "--runs", "8", "--seed", "3", "--json", "--workers", "2");
    expect(r.code).toBe(0);
    const cli = JSON.parse(r.out);
    const same = (x: unknown) => JSON.parse(JSON.stringify(x));
    expect(cli.totals).toEqual(same(played.report.totals));
    expect(cli.services).toEqual(same(played.report.services));
    // and the decisions matter: doing nothing is another outcome
    const nothing = await play(loaded, ex, []);
    expect(nothing.outcome.personHours).not.toBe(played.outcome.personHours);
  });

  test("[EXR-1] injects are what people see, in exercise time from the hour before the first of them", () => {
    const injects = injectsOf(loaded, ex, []);
    expect(injects.length).toBeGreaterThan(3);
    expect(injects.some((i) => i.kind === "compromise" || i.kind === "entry")).toBe(false);
    expect(injects[0].at).toBeGreaterThanOrEqual(1);
    expect(injects[0].at).toBeLessThan(2);
    expect(injects.some((i) => i.kind === "encrypt" && /ransom note/i.test(i.text))).toBe(true);
    expect(injects.some((i) => i.kind === "detected")).toBe(true);
    for (let k = 1; k < injects.length; k++) expect(injects[k].at).toBeGreaterThanOrEqual(injects[k - 1].at);
  });

  test("[EXR-3] injects before a decision stay; after it they are its consequence", () => {
    const base = injectsOf(loaded, ex, []);
    const detected = base.find((i) => i.kind === "detected")?.at as number;
    const at = Math.round((detected + 0.25) * 60) / 60;
    const after = injectsOf(loaded, ex, [{ at, role: "incident-commander", kind: "contain", targets: [] }]);
    const upTo = (xs: typeof base) => xs.filter((i) => i.at < at);
    expect(upTo(after)).toEqual(upTo(base));
    expect(after.find((i) => i.kind === "contained")?.at).toBeCloseTo(at, 2);
  });

  test("[EXR-2] the facilitator adds, retimes, removes and reorders injects; an unknown id is refused", () => {
    const cur = injectsOf(loaded, ex, []);
    const add = editInjects(ex, cur, {
      op: "add",
      at: 0.5,
      title: "Press call",
      text: "A journalist asks about outages.",
    });
    if (!add.ok) throw new Error(add.message);
    let e = add.exercise;
    let list = arrange(
      cur.filter((i) => i.source === "simulation"),
      e,
    );
    expect(list[0]).toMatchObject({ id: "fac-1", at: 0.5, source: "facilitator" });
    const [a, b] = [list[1], list[2]];
    const re = editInjects(e, list, { op: "reorder", ids: [b.id, a.id] });
    if (!re.ok) throw new Error(re.message);
    e = re.exercise;
    list = arrange(
      cur.filter((i) => i.source === "simulation"),
      e,
    );
    expect(list[1].id).toBe(b.id);
    expect(list[1].at).toBe(a.at);
    expect(list[2].id).toBe(a.id);
    const rm = editInjects(e, list, { op: "remove", id: b.id });
    if (!rm.ok) throw new Error(rm.message);
    expect(arrange(cur, rm.exercise).some((i) => i.id === b.id)).toBe(false);
    const bad = editInjects(e, list, { op: "retime", id: "sim-nope", at: 1 });
    expect(bad).toEqual({ ok: false, message: `no inject "sim-nope" in exercise ${ex.id}` });
  });

  test("[EXR-4][EXR-5] a decision a role may not take, or timed before the start, is refused", () => {
    expect(checkDecision(ex, { role: "communications", kind: "isolate", at: 1 })?.message).toBe(
      'role communications may not take a "isolate" decision; it may take: nothing, note',
    );
    expect(checkDecision(ex, { role: "incident-commander", kind: "contain", at: -0.5 })?.code).toBe("before-start");
    expect(checkDecision(ex, { role: "ghost", kind: "note", at: 1 })?.code).toBe("unknown-role");
    expect(checkDecision(ex, { role: "it-operations", kind: "contain", at: 1 })).toBeNull();
  });

  test("[EXR-6] a bad decisions file: every error located, nothing played", () => {
    const text = `decisions:
  - { at: "05:30", role: incident-commander, contain: true }
  - { at: 1h, role: communications, isolate: [wtr-control] }
  - { at: -2h, role: it-operations, contain: true }
  - { at: 2h, role: ot-operations, isolate: [wtr-contrl] }
  - { at: 2h, role: ot-operations, fallback: [district-heating] }
  - { at: 2h, role: ot-operations, restore: [tun-scada-a], contain: true }
  - { at: soon, role: ot-operations, nothing: true }
`;
    const d = parseDecisionsText("bad.yaml", text, ex, targetChecker(loaded, ex));
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.issues.map((i) => `${i.line}:${i.column} ${i.code} ${i.path}`)).toEqual([
      "2:11 before-start decisions[0].at",
      "3:37 not-allowed decisions[1].isolate",
      "4:11 before-start decisions[2].at",
      "5:46 unknown-ref decisions[3].isolate[0]",
      "6:47 no-fallback decisions[4].fallback[0]",
      "7:60 bad-decision decisions[5].contain",
      "8:11 bad-time decisions[6].at",
    ]);
    expect(d.issues[3].message).toContain("did you mean wtr-control?");
  });

  test("[EXR-6][EXR-8][EXR-9] exercise new | run | report from the command line", () => {
    const exFile = join(dir, "drill.json");
    const n = rampart("exercise", "new", MODEL, "--scenario", "ransomware", "--seed", "3", "--out", exFile);
    expect(n.code).toBe(0);
    expect(n.out).toMatch(/Ransom note on/);
    const decFile = join(dir, "decisions.yaml");
    writeFileSync(decFile, DECISIONS);
    const out = join(dir, "review.json");
    const html = join(dir, "review.html");
    const r = rampart("exercise", "run", MODEL, exFile, "--decisions", decFile, "--out", out, "--budget", "10");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/team's decisions/);
    const rep = rampart("exercise", "report", out, "--html", html);
    expect(rep.code).toBe(0);
    const page = readFileSync(html, "utf8");
    expect(page).toContain("statement to the press");
    expect(page).toContain("isolate wtr-control");
    // a bad decisions file: exit 1, located, nothing written
    const badDec = join(dir, "bad-decisions.yaml");
    writeFileSync(badDec, 'decisions:\n  - { at: "05:00", role: communications, contain: true }\n');
    const out2 = join(dir, "review2.json");
    const b = rampart("exercise", "run", MODEL, exFile, "--decisions", badDec, "--out", out2);
    expect(b.code).toBe(1);
    expect(b.err).toContain(`${badDec}:2:`);
    expect(b.err).toMatch(/before the exercise started|may not take/);
    expect(existsSync(out2)).toBe(false);
  });

  test("[EXR-7] an exercise on a scenario that does not bind to the model is refused, naming the binding", () => {
    const sc = join(dir, "unbound.yaml");
    writeFileSync(sc, "id: unbound\nname: Unbound\nevents:\n  - { at: 1h, down: [water-plant-plc-9] }\n");
    const out = join(dir, "unbound.json");
    const r = rampart("exercise", "new", MODEL, "--scenario", sc, "--out", out);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${sc}:4:22: error: unknown asset or service "water-plant-plc-9"`);
    expect(r.err).toMatch(/scenario unbound does not bind to the model Harborview/);
    expect(existsSync(out)).toBe(false);
  });

  test("[EXR-8][EXR-9] the review: latency per role, objectives, losses; best never worse than nothing or the team", async () => {
    const d = parseDecisionsText("decisions.yaml", DECISIONS, ex, targetChecker(loaded, ex));
    if (!d.ok) throw new Error("decisions");
    const rv = await review(loaded, ex, d.decisions, { budget: 8, rounds: 2 });
    expect(rv.latency.map((l) => [l.role, l.decisions])).toEqual([
      ["incident-commander", 1],
      ["it-operations", 1],
      ["ot-operations", 3],
      ["communications", 1],
    ]);
    expect(rv.timeline.filter((e) => e.type === "decision")).toHaveLength(6);
    expect(rv.outcome.objectivesTotal).toBe(rv.outcome.objectives.length);
    expect(rv.best.personHours).toBeLessThanOrEqual(rv.nothing.personHours);
    expect(rv.best.personHours).toBeLessThanOrEqual(rv.outcome.personHours + 1e-6);
    const again = bestResponse(loaded, ex, d.decisions, { budget: 8, rounds: 2 });
    expect(again.decisions).toEqual(rv.best.decisions);
    const html = renderReviewHtml(rv);
    expect(html).toContain("Decision latency by role");
    expect(html).not.toMatch(/<script/);
  });
});
