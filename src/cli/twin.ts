/**
 * `rampart twin ...`: the C-Town water-utility twin (docs/twin.md). `run` replays a .cpa scenario with the PLC
 * logic in the loop and writes BATADAL-shaped readings; `dataset` generates labelled attack campaigns.
 * Exit codes: 0 ok, 1 invalid input, 2 usage error.
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { parseStartDate, toBatadalCsv } from "../twin/csv.ts";
import { planCampaign } from "../twin/dataset.ts";
import { Twin, type TwinConfig, type TwinRow } from "../twin/engine.ts";
import { buildScenario, type Scenario } from "../twin/load.ts";
import { parseWireAttack, type WireAttack } from "../twin/wire/attacks.ts";
import { ModbusClient } from "../twin/wire/modbus.ts";
import { TwinServer } from "../twin/wire/serve.ts";
import { CliError, command, EXIT_INVALID, EXIT_OK, EXIT_USAGE, invalidInput, optionError } from "./command.ts";
import { intOption, seedOption } from "./io.ts";

export interface TwinRunOpts {
  network: string;
  cpa: string;
  patterns?: string;
  hours?: string;
  seed?: string;
  noise?: string;
  round?: string;
  scan?: string;
  start?: string;
  out: string;
  truth?: string;
}

async function readOrFail(file: string, what: string): Promise<string> {
  if (!existsSync(file)) throw invalidInput([{ file, message: `the ${what} file does not exist` }]);
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    throw invalidInput([
      { file, message: `cannot read the ${what} file: ${(e as NodeJS.ErrnoException).code ?? "error"}` },
    ]);
  }
}

/** A .cpa's patterns_file: beside the .cpa, else in a folder above it (epanetCPA keeps it at its root). */
function findBeside(cpa: string, name: string | undefined): string | undefined {
  if (!name) return undefined;
  let dir = dirname(resolve(cpa));
  for (let i = 0; i < 4; i++) {
    const f = resolve(dir, name);
    if (existsSync(f)) return f;
    dir = dirname(dir);
  }
  return resolve(dirname(cpa), name);
}

/** Reads the network, the .cpa and the patterns (the option, else the .cpa's patterns_file beside it). */
export async function loadScenarioFiles(network: string, cpa: string, patterns?: string): Promise<Scenario> {
  const netText = await readOrFail(network, "network");
  const cpaText = await readOrFail(cpa, "cpa");
  const first = buildScenario({ network: { file: network, text: netText }, cpa: { file: cpa, text: cpaText } });
  if (!first.ok) {
    throw invalidInput(first.issues);
  }
  const pfile = patterns ?? findBeside(cpa, first.value.cpa.options.patternsFile);
  if (!pfile) return first.value;
  const r = buildScenario({
    network: { file: network, text: netText },
    cpa: { file: cpa, text: cpaText },
    patterns: { file: pfile, text: await readOrFail(pfile, "patterns") },
  });
  if (!r.ok) {
    throw invalidInput(r.issues);
  }
  return r.value;
}

function numOption(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n < min || n > max)
    throw optionError(name, `a number from ${min} to ${max}`, v);
  return n;
}

function common(o: { hours?: string; seed?: string; noise?: string; round?: string; scan?: string; start?: string }) {
  const hours = intOption("--hours", o.hours, 1, 8784);
  const seed = seedOption(o.seed) ?? 1;
  const noiseSd = numOption("--noise", o.noise, 0, 100);
  const round = intOption("--round", o.round, 0, 12);
  const scan = intOption("--scan", o.scan, 1, 3600);
  if (scan !== undefined && 3600 % scan !== 0)
    throw new CliError(`option --scan: must divide 3600 seconds, found ${scan}`, EXIT_USAGE);
  const start = parseStartDate(o.start ?? "2014-01-06");
  if (start === undefined)
    throw new CliError(`option --start: expected a date YYYY-MM-DD, found "${o.start}"`, EXIT_USAGE);
  return { hours, seed, noiseSd, round, scan, start };
}

async function runTwin(config: TwinConfig): Promise<{ twin: Twin; rows: TwinRow[] }> {
  const t = await Twin.create(config);
  if (!t.ok) {
    throw invalidInput(t.issues);
  }
  try {
    return { twin: t.value, rows: t.value.runAll() };
  } finally {
    t.value.close();
  }
}

async function writeOrFail(file: string, text: string): Promise<void> {
  try {
    await writeFile(file, text);
  } catch (e) {
    throw invalidInput([{ file, message: `cannot write: ${(e as NodeJS.ErrnoException).code ?? "error"}` }]);
  }
}

export async function twinRunCommand(o: TwinRunOpts): Promise<number> {
  const c = common(o);
  const sc = await loadScenarioFiles(o.network, o.cpa, o.patterns);
  const hours = c.hours ?? (sc.network.duration > 0 ? Math.floor(sc.network.duration / 3600) : 168);
  const { twin, rows } = await runTwin({
    ...sc,
    hours,
    seed: c.seed,
    noiseSd: c.noiseSd,
    round: c.round,
    scanSeconds: c.scan,
  });
  await writeOrFail(o.out, toBatadalCsv(twin.columns, rows, c.start));
  if (o.truth) await writeOrFail(o.truth, toBatadalCsv(twin.columns, rows, c.start, "truth"));
  const attacked = rows.filter((r) => r.attack).length;
  process.stderr.write(`${o.out}: ${rows.length} hours, ${twin.columns.length} columns, ${attacked} attack hours\n`);
  for (const e of twin.events)
    process.stderr.write(
      `  attack ${e.type} ${e.target}: hour ${e.startHour}${e.endHour !== undefined ? ` to ${e.endHour}` : " to the end"}\n`,
    );
  return EXIT_OK;
}

export interface TwinDatasetOpts extends Omit<TwinRunOpts, "cpa" | "network"> {
  network?: string;
  cpa?: string;
  attacks: string;
  plan?: string;
}

export async function twinDatasetCommand(
  o: TwinDatasetOpts,
  defaults: { network?: string; cpa?: string },
): Promise<number> {
  const c = common(o);
  const count = intOption("--attacks", o.attacks, 0, 1000) ?? 0;
  const network = o.network ?? defaults.network;
  const cpa = o.cpa ?? defaults.cpa;
  if (!network || !cpa)
    throw new CliError("options --network and --cpa: required (no C-Town files found beside the checkout)", EXIT_USAGE);
  const sc = await loadScenarioFiles(network, cpa, o.patterns);
  if (sc.cpa.attacks.length)
    throw invalidInput([
      { file: cpa, message: "a dataset's .cpa must have no [CYBERATTACKS]; the campaign is drawn from the seed" },
    ]);
  const hours = c.hours ?? 24 * 28;
  const probe = await Twin.create({ ...sc, hours, seed: c.seed, scanSeconds: c.scan });
  if (!probe.ok) {
    throw invalidInput(probe.issues);
  }
  const rules = probe.value.rules;
  probe.value.close();
  const plan = planCampaign(sc.network, sc.cpa, rules, count, hours, c.seed);
  if (!plan.ok) throw new CliError(`option --attacks: ${plan.message}`, EXIT_USAGE);
  const { twin, rows } = await runTwin({
    ...sc,
    hours,
    seed: c.seed,
    noiseSd: c.noiseSd ?? 0.01,
    round: c.round,
    scanSeconds: c.scan,
    extraAttacks: plan.plan.flatMap((p) => p.attacks),
  });
  await writeOrFail(o.out, toBatadalCsv(twin.columns, rows, c.start));
  if (o.truth) await writeOrFail(o.truth, toBatadalCsv(twin.columns, rows, c.start, "truth"));
  if (o.plan)
    await writeOrFail(
      o.plan,
      `${JSON.stringify(
        plan.plan.map(({ attacks: _a, ...p }) => p),
        null,
        2,
      )}\n`,
    );
  process.stderr.write(
    `${o.out}: ${rows.length} hours, ${count} attacks, ${rows.filter((r) => r.attack).length} attack hours\n`,
  );
  for (const p of plan.plan) process.stderr.write(`  hours ${p.startHour}-${p.endHour}: ${p.kind}: ${p.description}\n`);
  return EXIT_OK;
}

export interface TwinServeOpts extends TwinRunOpts {
  speed: string;
  mqtt?: string;
  site: string;
  asset: string;
  attack: string[];
  portsFile?: string;
}

export async function twinServeCommand(o: Omit<TwinServeOpts, "out"> & { out?: string }): Promise<number> {
  const c = common(o);
  const speed = numOption("--speed", o.speed, 0, 3600) as number;
  const attacks: WireAttack[] = [];
  for (const spec of o.attack) {
    const a = parseWireAttack(spec);
    if (typeof a === "string") throw new CliError(`option --attack: ${a}`, EXIT_USAGE);
    attacks.push(a);
  }
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(o.site) || !/^[A-Za-z0-9_.:-]{1,64}$/.test(o.asset))
    throw new CliError("options --site and --asset: 1-64 of letters, digits, _ . : -", EXIT_USAGE);
  const sc = await loadScenarioFiles(o.network, o.cpa, o.patterns);
  const hours = c.hours ?? (sc.network.duration > 0 ? Math.floor(sc.network.duration / 3600) : 168);
  let r: Awaited<ReturnType<typeof TwinServer.start>>;
  try {
    r = await TwinServer.start({
      scenario: sc,
      hours,
      seed: c.seed,
      scanSeconds: c.scan,
      speed,
      mqttUrl: o.mqtt,
      site: o.site,
      asset: o.asset,
      startMs: c.start,
      wireAttacks: attacks,
      onEvent: (line) => process.stderr.write(`${line}\n`),
    });
  } catch (e) {
    throw new CliError(`cannot start: ${(e as Error).message}`, EXIT_INVALID);
  }
  // the engine names its parameter (wireAttacks); this command's option for it is --attack
  if (!r.ok)
    throw invalidInput(
      r.issues.map((i) =>
        i.path === "wireAttacks" ? { ...i, path: undefined, message: `option --attack: ${i.message}` } : i,
      ),
    );
  const server = r.server;
  const ports = server.endpoints.map((e) => ({
    plc: e.plc,
    host: "127.0.0.1",
    port: e.port,
    sensors: e.map.sensors,
    actuators: e.map.actuators,
    received: e.map.received,
    rules: e.map.rules,
  }));
  for (const p of ports) process.stderr.write(`${p.plc} modbus 127.0.0.1:${p.port}\n`);
  if (o.portsFile) await writeOrFail(o.portsFile, `${JSON.stringify(ports, null, 2)}\n`);
  const stop = () => void server.stop();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  await server.run();
  await server.stop();
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
  if (o.out) await writeOrFail(o.out, toBatadalCsv(server.twin.columns, server.rows, c.start, "truth"));
  process.stderr.write(
    `served ${server.rows.length} hours; published ${server.stats.published}; link reads dropped or refused ${server.stats.linkFailures}; ` +
      `Modbus requests ${server.serverStats.reduce((a, s) => a + s.requests, 0)}, exceptions ${server.serverStats.reduce((a, s) => a + s.exceptions, 0)}\n`,
  );
  for (const e of server.twin.events)
    process.stderr.write(
      `  attack ${e.type} ${e.target}: hour ${e.startHour}${e.endHour !== undefined ? ` to ${e.endHour}` : " to the end"}\n`,
    );
  return EXIT_OK;
}

export interface TwinAttackOpts {
  host: string;
  port: string;
  coil?: string;
  register?: string;
  read?: string;
}

/** An attacker's (or an operator's) Modbus client against a running `twin serve`. */
export async function twinAttackCommand(o: TwinAttackOpts): Promise<number> {
  const port = intOption("--port", o.port, 1, 65535) as number;
  const kv = (name: string, v: string, max: number) => {
    const m = /^(\d+)=(\d+)$/.exec(v);
    if (!m || Number(m[1]) > 65535 || Number(m[2]) > max)
      throw new CliError(`option ${name}: expected ADDR=VALUE (VALUE up to ${max}), found "${v}"`, EXIT_USAGE);
    return [Number(m[1]), Number(m[2])] as const;
  };
  const ops = [o.coil, o.register, o.read].filter((x) => x !== undefined).length;
  if (ops !== 1)
    throw new CliError(
      "give exactly one of --coil ADDR=0|1, --register ADDR=VALUE, --read input|holding|coils|discrete",
      EXIT_USAGE,
    );
  const c = new ModbusClient(o.host, port, 2000);
  try {
    await c.connect();
  } catch (e) {
    throw new CliError(`cannot connect to ${o.host}:${port}: ${(e as Error).message}`, EXIT_INVALID);
  }
  try {
    if (o.coil !== undefined) {
      const [a, v] = kv("--coil", o.coil, 1);
      await c.writeCoil(a, v === 1);
      process.stdout.write(`coil ${a} <- ${v}: accepted\n`);
    } else if (o.register !== undefined) {
      const [a, v] = kv("--register", o.register, 65535);
      await c.writeRegisters(a, [v]);
      process.stdout.write(`holding register ${a} <- ${v}: accepted\n`);
    } else {
      const what = o.read as string;
      const n = 8;
      const r =
        what === "input"
          ? await c.readRegisters(4, 0, n)
          : what === "holding"
            ? await c.readRegisters(3, 0, 2)
            : what === "coils"
              ? await c.readBits(1, 0, 1)
              : what === "discrete"
                ? await c.readBits(2, 0, 1)
                : undefined;
      if (r === undefined) throw new CliError("option --read: expected input, holding, coils or discrete", EXIT_USAGE);
      process.stdout.write(`${JSON.stringify(r)}\n`);
    }
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`refused: ${(e as Error).message}`, EXIT_INVALID);
  } finally {
    c.close();
  }
}

/** The C-Town files beside a checkout (../shared/data), when present: the defaults of `twin dataset`. */
function ctownDefaults(): { network?: string; cpa?: string } {
  const base = resolve(process.cwd(), "../shared/data/batadal/ctown");
  const network = resolve(base, "CTOWN.INP");
  const cpa = resolve(base, "epanetCPA/scenarios/ctown/no_attacks.cpa");
  return existsSync(network) && existsSync(cpa) ? { network, cpa } : {};
}

const collect = (v: string, prev: string[]) => [...prev, v];

/** The scenario's files: named for run and serve; dataset defaults to C-Town beside the checkout. */
function scenarioFiles(c: Command, ctownDefault = false): Command {
  if (ctownDefault)
    return c
      .option("--network <file>", "EPANET .inp network (default: C-Town beside the checkout)")
      .option("--cpa <file>", ".cpa without attacks (default: C-Town's no_attacks.cpa)")
      .option("--patterns <file>", "hourly demand multipliers CSV");
  return c
    .requiredOption("--network <file>", "EPANET .inp network")
    .requiredOption("--cpa <file>", ".cpa file: PLCs, links, attacks, options")
    .option("--patterns <file>", "hourly demand multipliers CSV (default: the .cpa's patterns_file)");
}

/** The settings every twin run shares (read by `common`); `noise` false: the command has no readings noise. */
function runSettings(c: Command, d: { hours?: string; seed?: string; noise?: string | false }): Command {
  c.option("--hours <n>", `hours to simulate${d.hours ? "" : " (default: the network's duration)"}`, d.hours).option(
    "--seed <n>",
    d.seed ?? "random seed",
    "1",
  );
  if (d.noise !== false)
    c.option("--noise <sd>", "standard deviation of measurement noise on analogue readings", d.noise).option(
      "--round <digits>",
      "round readings to this many decimals",
    );
  return c
    .option("--scan <seconds>", "PLC scan interval (divides 3600; default: the network's hydraulic step)")
    .option("--start <date>", "date of the first row (simulated hour 0), YYYY-MM-DD", "2014-01-06");
}

/** Where the readings go, and the true values beside them. */
function readingsOut(c: Command): Command {
  return c
    .requiredOption("--out <file>", "readings CSV to write (what SCADA saw)")
    .option("--truth <file>", "also write the true values in the same shape");
}

export function registerTwin(program: Command): void {
  const twin = program
    .command("twin")
    .description("a live water-utility twin: EPANET hydraulics with PLC logic in the loop");
  readingsOut(
    runSettings(
      scenarioFiles(
        twin
          .command("run")
          .description("replay a .cpa scenario on a network; write BATADAL-shaped hourly SCADA readings"),
      ),
      { noise: "0" },
    ),
  ).action(command(twinRunCommand));
  readingsOut(
    runSettings(
      scenarioFiles(
        twin
          .command("dataset")
          .description("generate a labelled attack campaign (ATT_FLAG exact) in the BATADAL shape")
          .requiredOption("--attacks <n>", "number of attacks"),
        true,
      ),
      { hours: "672", seed: "random seed (campaign, noise)", noise: "0.01" },
    ),
  )
    .option("--plan <file>", "also write the campaign (kinds, hours, targets) as JSON")
    .action(command((o: TwinDatasetOpts) => twinDatasetCommand(o, ctownDefaults())));
  runSettings(
    scenarioFiles(
      twin
        .command("serve")
        .description(
          "the PLCs on the wire: Modbus/TCP per PLC on loopback, links and SCADA over Modbus, SCADA to MQTT",
        ),
    ),
    { noise: false },
  )
    .option("--speed <x>", "simulated seconds per real second, 1 to 3600 (0 = as fast as possible)", "3600")
    .option("--mqtt <url>", "publish SCADA readings to this MQTT broker (as detect watch reads them)")
    .option("--site <name>", "MQTT topic site", "ctown")
    .option("--asset <id>", "MQTT topic asset (the SCADA server's id in the model)", "ct-scada")
    .option("--attack <spec>", "an attack on the wire (repeatable; see docs/twin.md)", collect, [] as string[])
    .option("--ports-file <file>", "write the PLCs' Modbus ports and register maps as JSON")
    .option("--out <file>", "write the ground truth (true values, attack labels) when done")
    .action(command(twinServeCommand));
  twin
    .command("attack")
    .description("a Modbus client against a running twin serve: write a coil or register, or read")
    .requiredOption("--port <n>", "the PLC's Modbus port (see twin serve's output)")
    .option("--host <host>", "host", "127.0.0.1")
    .option("--coil <addr=value>", "write a coil (0..n-1 actuator commands, 100+i manual mode)")
    .option("--register <addr=value>", "write a holding register (0.. received readings, 200+k rule levels in cm)")
    .option("--read <table>", "read: input, holding, coils or discrete")
    .action(command(twinAttackCommand));
}
