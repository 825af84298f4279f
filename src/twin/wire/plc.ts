/**
 * One emulated PLC as a Modbus device over the twin engine. The register map (docs/twin.md, "Register map"):
 *  - input registers (FC4), read only: the PLC's own sensors in .cpa order, float32 in two registers each
 *    (high word first): sensor i at 2i, 2i+1;
 *  - discrete inputs (FC2): actuator i running/open;
 *  - coils (FC1, FC5, FC15): 0+i the command of actuator i (writing one puts it in manual with that command);
 *    100+i manual mode of actuator i (write 0 to hand it back to the PLC logic);
 *  - holding registers (FC3, FC6, FC16): 0.. the readings this PLC receives from other PLCs, float32 pairs in
 *    the order of the .cpa links into it; 200+k the level of the PLC's k-th rule in centimetres (its program).
 * Out-of-range values get exception 03, unmapped addresses exception 02.
 */
import type { Twin } from "../engine.ts";
import { EX_ILLEGAL_ADDRESS, EX_ILLEGAL_VALUE, type ModbusDevice, regsToFloat } from "./modbus.ts";

export const MANUAL_COIL_BASE = 100;
export const PROGRAM_REG_BASE = 200;
/** Received readings must be finite and within this range (m or L/s). */
export const READING_RANGE = { min: -10, max: 10_000 } as const;

export interface PlcMap {
  plc: string;
  sensors: string[];
  actuators: string[];
  /** Readings this PLC receives, in holding-register order. */
  received: { source: string; sensor: string }[];
  /** Rules this PLC runs: control index and the highest level (cm) a write may set. */
  rules: { control: number; link: string; maxCm: number }[];
}

export function plcMaps(twin: Twin): PlcMap[] {
  const { cpa, network } = twin.config;
  const maxLevel = new Map(network.tanks.map((t) => [t.id, t.maxLevel]));
  return cpa.nodes.map((n) => ({
    plc: n.name,
    sensors: [...n.sensors],
    actuators: [...n.actuators],
    received: cpa.links
      .filter((l) => l.destination === n.name)
      .flatMap((l) => l.sensors.map((s) => ({ source: l.source, sensor: s }))),
    rules: twin.rules
      .filter((r) => r.plc === n.name)
      .map((r) => ({
        control: r.control.index,
        link: r.control.link,
        maxCm: Math.round(((maxLevel.get(r.control.node) ?? 100) + 1) * 100),
      })),
  }));
}

function range(addr: number, count: number, size: number): boolean {
  return addr >= 0 && count >= 1 && addr + count <= size;
}

export class PlcDevice implements ModbusDevice {
  /** Writes accepted, by kind, for reports. */
  readonly writes = { coils: 0, readings: 0, program: 0 };

  constructor(
    readonly twin: Twin,
    readonly map: PlcMap,
  ) {}

  private view(): Map<string, number> {
    return this.twin.views.get(this.map.plc) ?? new Map();
  }

  readInputRegisters(addr: number, count: number): number[] | number {
    if (!range(addr, count, this.map.sensors.length * 2)) return EX_ILLEGAL_ADDRESS;
    const v = this.view();
    const out: number[] = [];
    const b = Buffer.alloc(4);
    for (let r = addr; r < addr + count; r++) {
      b.writeFloatBE(v.get(this.map.sensors[r >> 1] as string) ?? Number.NaN, 0);
      out.push(b.readUInt16BE(r & 1 ? 2 : 0));
    }
    return out;
  }

  readDiscreteInputs(addr: number, count: number): boolean[] | number {
    if (!range(addr, count, this.map.actuators.length)) return EX_ILLEGAL_ADDRESS;
    const st = this.twin.actuatorStatus();
    return this.map.actuators.slice(addr, addr + count).map((a) => st.get(a) === 1);
  }

  readCoils(addr: number, count: number): boolean[] | number {
    const n = this.map.actuators.length;
    const st = this.twin.actuatorStatus();
    if (range(addr, count, n))
      return this.map.actuators
        .slice(addr, addr + count)
        .map((a) => this.twin.forcedActuators.get(a) ?? st.get(a) === 1);
    if (addr >= MANUAL_COIL_BASE && range(addr - MANUAL_COIL_BASE, count, n))
      return this.map.actuators
        .slice(addr - MANUAL_COIL_BASE, addr - MANUAL_COIL_BASE + count)
        .map((a) => this.twin.forcedActuators.has(a));
    return EX_ILLEGAL_ADDRESS;
  }

  writeCoils(addr: number, values: boolean[]): number | undefined {
    const n = this.map.actuators.length;
    if (range(addr, values.length, n)) {
      values.forEach((v, i) => {
        this.twin.forcedActuators.set(this.map.actuators[addr + i] as string, v);
      });
      this.writes.coils++;
      return undefined;
    }
    if (addr >= MANUAL_COIL_BASE && range(addr - MANUAL_COIL_BASE, values.length, n)) {
      values.forEach((v, i) => {
        const a = this.map.actuators[addr - MANUAL_COIL_BASE + i] as string;
        if (!v) this.twin.forcedActuators.delete(a);
        else if (!this.twin.forcedActuators.has(a))
          this.twin.forcedActuators.set(a, this.twin.actuatorStatus().get(a) === 1);
      });
      this.writes.coils++;
      return undefined;
    }
    return EX_ILLEGAL_ADDRESS;
  }

  readHoldingRegisters(addr: number, count: number): number[] | number {
    const recv = this.map.received.length * 2;
    if (range(addr, count, recv)) {
      const v = this.view();
      const out: number[] = [];
      const b = Buffer.alloc(4);
      for (let r = addr; r < addr + count; r++) {
        b.writeFloatBE(v.get((this.map.received[r >> 1] as { sensor: string }).sensor) ?? Number.NaN, 0);
        out.push(b.readUInt16BE(r & 1 ? 2 : 0));
      }
      return out;
    }
    if (addr >= PROGRAM_REG_BASE && range(addr - PROGRAM_REG_BASE, count, this.map.rules.length)) {
      return this.map.rules.slice(addr - PROGRAM_REG_BASE, addr - PROGRAM_REG_BASE + count).map((r) => {
        const level =
          this.twin.programOverrides.get(r.control)?.level ??
          this.twin.rules.find((x) => x.control.index === r.control)?.control.level ??
          0;
        return Math.round(level * 100);
      });
    }
    return EX_ILLEGAL_ADDRESS;
  }

  writeRegisters(addr: number, values: number[]): number | undefined {
    const recv = this.map.received.length * 2;
    if (range(addr, values.length, recv)) {
      // readings are float32 pairs: a write must cover whole pairs
      if (addr % 2 !== 0 || values.length % 2 !== 0) return EX_ILLEGAL_ADDRESS;
      const decoded: number[] = [];
      for (let i = 0; i < values.length; i += 2) {
        const f = regsToFloat(values[i] as number, values[i + 1] as number);
        if (!Number.isFinite(f) || f < READING_RANGE.min || f > READING_RANGE.max) return EX_ILLEGAL_VALUE;
        decoded.push(f);
      }
      decoded.forEach((f, i) => {
        this.twin.receive(this.map.plc, (this.map.received[(addr >> 1) + i] as { sensor: string }).sensor, f);
      });
      this.writes.readings++;
      return undefined;
    }
    if (addr >= PROGRAM_REG_BASE && range(addr - PROGRAM_REG_BASE, values.length, this.map.rules.length)) {
      const rules = this.map.rules.slice(addr - PROGRAM_REG_BASE, addr - PROGRAM_REG_BASE + values.length);
      if (values.some((v, i) => v > (rules[i] as { maxCm: number }).maxCm)) return EX_ILLEGAL_VALUE;
      rules.forEach((r, i) => {
        this.twin.programOverrides.set(r.control, { level: (values[i] as number) / 100 });
      });
      this.writes.program++;
      return undefined;
    }
    return EX_ILLEGAL_ADDRESS;
  }
}
