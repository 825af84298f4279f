/**
 * A man-in-the-middle on one link (a client reaching one PLC): forwards Modbus/TCP both ways and, while an
 * attack is set, rewrites the float32 readings of read-input-register responses (spoof: constant or offset;
 * replay: the value the link carried `delayHours` of simulated time earlier, with noise) or drops them
 * (the client times out and keeps its last value). It records what passes for replay.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import type { LinkManipulation } from "../cpa.ts";
import { floatToRegs, frame, regsToFloat, splitFrames } from "./modbus.ts";

export interface ProxyAttack {
  /** Input-register pair index (sensor i of the PLC's map). */
  sensorIndex: number;
  how: LinkManipulation;
}

export class LinkProxy {
  private server: Server | undefined;
  port = 0;
  readonly attacks = new Map<number, LinkManipulation>();
  /** Per sensor index: recorded (sim hour, value), in time order. */
  private readonly record = new Map<number, { t: number[]; v: number[] }>();
  readonly stats = { forwarded: 0, rewritten: 0, dropped: 0 };
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly name: string,
    readonly upstreamPort: number,
    private readonly simHour: () => number,
    private readonly noise: () => number,
  ) {}

  async start(): Promise<number> {
    this.server = createServer((client) => this.onClient(client));
    this.server.on("error", () => undefined);
    this.port = await new Promise<number>((resolve, reject) => {
      this.server?.once("error", reject);
      this.server?.listen(0, "127.0.0.1", () => {
        const a = this.server?.address();
        resolve(typeof a === "object" && a ? a.port : 0);
      });
    });
    return this.port;
  }

  private onClient(client: Socket): void {
    client.setNoDelay(true);
    const up = tcpConnect(this.upstreamPort, "127.0.0.1");
    up.setNoDelay(true);
    this.sockets.add(client);
    this.sockets.add(up);
    const requests = new Map<number, { fc: number; addr: number; count: number }>();
    let inBuf: Buffer = Buffer.alloc(0);
    let outBuf: Buffer = Buffer.alloc(0);
    client.on("data", (chunk: Buffer) => {
      inBuf = inBuf.length ? Buffer.concat([inBuf, chunk]) : chunk;
      const s = splitFrames(inBuf);
      for (const f of s.frames)
        if (f.pdu.length >= 5)
          requests.set(f.tid, { fc: f.pdu[0] as number, addr: f.pdu.readUInt16BE(1), count: f.pdu.readUInt16BE(3) });
      inBuf = s.rest;
      up.write(chunk);
      if (s.broken) inBuf = Buffer.alloc(0);
    });
    up.on("data", (chunk: Buffer) => {
      outBuf = outBuf.length ? Buffer.concat([outBuf, chunk]) : chunk;
      const s = splitFrames(outBuf);
      outBuf = s.rest;
      const out: Buffer[] = [];
      for (const f of s.frames) {
        const req = requests.get(f.tid);
        requests.delete(f.tid);
        const pdu = Buffer.from(f.pdu);
        if (req && req.fc === 4 && pdu[0] === 4) {
          if (this.manipulate(pdu, req.addr, req.count) === "drop") {
            this.stats.dropped++;
            continue;
          }
        }
        this.stats.forwarded++;
        out.push(frame(f.tid, f.unit, pdu));
      }
      if (out.length) client.write(Buffer.concat(out));
      if (s.broken) client.destroy();
    });
    const end = () => {
      client.destroy();
      up.destroy();
      this.sockets.delete(client);
      this.sockets.delete(up);
    };
    client.on("close", end);
    up.on("close", end);
    client.on("error", end);
    up.on("error", end);
  }

  private remember(i: number, t: number, v: number): void {
    let r = this.record.get(i);
    if (!r) {
      r = { t: [], v: [] };
      this.record.set(i, r);
    }
    if (r.t.length && (r.t[r.t.length - 1] as number) >= t) {
      r.v[r.v.length - 1] = v;
      return;
    }
    r.t.push(t);
    r.v.push(v);
  }

  private recalled(i: number, t: number): number | undefined {
    const r = this.record.get(i);
    if (!r?.t.length || (r.t[0] as number) > t) return undefined;
    let lo = 0;
    let hi = r.t.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((r.t[mid] as number) <= t) lo = mid;
      else hi = mid - 1;
    }
    return r.v[lo];
  }

  /** Rewrites the float pairs of an FC4 response in place; "drop" when an attacked reading is dropped. */
  private manipulate(pdu: Buffer, addr: number, count: number): "drop" | undefined {
    const now = this.simHour();
    for (let reg = addr + (addr & 1); reg + 1 < addr + count; reg += 2) {
      const i = reg >> 1;
      const off = 2 + 2 * (reg - addr);
      const live = regsToFloat(pdu.readUInt16BE(off), pdu.readUInt16BE(off + 2));
      const how = this.attacks.get(i);
      if (!how) {
        this.remember(i, now, live);
        continue;
      }
      let v: number;
      switch (how.kind) {
        case "dos":
          return "drop";
        case "constant":
          v = how.value;
          break;
        case "offset":
          v = live + how.value;
          break;
        case "replay": {
          const past = this.recalled(i, now - how.delayHours);
          v = Math.min(how.max, Math.max(how.min, (past ?? live) + how.noiseSd * this.noise()));
          break;
        }
      }
      const [hi, lo] = floatToRegs(v);
      pdu.writeUInt16BE(hi, off);
      pdu.writeUInt16BE(lo, off + 2);
      this.stats.rewritten++;
    }
    return undefined;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
