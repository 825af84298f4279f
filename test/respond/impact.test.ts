/**
 * The case impact engine against a slow obvious oracle, and the case workflow ([CASE-3]..[CASE-8]).
 */
import { describe, expect, test } from "vitest";
import { serviceWeight } from "../../src/model/consequence.ts";
import { loadModel } from "../../src/model/load.ts";
import type { CityModel } from "../../src/model/model.ts";
import type { Person } from "../../src/model/party.ts";
import { streamFor } from "../../src/model/rng.ts";
import { type AssetChange, caseImpact, downNow } from "../../src/respond/impact.ts";
import { pickPerson, transitionError } from "../../src/respond/workflow.ts";
import { makeAsset, makeModel, makeService, randomModel, req } from "../helpers/random-model.ts";

const T0 = Date.parse("2026-03-01T00:00:00Z");
const iso = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

/** Levels by [DEP-1]..[DEP-3], [DEP-5]: iterate down from the caps until nothing changes (no buffers, no fallbacks). */
function oracleLevels(model: CityModel, down: Set<string>): Map<string, number> {
  const nodes = [
    ...model.assets.map((a) => ({ id: a.id as string, reqs: a.requires })),
    ...model.services.map((s) => ({ id: s.id as string, reqs: s.requires })),
  ];
  const level = new Map(nodes.map((n) => [n.id, down.has(n.id) ? 0 : 1]));
  for (let changed = true; changed; ) {
    changed = false;
    for (const n of nodes) {
      let v = down.has(n.id) ? 0 : 1;
      for (const r of n.reqs) {
        const ls = r.members.map((m) => level.get(m) as number).sort((a, b) => b - a);
        const sat = ls[Math.min(r.k, ls.length) - 1];
        v = Math.min(v, Math.max(r.degrade, sat));
      }
      if (v < (level.get(n.id) as number)) {
        level.set(n.id, v);
        changed = true;
      }
    }
  }
  return level;
}

/** Person-hours per service: piecewise constant between the log's change points, levels by the oracle. */
function oraclePersonHours(model: CityModel, log: AssetChange[], nowMs: number): Map<string, number> {
  const ph = new Map(model.services.map((s) => [s.id as string, 0]));
  const times = [...new Set(log.map((c) => Date.parse(c.at)).filter((t) => t <= nowMs)), nowMs].sort((a, b) => a - b);
  for (let i = 0; i + 1 < times.length; i++) {
    const down = new Set(downNow(log.filter((c) => Date.parse(c.at) <= times[i])));
    const lv = oracleLevels(model, down);
    const h = (times[i + 1] - times[i]) / 3_600_000;
    for (const s of model.services)
      ph.set(s.id, (ph.get(s.id) as number) + (1 - (lv.get(s.id) as number)) * s.population * h);
  }
  return ph;
}

/** A random model without buffers and fallbacks (the oracle does not time them). */
function plainModel(seed: number): CityModel {
  const m = randomModel(seed);
  const strip = <T extends { requires: { buffer?: number }[] }>(x: T): T => ({
    ...x,
    requires: x.requires.map(({ buffer: _b, ...r }) => r),
  });
  return {
    ...m,
    assets: m.assets.map(strip),
    services: m.services.map((s) => {
      const { fallback: _f, ...rest } = strip(s);
      return rest as CityModel["services"][number];
    }),
  };
}

function randomLog(model: CityModel, seed: number): AssetChange[] {
  const rng = streamFor(seed, 11);
  const log: AssetChange[] = [];
  const down = new Set<string>();
  let t = 0;
  for (let i = 0; i < 1 + rng.int(8); i++) {
    t += rng.int(240);
    const a = model.assets[rng.int(model.assets.length)].id as string;
    const state = down.has(a) ? "restored" : "down";
    state === "down" ? down.add(a) : down.delete(a);
    log.push({ at: iso(t), asset: a, state });
  }
  return log;
}

describe("case impact", () => {
  test("[CASE-4] [CASE-3] person-hours so far and levels at risk equal the oracle's on 300 random models and logs", () => {
    let checked = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const model = plainModel(seed);
      const log = randomLog(model, seed);
      const nowMs = Date.parse(log[log.length - 1].at) + 90 * 60_000;
      const r = caseImpact(model, log, new Date(nowMs).toISOString());
      if (!r.ok) throw new Error(`seed ${seed}: unknown ${r.unknown}`);
      const ph = oraclePersonHours(model, log, nowMs);
      const lv = oracleLevels(model, new Set(downNow(log)));
      for (const s of model.services) {
        const got = r.impact.services.find((x) => x.id === s.id);
        expect(got?.personHours ?? 0, `seed ${seed} ${s.id}`).toBeCloseTo(ph.get(s.id) as number, 6);
        expect(got?.worstLevel ?? 1, `seed ${seed} ${s.id} level`).toBeCloseTo(lv.get(s.id) as number, 9);
        checked++;
      }
      const total = [...ph.values()].reduce((a, b) => a + b, 0);
      expect(r.impact.personHours).toBeCloseTo(total, 6);
      const weighted = model.services.reduce((a, s) => a + serviceWeight(s) * (ph.get(s.id) as number), 0);
      expect(r.impact.weightedLoss).toBeCloseTo(weighted, 4);
    }
    expect(checked).toBeGreaterThan(600);
  });

  test("[CASE-4] a buffer rides through and a fallback lifts the level, exactly as the simulator times them", () => {
    const model = makeModel({
      assets: [makeAsset("pump", "z")],
      services: [
        makeService("water", 1000, [req("all", ["pump"], { buffer: 2 })], { level: 0.5, after: 1, lasts: 100 }),
      ],
    });
    // down 10 h: 2 h buffer, then 1 h at level 0, then the fallback at 0.5 for 7 h
    const r = caseImpact(
      model,
      [
        { at: iso(0), asset: "pump", state: "down" },
        { at: iso(600), asset: "pump", state: "restored" },
      ],
      iso(900),
    );
    if (!r.ok) throw new Error("unknown");
    expect(r.impact.personHours).toBeCloseTo(1000 * 1 + 500 * 7, 6);
    expect(r.impact.down).toEqual([]);
    expect(r.impact.severity).toBe("low");
  });

  test("[CASE-5] severity: low with nothing at risk, critical when an essential service would fall to 0", () => {
    const model = makeModel({
      assets: [makeAsset("a", "z"), makeAsset("b", "z")],
      services: [
        { ...makeService("hospital", 1000, [req("all", ["a"])]), sector: "health" },
        { ...makeService("portal", 10, [req("all", ["b"], { degrade: 0.99 })]), sector: "government" },
      ],
    });
    const at = (log: AssetChange[]) => {
      const r = caseImpact(model, log, iso(60));
      if (!r.ok) throw new Error("unknown");
      return r.impact;
    };
    expect(at([]).severity).toBe("low");
    expect(at([{ at: iso(0), asset: "b", state: "down" }]).severity).toBe("medium");
    const crit = at([{ at: iso(0), asset: "a", state: "down" }]);
    expect(crit.severity).toBe("critical");
    expect(crit.services[0]).toMatchObject({ id: "hospital", worstLevel: 0, essential: true });
    expect(crit.personHours).toBeCloseTo(1000, 6);
  });

  test("[CASE-3] an asset the model does not have is named, not thrown", () => {
    const model = makeModel({ assets: [makeAsset("a", "z")], services: [makeService("s", 10, [req("all", ["a"])])] });
    expect(caseImpact(model, [{ at: iso(0), asset: "ghost", state: "down" }], iso(1))).toEqual({
      ok: false,
      unknown: ["ghost"],
    });
  });

  test("[CASE-4] Harborview: both water SCADA servers down for a day cost water supply person-hours", async () => {
    const r = await loadModel("examples/harborview");
    if (!r.ok) throw new Error("harborview does not load");
    const log: AssetChange[] = [
      { at: iso(0), asset: "wtr-scada-a", state: "down" },
      { at: iso(0), asset: "wtr-scada-b", state: "down" },
    ];
    const i = caseImpact(r.model, log, iso(24 * 60));
    if (!i.ok) throw new Error("unknown");
    expect(i.impact.services.map((s) => s.id)).toContain("water-supply");
    expect(i.impact.personHours).toBeGreaterThan(0);
    expect(["high", "critical"]).toContain(i.impact.severity);
  });
});

describe("case workflow", () => {
  const s = (status: Parameters<typeof transitionError>[0]["status"], assetsDown = 0, openTasks = 0) => ({
    status,
    assetsDown,
    openTasks,
  });
  test("[CASE-6] statuses move one step forward only; a closed case does not move", () => {
    expect(transitionError(s("open"), "contained")).toBeNull();
    expect(transitionError(s("contained"), "eradicated")).toBeNull();
    expect(transitionError(s("eradicated"), "recovered")).toBeNull();
    expect(transitionError(s("recovered"), "closed")).toBeNull();
    expect(transitionError(s("open"), "recovered")).toMatch(/can only become contained/);
    expect(transitionError(s("eradicated"), "contained")).toMatch(/can only become recovered/);
    expect(transitionError(s("open"), "open")).toMatch(/can only become contained/);
    expect(transitionError(s("closed"), "open")).toMatch(/closed/);
  });
  test("[CASE-7] recovered needs every asset restored; closed needs every task finished", () => {
    expect(transitionError(s("eradicated", 2), "recovered")).toMatch(/2 assets are still down/);
    expect(transitionError(s("recovered", 0, 1), "closed")).toMatch(/1 task is still open/);
  });
  test("[CASE-8] a task goes to someone answering for an affected service, then an overall lead, then the first", () => {
    const p = (id: string, responsible: string[]): Person =>
      ({ id, name: id, role: "Engineer", responsible }) as Person;
    const people = [p("x", ["roads"]), p("lead", ["all"]), p("w", ["water"])];
    expect(pickPerson(people, new Set(["water"]))?.id).toBe("w");
    expect(pickPerson(people, new Set(["power"]))?.id).toBe("lead");
    expect(pickPerson([p("x", ["roads"])], new Set(["power"]))?.id).toBe("x");
    expect(pickPerson([], new Set())).toBeNull();
  });
});
