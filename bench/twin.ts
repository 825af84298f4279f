/**
 * Twin benchmarks (needs the C-Town files beside the checkout; prints a note line and skips without them).
 * One JSON line per figure:
 *  - twin.loop: a simulated C-Town week with the PLC logic in the loop (15-minute scans) against EPANET's own
 *    whole-period solveH of the same network, in the same run; median of 3; aim ratio <= 1.5.
 *  - twin.modbus_poll: every C-Town PLC polled over real Modbus/TCP (input registers + discrete inputs, one
 *    client per PLC) at 10 Hz for 5 s, and unpaced for 2 s; p50/p99 round trip; aim >= 10 Hz, p99 < 5 ms.
 *  - twin.e2e: twin serve at 3600x publishing to detect watch's embedded broker; a man-in-the-middle rewrites
 *    PLC2's T1 level to SCADA from hour 48; figures: wall time from the rewrite becoming active to the first
 *    stored alert at or after hour 48, and readings lost (published but not received).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { startWatch } from "../src/detect/io/watch.ts";
import { Twin } from "../src/twin/engine.ts";
import { Hydraulics } from "../src/twin/hydraulics.ts";
import { buildScenario, type Scenario } from "../src/twin/load.ts";
import { parseWireAttack } from "../src/twin/wire/attacks.ts";
import { ModbusClient } from "../src/twin/wire/modbus.ts";
import { TwinServer } from "../src/twin/wire/serve.ts";

const CTOWN = join(import.meta.dirname, "..", "..", "shared", "data", "batadal", "ctown");

function emit(o: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...o, load1: Number(loadavg()[0]?.toFixed(2)), node: process.version })}\n`);
}

function scenario(name: string): Scenario {
  const net = join(CTOWN, "CTOWN.INP");
  const cpa = join(CTOWN, "epanetCPA", "scenarios", "ctown", `${name}.cpa`);
  const r = buildScenario({
    network: { file: net, text: readFileSync(net, "utf8") },
    cpa: { file: cpa, text: readFileSync(cpa, "utf8") },
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
};

async function loop(): Promise<void> {
  const sc = scenario("no_attacks");
  const twinMs: number[] = [];
  const solveMs: number[] = [];
  await Hydraulics.solveWhole(sc.inpText); // load the WASM module once
  for (let i = 0; i < 3; i++) {
    let t0 = performance.now();
    const t = await Twin.create({ ...sc, hours: 168, seed: 1 });
    if (!t.ok) throw new Error("twin");
    t.value.runAll();
    t.value.close();
    twinMs.push(performance.now() - t0);
    t0 = performance.now();
    await Hydraulics.solveWhole(sc.inpText);
    solveMs.push(performance.now() - t0);
  }
  const a = median(twinMs);
  const b = median(solveMs);
  emit({
    bench: "twin.loop",
    week_ms: Math.round(a),
    solveH_ms: Math.round(b),
    ratio: Number((a / b).toFixed(2)),
    aim: "<= 1.5",
    runs: 3,
  });
}

async function poll(): Promise<void> {
  const r = await TwinServer.start({
    scenario: scenario("no_attacks"),
    hours: 2,
    seed: 1,
    speed: 0,
    site: "b",
    asset: "ct-scada",
    startMs: 0,
  });
  if (!r.ok) throw new Error("serve");
  const s = r.server;
  s.twin.advanceScan(); // registers hold values
  const clients = await Promise.all(
    s.endpoints.map(async (e) => {
      const c = new ModbusClient("127.0.0.1", e.port, 2000);
      await c.connect();
      return { c, e };
    }),
  );
  const once = async (rtts: number[]) => {
    await Promise.all(
      clients.map(async ({ c, e }) => {
        const t0 = performance.now();
        await c.readRegisters(4, 0, Math.max(2, 2 * e.map.sensors.length));
        if (e.map.actuators.length) await c.readBits(2, 0, e.map.actuators.length);
        rtts.push(performance.now() - t0);
      }),
    );
  };
  // paced: 10 Hz for 5 s
  const paced: number[] = [];
  const start = performance.now();
  let rounds = 0;
  while (performance.now() - start < 5000) {
    await once(paced);
    rounds++;
    const due = start + rounds * 100;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((res) => setTimeout(res, wait));
  }
  const pacedHz = rounds / ((performance.now() - start) / 1000);
  // unpaced: as fast as one client per PLC goes, 2 s
  const fast: number[] = [];
  const f0 = performance.now();
  let fr = 0;
  while (performance.now() - f0 < 2000) {
    await once(fast);
    fr++;
  }
  const fastHz = fr / ((performance.now() - f0) / 1000);
  for (const { c } of clients) c.close();
  await s.stop();
  emit({
    bench: "twin.modbus_poll",
    plcs: clients.length,
    paced_hz_per_plc: Number(pacedHz.toFixed(1)),
    paced_p50_ms: Number(pct(paced, 50).toFixed(2)),
    paced_p99_ms: Number(pct(paced, 99).toFixed(2)),
    max_hz_per_plc: Number(fastHz.toFixed(0)),
    max_p99_ms: Number(pct(fast, 99).toFixed(2)),
    aim: ">= 10 Hz per PLC, p99 < 5 ms",
    note: "round trip = one PLC's input registers + discrete inputs (two Modbus requests)",
  });
}

async function e2e(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "twin-bench-"));
  let firstAlert = Number.NaN;
  let active = Number.NaN;
  const attackHour = 48;
  const startMs = Date.UTC(2014, 0, 6);
  const w = await startWatch({
    db: join(dir, "alerts.sqlite"),
    port: 0,
    trainRows: 36,
    onAlert: (_line, a) => {
      if (Number.isNaN(firstAlert) && (a.t - startMs) / 3600_000 >= attackHour) firstAlert = performance.now();
    },
  });
  if (!w.ok) throw new Error("watch");
  const spoof = parseWireAttack(`mitm:PLC2-P_T1-SCADA:constant=0.01@${attackHour}`);
  if (typeof spoof === "string") throw new Error(spoof);
  const r = await TwinServer.start({
    scenario: scenario("no_attacks"),
    hours: 60,
    seed: 1,
    speed: 3600,
    site: "bench",
    asset: "ct-scada",
    startMs,
    mqttUrl: `mqtt://127.0.0.1:${w.value.port}`,
    wireAttacks: [spoof],
    onEvent: (line) => {
      if (line.includes("man-in-the-middle") && Number.isNaN(active)) active = performance.now();
    },
  });
  if (!r.ok) throw new Error("serve");
  const t0 = performance.now();
  await r.server.run();
  const wall = performance.now() - t0;
  await r.server.stop();
  await new Promise((res) => setTimeout(res, 500));
  w.value.live.flush();
  const published = r.server.rows.length * r.server.twin.columns.length;
  emit({
    bench: "twin.e2e",
    speed: 3600,
    sim_hours: r.server.rows.length,
    wall_s: Number((wall / 1000).toFixed(1)),
    readings_published: published,
    readings_received: w.value.live.received,
    readings_lost: published - w.value.live.received,
    alerts_stored: w.value.live.store.alertsStored,
    change_to_alert_ms: Number.isNaN(firstAlert) ? null : Math.round(firstAlert - active),
    note: "from the proxy rewrite becoming active (sim hour 48) to the first stored alert at or after it; one sim hour = 1 s",
  });
  await w.value.close();
  rmSync(dir, { recursive: true, force: true });
}

export async function run(): Promise<void> {
  if (!existsSync(join(CTOWN, "CTOWN.INP"))) {
    emit({ bench: "twin", note: "skipped: ../shared/data/batadal/ctown not found" });
    return;
  }
  await loop();
  await poll();
  await e2e();
}
