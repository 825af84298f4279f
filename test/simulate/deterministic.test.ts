/**
 * Deterministic scenarios worked out by hand ([SCN-3]): every number below is computed in the comment next to
 * it from the rules, and the engine must reproduce it exactly.
 */
import { describe, expect, test } from "vitest";
import { asset, HEADER, IMPACT, modelOf, runOnce } from "./helpers.ts";

const BUFFER_FALLBACK = `${HEADER}
assets:
${asset("sub")}${asset("pump")}
services:
  - id: power
    name: Power
    sector: power
    population: 1000
    ${IMPACT}
    requires: [ { asset: sub } ]
  - id: water
    name: Water
    sector: water
    population: 500
    ${IMPACT}
    objectives: { rto: 12h, mtd: 8h, restore: [ { level: 0.5, within: 3h }, { level: 0.5, within: 6h } ] }
    fallback: { level: 0.5, after: 2h, lasts: 3h }
    requires:
      - { asset: pump }
      - { service: power, buffer: 4h }
`;

describe("buffers and fallbacks", () => {
  const model = modelOf(BUFFER_FALLBACK);

  test("[DEP-4][DEP-6][DEP-7] buffer rides through 4 h, fallback after 2 h for its 3 h budget, person-hours by hand", () => {
    // power: down [0, 10): 1000 x 10 = 10000.
    // water: buffer until 4 h (level 1); own 0 from 4; fallback from 6 (after 2 h) at 0.5 until 9 (lasts 3 h);
    // 0 from 9 to 10; power back at 10 refills the buffer: 1. Person-hours 500 x (2 + 0.5 x 3 + 1) = 2250.
    const r = runOnce(model, { id: "t", name: "t", events: [{ at: "0h", down: ["sub"], for: "10h" }] });
    expect(r.ph.power).toBe(10000);
    expect(r.ph.water).toBe(2250);
    expect(r.total).toBe(12250);
    expect(r.down.water).toBe(6);
    expect(r.first.water).toBe(4);
    expect(r.end).toBe(10);
  });

  test("[DEP-8] objectives by hand: rto, mtd and restore per run", () => {
    // water t1 = 4. rto 12 h: back at 1 at 10 <= 16: met. mtd 8 h: below 0.5 for [4,6) and [9,10): met.
    // restore 0.5 within 3 h: level < 0.5 at 9 >= 4 + 3: missed. within 6 h: after 10 (>= 4 + 6) always >= 0.5: met.
    const r = runOnce(model, { id: "t", name: "t", events: [{ at: "0h", down: ["sub"], for: "10h" }] });
    expect(r.met).toEqual({
      "water.rto": true,
      "water.mtd": true,
      "water.restore@0.5/3h": false,
      "water.restore@0.5/6h": true,
    });
  });

  test("[DEP-4] an outage shorter than the buffer costs the buffered service nothing", () => {
    const r = runOnce(model, { id: "t", name: "t", events: [{ at: "1h", down: ["sub"], for: "4h" }] });
    // exhausted at exactly 1 + 4 = 5, but power is back at 5: satisfaction back at 1 at the same time.
    expect(r.ph.water).toBe(0);
    expect(r.ph.power).toBe(4000);
  });

  test("[DEP-6] each outage gets the whole lasts; mtd breached when below the fallback level too long", () => {
    // pump down [0, 20): water own 0 from 0; fallback 2..5 (0.5), then 0 until 20.
    // 500 x (2 + 1.5 + 15) = 9250. Back at 1 at 20. Second outage [30, 40): again 2 h at 0, 3 h at 0.5, 5 h at 0:
    // 500 x (2 + 1.5 + 5) = 4250. Total 13500. mtd 8 h: first outage has 15 h below 0.5: breached.
    const r = runOnce(model, {
      id: "t",
      name: "t",
      events: [
        { at: "0h", down: ["pump"], for: "20h" },
        { at: "30h", down: ["pump"], for: "10h" },
      ],
    });
    expect(r.ph.water).toBe(13500);
    expect(r.met["water.mtd"]).toBe(false);
    expect(r.met["water.rto"]).toBe(false); // back at 1 at 20 > 0 + 12
  });

  test("[DEP-6] the fallback ends when the own level is back at the fallback level, and after starts again", () => {
    // hit pump cap 0.5 during [4, 6) on top of down [0, 4) and down [6, 12):
    // own: 0 [0,4), 0.5 [4,6), 0 [6,12). Fallback in force [2,4) (2 h used), off at 4 (own = 0.5), dip again at 6,
    // after 2 h -> in force [8, 9) (1 h left of 3), then 0 [9, 12).
    // levels: 0 [0,2) 0.5 [2,4) 0.5 [4,6) 0 [6,8) 0.5 [8,9) 0 [9,12): 500 x (2 + 1 + 1 + 2 + 0.5 + 3) = 4750.
    const r = runOnce(model, {
      id: "t",
      name: "t",
      events: [
        { at: "0h", down: ["pump"], for: "4h" },
        { at: "4h", hit: ["pump"], cap: 0.5, for: "2h" },
        { at: "6h", down: ["pump"], for: "6h" },
      ],
    });
    expect(r.ph.water).toBe(4750);
  });

  test("[DEP-6] a fallback never lifts a level above a cap on the service itself", () => {
    // water hit directly with cap 0.25 for 10 h: own 0.25 < 0.5; fallback after 2 h: min(cap 0.25, 0.5) = 0.25.
    const r = runOnce(model, { id: "t", name: "t", events: [{ at: "0h", hit: ["water"], cap: 0.25, for: "10h" }] });
    expect(r.ph.water).toBe(500 * 0.75 * 10);
  });
});

describe("redundancy, cycles, hits", () => {
  const model = modelOf(`${HEADER}
assets:
${asset("a")}${asset("b")}${asset("c")}${asset("pw")}${asset("tc")}
services:
  - id: k2
    name: Two of three
    sector: other
    population: 100
    ${IMPACT}
    requires: [ { k: 2, of: [a, b, c] } ]
  - id: anyab
    name: Any of a b
    sector: other
    population: 10
    ${IMPACT}
    requires: [ { any: [a, b], degrade: 0.25 } ]
  - id: power
    name: Power
    sector: power
    population: 1000
    ${IMPACT}
    requires: [ { asset: pw }, { service: telecom } ]
  - id: telecom
    name: Telecom
    sector: telecom
    population: 200
    ${IMPACT}
    requires: [ { asset: tc }, { service: power } ]
`);

  test("[DEP-2] k-of-n is the k-th largest member level; any is the largest, with degrade", () => {
    // a down [0, 6), b down [2, 4): k2 has 2 of 3 up except [2, 4): 100 x 2 = 200.
    // anyab: any(a, b) = 0 during [2, 4) -> degrade 0.25 holds: 10 x 0.75 x 2 = 15.
    const r = runOnce(model, {
      id: "t",
      name: "t",
      events: [
        { at: "0h", down: ["a"], for: "6h" },
        { at: "2h", down: ["b"], for: "2h" },
      ],
    });
    expect(r.ph.k2).toBe(200);
    expect(r.ph.anyab).toBe(15);
  });

  test("[DEP-5] a cycle broken anywhere stays down until repaired, and a healed cycle comes back", () => {
    // pw down [1, 4): power and telecom (which need each other) both 0 for 3 h, back at 4.
    const r = runOnce(model, { id: "t", name: "t", events: [{ at: "1h", down: ["pw"], for: "3h" }] });
    expect(r.ph.power).toBe(3000);
    expect(r.ph.telecom).toBe(600);
    expect(r.end).toBe(4);
  });

  test("[DEP-1] several hits on one node: the lowest cap counts; when a hit ends its cap is gone", () => {
    // a hit cap 0.5 [0, 10), b hit cap 0.25 [0, 10), c down [2, 5): k2 = 2nd largest of (0.5, 0.25, 1 or 0)
    // = 0.5 on [0,2) and [5,10), 0.25 on [2,5): 100 x (0.5 x 7 + 0.75 x 3) = 575.
    // Then a also down [3, 4) under its 0.5 hit: 2nd largest of (0, 0.25, 0) = 0.25 -> 0 on [3, 4): +100 x 0.25.
    const r = runOnce(model, {
      id: "t",
      name: "t",
      events: [
        { at: "0h", hit: ["a"], cap: 0.5, for: "10h" },
        { at: "0h", hit: ["b"], cap: 0.25, for: "10h" },
        { at: "2h", down: ["c"], for: "3h" },
        { at: "3h", down: ["a"], for: "1h" },
      ],
    });
    expect(r.ph.k2).toBe(575 + 25);
  });

  test("[SCN-2] a hit that never ends is counted up to the horizon", () => {
    const r = runOnce(model, { id: "t", name: "t", horizon: "2d", events: [{ at: "12h", down: ["tc"] }] });
    expect(r.end).toBe(48);
    expect(r.ph.telecom).toBe(200 * 36);
    expect(r.ph.power).toBe(1000 * 36);
  });

  test("[SCN-1][SCN-3] fixed events give the same numbers for every seed and run", () => {
    const sc = { id: "t", name: "t", events: [{ at: "1h", down: ["pw"], for: "3h" }] };
    const a = runOnce(model, sc, 1, 0);
    const b = runOnce(model, sc, 99, 17);
    expect(b.ph).toEqual(a.ph);
  });
});
