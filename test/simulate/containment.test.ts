/**
 * Containment isolates the attacker's hosts, or their zones once the attacker has spread (docs/simulate.md
 * "Containment and isolation") and manipulated
 * assets stay reduced until a crew has verified and restored them (docs/simulate.md "Steps", `manipulate`).
 * Every attack below is fixed (insider entry, probability 1, fixed times and delays), so each run is exact and
 * every number is worked out by hand in the comment next to it.
 */
import { describe, expect, test } from "vitest";
import { bindScenario, containmentPolicy } from "../../src/simulate/bind.ts";
import { parseScenarioObject, parseScenarioText } from "../../src/simulate/scenario.ts";
import { IMPACT, modelOf, runOnce } from "./helpers.ts";

const svc = (id: string, pop: number, need: string) =>
  `  - { id: ${id}, name: ${id}, sector: other, population: ${pop}, ${IMPACT}, requires: [ { asset: ${need} } ] }\n`;

/** IT zone (office) and OT zone (plant) joined by one conduit; the OT hosts need things in IT in various ways. */
const ISOLATION = modelOf(`
rampart: 1
city: { name: Testville, population: 10000 }
zones: [ { id: office }, { id: plant } ]
conduits: [ { id: office-plant, from: office, to: plant } ]
assets:
  - { id: ws, name: ws, kind: workstation, layer: it, zone: office }
  - { id: dc, name: dc, kind: domain-controller, layer: it, zone: office }
  - { id: local-dc, name: local-dc, kind: domain-controller, layer: ot, zone: plant }
  - { id: scada, name: scada, kind: scada-server, layer: ot, zone: plant, requires: [ { asset: dc } ] }
  - { id: hist, name: hist, kind: historian, layer: ot, zone: plant, requires: [ { any: [dc, local-dc] } ] }
  - { id: hmi, name: hmi, kind: hmi, layer: ot, zone: plant, requires: [ { asset: dc, degrade: 0.5 } ] }
  - { id: mail, name: mail, kind: server, layer: it, zone: office, requires: [ { asset: dc } ] }
services:
${svc("water", 1000, "scada")}${svc("reports", 100, "hist")}${svc("ops", 10, "hmi")}${svc("email", 50, "mail")}${svc("desk", 5, "ws")}`);

/** Insider on ws at 1 h, noticed 2 h later (3 h), contained 1 h after that (4 h). */
const insider = (extra: Record<string, unknown> = {}) => ({
  id: "t",
  name: "t",
  attack: { entry: { via: "insider", targets: { assets: ["ws"] }, time: "1h" }, steps: [] },
  detection: { unmonitored: { probability: 1, delay: "2h" } },
  containment: { delay: "1h", isolation: "6h" },
  ...extra,
});

/** As `insider`, and the attacker spreads to mail (office) 1 h later (2 h): two office assets held at containment. */
const spread = (extra: Record<string, unknown> = {}) =>
  insider({
    attack: {
      entry: { via: "insider", targets: { assets: ["ws"] }, time: "1h" },
      steps: [{ id: "spread", action: "compromise", probability: 1, targets: { assets: ["mail"] }, time: "1h" }],
    },
    ...extra,
  });

describe("containment isolates the attacker's zones once it has spread", () => {
  test("[NET-1][DEP-3][DEP-7] two office assets held: the office is isolated 4 h -> 10 h, plant hosts needing it lose it", () => {
    const r = runOnce(ISOLATION, spread());
    // ws compromised at 1 (noticed at 3), mail at 2 (noticed at 4): detected at 3, contained at 4.
    // two office assets held >= zoneThreshold 2 -> office isolated at 4 for 6 h; the office-plant conduit is cut.
    // scada (plant) needs dc (office): cut -> cap 0 -> water 0 on [4, 10): 1000 x 6 = 6000.
    expect(r.ph.water).toBe(6000);
    // hist needs any of dc (cut) or local-dc (same zone): still met -> reports untouched.
    expect(r.ph.reports).toBe(0);
    // hmi needs dc with degrade 0.5: cap max(impact 0, degrade 0.5) = 0.5 -> ops 10 x 0.5 x 6 = 30.
    expect(r.ph.ops).toBe(30);
    // mail needs dc inside the same isolated zone: no conduit crossed -> untouched; the held hosts themselves
    // are not capped by a zone isolation (ws: desk untouched).
    expect(r.ph.email).toBe(0);
    expect(r.ph.desk).toBe(0);
    expect(r.end).toBe(10);
    const iso = r.trace.filter((e) => e.kind === "isolated" || e.kind === "isolation-lifted");
    expect(iso.map((e) => [e.kind, e.id, e.t])).toEqual([
      ["isolated", "office", 4],
      ["isolation-lifted", "office", 10],
    ]);
  });

  test("[DEP-1] containment.impact caps cut hosts at that level instead of 0 (the higher degrade still wins)", () => {
    const r = runOnce(ISOLATION, spread({ containment: { delay: "1h", isolation: "6h", impact: 0.75 } }));
    // scada capped at 0.75: 1000 x 0.25 x 6 = 1500; hmi at max(0.75, 0.5) = 0.75: 10 x 0.25 x 6 = 15.
    expect(r.ph.water).toBe(1500);
    expect(r.ph.ops).toBe(15);
  });

  test("a held OT asset isolates its zone even when it is the only one: the plant is cut off from the office", () => {
    const r = runOnce(
      ISOLATION,
      insider({ attack: { entry: { via: "insider", targets: { assets: ["hist"] }, time: "1h" }, steps: [] } }),
    );
    // hist (OT) held alone -> plant isolated 4 -> 10. scada needs dc across the cut: water 1000 x 6 = 6000;
    // hmi at degrade 0.5: ops 10 x 0.5 x 6 = 30; hist keeps local-dc (and is not capped itself): reports 0;
    // the office is not isolated: mail keeps dc (email 0), ws untouched (desk 0).
    expect(r.ph).toEqual({ water: 6000, reports: 0, ops: 30, email: 0, desk: 0 });
    expect(r.trace.filter((e) => e.kind.startsWith("isol")).map((e) => [e.kind, e.id, e.t])).toEqual([
      ["isolated", "plant", 4],
      ["isolation-lifted", "plant", 10],
    ]);
  });

  test("[SCN-2] no detection, no containment: nothing is isolated and no service is touched", () => {
    const r = runOnce(ISOLATION, spread({ detection: { unmonitored: { probability: 0 } } }));
    expect(r.total).toBe(0);
    expect(r.trace.some((e) => e.kind.startsWith("isolated"))).toBe(false);
  });
});

describe("containment isolates a lone compromised host, not its zone", () => {
  test("[DEP-3] one workstation held: only ws is capped at 0 for 4 h -> 10 h; services needing other office assets are untouched", () => {
    const r = runOnce(ISOLATION, insider());
    // ws held alone in the office (1 < zoneThreshold 2, IT layer): host ws isolated at 4 for 6 h, cap 0.
    // desk needs ws: 5 x 6 = 30. No conduit is cut: scada and hmi keep dc (water 0, ops 0); mail keeps dc
    // (email 0); hist untouched (reports 0).
    expect(r.ph).toEqual({ water: 0, reports: 0, ops: 0, email: 0, desk: 30 });
    expect(r.end).toBe(10);
    expect(r.trace.filter((e) => e.kind.startsWith("isol")).map((e) => [e.kind, e.id, e.t])).toEqual([
      ["isolated host", "ws", 4],
      ["isolation-lifted host", "ws", 10],
    ]);
  });

  test("containment.zoneThreshold: 1 isolates the office for one host (water 6000 as for two); 3 keeps two hosts alone", () => {
    const one = runOnce(ISOLATION, insider({ containment: { delay: "1h", isolation: "6h", zoneThreshold: 1 } }));
    // as the two-asset case: water 1000 x 6 = 6000, ops 10 x 0.5 x 6 = 30, ws not capped (desk 0).
    expect(one.ph).toEqual({ water: 6000, reports: 0, ops: 30, email: 0, desk: 0 });
    const three = runOnce(ISOLATION, spread({ containment: { delay: "1h", isolation: "6h", zoneThreshold: 3 } }));
    // ws and mail held, 2 < 3: each capped at 0 on [4, 10): desk 5 x 6 = 30, email 50 x 6 = 300; no cut.
    expect(three.ph).toEqual({ water: 0, reports: 0, ops: 0, email: 300, desk: 30 });
    expect(three.trace.filter((e) => e.kind === "isolated host").map((e) => e.id)).toEqual(["ws", "mail"]);
  });

  test("[DEP-1][DEP-7] an encrypted host that is isolated is back at the later of its rebuild and the isolation's end", () => {
    // ws encrypted at 2 (step 1 h after the foothold at 1); visible: detected at 2, contained at 3, host
    // isolated 3 -> 9. The rebuild (a crew, free) runs from 3 alongside the isolation.
    const enc = (rebuild: string) =>
      insider({
        attack: {
          entry: { via: "insider", targets: { assets: ["ws"] }, time: "1h" },
          steps: [{ id: "lock", action: "encrypt", targets: { assets: ["ws"] }, time: "1h" }],
        },
        recovery: { rebuild },
      });
    // rebuild 2 h: done at 5, isolation until 9 -> desk 0 on [2, 9): 5 x 7 = 35.
    expect(runOnce(ISOLATION, enc("2h")).ph.desk).toBe(35);
    // rebuild 10 h: isolation over at 9, rebuilt at 13 -> desk 0 on [2, 13): 5 x 11 = 55.
    const long = runOnce(ISOLATION, enc("10h"));
    expect(long.ph.desk).toBe(55);
    expect(long.end).toBe(13);
  });

  test("zoneThreshold defaults to 2; a bad one is an error located at its line, column and path", () => {
    const p = parseScenarioObject({ id: "t", name: "t", events: [{ at: "0h", down: ["ws"] }] });
    if (!p.ok) throw new Error(p.issues[0].message);
    expect(containmentPolicy(ISOLATION, p.scenario).zoneThreshold).toBe(2);
    for (const bad of ["0", "1.5", "two"]) {
      const r = parseScenarioText(
        "s.yaml",
        `id: s\nname: S\nevents: [ { at: 0h, down: [ws] } ]\ncontainment: { delay: 1h, zoneThreshold: ${bad} }\n`,
      );
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.issues[0]).toMatchObject({ file: "s.yaml", line: 4, column: 42, path: "containment.zoneThreshold" });
      expect(r.issues[0].message).toMatch(/number of assets/);
    }
  });

  test("[CNT-1] zone isolation defaults to a lognormal (median 24 h, p90 96 h), host isolation to (4 h, 24 h), impact 0", () => {
    const p = parseScenarioObject({ id: "t", name: "t", events: [{ at: "0h", down: ["ws"] }] });
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    const pol = containmentPolicy(ISOLATION, p.scenario);
    expect(pol.zoneIsolation).toEqual({ kind: "lognormal", median: 24, p90: 96 });
    expect(pol.hostIsolation).toEqual({ kind: "lognormal", median: 4, p90: 24 });
    expect(pol.impact).toBe(0);
    expect(pol.scope).toBe("proportionate");
  });
});

/** Two PLCs in the plant, each feeding a service; one OT crew of one team. */
const MANIP = modelOf(`
rampart: 1
city: { name: Testville, population: 10000 }
zones: [ { id: office }, { id: plant } ]
conduits: [ { id: office-plant, from: office, to: plant } ]
crews: [ { id: ot-crew, count: 1, layers: [ot] } ]
assets:
  - { id: ws, name: ws, kind: workstation, layer: it, zone: office }
  - { id: plc-a, name: plc-a, kind: plc, layer: ot, zone: plant }
  - { id: plc-b, name: plc-b, kind: plc, layer: ot, zone: plant }
  - { id: sensor-c, name: sensor-c, kind: sensor, layer: ot, zone: plant }
services:
${svc("water", 1000, "plc-a")}${svc("sewer", 100, "plc-b")}`);

/** Insider on ws at 1 h; commands to the PLCs from 1 h, landing 1 h later (2 h); noticed at 5 h, contained at 6 h. */
const commands = (extra: Record<string, unknown> = {}) => ({
  id: "t",
  name: "t",
  attack: {
    entry: { via: "insider", targets: { assets: ["ws"] }, time: "1h" },
    steps: [
      {
        id: "commands",
        action: "manipulate",
        on: "reachable",
        probability: 1,
        level: 0.3,
        targets: { kind: ["plc"] },
        time: "1h",
      },
    ],
  },
  detection: { unmonitored: { probability: 1, delay: "4h" } },
  containment: { delay: "1h", isolation: "1h" },
  recovery: { manipulate: "3h" },
  ...extra,
});

describe("a manipulated asset stays reduced until a crew restores it", () => {
  test("[DEP-1][DEP-7] detection does not end a manipulation; crews restore in priority order after containment", () => {
    const r = runOnce(MANIP, commands());
    // both PLCs at 0.3 from 2. Detected at 5, contained at 6: one OT team, 3 h each, the PLC of the larger
    // population first: plc-a restored at 9, plc-b at 12.
    // water 1000 x 0.7 x (9 - 2) = 4900; sewer 100 x 0.7 x (12 - 2) = 700.
    // (Before: both ended at detection, 1000 x 0.7 x 3 + 100 x 0.7 x 3 = 2310.)
    expect(r.ph.water).toBeCloseTo(4900, 9);
    expect(r.ph.sewer).toBeCloseTo(700, 9);
    expect(r.end).toBe(12);
    const restored = r.trace.filter((e) => e.kind === "restored").map((e) => [e.id, e.t]);
    expect(restored).toEqual([
      ["plc-a", 9],
      ["plc-b", 12],
    ]);
    expect(r.trace.filter((e) => e.kind === "manipulation-found").map((e) => e.t)).toEqual([5, 5]);
  });

  test("[DEP-7] a step's restore overrides recovery.manipulate", () => {
    const sc = commands();
    (sc.attack.steps[0] as Record<string, unknown>).restore = "1h";
    const r = runOnce(MANIP, sc);
    // plc-a restored at 7, plc-b at 8: 1000 x 0.7 x 5 + 100 x 0.7 x 6 = 3500 + 420.
    expect(r.ph.water).toBeCloseTo(3500, 9);
    expect(r.ph.sewer).toBeCloseTo(420, 9);
  });

  test("[SCN-2] an undetected manipulation lasts to the horizon", () => {
    const r = runOnce(MANIP, commands({ horizon: "2d", detection: { unmonitored: { probability: 0 } } }));
    // 0.3 from 2 to 48: 1000 x 0.7 x 46 = 32200.
    expect(r.ph.water).toBeCloseTo(32200, 9);
    expect(r.end).toBe(48);
  });

  test("verify-and-restore defaults per kind: controllers 6 h, sensors 4 h (lognormal, p90 = 3 x median)", () => {
    const p = parseScenarioObject(commands({ recovery: {} }));
    if (!p.ok) throw new Error(p.issues[0].message);
    const b = bindScenario(MANIP, p.scenario);
    if (!b.ok) throw new Error(b.issues[0].message);
    expect(b.compiled.verify[1]).toEqual({ kind: "lognormal", median: 6, p90: 18 });
    expect(b.compiled.verify[3]).toEqual({ kind: "lognormal", median: 4, p90: 12 });
  });
});
