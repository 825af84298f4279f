/** Hand-worked examples for every levels rule ([DEP-1]..[DEP-6]) and the engine's bookkeeping. */
import { describe, expect, test } from "vitest";
import { buildIndex } from "../../src/model/graph.ts";
import { LevelsEngine } from "../../src/model/levels.ts";
import { loadModelFromSources } from "../../src/model/load.ts";
import type { CityModel } from "../../src/model/model.ts";
import { makeAsset, makeModel, makeService, req } from "../helpers/random-model.ts";

function load(text: string): CityModel {
  const r = loadModelFromSources([
    { file: "m.yaml", text: `rampart: 1\ncity: { name: T, population: 1000 }\n${text}` },
  ]);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.model;
}

/** An engine over `model` with helpers by id. */
function engineFor(model: CityModel) {
  const ix = buildIndex(model);
  const e = new LevelsEngine(ix);
  const node = (id: string) => {
    const n = ix.nodeOf.get(id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  };
  const lv = (id: string) => e.level[node(id)];
  const levels = () => Object.fromEntries(ix.nodeId.map((id, n) => [id, e.level[n]]));
  const changed = () => Array.from(e.changed.subarray(0, e.changedCount), (n) => ix.nodeId[n]).sort();
  return { ix, e, node, lv, levels, changed };
}

const IMPACT = "impact: { confidentiality: low, integrity: low, availability: high }";
const asset = (id: string, requires = "[]") =>
  `  - { id: ${id}, name: ${id}, kind: server, layer: it, zone: z, requires: ${requires} }\n`;
const service = (id: string, requires = "[]", extra = "") =>
  `  - { id: ${id}, name: ${id}, sector: other, population: 100, ${IMPACT}, requires: ${requires}${extra} }\n`;

describe("[DEP-1] caps", () => {
  const m = load(`zones: [ { id: z } ]\nassets:\n${asset("a")}${asset("b", "[ { asset: a } ]")}`);

  test("[DEP-1] every level starts at 1 and stays in [0, 1]; a hit caps one node", () => {
    const { e, node, levels } = engineFor(m);
    expect(levels()).toEqual({ a: 1, b: 1 });
    e.setCap(node("a"), 0.3);
    expect(levels()).toEqual({ a: 0.3, b: 0.3 });
    e.setCap(node("a"), -2); // out of range: clamped
    expect(levels()).toEqual({ a: 0, b: 0 });
    e.setCap(node("a"), 7);
    expect(levels()).toEqual({ a: 1, b: 1 });
  });

  test("[DEP-1] a node with no requirements is limited only by its cap; when the hit ends the cap is gone", () => {
    const { e, node, lv } = engineFor(m);
    e.setCap(node("b"), 0.6);
    expect([lv("a"), lv("b")]).toEqual([1, 0.6]);
    e.setCap(node("a"), 0);
    expect([lv("a"), lv("b")]).toEqual([0, 0]);
    e.setCap(node("a"), 1);
    expect([lv("a"), lv("b")]).toEqual([1, 0.6]);
    e.setCap(node("b"), 1);
    expect([lv("a"), lv("b")]).toEqual([1, 1]);
  });
});

describe("[DEP-2] satisfaction", () => {
  const m = load(
    `zones: [ { id: z } ]\nassets:\n${asset("a")}${asset("b")}${asset("c")}${asset("d")}services:\n` +
      service(
        "s",
        "[ { all: [a, b, c] }, { any: [a, b, c] }, { k: 2, of: [a, b, c] }, { asset: c }, { k: 2, of: [a, a, d] } ]",
      ),
  );

  test("[DEP-2] all = smallest, any = largest, k-of-n = k-th largest, one member = its level", () => {
    const { e, node } = engineFor(m);
    e.setCap(node("a"), 0.2);
    e.setCap(node("b"), 0.9);
    e.setCap(node("c"), 0.5);
    expect([0, 1, 2, 3].map((r) => e.satisfaction(r))).toEqual([0.2, 0.9, 0.5, 0.5]);
    e.setCap(node("b"), 0.1);
    expect([0, 1, 2, 3].map((r) => e.satisfaction(r))).toEqual([0.1, 0.5, 0.2, 0.5]);
  });

  test("[DEP-2] k-of-n counts a member listed twice twice", () => {
    const { e, node } = engineFor(m);
    e.setCap(node("d"), 0);
    expect(e.satisfaction(4)).toBe(1); // a, a are the two largest
    e.setCap(node("a"), 0.4);
    expect(e.satisfaction(4)).toBe(0.4);
    e.setCap(node("d"), 0.7);
    expect(e.satisfaction(4)).toBe(0.4); // 0.7, 0.4, 0.4: second largest 0.4
  });

  test("[DEP-2] k-of-n over a wide group: k-th largest by quickselect", () => {
    const ids = Array.from({ length: 9 }, (_, i) => `m${i}`);
    const model = makeModel({
      assets: ids.map((id) => makeAsset(id, "z")),
      services: [1, 2, 3, 5, 8, 9].map((k) => makeService(`s${k}`, 10, [req("k", ids, { k })])),
    });
    const { e, node } = engineFor(model);
    const caps = [0.3, 0.9, 0.1, 0.9, 0.5, 0, 0.7, 0.5, 0.2];
    for (const [i, id] of ids.entries()) e.setCap(node(id), caps[i]);
    const sorted = [...caps].sort((a, b) => b - a);
    expect([0, 1, 2, 3, 4, 5].map((r) => e.satisfaction(r))).toEqual([1, 2, 3, 5, 8, 9].map((k) => sorted[k - 1]));
  });
});

describe("[DEP-3] node level", () => {
  const m = load(
    `zones: [ { id: z } ]\nassets:\n${asset("substation")}${asset("pump")}services:\n` +
      service("electricity", "[ { asset: substation } ]") +
      service("water", "[ { service: electricity }, { asset: pump, degrade: 0.4 } ]"),
  );

  test("[DEP-3] power at 0.9 limits the water service that needs it to 0.9", () => {
    const { e, node, lv } = engineFor(m);
    e.setCap(node("electricity"), 0.9);
    expect(lv("water")).toBe(0.9);
    expect(e.own[node("water")]).toBe(0.9);
  });

  test("[DEP-3] an unmet requirement leaves its degrade level; the minimum over requirements counts", () => {
    const { e, node, lv } = engineFor(m);
    e.setCap(node("pump"), 0);
    expect(lv("water")).toBe(0.4);
    expect(e.effective(1)).toBe(1); // water's requirement on electricity
    expect([e.satisfaction(2), e.effective(2)]).toEqual([0, 0.4]); // on the pump: max(degrade 0.4, 0)
    e.setCap(node("substation"), 0.2);
    expect([lv("electricity"), lv("water")]).toEqual([0.2, 0.2]);
    e.setCap(node("substation"), 0.5);
    expect(lv("water")).toBe(0.4);
  });

  test("[DEP-3] a cap below what the requirements allow wins", () => {
    const { e, node, lv } = engineFor(m);
    e.setCap(node("pump"), 0);
    e.setCap(node("water"), 0.1);
    expect(lv("water")).toBe(0.1);
    e.setCap(node("water"), 1);
    expect(lv("water")).toBe(0.4);
  });
});

describe("[DEP-4] buffers", () => {
  const m = load(
    `zones: [ { id: z } ]\nassets:\n${asset("ups-fed", "[ { service: electricity, buffer: 4h } ]")}${asset("grid")}services:\n` +
      service("electricity", "[ { asset: grid } ]"),
  );

  test("[DEP-4] a buffered requirement counts as met until exhausted, then as its real satisfaction", () => {
    const { e, node, lv, changed } = engineFor(m);
    e.setCap(node("grid"), 0);
    expect(lv("electricity")).toBe(0);
    expect(lv("ups-fed")).toBe(1);
    expect(e.satisfaction(0)).toBe(0);
    expect(e.effective(0)).toBe(1);
    e.setBufferExhausted(0, true);
    expect(lv("ups-fed")).toBe(0);
    expect(changed()).toEqual(["ups-fed"]);
    e.setBufferExhausted(0, false); // full again
    expect(lv("ups-fed")).toBe(1);
  });

  test("[DEP-4] an exhausted buffer with satisfaction back at 1 contributes 1; exhaustAllBuffers exhausts all", () => {
    const { e, node, lv } = engineFor(m);
    e.exhaustAllBuffers();
    expect(e.exhausted[0]).toBe(1);
    expect(lv("ups-fed")).toBe(1);
    e.setCap(node("grid"), 0.5);
    expect(lv("ups-fed")).toBe(0.5);
    e.setCap(node("grid"), 1);
    expect(lv("ups-fed")).toBe(1);
  });

  test("[DEP-4] a buffer flag on a requirement without a buffer changes nothing", () => {
    const { e, node, lv } = engineFor(m);
    e.setCap(node("grid"), 0);
    e.setBufferExhausted(1, true); // electricity -> grid has no buffer
    expect(lv("electricity")).toBe(0);
    e.setBufferExhausted(1, false);
    expect(lv("electricity")).toBe(0);
  });
});

describe("[DEP-5] greatest fixpoint and cycles", () => {
  // power needs telecom (its SCADA network), telecom needs power: a cycle; hospital needs both
  const m = load(
    `zones: [ { id: z } ]\nassets:\n${asset("scada", "[ { service: telecom } ]")}${asset("router", "[ { service: power } ]")}${asset("gen")}services:\n` +
      service("power", "[ { asset: scada } ]") +
      service("telecom", "[ { asset: router } ]") +
      service("hospital", "[ { all: [power, telecom] } ]"),
  );

  test("[DEP-5] a healthy cycle stays up", () => {
    const { levels } = engineFor(m);
    expect(levels()).toEqual({ scada: 1, router: 1, gen: 1, power: 1, telecom: 1, hospital: 1 });
  });

  test("[DEP-5] a cycle broken anywhere stays down; repairing the break brings it back", () => {
    const { e, node, levels, changed } = engineFor(m);
    e.setCap(node("router"), 0);
    expect(levels()).toEqual({ scada: 0, router: 0, gen: 1, power: 0, telecom: 0, hospital: 0 });
    expect(changed()).toEqual(["hospital", "power", "router", "scada", "telecom"]);
    e.setCap(node("router"), 1);
    expect(levels()).toEqual({ scada: 1, router: 1, gen: 1, power: 1, telecom: 1, hospital: 1 });
    expect(changed()).toEqual(["hospital", "power", "router", "scada", "telecom"]);
  });

  test("[DEP-5] with two breaks, repairing one leaves the cycle down", () => {
    const { e, node, levels } = engineFor(m);
    e.setCap(node("router"), 0);
    e.setCap(node("scada"), 0.5);
    e.setCap(node("router"), 1);
    expect(levels()).toEqual({ scada: 0.5, router: 0.5, gen: 1, power: 0.5, telecom: 0.5, hospital: 0.5 });
    e.setCap(node("scada"), 1);
    expect(levels()).toEqual({ scada: 1, router: 1, gen: 1, power: 1, telecom: 1, hospital: 1 });
  });

  test("[DEP-5] a cycle with a degrade level settles at it, not below", () => {
    const model = makeModel({
      assets: [makeAsset("x", "z", [req("all", ["y"], { degrade: 0.5 })]), makeAsset("y", "z", [req("all", ["x"])])],
    });
    const { e, node, lv } = engineFor(model);
    e.setCap(node("y"), 0);
    expect([lv("x"), lv("y")]).toEqual([0.5, 0]);
    e.setCap(node("y"), 1);
    expect([lv("x"), lv("y")]).toEqual([1, 1]);
  });

  test("[DEP-5] a node requiring itself is limited by its cap only", () => {
    const model = makeModel({ assets: [makeAsset("x", "z", [req("all", ["x"])])] });
    const { e, node, lv } = engineFor(model);
    expect(lv("x")).toBe(1);
    e.setCap(node("x"), 0.3);
    expect(lv("x")).toBe(0.3);
    e.setCap(node("x"), 1);
    expect(lv("x")).toBe(1);
  });

  test("[DEP-5] recomputeAll gives the same levels as the incremental updates", () => {
    const { e, node, levels } = engineFor(m);
    e.setCap(node("router"), 0.5);
    e.setCap(node("gen"), 0);
    const before = levels();
    e.recomputeAll();
    expect(levels()).toEqual(before);
    expect(e.changedCount).toBe(0);
  });
});

describe("[DEP-6] fallback floors", () => {
  const m = load(
    `zones: [ { id: z } ]\nassets:\n${asset("plc")}${asset("hmi", "[ { service: water } ]")}services:\n` +
      service("water", "[ { asset: plc } ]", ", fallback: { level: 0.5, after: 2h }"),
  );

  test("[DEP-6] level = max(own, floor): own stays the [DEP-3] level, dependents read level", () => {
    const { e, node, lv, changed } = engineFor(m);
    const w = node("water");
    e.setCap(node("plc"), 0);
    expect([e.own[w], lv("water"), lv("hmi")]).toEqual([0, 0, 0]);
    e.setFloor(w, 0.5);
    expect([e.own[w], lv("water"), lv("hmi")]).toEqual([0, 0.5, 0.5]);
    expect(changed()).toEqual(["hmi", "water"]);
    e.setCap(node("plc"), 0.8); // own back above the floor
    expect([e.own[w], lv("water")]).toEqual([0.8, 0.8]);
    e.setFloor(w, 0);
    expect([e.own[w], lv("water"), lv("hmi")]).toEqual([0.8, 0.8, 0.8]);
  });

  test("[DEP-6] a fallback never lifts a level above a cap on that service", () => {
    const { e, node, lv } = engineFor(m);
    const w = node("water");
    e.setCap(node("plc"), 0);
    e.setCap(w, 0.3);
    e.setFloor(w, 0.5);
    expect([e.own[w], lv("water")]).toEqual([0, 0.3]);
    e.setCap(w, 1);
    expect(lv("water")).toBe(0.5);
  });

  test("[DEP-6] changed lists a service whose own level moved under a floor that holds its level", () => {
    const { e, node, changed } = engineFor(m);
    const w = node("water");
    e.setCap(node("plc"), 0.2);
    e.setFloor(w, 0.5);
    e.setCap(node("plc"), 0.5); // own 0.2 -> 0.5 = the fallback level: level stays 0.5
    expect([e.own[w], e.level[w]]).toEqual([0.5, 0.5]);
    expect(changed()).toEqual(["plc", "water"]);
  });
});

describe("[DEP-5] undo log", () => {
  const m = load(
    `zones: [ { id: z } ]\nassets:\n${asset("a")}${asset("b", "[ { any: [a, c] } ]")}${asset("c", "[ { asset: b, buffer: 1h } ]")}services:\n` +
      service("s", "[ { k: 2, of: [a, b, c] } ]", ", fallback: { level: 0.5, after: 2h }"),
  );

  test("[DEP-5] rollback restores levels, caps, buffers and floors exactly, and lists what it changed", () => {
    const { e, node, levels, changed } = engineFor(m);
    e.setCap(node("a"), 0.5);
    const base = levels();
    const mark = e.checkpoint();
    e.setCap(node("a"), 0);
    e.setBufferExhausted(1, true);
    e.setFloor(node("s"), 0.5);
    const inner = e.checkpoint();
    e.setCap(node("c"), 0);
    expect(levels()).toEqual({ a: 0, b: 0, c: 0, s: 0.5 });
    e.rollback(inner);
    expect(levels()).toEqual({ a: 0, b: 1, c: 1, s: 1 }); // the b <-> c cycle is healthy without a
    expect(changed()).toEqual(["b", "c", "s"]);
    e.rollback(mark);
    expect(levels()).toEqual(base);
    expect(changed()).toEqual(["a"]);
    expect([e.cap[node("a")], e.floor[node("s")], e.exhausted[1]]).toEqual([0.5, 0, 0]);
    expect(() => e.rollback(mark + 1000)).toThrow(RangeError);
  });

  test("[CRI-1] one baseline, every asset down in turn, rolled back each time", () => {
    const { e, ix, levels } = engineFor(m);
    e.exhaustAllBuffers();
    const base = levels();
    const mark = e.checkpoint();
    const seen: Record<string, number>[] = [];
    for (let n = 0; n < ix.assetCount; n++) {
      e.setCap(n, 0);
      seen.push(levels());
      e.rollback(mark);
      expect(levels()).toEqual(base);
    }
    // a alone: b and c keep each other up; b: c follows (buffer exhausted); c: b keeps a's branch
    expect(seen).toEqual([
      { a: 0, b: 1, c: 1, s: 1 },
      { a: 1, b: 0, c: 0, s: 0 },
      { a: 1, b: 1, c: 0, s: 1 },
    ]);
  });

  test("[DEP-1] reset clears caps, floors and exhausted buffers and lists what changed", () => {
    const { e, node, levels, changed } = engineFor(m);
    e.exhaustAllBuffers();
    e.setCap(node("b"), 0);
    e.setFloor(node("s"), 0.5);
    expect(levels()).toEqual({ a: 1, b: 0, c: 0, s: 0.5 });
    e.reset();
    expect(levels()).toEqual({ a: 1, b: 1, c: 1, s: 1 });
    expect(changed()).toEqual(["b", "c", "s"]);
    expect([e.cap[node("b")], e.floor[node("s")]]).toEqual([1, 0]);
    expect(Array.from(e.exhausted)).toEqual([0, 0, 0]);
  });
});
