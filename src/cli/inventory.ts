/**
 * `rampart inventory <model>`: the asset inventory (auth, protocols, exposure, vendor, zone, layer, kind) with
 * filters, and the zones and conduits with SL-T against SL-A. Exit codes: 0 ok, 1 invalid model, 2 usage error.
 */
import type { Command } from "commander";
import { filterInventory, type InventoryFilter, inventory, zoneTables } from "../assess/inventory.ts";
import { buildIndex } from "../model/graph.ts";
import { AssetKind, AuthKind, Layer } from "../model/primitives.ts";
import { CliError, command, EXIT_OK, EXIT_USAGE, optionError } from "./command.ts";
import { loadOrExit } from "./io.ts";

type Opts = {
  json?: boolean;
  zones?: boolean;
  auth?: string[];
  protocol?: string[];
  exposed?: boolean;
  internal?: boolean;
  vendor?: string[];
  zone?: string[];
  layer?: string[];
  kind?: string[];
};

const list = (v: string, prev: string[] = []) => [
  ...prev,
  ...v
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean),
];

const trunc = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

export function registerInventory(program: Command): void {
  program
    .command("inventory")
    .description("The asset inventory with filters, and zones and conduits with SL-T against SL-A (--zones)")
    .argument("<model>", "model file or folder")
    .option("--json", "print the rows as JSON")
    .option("--zones", "zones and conduits with their target and achieved security levels")
    .option("--auth <list>", "none|default|password|mfa|certificate|unknown", list)
    .option("--protocol <list>", "assets speaking any of these protocols", list)
    .option("--exposed", "only assets exposed to the internet")
    .option("--internal", "only assets not exposed to the internet")
    .option("--vendor <list>", "vendor ids", list)
    .option("--zone <list>", "zone ids", list)
    .option("--layer <list>", "it|ot|iot|network|cloud", list)
    .option("--kind <list>", "asset kinds (plc, hmi, server, ...)", list)
    .action(command(runInventory));
}

function check(name: string, vals: string[] | undefined, ok: readonly string[], expected = ok.join("|")) {
  for (const v of vals ?? []) if (!ok.includes(v)) throw optionError(`--${name}`, expected, v);
  return vals?.length ? vals : undefined;
}

async function runInventory(path: string, o: Opts): Promise<number> {
  if (o.exposed && o.internal) throw new CliError("options --exposed and --internal exclude each other", EXIT_USAGE);
  const q: InventoryFilter = {
    auth: check("auth", o.auth, [...AuthKind.options, "unknown"]),
    layer: check("layer", o.layer, Layer.options),
    kind: check("kind", o.kind, AssetKind.options),
    protocol: o.protocol?.length ? o.protocol : undefined,
    ...(o.exposed ? { exposed: true } : o.internal ? { exposed: false } : {}),
  };
  const loaded = await loadOrExit(path, { json: o.json });
  const m = loaded.model;
  q.vendor = check(
    "vendor",
    o.vendor,
    m.vendors.map((v) => v.id as string),
    "a vendor id of the model",
  );
  q.zone = check("zone", o.zone, [...m.zones.map((z) => z.id as string), "internet"], "a zone id of the model");
  const index = buildIndex(m);
  if (o.zones) {
    const t = zoneTables(index);
    if (o.json) {
      process.stdout.write(`${JSON.stringify(t, null, 1)}\n`);
      return EXIT_OK;
    }
    const L: string[] = ["Zones: security level target (SL-T) against achieved (SL-A), IEC 62443-3-2"];
    L.push(`  ${"zone".padEnd(24)} ${"name".padEnd(44)} level  SL-T  SL-A  gap  assets  conduits in/out`);
    const n = (x: number | null) => (x === null ? "-" : String(x));
    for (const z of t.zones)
      L.push(
        `  ${trunc(z.id, 24).padEnd(24)} ${trunc(z.name, 44).padEnd(44)} ${n(z.level).padStart(5)}  ${n(z.slTarget).padStart(4)}  ${n(z.slAchieved).padStart(4)}  ${(z.gap !== null && z.gap > 0 ? `-${z.gap}` : n(z.gap === null ? null : 0)).padStart(3)}  ${String(z.assets).padStart(6)}  ${z.conduitsIn}/${z.conduitsOut}`,
      );
    L.push("");
    L.push("Conduits");
    L.push(`  ${"conduit".padEnd(26)} ${"from -> to".padEnd(40)} ${"protocols".padEnd(28)} via/auth/encrypted   SL-A`);
    for (const c of t.conduits)
      L.push(
        `  ${trunc(c.id, 26).padEnd(26)} ${trunc(`${c.from} ${c.direction === "one-way" ? "->" : "<->"} ${c.to}`, 40).padEnd(40)} ${trunc(c.protocols.join(","), 28).padEnd(28)} ${`${c.via || "-"}/${c.auth}/${c.encrypted ? "yes" : "no"}`.padEnd(20)} ${n(c.slAchieved)}`,
      );
    process.stdout.write(`${L.join("\n")}\n`);
    return EXIT_OK;
  }
  const rows = filterInventory(inventory(index), q);
  if (o.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 1)}\n`);
    return EXIT_OK;
  }
  const L: string[] = [`${rows.length} of ${m.assets.length} assets`];
  L.push(
    `  ${"id".padEnd(26)} ${"kind".padEnd(22)} ${"layer".padEnd(7)} ${"zone".padEnd(20)} ${"vendor".padEnd(18)} ${"auth".padEnd(11)} exp mon ${"backup".padEnd(7)} protocols`,
  );
  for (const r of rows)
    L.push(
      `  ${trunc(r.id, 26).padEnd(26)} ${trunc(r.kind, 22).padEnd(22)} ${r.layer.padEnd(7)} ${trunc(r.zone, 20).padEnd(20)} ${trunc(r.vendor || "-", 18).padEnd(18)} ${r.auth.padEnd(11)} ${r.exposed ? "yes" : " - "} ${r.monitored ? "yes" : " - "} ${r.backup.padEnd(7)} ${trunc(r.protocols.join(","), 40)}`,
    );
  process.stdout.write(`${L.join("\n")}\n`);
  return EXIT_OK;
}
