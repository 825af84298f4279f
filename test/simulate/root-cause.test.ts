/**
 * Root causes ([RNK-4]): the loss of services that need another service is credited to the service whose failure
 * caused it. A small hand-built model whose answer is worked out by hand, and Harborview's grid-attack, where
 * electricity is fifth by its own weighted loss but causes most of the others'.
 */
import { describe, expect, test } from "vitest";
import { loadModel } from "../../src/model/load.ts";
import { simulate } from "../../src/simulate/index.ts";
import { BUILT_IN } from "../../src/simulate/library.ts";
import { parseScenarioObject } from "../../src/simulate/scenario.ts";
import { renderText } from "../../src/simulate/text.ts";
import { IMPACT, modelOf } from "./helpers.ts";

/**
 * power (weight 8, 1,000 people) needs the substation; telecom (5, 500) the tower; water (8, 100) the pump, which
 * needs power; the hospital (health 10, 200) needs power and telecom both.
 */
const CITY = `
rampart: 1
city: { name: Testville, population: 10000 }
zones: [ { id: z } ]
assets:
  - { id: sub, name: sub, kind: rtu, layer: ot, zone: z }
  - { id: tower, name: tower, kind: server, layer: it, zone: z }
  - { id: pump, name: pump, kind: plc, layer: ot, zone: z, requires: [ { service: power } ] }
services:
  - { id: power, name: Power, sector: power, population: 1000, ${IMPACT}, requires: [ { asset: sub } ] }
  - { id: telecom, name: Telecom, sector: telecom, population: 500, ${IMPACT}, requires: [ { asset: tower } ] }
  - { id: water, name: Water, sector: water, population: 100, ${IMPACT}, requires: [ { asset: pump } ] }
  - { id: hospital, name: Hospital, sector: health, population: 200, ${IMPACT}, requires: [ { all: [power, telecom] } ] }
`;

const OUTAGE = {
  id: "t",
  name: "t",
  events: [
    { at: "1h", down: ["sub"], for: "2h" },
    { at: "1h", down: ["tower"], for: "4h" },
  ],
};

describe("[RNK-4] loss credited to the service whose failure caused it", () => {
  test("[RNK-4][ATT-1][CON-2] hand-built city: cascades go upstream, split by the upstream outages' level-hours", async () => {
    const model = modelOf(CITY);
    const p = parseScenarioObject(OUTAGE, "<test>");
    if (!p.ok) throw new Error(p.issues[0].message);
    const r = await simulate({ model, raw: {} }, p.scenario, { runs: 3, seed: 1, workers: 1, with: [], compare: [] });
    if (!r.ok) throw new Error("simulate failed");
    // power down [1, 3): 1,000 x 2 = 2,000 ph own, x 8 = 16,000. telecom down [1, 5): 500 x 4 = 2,000 ph, x 5 = 10,000.
    // water (pump needs power) down [1, 3): 100 x 2 = 200 ph cascade x 8 = 1,600, all power's.
    // hospital down [1, 5): 200 x 4 = 800 ph cascade x 10 = 8,000, split power 2 level-hours : telecom 4.
    const byId = Object.fromEntries((r.report.rootCauses ?? []).map((x) => [x.id, x]));
    expect(Object.keys(byId)).toEqual(["power", "telecom"]);
    expect(byId.power.own).toBeCloseTo(16_000, 6);
    expect(byId.power.downstream).toBeCloseTo(1_600 + 8_000 / 3, 2);
    expect(byId.power.weightedLoss).toBeCloseTo(16_000 + 1_600 + 8_000 / 3, 2);
    expect(byId.power.services.map((x) => x.id)).toEqual(["hospital", "water"]);
    expect(byId.telecom.own).toBeCloseTo(10_000, 6);
    expect(byId.telecom.downstream).toBeCloseTo((8_000 * 2) / 3, 2);
    expect(byId.telecom.services).toEqual([{ id: "hospital", weightedLoss: expect.closeTo((8_000 * 2) / 3, 2) }]);
    // everything credited adds up to the weighted loss (no containment here)
    const credited = (r.report.rootCauses ?? []).reduce((a, x) => a + x.weightedLoss, 0);
    expect(credited).toBeCloseTo(r.report.totals.weightedLoss.mean, 2);
    expect(renderText(r.report, false)).toMatch(
      /root causes .*\n {2}power +20,267 +16,000 +4,267 {2}\(hospital 2,667, water 1,600\)/,
    );
  });

  test("[RNK-4] Harborview grid-attack: electricity ranks first by the loss it causes, not fifth", async () => {
    const loaded = await loadModel("examples/harborview");
    if (!loaded.ok) throw new Error("harborview does not load");
    const p = parseScenarioObject(BUILT_IN["grid-attack"], "built-in:grid-attack");
    if (!p.ok) throw new Error(p.issues[0].message);
    const r = await simulate({ model: loaded.model, raw: loaded.raw }, p.scenario, {
      runs: 100,
      seed: 1,
      workers: 1,
      with: [],
      compare: [],
    });
    if (!r.ok) throw new Error("simulate failed");
    const byOwn = [...r.report.services].sort((a, b) => b.weightedLoss.mean - a.weightedLoss.mean).map((s) => s.id);
    expect(byOwn.indexOf("electricity")).toBeGreaterThan(1);
    const roots = r.report.rootCauses ?? [];
    expect(roots[0].id).toBe("electricity");
    expect(roots[0].downstream).toBeGreaterThan(roots[0].own);
  }, 120_000);
});
