/**
 * Differential test of the levels engine against a slow, obvious oracle: the greatest fixpoint recomputed from
 * scratch by repeated sweeps from the caps ([DEP-5]), straight from the model's requirement lists.
 */
import { describe, expect, test } from "vitest";
import { buildIndex } from "../../src/model/graph.ts";
import { LevelsEngine } from "../../src/model/levels.ts";
import type { CityModel, Requirement } from "../../src/model/model.ts";
import { type Rng, streamFor } from "../../src/model/rng.ts";
import { LEVEL_VALUES, pick, type RandomModelOptions, randomModel } from "../helpers/random-model.ts";

/** The inputs of the levels: caps and floors per node, exhausted flags per requirement. */
type Inputs = { cap: number[]; floor: number[]; exhausted: boolean[] };
type Levels = { level: number[]; own: number[]; sat: number[]; eff: number[] };

/** Nodes in index order (assets, then services) and their requirements, in index order. */
function nodesOf(model: CityModel): { ids: string[]; requires: Requirement[][]; reqs: Requirement[] } {
  const ids = [...model.assets.map((a) => a.id as string), ...model.services.map((s) => s.id as string)];
  const requires = [...model.assets.map((a) => a.requires), ...model.services.map((s) => s.requires)];
  return { ids, requires, reqs: requires.flat() };
}

/** [DEP-2]: all = smallest, any = largest, k-of-n = k-th largest. */
function satisfactionOf(r: Requirement, levelOf: (id: string) => number): number {
  const values = r.members.map(levelOf).sort((a, b) => b - a);
  if (r.kind === "all") return values[values.length - 1];
  if (r.kind === "any") return values[0];
  return values[r.k - 1];
}

/** The oracle: start every node at its cap, sweep [DEP-3]/[DEP-4]/[DEP-6] over all nodes until nothing changes. */
function oracle(model: CityModel, inputs: Inputs): Levels {
  const { ids, requires, reqs } = nodesOf(model);
  const pos = new Map(ids.map((id, i) => [id, i]));
  const level = [...inputs.cap];
  const own = [...inputs.cap];
  const levelOf = (id: string) => level[pos.get(id) as number];
  const effectiveOf = (r: Requirement, index: number) => {
    const buffered = r.buffer !== undefined && r.buffer > 0 && !inputs.exhausted[index];
    return Math.max(r.degrade, buffered ? 1 : satisfactionOf(r, levelOf));
  };
  let changed = true;
  while (changed) {
    changed = false;
    let reqIndex = 0;
    for (let n = 0; n < ids.length; n++) {
      let o = inputs.cap[n];
      for (const r of requires[n]) o = Math.min(o, effectiveOf(r, reqIndex++));
      const l = Math.min(inputs.cap[n], Math.max(o, inputs.floor[n]));
      if (l !== level[n] || o !== own[n]) {
        if (l > level[n]) throw new Error("oracle: a sweep from the caps raised a level"); // only ever lowers
        level[n] = l;
        own[n] = o;
        changed = true;
      }
    }
  }
  const sat = reqs.map((r) => satisfactionOf(r, levelOf));
  const eff = reqs.map((r, i) => effectiveOf(r, i));
  return { level, own, sat, eff };
}

function fresh(model: CityModel): Inputs {
  const { ids, reqs } = nodesOf(model);
  return { cap: ids.map(() => 1), floor: ids.map(() => 0), exhausted: reqs.map(() => false) };
}

function copy(i: Inputs): Inputs {
  return { cap: [...i.cap], floor: [...i.floor], exhausted: [...i.exhausted] };
}

function same<T>(a: T[], b: T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function diff(a: number[], b: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.push(i);
  return out;
}

/** Runs `ops` random operations on a random model, checking the engine against the oracle after each. */
function runSeed(seed: number, ops = 30, opts: RandomModelOptions = {}): void {
  const model = randomModel(seed, opts);
  const index = buildIndex(model);
  const engine = new LevelsEngine(index);
  const rng: Rng = streamFor(seed, 11);
  let inputs = fresh(model);
  let prev = oracle(model, inputs);
  const marks: { mark: number; inputs: Inputs }[] = [];
  const log: string[] = [];

  const check = (what: string) => {
    const want = oracle(model, inputs);
    const changed = [...new Set([...diff(prev.level, want.level), ...diff(prev.own, want.own)])].sort((a, b) => a - b);
    const got = Array.from(engine.changed.subarray(0, engine.changedCount)).sort((a, b) => a - b);
    const satGot = Array.from(engine.satChanged.subarray(0, engine.satChangedCount)).sort((a, b) => a - b);
    const sat = want.sat.map((_, r) => engine.satisfaction(r));
    const eff = want.eff.map((_, r) => engine.effective(r));
    const exhausted = Array.from(engine.exhausted, (x) => x === 1);
    const satChanged = diff(prev.sat, want.sat);
    const fine =
      same(Array.from(engine.level), want.level) &&
      same(Array.from(engine.own), want.own) &&
      same(Array.from(engine.cap), inputs.cap) &&
      same(Array.from(engine.floor), inputs.floor) &&
      same(exhausted, inputs.exhausted) &&
      same(sat, want.sat) &&
      same(eff, want.eff) &&
      same(got, changed) &&
      same(satGot, satChanged);
    prev = want;
    if (fine) return;
    // a mismatch: let expect name it
    const ctx = `seed ${seed} after ${log.join("; ")}`;
    expect(Array.from(engine.level), `${ctx}: level (${what})`).toEqual(want.level);
    expect(Array.from(engine.own), `${ctx}: own`).toEqual(want.own);
    expect(Array.from(engine.cap), `${ctx}: cap`).toEqual(inputs.cap);
    expect(Array.from(engine.floor), `${ctx}: floor`).toEqual(inputs.floor);
    expect(exhausted, `${ctx}: exhausted`).toEqual(inputs.exhausted);
    expect(sat, `${ctx}: satisfaction`).toEqual(want.sat);
    expect(eff, `${ctx}: effective`).toEqual(want.eff);
    expect(got, `${ctx}: changed`).toEqual(changed);
    expect(satGot, `${ctx}: satChanged`).toEqual(satChanged);
    expect.unreachable(`${ctx}: a mismatch the checks above did not name`);
  };

  const n = index.nodeCount;
  const rc = index.reqCount;
  for (let step = 0; step < ops; step++) {
    const op = rng.int(100);
    if (op < 30) {
      const node = rng.int(n);
      const cap = pick(rng, LEVEL_VALUES);
      log.push(`setCap(${node}, ${cap})`);
      engine.setCap(node, cap);
      inputs.cap[node] = cap;
    } else if (op < 45) {
      // repair: raise a cap that is down
      const down = inputs.cap.map((c, i) => (c < 1 ? i : -1)).filter((i) => i >= 0);
      if (down.length === 0) continue;
      const node = pick(rng, down);
      const cap =
        rng.next() < 0.7
          ? 1
          : pick(
              rng,
              LEVEL_VALUES.filter((v) => v > inputs.cap[node]),
            );
      log.push(`setCap(${node}, ${cap})`);
      engine.setCap(node, cap);
      inputs.cap[node] = cap;
    } else if (op < 60) {
      if (rc === 0) continue;
      const r = rng.int(rc);
      const ex = rng.next() < 0.6;
      log.push(`setBufferExhausted(${r}, ${ex})`);
      engine.setBufferExhausted(r, ex);
      inputs.exhausted[r] = ex;
    } else if (op < 72) {
      const node = rng.next() < 0.8 ? index.assetCount + rng.int(index.serviceCount) : rng.int(n);
      const floor = pick(rng, [0, 0, 0.25, 0.5, 0.8, 1]);
      log.push(`setFloor(${node}, ${floor})`);
      engine.setFloor(node, floor);
      inputs.floor[node] = floor;
    } else if (op < 76) {
      log.push("exhaustAllBuffers()");
      engine.exhaustAllBuffers();
      inputs.exhausted = nodesOf(model).reqs.map((r, i) => inputs.exhausted[i] || (r.buffer ?? 0) > 0);
    } else if (op < 88) {
      const mark = engine.checkpoint();
      log.push(`checkpoint()=${mark}`);
      marks.push({ mark, inputs: copy(inputs) });
      continue; // nothing changes: changed keeps the previous call's list
    } else if (op < 97) {
      if (marks.length === 0) continue;
      const at = rng.int(marks.length);
      const { mark, inputs: saved } = marks[at];
      marks.length = at; // later marks are invalid after a rollback; this one is reusable
      marks.push({ mark, inputs: copy(saved) });
      log.push(`rollback(${mark})`);
      engine.rollback(mark);
      inputs = copy(saved);
    } else if (op < 99) {
      log.push("reset()");
      engine.reset();
      inputs = fresh(model);
      marks.length = 0;
    } else {
      log.push("recomputeAll()");
      engine.recomputeAll();
    }
    check(log[log.length - 1]);
  }
}

describe("[DEP-5] the levels engine equals a full greatest-fixpoint recomputation", () => {
  test("[DEP-2][DEP-3][DEP-4][DEP-5][DEP-6] random models and operation sequences (2,500 seeds)", () => {
    for (let seed = 1; seed <= 2500; seed++) runSeed(seed);
  });

  test("[DEP-2][DEP-5] larger random models, wide k-of-n groups, long operation sequences (200 seeds)", () => {
    const opts = { maxAssets: 40, maxServices: 10, maxRequirements: 4, maxMembers: 12 };
    for (let seed = 100_001; seed <= 100_200; seed++) runSeed(seed, 120, opts);
  });
});

// No seed has found a bug in the engine as written. These seeds are the first to catch deliberately broken
// variants of it (checked by hand when the test was written), so they stay pinned on their own.
describe("pinned seeds", () => {
  test("[DEP-2] seed 2: k-th largest off by one, and skipping a member that drops from exactly the k-th value", () => {
    runSeed(2);
  });
  test("[DEP-5] seed 1: a repair that recomputes only the repaired node, not its dependent closure", () => {
    runSeed(1);
  });
  test("[DEP-5] seed 3: rollback that forgets to restore cached satisfactions", () => {
    runSeed(3);
  });
});
