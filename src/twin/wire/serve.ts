/**
 * `twin serve`: the twin's PLCs on the wire. One Modbus/TCP server per PLC on loopback; PLC-to-PLC readings
 * travel over Modbus (read the source's input registers, write the destination's holding registers), each
 * link through its own man-in-the-middle proxy; a SCADA poller reads every PLC over Modbus (through the
 * PLC-to-SCADA proxies) and publishes each simulated hour to MQTT as `detect watch` reads it:
 * topic rampart/<site>/<asset>/<column>, payload {"t": epoch ms, "v": value}. The clock runs at `speed`
 * times real time (0 = as fast as the machine goes).
 */
import mqtt from "mqtt";
import { streamFor } from "../../model/rng.ts";
import { Twin, type TwinRow } from "../engine.ts";
import type { TwinIssue } from "../errors.ts";
import type { Scenario } from "../load.ts";
import type { WireAttack } from "./attacks.ts";
import { floatToRegs, ModbusClient, type ModbusServerStats, regsToFloat, startModbusServer } from "./modbus.ts";
import { PlcDevice, type PlcMap, PROGRAM_REG_BASE, plcMaps } from "./plc.ts";
import { LinkProxy } from "./proxy.ts";

export interface ServeOptions {
  scenario: Scenario;
  hours: number;
  seed: number;
  scanSeconds?: number;
  /** Simulated seconds per real second (1 to 3600; 0 = unpaced). */
  speed: number;
  /** MQTT broker URL; absent = no publishing. */
  mqttUrl?: string;
  site: string;
  asset: string;
  /** Epoch ms of simulated hour 0. */
  startMs: number;
  wireAttacks?: WireAttack[];
  /** Called after each published hour. */
  onHour?: (row: TwinRow, values: number[]) => void;
  onEvent?: (line: string) => void;
}

export interface PlcEndpoint {
  plc: string;
  port: number;
  map: PlcMap;
}

interface LinkWire {
  source: string;
  destination: string;
  sensors: { name: string; srcIndex: number; dstIndex: number }[];
  proxy: LinkProxy;
  client: ModbusClient;
}

const gauss = (rng: { next(): number }) => () =>
  Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());

export class TwinServer {
  readonly endpoints: PlcEndpoint[] = [];
  readonly rows: TwinRow[] = [];
  readonly stats = { published: 0, linkFailures: 0, pollFailures: 0 };
  readonly serverStats: ModbusServerStats[] = [];
  private links: LinkWire[] = [];
  private scada: LinkWire[] = [];
  private mq: mqtt.MqttClient | undefined;
  private stopped = false;
  private done: Promise<void> | undefined;
  private closers: (() => Promise<void> | void)[] = [];

  private constructor(
    readonly twin: Twin,
    readonly o: ServeOptions,
  ) {}

  static async start(o: ServeOptions): Promise<{ ok: true; server: TwinServer } | { ok: false; issues: TwinIssue[] }> {
    const t = await Twin.create({ ...o.scenario, hours: o.hours, seed: o.seed, scanSeconds: o.scanSeconds });
    if (!t.ok) return t;
    const twin = t.value;
    twin.externalLinks = true;
    const s = new TwinServer(twin, o);
    for (const a of o.wireAttacks ?? []) {
      const plcs = new Set(twin.config.cpa.nodes.map((n) => n.name));
      const name = a.kind === "mitm" ? a.source : a.plc;
      if (!plcs.has(name)) {
        twin.close();
        return {
          ok: false,
          issues: [{ code: "WIRE_ATTACK", message: `"${name}" is not a PLC of the .cpa`, path: "wireAttacks" }],
        };
      }
    }
    await s.open();
    return { ok: true, server: s };
  }

  private simHour = () => this.twin.time / 3600;

  private async open(): Promise<void> {
    const maps = plcMaps(this.twin);
    const port = new Map<string, number>();
    for (const m of maps) {
      const srv = await startModbusServer(new PlcDevice(this.twin, m));
      this.serverStats.push(srv.stats);
      this.endpoints.push({ plc: m.plc, port: srv.port, map: m });
      port.set(m.plc, srv.port);
      this.closers.push(() => new Promise<void>((r) => srv.server.close(() => r())));
    }
    const byPlc = new Map(maps.map((m) => [m.plc, m]));
    const noise = gauss(streamFor(this.o.seed, 3));
    const scanMs = this.o.speed > 0 ? (this.twin.scanSeconds * 1000) / this.o.speed : 1000;
    const timeout = this.o.speed > 0 ? Math.max(50, Math.min(500, scanMs / 4)) : 50;
    for (const l of this.twin.config.cpa.links) {
      const src = byPlc.get(l.source) as PlcMap;
      const proxy = new LinkProxy(`${l.source}->${l.destination}`, port.get(l.source) as number, this.simHour, noise);
      await proxy.start();
      // SCADA's poller waits longer than a PLC link: a reading SCADA misses is a reading lost
      const client = new ModbusClient(
        "127.0.0.1",
        proxy.port,
        l.destination === "SCADA" ? Math.max(timeout, 1000) : timeout,
      );
      await client.connect();
      this.closers.push(
        () => client.close(),
        () => proxy.close(),
      );
      const dst = byPlc.get(l.destination);
      const wire: LinkWire = {
        source: l.source,
        destination: l.destination,
        sensors: l.sensors.map((name) => ({
          name,
          srcIndex: src.sensors.indexOf(name),
          dstIndex: dst ? dst.received.findIndex((r) => r.sensor === name && r.source === l.source) : -1,
        })),
        proxy,
        client,
      };
      (l.destination === "SCADA" ? this.scada : this.links).push(wire);
    }
    if (this.o.mqttUrl) {
      this.mq = await mqtt.connectAsync(this.o.mqttUrl, { reconnectPeriod: 0, connectTimeout: 5000, clean: true });
      this.closers.push(() => this.mq?.endAsync());
    }
  }

  /** Adds a wire attack while running (from the API or a live page). */
  addWireAttack(a: WireAttack): void {
    this.o.wireAttacks = [...(this.o.wireAttacks ?? []), a];
  }

  /** Every link's proxy attacks follow the .cpa's active communication attacks and the scheduled MITM ones. */
  private syncProxies(): void {
    const h = this.simHour();
    for (const w of [...this.links, ...this.scada]) {
      w.proxy.attacks.clear();
      for (const s of w.sensors) {
        const how = this.twin.activeCommunication(w.source, s.name, w.destination);
        if (how) w.proxy.attacks.set(s.srcIndex, how);
      }
      for (const a of this.o.wireAttacks ?? []) {
        if (a.kind !== "mitm" || a.source !== w.source || a.destination !== w.destination) continue;
        if (h < a.start || (a.end !== undefined && h >= a.end)) continue;
        const s = w.sensors.find((x) => x.name === a.sensor);
        if (!s) continue;
        w.proxy.attacks.set(s.srcIndex, a.how);
        const key = `${a.source}-${a.sensor}-${a.destination}@${a.start}`;
        if (!this.announced.has(key)) {
          this.announced.add(key);
          this.o.onEvent?.(`hour ${h}: man-in-the-middle on ${a.source}-${a.sensor}-${a.destination}: ${a.how.kind}`);
        }
      }
    }
  }

  private fired = new Set<number>();
  private announced = new Set<string>();

  /** Modbus writes of scheduled attacks, from an attacker's own client connection. */
  private async attackerWrites(): Promise<void> {
    const h = this.simHour();
    const list = this.o.wireAttacks ?? [];
    for (let i = 0; i < list.length; i++) {
      const a = list[i] as WireAttack;
      if (a.kind === "mitm") continue;
      const startKey = i * 2;
      const endKey = i * 2 + 1;
      const ep = this.endpoints.find((e) => e.plc === a.plc) as PlcEndpoint;
      const due = h >= a.start && !this.fired.has(startKey);
      const undo = a.kind === "program" && a.end !== undefined && h >= a.end && !this.fired.has(endKey);
      if (!due && !undo) continue;
      this.fired.add(due ? startKey : endKey);
      const c = new ModbusClient("127.0.0.1", ep.port, 1000);
      try {
        await c.connect();
        if (a.kind === "write") {
          if (a.table === "coil") await c.writeCoil(a.addr, a.value === 1);
          else await c.writeRegisters(a.addr, [a.value]);
          this.o.onEvent?.(`hour ${h}: attacker wrote ${a.table} ${a.addr}=${a.value} on ${a.plc}`);
        } else
          for (const l of a.levels) {
            const rule = ep.map.rules[l.rule];
            const base = this.twin.rules.find((r) => r.control.index === rule?.control)?.control.level ?? 0;
            await c.writeRegisters(PROGRAM_REG_BASE + l.rule, [Math.round((undo ? base : l.level) * 100)]);
            this.o.onEvent?.(
              `hour ${h}: ${undo ? "restored" : "swapped"} ${a.plc} rule ${l.rule} level ${undo ? base : l.level}`,
            );
          }
      } catch (e) {
        this.o.onEvent?.(`hour ${h}: attacker write on ${a.plc} refused: ${(e as Error).message}`);
      } finally {
        c.close();
      }
    }
  }

  /** PLC-to-PLC readings over Modbus: read the source (through the link's proxy), write the destination. */
  private async transferLinks(): Promise<void> {
    await Promise.all(
      this.links.map(async (w) => {
        const dst = this.endpoints.find((e) => e.plc === w.destination) as PlcEndpoint;
        for (const s of w.sensors) {
          try {
            const r = await w.client.readRegisters(4, 2 * s.srcIndex, 2);
            const v = regsToFloat(r[0] as number, r[1] as number);
            if (s.dstIndex < 0 || !Number.isFinite(v)) continue;
            // the destination PLC's holding registers are written over Modbus too
            await (await this.writer(dst)).writeRegisters(2 * s.dstIndex, floatToRegs(v));
          } catch {
            this.stats.linkFailures++; // dropped or refused: the destination keeps its last value
          }
        }
      }),
    );
  }

  private writers = new Map<string, Promise<ModbusClient>>();
  /** The connection that carries readings into a PLC (one per destination PLC, reconnected if lost). */
  private writer(ep: PlcEndpoint): Promise<ModbusClient> {
    let c = this.writers.get(ep.plc);
    if (!c) {
      const client = new ModbusClient("127.0.0.1", ep.port, 1000);
      c = client.connect().then(() => client);
      this.writers.set(ep.plc, c);
      c.catch(() => this.writers.delete(ep.plc));
    }
    return c;
  }

  /** One SCADA poll of every PLC over Modbus; returns values by BATADAL column. */
  async pollScada(): Promise<Map<string, number>> {
    const values = new Map<string, number>();
    await Promise.all(
      this.scada.map(async (w) => {
        const ep = this.endpoints.find((e) => e.plc === w.source) as PlcEndpoint;
        const dropped = [...w.proxy.attacks.values()].some((h) => h.kind === "dos");
        for (let attempt = 0; attempt < (dropped ? 1 : 3); attempt++) if (await this.pollOne(w, ep, values)) return;
        this.stats.pollFailures++;
      }),
    );
    return values;
  }

  private async pollOne(w: LinkWire, ep: PlcEndpoint, values: Map<string, number>): Promise<boolean> {
    try {
      const n = ep.map.sensors.length;
      if (n > 0) {
        const regs = await w.client.readRegisters(4, 0, 2 * n);
        for (const s of w.sensors) {
          const v = regsToFloat(regs[2 * s.srcIndex] as number, regs[2 * s.srcIndex + 1] as number);
          const id = s.name.slice(2);
          const col = s.name.startsWith("F_")
            ? s.name
            : this.twin.config.network.tanks.some((t) => t.id === id)
              ? `L_${id}`
              : s.name;
          values.set(col, v);
        }
      }
      if (ep.map.actuators.length) {
        const bits = await w.client.readBits(2, 0, ep.map.actuators.length);
        ep.map.actuators.forEach((a, i) => {
          values.set(`S_${a}`, bits[i] ? 1 : 0);
        });
      }
      return true;
    } catch {
      return false;
    }
  }

  private async publish(row: TwinRow, polled: Map<string, number>): Promise<number[]> {
    const vals = this.twin.columns.map((c) => polled.get(c) ?? Number.NaN);
    if (this.mq) {
      const t = this.o.startMs + row.hour * 3600_000;
      await Promise.all(
        this.twin.columns.map((c, i) =>
          Number.isFinite(vals[i])
            ? (this.mq as mqtt.MqttClient).publishAsync(
                `rampart/${this.o.site}/${this.o.asset}/${c}`,
                `{"t":${t},"v":${vals[i]}}`,
                { qos: 1 },
              )
            : undefined,
        ),
      );
    }
    this.stats.published++;
    return vals;
  }

  /** Runs the simulation to the end (or until stop()); resolves when done. */
  run(): Promise<void> {
    this.done ??= (async () => {
      const t0 = performance.now();
      let scans = 0;
      while (!this.twin.done && !this.stopped) {
        const rows = this.twin.advanceScan();
        scans++;
        this.syncProxies();
        await this.attackerWrites();
        await this.transferLinks();
        for (const r of rows) {
          const polled = await this.pollScada();
          this.rows.push(r);
          const published = await this.publish(r, polled);
          this.o.onHour?.(r, published);
        }
        if (this.o.speed > 0) {
          const due = t0 + (scans * this.twin.scanSeconds * 1000) / this.o.speed;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((res) => setTimeout(res, wait));
        } else if (scans % 16 === 0) await new Promise((res) => setImmediate(res));
      }
    })();
    return this.done;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
    for (const c of this.writers.values()) (await c.catch(() => undefined))?.close();
    for (const c of this.closers.reverse()) await c();
    this.twin.close();
  }
}
