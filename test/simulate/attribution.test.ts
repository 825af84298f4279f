/**
 * Attribution of loss to the attack, cascade between services and our own containment ([ATT-1]), the
 * attacker's objective ([SCN-4]) and the council figures per service ([CON-3]). Small fixed scenarios are
 * worked out by hand; generated cities check the invariants on many random runs.
 */
import { describe, expect, test } from "vitest";
import { generateRaw } from "../../src/model/generate.ts";
import { validateRaw } from "../../src/model/load.ts";
import { SetRunner } from "../../src/simulate/chunk.ts";
import { simulate } from "../../src/simulate/index.ts";
import { BUILT_IN, BUILT_IN_IDS } from "../../src/simulate/library.ts";
import { parseScenarioObject } from "../../src/simulate/scenario.ts";
import { IMPACT, modelOf, scenarioRaw } from "./helpers.ts";

/** A run's per-service parts by id: [attack, cascade, containment] person-hours, and peak / severe. */
function parts(model: ReturnType<typeof modelOf>, sc: unknown) {
  const raw = scenarioRaw(sc);
  const runner = new SetRunner(model, raw, "<test>");
  const r = runner.runRange(1, 0, 0, 1);
  const out: Record<string, { attack: number; cascade: number; containment: number; peak: number; severe: number }> =
    {};
  model.services.forEach((s, i) => {
    out[s.id] = {
      attack: r.phDirect[i],
      cascade: r.phNoContain[i] - r.phDirect[i],
      containment: r.personHours[i] - r.phNoContain[i],
      peak: r.peakLoss[i],
      severe: r.severe[i],
    };
  });
  return { out, success: r.attackSucceeded[0], effect: r.effectApplied[0] };
}

/** power needs the substation; the pump needs power (a service); water needs the pump. */
const CASCADE = modelOf(`
rampart: 1
city: { name: Testville, population: 10000 }
zones: [ { id: office }, { id: plant } ]
conduits: [ { id: office-plant, from: office, to: plant } ]
assets:
  - { id: sub, name: sub, kind: rtu, layer: ot, zone: plant }
  - { id: pump, name: pump, kind: plc, layer: ot, zone: plant, requires: [ { service: power } ] }
  - { id: ws, name: ws, kind: workstation, layer: it, zone: office }
  - { id: mail, name: mail, kind: server, layer: it, zone: office }
  - { id: dc, name: dc, kind: domain-controller, layer: it, zone: office }
  - { id: scada, name: scada, kind: scada-server, layer: ot, zone: plant, requires: [ { asset: dc } ] }
services:
  - { id: power, name: power, sector: power, population: 1000, ${IMPACT}, requires: [ { asset: sub, degrade: 0.5 } ] }
  - { id: water, name: water, sector: water, population: 100, ${IMPACT}, requires: [ { asset: pump } ] }
  - { id: ops, name: ops, sector: other, population: 10, ${IMPACT}, requires: [ { asset: scada } ] }
`);

/** ws held at 1, mail (same office zone) at 2; noticed at 3, contained at 4, isolations 6 h. */
const SPREAD = {
  id: "t",
  name: "t",
  attack: {
    entry: { via: "insider", targets: { assets: ["ws"] }, time: "1h" },
    steps: [{ id: "spread", action: "compromise", probability: 1, targets: { assets: ["mail"] }, time: "1h" }],
  },
  detection: { unmonitored: { probability: 1, delay: "2h" } },
  containment: { delay: "1h", isolation: "6h" },
};

describe("[ATT-1] loss split into attack, cascade and our containment", () => {
  test("[ATT-1][CON-3] a substation down 2 h: power's loss is the attack's, water's is cascade", () => {
    const { out } = parts(CASCADE, { id: "t", name: "t", events: [{ at: "1h", down: ["sub"], for: "2h" }] });
    // power at 0.5 on [1, 3): 1000 x 0.5 x 2 = 1000, all attack; peak half its people; 0.5 < 0.9 for 2 h.
    expect(out.power).toEqual({ attack: 1000, cascade: 0, containment: 0, peak: 0.5, severe: 2 });
    // pump needs power (a service): min(1, 0.5) -> water at 0.5 on [1, 3): 100 x 0.5 x 2 = 100, all cascade.
    expect(out.water).toEqual({ attack: 0, cascade: 100, containment: 0, peak: 0.5, severe: 2 });
    expect(out.ops).toEqual({ attack: 0, cascade: 0, containment: 0, peak: 0, severe: 0 });
  });

  test("[ATT-1][CNT-1] the office isolated 6 h for two held hosts: the plant's loss is all our containment", () => {
    const { out } = parts(CASCADE, SPREAD);
    // detected at 3, contained at 4: office isolated 4 -> 10; scada needs dc across the cut: ops 10 x 6 = 60.
    expect(out.ops).toEqual({ attack: 0, cascade: 0, containment: 60, peak: 1, severe: 6 });
    expect(out.power.attack + out.power.cascade + out.power.containment).toBe(0);
  });

  test("[CNT-1] the model's city.containment sets the policy; scope host cuts no zone (nothing lost to it here)", () => {
    const raw = (s: string) =>
      modelOf(
        `rampart: 1\ncity: { name: T, population: 100, containment: { scope: ${s}, decidedBy: incident commander } }\n` +
          "zones: [ { id: office }, { id: plant } ]\nconduits: [ { id: c, from: office, to: plant } ]\n" +
          "assets:\n  - { id: ws, name: ws, kind: workstation, layer: it, zone: office }\n" +
          "  - { id: mail, name: mail, kind: server, layer: it, zone: office }\n" +
          "  - { id: dc, name: dc, kind: domain-controller, layer: it, zone: office }\n" +
          "  - { id: scada, name: scada, kind: scada-server, layer: ot, zone: plant, requires: [ { asset: dc } ] }\n" +
          `services:\n  - { id: ops, name: ops, sector: other, population: 10, ${IMPACT}, requires: [ { asset: scada } ] }\n`,
      );
    const sc = SPREAD;
    expect(parts(raw("host"), sc).out.ops.containment).toBe(0);
    expect(parts(raw("zone"), sc).out.ops.containment).toBe(60);
    expect(parts(raw("proportionate"), sc).out.ops.containment).toBe(60);
    const runner = new SetRunner(raw("host"), scenarioRaw(sc), "<test>");
    expect(runner.compiled.containment.decidedBy).toBe("incident commander");
    expect(runner.compiled.containment.scope).toBe("host");
  });

  test("[ATT-1] on generated cities the parts are ordered and sum to the whole in every run and service", () => {
    for (const seed of [3, 5]) {
      const raw = generateRaw({ assets: 400, seed });
      const model = validateRaw(raw, () => {});
      if (!model) throw new Error("generated city invalid");
      for (const id of ["ransomware", "grid-attack", "water-manipulation"]) {
        const runner = new SetRunner(model, BUILT_IN[id], `built-in:${id}`);
        const r = runner.runRange(seed, 0, 0, 60);
        let contained = 0;
        for (let i = 0; i < r.personHours.length; i++) {
          expect(r.phDirect[i]).toBeGreaterThanOrEqual(0);
          expect(r.phNoContain[i]).toBeGreaterThanOrEqual(r.phDirect[i]);
          expect(r.personHours[i]).toBeGreaterThanOrEqual(r.phNoContain[i]);
          contained += r.personHours[i] - r.phNoContain[i];
        }
        expect(Number.isFinite(contained)).toBe(true);
      }
    }
  });
});

describe("[SCN-4] success is the scenario's objective reached", () => {
  test("[SCN-4] every built-in scenario names its objective and its target sectors", () => {
    const targets: Record<string, string[] | undefined> = {};
    for (const id of BUILT_IN_IDS) {
      const p = parseScenarioObject(BUILT_IN[id], id);
      if (!p.ok) throw new Error(p.issues[0].message);
      expect(p.scenario.objective?.description, id).toBeTruthy();
      targets[id] = p.scenario.objective?.sectors;
    }
    expect(targets).toEqual({
      ransomware: undefined,
      "grid-attack": ["power"],
      "traffic-signals": ["traffic"],
      "water-manipulation": ["water", "wastewater"],
      "sensor-poisoning": undefined,
      "supply-chain": undefined,
      "ddos-citizen-services": ["government", "health", "transport", "emergency", "finance", "other"],
    });
  });

  const destroy = (target: string, objective: Record<string, unknown>) => ({
    id: "t",
    name: "t",
    objective,
    attack: {
      entry: { via: "insider", targets: { assets: ["ws"] }, time: "1h" },
      steps: [{ id: "kill", action: "destroy", on: "reachable", probability: 1, targets: { assets: [target] } }],
    },
    detection: { unmonitored: { probability: 0 } },
  });

  test("[SCN-4] an effect on what a target service needs is success; the same effect elsewhere is not", () => {
    const hit = parts(CASCADE, destroy("sub", { description: "cut power", sectors: ["power"] }));
    expect([hit.success, hit.effect]).toEqual([1, 1]);
    const miss = parts(CASCADE, destroy("scada", { description: "cut power", sectors: ["power"] }));
    expect([miss.success, miss.effect]).toEqual([0, 1]);
    // `below`: power at 0.5 is not below 0.5
    const shallow = parts(CASCADE, destroy("sub", { description: "cut power", sectors: ["power"], below: 0.5 }));
    expect(shallow.success).toBe(0);
  });

  test("[SCN-4] a scenario whose effects cannot reach its target services says so when it binds", () => {
    const runner = new SetRunner(CASCADE, destroy("scada", { description: "cut power", sectors: ["power"] }), "t");
    expect(runner.compiled.warnings.join("\n")).toMatch(/binds weakly: no effect step targets an asset/);
  });

  test("[SCN-4] grid-attack on a generated city where electricity never loses level warns that it binds weakly", async () => {
    const raw = generateRaw({ assets: 2000, seed: 3 });
    const model = validateRaw(raw, () => {});
    if (!model) throw new Error("generated city invalid");
    const p = parseScenarioObject(BUILT_IN["grid-attack"], "built-in:grid-attack");
    if (!p.ok) throw new Error(p.issues[0].message);
    const r = await simulate({ model, raw }, p.scenario, { runs: 100, seed: 1, workers: 1, with: [], compare: [] });
    if (!r.ok) throw new Error("simulate failed");
    expect(r.report.totals.effectAppliedProbability).toBeGreaterThan(0.5);
    expect(r.report.totals.attackSuccessProbability).toBeLessThan(0.05);
    expect(r.report.warnings.join("\n")).toMatch(/grid-attack binds weakly: attack effects landed in .* objective/);
  }, 60_000);
});
