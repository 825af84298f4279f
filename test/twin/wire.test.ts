import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, test } from "vitest";
import { startWatch } from "../../src/detect/io/watch.ts";
import { parseWireAttack } from "../../src/twin/wire/attacks.ts";
import {
  EX_ILLEGAL_ADDRESS,
  EX_ILLEGAL_FUNCTION,
  EX_ILLEGAL_VALUE,
  floatToRegs,
  frame,
  handlePdu,
  ModbusClient,
  ModbusError,
  splitFrames,
} from "../../src/twin/wire/modbus.ts";
import { MANUAL_COIL_BASE, PROGRAM_REG_BASE } from "../../src/twin/wire/plc.ts";
import { type ServeOptions, TwinServer } from "../../src/twin/wire/serve.ts";
import { column, ctownScenario, haveCtown } from "./helpers.ts";

async function code(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 0;
  } catch (e) {
    return e instanceof ModbusError ? e.code : -99;
  }
}

describe("Modbus/TCP codec", () => {
  test("[TWN-14] frames split across chunks are reassembled; a non-Modbus stream is flagged broken", () => {
    const f = frame(7, 1, Buffer.from([4, 0, 0, 0, 2]));
    const a = splitFrames(Buffer.concat([f, f.subarray(0, 4)]));
    expect(a.frames).toHaveLength(1);
    expect(a.frames[0]?.tid).toBe(7);
    expect(a.rest).toHaveLength(4);
    expect(splitFrames(Buffer.from("GET / HTTP/1.1\r\n\r\n")).broken).toBe(true);
    const dev = {
      readCoils: () => EX_ILLEGAL_ADDRESS,
      readDiscreteInputs: () => EX_ILLEGAL_ADDRESS,
      readHoldingRegisters: () => [1, 2],
      readInputRegisters: () => EX_ILLEGAL_ADDRESS,
      writeCoils: () => undefined,
      writeRegisters: () => undefined,
    };
    expect([...handlePdu(dev, Buffer.from([0x2b, 0x0e]))]).toEqual([0xab, EX_ILLEGAL_FUNCTION]);
    expect([...handlePdu(dev, Buffer.from([3, 0, 0, 0, 200]))]).toEqual([0x83, EX_ILLEGAL_VALUE]);
    expect([...handlePdu(dev, Buffer.from([5, 0, 0, 0x12, 0x34]))]).toEqual([0x85, EX_ILLEGAL_VALUE]);
    expect([...handlePdu(dev, Buffer.from([16, 0, 0, 0, 2, 3, 0]))]).toEqual([0x90, EX_ILLEGAL_VALUE]);
    expect([...handlePdu(dev, Buffer.from([3, 0, 0, 0, 2]))]).toEqual([3, 4, 0, 1, 0, 2]);
  });

  test("[TWN-15] wire attack specs parse or are refused with the reason", () => {
    expect(parseWireAttack("mitm:PLC2-P_T1-SCADA:replay=50,0.05,7,0@58")).toMatchObject({
      kind: "mitm",
      start: 58,
      how: { kind: "replay", delayHours: 50 },
    });
    expect(parseWireAttack("program:PLC5:0=3,1=3.1@30-35")).toMatchObject({
      kind: "program",
      end: 35,
      levels: [
        { rule: 0, level: 3 },
        { rule: 1, level: 3.1 },
      ],
    });
    expect(parseWireAttack("write:PLC1:coil:1=0@3")).toMatchObject({ kind: "write", table: "coil", addr: 1, value: 0 });
    for (const bad of [
      "mitm:PLC2-P_T1:dos@1",
      "write:PLC1:coil:1=2@3",
      "program:PLC5:x@1",
      "mitm:A-B-C:dos@5-2",
      "nope@1",
      "mitm:A-B-C:dos",
    ])
      expect(typeof parseWireAttack(bad), bad).toBe("string");
  });
});

/** A C-Town twin on the wire, unpaced, without MQTT. */
function serveCtown(scenario: string, hours: number, extra: Partial<ServeOptions> = {}) {
  return TwinServer.start({
    scenario: ctownScenario(scenario),
    hours,
    seed: 1,
    speed: 0,
    site: "t",
    asset: "ct-scada",
    startMs: 0,
    ...extra,
  });
}

describe.skipIf(!haveCtown)("twin serve: PLCs on the wire (needs ../shared/data/batadal/ctown)", () => {
  test("[TWN-14] garbage and out-of-range Modbus requests get exceptions or a closed connection; the twin runs on", async () => {
    const r = await serveCtown("no_attacks", 6);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const s = r.server;
    const plc1 = s.endpoints.find((e) => e.plc === "PLC1");
    const plc3 = s.endpoints.find((e) => e.plc === "PLC3");
    if (!plc1 || !plc3) throw new Error("no PLC1/PLC3");
    // raw garbage: the server closes that connection
    const closed = await new Promise<boolean>((resolve) => {
      const sock = connect(plc1.port, "127.0.0.1", () =>
        sock.write(Buffer.from("\x00\x01\x13\x37\xff\xff garbage garbage")),
      );
      sock.on("close", () => resolve(true));
      sock.on("error", () => resolve(true));
      setTimeout(() => resolve(false), 3000);
    });
    expect(closed).toBe(true);
    const c = new ModbusClient("127.0.0.1", plc3.port, 2000);
    await c.connect();
    expect(await code(c.request(Buffer.from([0x2b, 0x0e, 1, 0])))).toBe(EX_ILLEGAL_FUNCTION);
    expect(await code(c.readRegisters(4, 500, 2))).toBe(EX_ILLEGAL_ADDRESS);
    expect(await code(c.readBits(1, 50, 1))).toBe(EX_ILLEGAL_ADDRESS);
    expect(await code(c.writeRegisters(0, floatToRegs(Number.NaN)))).toBe(EX_ILLEGAL_VALUE);
    expect(await code(c.writeRegisters(0, floatToRegs(1e9)))).toBe(EX_ILLEGAL_VALUE);
    expect(await code(c.writeRegisters(1, [0]))).toBe(EX_ILLEGAL_ADDRESS); // half a float
    expect(await code(c.writeRegisters(PROGRAM_REG_BASE, [60000]))).toBe(EX_ILLEGAL_VALUE);
    expect(await code(c.writeRegisters(PROGRAM_REG_BASE + 99, [100]))).toBe(EX_ILLEGAL_ADDRESS);
    // valid reads still answer on the same connection
    expect(await c.readRegisters(4, 0, 4)).toHaveLength(4);
    expect(await c.readBits(1, MANUAL_COIL_BASE, 5)).toEqual([false, false, false, false, false]);
    c.close();
    await s.run();
    expect(s.rows).toHaveLength(6);
    expect(s.serverStats.reduce((a, x) => a + x.closedForGarbage, 0)).toBe(1);
    await s.stop();
  });

  test("[TWN-16] scenario04 on the wire: the PLC2->PLC1 link's proxy drops the readings, PU1/PU2 stay on, T1 overflows", async () => {
    const r = await serveCtown("scenario04", 96);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const s = r.server;
    await s.run();
    const t1 = column(s.twin, s.rows, "L_T1");
    expect(Math.max(...t1.slice(51))).toBeGreaterThanOrEqual(6.45);
    expect(
      column(s.twin, s.rows, "S_PU2")
        .slice(52)
        .every((x) => x === 1),
    ).toBe(true);
    expect(s.stats.linkFailures).toBeGreaterThan(100); // every PLC2->PLC1 read after hour 50 was dropped
    await s.stop();
  });

  test("[TWN-17] an attacker's coil write and a PLC program swap over Modbus change the plant", async () => {
    const attacks = [
      parseWireAttack("write:PLC1:coil:1=0@3"),
      parseWireAttack("program:PLC5:2=3,3=3.1@10-20"),
      parseWireAttack("program:PLC5:9=3@11"),
    ];
    if (attacks.some((a) => typeof a === "string")) throw new Error(String(attacks));
    const events: string[] = [];
    const r = await TwinServer.start({
      scenario: ctownScenario("no_attacks"),
      hours: 24,
      seed: 1,
      speed: 0,
      site: "t",
      asset: "ct-scada",
      startMs: 0,
      wireAttacks: attacks as never,
      onEvent: (l) => events.push(l),
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const s = r.server;
    await s.run();
    // PU2 (coil 1 of PLC1) was running and is held off from hour 3 on
    const pu2 = column(s.twin, s.rows, "S_PU2");
    expect(pu2[2]).toBe(1);
    expect(pu2.slice(4).every((x) => x === 0)).toBe(true);
    // PLC5's rules 2 and 3 drive PU10 (CTRL17, CTRL18): swapped at hour 10, restored at hour 20
    const rules = s.endpoints.find((e) => e.plc === "PLC5")?.map.rules ?? [];
    expect(rules.map((x) => x.link)).toEqual(["PU8", "PU8", "PU10", "PU10", "PU11", "PU11"]);
    expect(events).toEqual([
      "hour 3: attacker wrote coil 1=0 on PLC1",
      "hour 10: swapped PLC5 rule 2 level 3",
      "hour 10: swapped PLC5 rule 3 level 3.1",
      expect.stringMatching(/^hour 11: attacker write on PLC5 refused: Modbus exception 2/),
      "hour 20: restored PLC5 rule 2 level 2.5",
      "hour 20: restored PLC5 rule 3 level 4.8",
    ]);
    expect(s.twin.programOverrides.get(rules[2]?.control ?? -1)?.level).toBe(2.5);
    await s.stop();
  });

  test("[TWN-18] SCADA's Modbus readings reach detect watch over MQTT, every one, and an attack becomes a stored alert", async () => {
    const dir = mkdtempSync(join(tmpdir(), "twin-watch-"));
    const w = await startWatch({ db: join(dir, "alerts.sqlite"), port: 0, trainRows: 48 });
    const seen: number[] = [];
    expect(w.ok).toBe(true);
    if (!w.ok) return;
    const spoof = parseWireAttack("mitm:PLC2-P_T1-SCADA:constant=0.01@72");
    if (typeof spoof === "string") throw new Error(spoof);
    const site = `twin${process.pid}`;
    const r = await TwinServer.start({
      scenario: ctownScenario("no_attacks"),
      hours: 96,
      seed: 1,
      speed: 0,
      site,
      asset: "ct-scada",
      startMs: Date.UTC(2014, 0, 6),
      mqttUrl: `mqtt://127.0.0.1:${w.value.port}`,
      wireAttacks: [spoof],
      onHour: (_row, v) => seen.push(v[0] as number),
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    await r.server.run();
    await r.server.stop();
    await new Promise((res) => setTimeout(res, 300));
    // SCADA's first column (L_T1) read over Modbus shows the spoofed level from hour 72, the truth before
    expect(r.server.twin.columns[0]).toBe("L_T1");
    expect(seen.slice(72).every((v) => Math.abs(v - 0.01) < 1e-6)).toBe(true);
    expect(seen.slice(0, 72).every((v) => v > 0.01)).toBe(true);
    w.value.live.flush();
    const expected = r.server.rows.length * r.server.twin.columns.length;
    expect(w.value.live.received).toBe(expected);
    expect(w.value.live.rejected).toBe(0);
    expect(w.value.live.store.alertsStored).toBeGreaterThanOrEqual(1);
    await w.value.close();
    // an alert on the SCADA asset is stored once the spoofed T1 level reaches SCADA (hour 72 on); the
    // baseline learned from 48 hours may also raise earlier false alarms, which this test does not judge
    const db = new Database(join(dir, "alerts.sqlite"), { readonly: true });
    const hours = (
      db.prepare("SELECT t FROM alerts WHERE site = ? AND asset = 'ct-scada'").all(site) as { t: number }[]
    ).map((a) => (a.t - Date.UTC(2014, 0, 6)) / 3600_000);
    db.close();
    expect(
      hours.some((h) => h >= 72),
      JSON.stringify(hours),
    ).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });
});
