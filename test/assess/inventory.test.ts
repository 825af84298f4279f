/** The asset inventory and the zone tables ([INV-1], [ZON-1]), on Harborview and through the CLI. */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { filterInventory, inventory, zoneTables } from "../../src/assess/inventory.ts";
import { buildIndex } from "../../src/model/graph.ts";
import { loadModel } from "../../src/model/load.ts";

const DIR = "examples/harborview";

describe.skipIf(!existsSync(`${DIR}/vendors.yaml`))("inventory and zones (Harborview)", async () => {
  const loaded = await loadModel(DIR);
  if (!loaded.ok) throw new Error("Harborview does not load");
  const m = loaded.model;
  const index = buildIndex(m);
  const rows = inventory(index);

  test("[INV-1] one row per asset with auth (unknown when absent), exposure, backup and services", () => {
    expect(rows.map((r) => r.id)).toEqual(m.assets.map((a) => a.id));
    for (const [i, r] of rows.entries()) {
      const a = m.assets[i];
      expect(r.auth).toBe(a.auth ?? "unknown");
      expect(r.exposed).toBe(a.exposed);
      expect(r.backup).toBe(a.backup ? (a.backup.offline ? "offline" : "online") : "none");
    }
    const chlor = rows.find((r) => r.id === "wtr-awtp-plc-chlor")!;
    expect(chlor.services).toContain("water-supply");
  });

  test("[INV-1] filters keep exactly the rows the predicate keeps (every criterion, any value within one)", () => {
    const q = { auth: ["default", "none"], layer: ["ot"], exposed: true };
    const got = filterInventory(rows, q);
    const want = rows.filter((r) => ["default", "none"].includes(r.auth) && r.layer === "ot" && r.exposed);
    expect(got).toEqual(want);
    expect(got.map((r) => r.id).sort()).toEqual(["wtr-bps-hillcrest", "wtr-bps-westcliff"]);
    const modbus = filterInventory(rows, { protocol: ["modbus"], zone: ["wtr-ashford-wtp"] });
    for (const r of modbus) expect(r.protocols).toContain("modbus");
    expect(modbus.length).toBeGreaterThan(0);
  });

  test("[ZON-1] zones carry SL-T, SL-A and the gap; conduits the weaker achieved SL of their zones", () => {
    const t = zoneTables(index);
    const ctl = t.zones.find((z) => z.id === "wtr-control")!;
    expect(ctl).toMatchObject({ slTarget: 3, slAchieved: 1, gap: 2 });
    const flat = t.conduits.find((c) => c.id === "corp-to-ashford-flat")!;
    const sl = (id: string) => m.zones.find((z) => z.id === id)?.sl?.achieved;
    expect(flat.slAchieved).toBe(Math.min(sl(flat.from)!, sl(flat.to)!));
    expect(t.zones.reduce((s, z) => s + z.assets, 0)).toBe(m.assets.filter((a) => a.zone !== "internet").length);
  });

  test("[INV-1] [ZON-1] rampart inventory: filters, JSON, zones; bad values are usage errors", () => {
    const run = (...a: string[]) =>
      spawnSync(process.execPath, ["bin/rampart", "inventory", DIR, ...a], { encoding: "utf8" });
    const j = run("--json", "--auth", "default", "--exposed");
    expect(j.status).toBe(0);
    expect(JSON.parse(j.stdout).map((r: { id: string }) => r.id)).toEqual(["wtr-bps-hillcrest", "wtr-bps-westcliff"]);
    const z = run("--zones");
    expect(z.status).toBe(0);
    expect(z.stdout).toMatch(/SL-T\s+SL-A/);
    expect(z.stdout).toMatch(/wtr-control .* 3\s+1\s+-2/);
    const bad = run("--auth", "weak");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("option --auth: expected");
  }, 120_000);
});
