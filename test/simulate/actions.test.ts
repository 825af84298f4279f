/**
 * Defenders' actions in scenarios (docs/simulate.md "Actions"): isolate, fallback, crew, restore, contain at
 * fixed times. Every attack below is fixed (insider entry, probability 1, fixed times), so each run is exact and
 * the numbers are worked out by hand next to them.
 */
import { readFile } from "node:fs/promises";
import { describe, expect, test } from "vitest";
import { loadModel } from "../../src/model/load.ts";
import { bindScenario } from "../../src/simulate/bind.ts";
import { BUILT_IN } from "../../src/simulate/library.ts";
import { parseScenarioObject, parseScenarioText } from "../../src/simulate/scenario.ts";
import { IMPACT, modelOf, runOnce } from "./helpers.ts";

const svc = (id: string, pop: number, need: string, extra = "") =>
  `  - { id: ${id}, name: ${id}, sector: other, population: ${pop}, ${IMPACT}, requires: [ { asset: ${need} } ]${extra} }\n`;

/** Office and plant zones joined by one conduit; scada (plant) needs dc (office). One crew of one. */
const M = modelOf(`
rampart: 1
city: { name: Testville, population: 10000 }
zones: [ { id: office }, { id: plant } ]
conduits: [ { id: office-plant, from: office, to: plant } ]
crews: [ { id: team, count: 1, layers: [it, ot] } ]
assets:
  - { id: ws, name: ws, kind: workstation, layer: it, zone: office }
  - { id: dc, name: dc, kind: domain-controller, layer: it, zone: office }
  - { id: scada, name: scada, kind: scada-server, layer: ot, zone: plant, requires: [ { asset: dc } ], rebuild: 10h }
  - { id: mail, name: mail, kind: server, layer: it, zone: office, rebuild: 10h, backup: { every: 24h, offline: true, tested: 2026-01-01, restore: 2h } }
services:
${svc("water", 1000, "scada", ", fallback: { level: 0.5, after: 4h, lasts: 3h }")}${svc("email", 50, "mail")}`);

/** Insider on ws at 1 h; encrypts mail at 2 h (detected then: visible), contained 4 h later (6 h). */
const attack = (actions: unknown[] = [], extra: Record<string, unknown> = {}) => ({
  id: "t",
  name: "t",
  attack: {
    entry: { via: "insider", targets: { assets: ["ws"] }, time: "1h" },
    steps: [
      { id: "take", action: "compromise", probability: 1, targets: { assets: ["mail"] }, time: "0h" },
      { id: "lock", action: "encrypt", targets: { assets: ["mail"] }, time: "1h" },
    ],
  },
  detection: { unmonitored: { probability: 0, delay: "1h" } },
  containment: { delay: "4h", isolation: "1h", scope: "host" },
  actions,
  ...extra,
});

describe("defenders' actions", () => {
  test("[SCN-5] a run with actions is the run without them, event for event, until the first action", async () => {
    const m = await loadModel("examples/harborview");
    if (!m.ok) throw new Error("harborview");
    const base = BUILT_IN.ransomware as Record<string, unknown>;
    const plain = runOnce(m.model, base, 7);
    const detected = plain.trace.find((e) => e.kind === "detected")?.t as number;
    expect(detected).toBeGreaterThan(0);
    const at = detected + 0.5;
    const h = Math.floor(at);
    const atText = `${h}h${Math.round((at - h) * 60)}m`;
    const acted = runOnce(m.model, { ...base, actions: [{ at: atText, contain: true }] }, 7);
    const cut = (tr: typeof plain.trace, t: number) => tr.filter((e) => e.t < t);
    const tAct = acted.trace.find((e) => e.kind === "decision")?.t as number;
    expect(tAct).toBeCloseTo(at, 1);
    expect(cut(acted.trace, tAct)).toEqual(cut(plain.trace, tAct));
    // and it is played: contained at the decision's time, earlier than the default delay would
    expect(acted.trace.find((e) => e.kind === "contained")?.t).toBe(tAct);
    expect(plain.trace.find((e) => e.kind === "contained")?.t).toBeGreaterThan(tAct);
  });

  test("[SCN-7] restore from backup starts at the action, ahead of containment and without a crew", () => {
    const none = runOnce(M, attack());
    // mail encrypted at 2 (offline tested backup: restore 2h), detected at 2, contained at 6, crew restores by 8
    expect(none.ph.email).toBe(50 * 6);
    const r = runOnce(M, attack([{ at: "3h", restore: ["mail"] }]));
    // restored from backup 3 -> 5: email down 2 -> 5, and 6 -> 7 while containment re-images the held host
    expect(r.ph.email).toBe(50 * 4);
    expect(r.trace.some((e) => e.kind === "restored" && e.detail === "from backup, by decision")).toBe(true);
    // restoring a healthy asset does nothing
    const early = runOnce(M, attack([{ at: "30m", restore: ["mail"] }]));
    expect(early.ph.email).toBe(none.ph.email);
  });

  test("[SCN-7] contain skips the containment delay once the incident is detected, and does nothing before", () => {
    const r = runOnce(M, attack([{ at: "3h", contain: true }]));
    // contained at 3 instead of 6: the crew restores mail (backup, 2h) 3 -> 5
    expect(r.ph.email).toBe(50 * 3);
    const early = runOnce(M, attack([{ at: "1h30m", contain: true }]));
    expect(early.ph.email).toBe(50 * 6);
    expect(early.trace.find((e) => e.kind === "decision")?.detail).toMatch(/no incident known yet/);
  });

  test("[SCN-6] isolating the office cuts what the plant needs across it, and stops the attacker there", () => {
    const r = runOnce(M, attack([{ at: "30m", isolate: ["office"], for: "5h" }]));
    // the insider entry lands at 1 in the office, but no step may touch an asset there until 5h30: mail is
    // not encrypted; scada needs dc across the cut: capped 0 from 0.5 to 5.5 -> water fallback after 4h
    // (level 0.5 for 4.5 -> 5.5): 1000 x (4 x 1 + 1 x 0.5) = 4500.
    expect(r.ph.email).toBe(0);
    expect(r.trace.some((e) => e.kind === "blocked" || e.kind === "encrypt")).toBe(
      r.trace.some((e) => e.kind === "blocked"),
    );
    expect(r.ph.water).toBe(4500);
    expect(r.trace.filter((e) => e.kind.startsWith("decision")).map((e) => [e.kind, e.t])).toEqual([
      ["decision", 0.5],
      ["decision-over", 5.5],
    ]);
  });

  test("[SCN-7] fallback switches at the action, not after `after`, for what remains of `lasts`", () => {
    const cut = (actions: unknown[]) =>
      runOnce(M, { id: "c", name: "c", events: [{ at: "0h", down: ["scada"], for: "6h" }], actions });
    // no action: water 0 for 4h, fallback 0.5 for 2h -> 1000 x (4 + 1) = 5000
    expect(cut([]).ph.water).toBe(5000);
    // switched at 1h: 0 for 1h, then 0.5 for lasts 3h (1 -> 4), then 0 to 6: 1000 x (1 + 1.5 + 2) = 4500
    expect(cut([{ at: "1h", fallback: ["water"] }]).ph.water).toBe(4500);
  });

  test("[SCN-7] calling a crew adds to its pool from the action", () => {
    const two = {
      id: "d",
      name: "d",
      attack: {
        entry: { via: "insider", targets: { assets: ["ws"] }, time: "0h" },
        steps: [
          { action: "compromise", probability: 1, targets: { assets: ["mail", "scada"] }, time: "0h" },
          { action: "destroy", targets: { assets: ["mail", "scada"] }, time: "1h" },
        ],
      },
      containment: { delay: "1h", isolation: "1h", scope: "host" },
      actions: [] as unknown[],
    };
    // destroyed at 1, contained at 2; one crew: mail 2 -> 12, then scada 12 -> 22
    const one = runOnce(M, two);
    const restored = (r: typeof one) => r.trace.filter((e) => e.kind === "restored").map((e) => [e.id, e.t]);
    expect(restored(one)).toEqual([
      ["mail", 12],
      ["scada", 22],
    ]);
    // a second crew called at 3 takes scada at once: 3 -> 13
    const more = runOnce(M, { ...two, actions: [{ at: "3h", crew: "team", count: 1 }] });
    expect(restored(more)).toEqual([
      ["mail", 12],
      ["scada", 13],
    ]);
    expect(more.ph.email).toBe(one.ph.email);
    expect(more.ph.water).toBeLessThan(one.ph.water);
  });

  test("[SCN-7] bad actions are located errors: unknown ids, no fallback, no backup, two kinds, count without crew", () => {
    const text = `id: x
name: x
events: [ { at: 0h, down: [ws] } ]
actions:
  - { at: 1h, isolate: [ofice] }
  - { at: 1h, fallback: [email] }
  - { at: 1h, restore: [scada] }
  - { at: 1h, crew: teem }
`;
    const p = parseScenarioText("s.yaml", text);
    if (!p.ok) throw new Error("parse");
    const b = bindScenario(M, p.scenario);
    expect(b.ok).toBe(false);
    if (b.ok) return;
    expect(b.issues.map((i) => `${i.line}:${i.column} ${i.code} ${i.path}`)).toEqual([
      "5:25 unknown-ref actions[0].isolate[0]",
      "6:26 no-fallback actions[1].fallback[0]",
      "7:25 no-backup actions[2].restore[0]",
      "8:21 unknown-ref actions[3].crew",
    ]);
    expect(b.issues[0].message).toContain("did you mean office?");
    const two = parseScenarioText(
      "s.yaml",
      "id: x\nname: x\nevents: [ { at: 0h, down: [ws] } ]\nactions:\n  - { at: 1h, contain: true, crew: team }\n",
    );
    expect(two.ok).toBe(false);
    if (!two.ok) expect(two.issues[0].message).toMatch(/exactly one of/);
    const cnt = parseScenarioObject({
      id: "x",
      name: "x",
      events: [{ at: "0h", down: ["ws"] }],
      actions: [{ at: "1h", contain: true, count: 2 }],
    });
    expect(cnt.ok).toBe(false);
    const neg = parseScenarioObject({
      id: "x",
      name: "x",
      events: [{ at: "0h", down: ["ws"] }],
      actions: [{ at: "-1h", contain: true }],
    });
    expect(neg.ok).toBe(false);
    void readFile;
  });
});
