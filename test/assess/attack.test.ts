import { describe, expect, test } from "vitest";
import { type Actor, mergeActors, parseActors } from "../../src/assess/actors.ts";
import { assess } from "../../src/assess/assess.ts";
import { attackPaths, buildAttackGraph, controlFixes } from "../../src/assess/attack.ts";
import { TECHNIQUES } from "../../src/assess/catalogue.ts";
import { stepProbability, weaknessOf } from "../../src/assess/weakness.ts";
import { buildIndex } from "../../src/model/graph.ts";
import { makeModel } from "./helpers.ts";

type Raw = Record<string, unknown>;

const hacker: Actor = { id: "h", name: "H", skill: 0.5, entries: { internet: 1 }, source: "file" };
const vendorActor: Actor = { id: "v", name: "V", skill: 0.5, entries: { vendor: 1 }, source: "file" };

/** internet -> dmz (web, exposed) -> it (ws) -> ot (plc), with a vendor reaching ot. */
function city(extra: (m: Raw) => void = () => {}) {
  const m: Raw = {
    zones: [
      { id: "dmz", level: 3.5 },
      { id: "it", level: 4 },
      { id: "ot", level: 2 },
    ],
    conduits: [
      { id: "dmz-it", from: "dmz", to: "it" },
      { id: "it-ot", from: "it", to: "ot", via: "fw", auth: "certificate" },
    ],
    assets: [
      { id: "web", name: "Web", kind: "server", layer: "it", zone: "dmz", exposed: true, auth: "default" },
      { id: "fw", name: "FW", kind: "firewall", layer: "network", zone: "it", auth: "mfa" },
      { id: "srv", name: "Server", kind: "server", layer: "it", zone: "it", auth: "password" },
      { id: "plc", name: "PLC", kind: "plc", layer: "ot", zone: "ot", auth: "none" },
    ],
    services: [
      {
        id: "water",
        name: "Water",
        sector: "water",
        population: 1000,
        impact: { confidentiality: "low", integrity: "high", availability: "high" },
        requires: [{ asset: "plc" }],
      },
    ],
    vendors: [{ id: "acme", name: "Acme", remote_access: [{ to: "ot", mfa: false, always_on: true }] }],
    controls: [
      {
        id: "mfa-acme",
        name: "MFA for Acme",
        status: "candidate",
        patch: [{ target: "vendors.acme.remote_access[0]", set: { mfa: true } }],
      },
      { id: "cut-it-ot", name: "Remove it-ot", status: "planned", patch: [{ target: "conduits.it-ot", remove: true }] },
      { id: "done", name: "Done", status: "implemented", patch: [{ target: "assets.web", set: { auth: "mfa" } }] },
    ],
  };
  extra(m);
  return buildIndex(makeModel(m));
}

describe("[NET-1] [NET-2] attack paths", () => {
  test("[NET-1] a path crosses zones only through footholds, one conduit at a time", () => {
    const index = city();
    const ag = buildAttackGraph(index, new Uint8Array(index.assetCount), [index.nodeOf.get("plc")!]);
    const r = attackPaths(ag, [hacker], controlFixes(index));
    expect(r.paths).toHaveLength(1);
    const p = r.paths[0];
    expect(p.entry).toBe("internet");
    // web (exposed) -> a foothold in dmz; dmz-it reaches it: srv; it-ot reaches ot: plc
    expect(p.steps.map((s) => s.asset)).toEqual(["web", "srv", "plc"]);
    expect(p.steps[0]).toMatchObject({ technique: "T0883", through: [] });
    expect(p.steps[1]).toMatchObject({ technique: "T0859", through: ["dmz-it"] });
    expect(p.steps[2]).toMatchObject({ technique: "T0886", through: ["it-ot"] });
    const w = (id: string) => index.model.assets[index.nodeOf.get(id)!];
    const expected =
      stepProbability(weaknessOf(w("web"), false), 0.5, false) *
      stepProbability(weaknessOf(w("srv"), false), 0.5, false) *
      0.45 * // it-ot: via a firewall (0.9) with certificate auth (x 0.5)
      stepProbability(weaknessOf(w("plc"), false), 0.5, false);
    expect(p.probability).toBeCloseTo(expected, 5);
    for (const s of p.steps) expect(TECHNIQUES.has(s.technique)).toBe(true);
  });

  test("[NET-1] without a foothold in the middle zone there is no path", () => {
    const index = city((m) => {
      // no asset in "it": nothing to stand on between dmz and ot
      (m.assets as Raw[]).splice(2, 1);
      (m.assets as Raw[])[1].zone = "dmz";
    });
    const ag = buildAttackGraph(index, new Uint8Array(index.assetCount), [index.nodeOf.get("plc")!]);
    expect(attackPaths(ag, [hacker], controlFixes(index)).paths).toEqual([]);
  });

  test("[NET-2] a vendor's remote access is a foothold in the zone it reaches", () => {
    const index = city();
    const ag = buildAttackGraph(index, new Uint8Array(index.assetCount), [index.nodeOf.get("plc")!]);
    const r = attackPaths(ag, [vendorActor], controlFixes(index));
    expect(r.paths[0].entry).toBe("vendors.acme.remote_access[0]");
    expect(r.paths[0].steps.map((s) => s.asset)).toEqual(["plc"]);
    expect(r.paths[0].steps[0].through).toEqual(["vendors.acme.remote_access[0]"]);
    // 0.9 (no MFA) x 1 (always on) x the PLC step
    expect(r.paths[0].probability).toBeCloseTo(
      0.9 * stepProbability(weaknessOf(index.model.assets[3], false), 0.5, false),
      5,
    );
  });

  test("[CHK-1] choke points per actor name conduits and vendor accesses and link the controls that fix them", () => {
    const index = city();
    const ag = buildAttackGraph(index, new Uint8Array(index.assetCount), [index.nodeOf.get("plc")!]);
    const r = attackPaths(ag, [hacker, vendorActor], controlFixes(index));
    const h = r.chokepoints.filter((c) => c.actor === "h");
    // one element cuts the hacker off: the web server (source side) or it-ot (target side)
    expect(h.map((c) => c.ids)).toEqual(expect.arrayContaining([["web"], ["it-ot"]]));
    const sinkSide = h.find((c) => c.ids[0] === "it-ot")!;
    expect(sinkSide.controls).toEqual({ "it-ot": ["cut-it-ot"] });
    expect(sinkSide.pathsCut).toBe(1);
    const v = r.chokepoints.find((c) => c.actor === "v")!;
    expect(v.ids).toEqual(["vendors.acme.remote_access[0]"]);
    expect(v.controls).toEqual({ "vendors.acme.remote_access[0]": ["mfa-acme"] });
    const all = r.chokepoints.filter((c) => c.actor === "all-remote");
    expect(all[0].ids).toHaveLength(2);
    expect(all[0].pathsCut).toBe(2);
    // implemented controls are already in the model: they fix nothing more
    expect(controlFixes(index).get("web")).toBeUndefined();
  });

  test("[CHK-1] the two cuts of an actor are labelled by side; the target side only when it differs, with the difference", () => {
    const index = city();
    const ag = buildAttackGraph(index, new Uint8Array(index.assetCount), [index.nodeOf.get("plc")!]);
    const r = attackPaths(ag, [hacker, vendorActor], controlFixes(index));
    const h = r.chokepoints.filter((c) => c.actor === "h");
    expect(h.map((c) => [c.side, c.ids])).toEqual([
      ["entry", ["web"]],
      ["target", ["it-ot"]],
    ]);
    expect(h[1].vsEntry).toEqual({ dropped: ["web"], added: ["it-ot"] });
    // the vendor's access is the only cut: one entry, no target twin
    expect(r.chokepoints.filter((c) => c.actor === "v").map((c) => c.side)).toEqual(["entry"]);
    // an actor's cuts stay together, entry first
    const order = r.chokepoints.map((c) => `${c.actor}:${c.side}`);
    expect(order.indexOf("h:target")).toBe(order.indexOf("h:entry") + 1);
    for (const a of new Set(r.chokepoints.map((c) => c.actor))) {
      const sets = r.chokepoints.filter((c) => c.actor === a).map((c) => [...c.ids].sort().join());
      expect(new Set(sets).size, a).toBe(sets.length);
    }
  });

  test("[CHK-1] a target an entry reaches with nothing in between is reported as uncuttable", () => {
    const index = city((m) => {
      (m.assets as Raw[])[3].exposed = true;
    });
    const ag = buildAttackGraph(index, new Uint8Array(index.assetCount), [index.nodeOf.get("plc")!]);
    const r = attackPaths(ag, [hacker], controlFixes(index));
    expect(r.chokepoints[0].uncuttable).toEqual([{ target: "plc", entry: "internet" }]);
    expect(r.paths[0].steps.map((s) => s.asset)).toEqual(["plc"]);
  });

  test("crown jewels are OT assets a high-integrity or high-availability service needs", () => {
    const r = assess(city(), { asOf: "2026-06-01" });
    expect(r.crownJewels).toEqual(["plc"]);
    expect(r.paths.every((p) => p.target === "plc" && p.services.includes("water"))).toBe(true);
    expect(r.actors.map((a) => a.id)).toEqual(["ransomware", "state-ics", "hacktivist", "insider", "vendor"]);
  });

  test("paths are deterministic", () => {
    const a = assess(city(), { asOf: "2026-06-01" });
    const b = assess(city(), { asOf: "2026-06-01" });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});

describe("threat actors", () => {
  test("a model's or file's actors extend the library; the same id replaces a built-in one", () => {
    const r = parseActors(
      {
        actors: [
          { id: "ransomware", name: "Local crew", skill: 0.2, entries: { internet: 1 } },
          { id: "drone", name: "Drone", skill: 0.4, entries: { physical: 1 } },
        ],
      },
      "file",
    );
    expect(r.issues).toEqual([]);
    const all = mergeActors(r.actors);
    expect(all.find((a) => a.id === "ransomware")!.skill).toBe(0.2);
    expect(all.map((a) => a.id)).toContain("drone");
  });

  test("bad actors come back as located issues", () => {
    const r = parseActors([{ id: "X", name: "", skill: 2, entries: {} }], "model");
    expect(r.actors).toEqual([]);
    expect(r.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(["actors[0].id", "actors[0].skill", "actors[0].entries"]),
    );
  });

  test("skill bends step probabilities monotonically and keeps them in (0, 1)", () => {
    const w = weaknessOf({ auth: "password", end_of_life: false } as never, false);
    expect(stepProbability(w, 0.5, false)).toBeCloseTo(w.base, 9);
    expect(stepProbability(w, 0.9, false)).toBeGreaterThan(stepProbability(w, 0.5, false));
    expect(stepProbability(w, 0.2, false)).toBeLessThan(stepProbability(w, 0.5, false));
    expect(stepProbability(w, 0.5, true)).toBeCloseTo(0.9 * w.base, 9);
  });
});
