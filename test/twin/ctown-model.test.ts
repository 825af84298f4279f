import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { loadModel } from "../../src/model/load.ts";
import { parseCpa } from "../../src/twin/cpa.ts";
import { cpaPath, haveCtown } from "./helpers.ts";

const EXAMPLE = join(import.meta.dirname, "..", "..", "examples", "ctown");

/** The twin's name of a PLC, actuator or tank reading, as a model id. */
const idOf = (name: string) => (name.startsWith("P_T") ? `l-t${name.slice(3)}` : name.toLowerCase());

test("[TWN-13] examples/ctown validates and names every PLC, actuator and tank reading of the twin", {
  skip: !haveCtown,
}, async () => {
  const r = await loadModel(EXAMPLE);
  expect(r.ok).toBe(true);
  if (!r.ok) return;
  const kind = new Map<string, string>(r.model.assets.map((a) => [a.id, a.kind]));
  const cpa = parseCpa(readFileSync(cpaPath("no_attacks"), "utf8"), "no_attacks.cpa");
  expect(cpa.ok).toBe(true);
  if (!cpa.ok) return;
  for (const n of cpa.value.nodes) {
    expect(kind.get(idOf(n.name)), n.name).toBe("plc");
    for (const a of n.actuators) expect(kind.get(idOf(a)), a).toBe("actuator");
    for (const s of n.sensors.filter((x) => x.startsWith("P_T"))) expect(kind.get(idOf(s)), s).toBe("sensor");
  }
  // a PLC that receives a tank level over a .cpa link requires the PLC that sends it
  const plcs = new Map<string, (typeof r.model.assets)[number]>(r.model.assets.map((a) => [a.id, a]));
  for (const l of cpa.value.links.filter((x) => x.destination !== "SCADA")) {
    const needs = JSON.stringify(plcs.get(idOf(l.destination))?.requires ?? []);
    expect(needs, `${l.destination} <- ${l.source}`).toContain(`"${idOf(l.source)}"`);
  }
});
