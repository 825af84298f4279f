/**
 * A small Modbus/TCP implementation (server and client) for the twin's emulated PLCs: function codes 1, 2, 3,
 * 4 (reads), 5, 6, 15, 16 (writes). Bad requests get Modbus exceptions (01 illegal function, 02 illegal data
 * address, 03 illegal data value); a frame that is not Modbus/TCP at all (protocol id not 0, length out of
 * range) closes that connection and nothing else. A server never throws into the process.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

export const EX_ILLEGAL_FUNCTION = 1;
export const EX_ILLEGAL_ADDRESS = 2;
export const EX_ILLEGAL_VALUE = 3;
export const EX_DEVICE_FAILURE = 4;

/** What a PLC exposes. Returning a number from a handler is a Modbus exception code. */
export interface ModbusDevice {
  readCoils(addr: number, count: number): boolean[] | number;
  readDiscreteInputs(addr: number, count: number): boolean[] | number;
  readHoldingRegisters(addr: number, count: number): number[] | number;
  readInputRegisters(addr: number, count: number): number[] | number;
  writeCoils(addr: number, values: boolean[]): number | undefined;
  writeRegisters(addr: number, values: number[]): number | undefined;
}

const MAX_ADU = 260;

function exception(fc: number, code: number): Buffer {
  return Buffer.from([fc | 0x80, code]);
}

function packBits(bits: boolean[]): Buffer {
  const out = Buffer.alloc(Math.ceil(bits.length / 8));
  bits.forEach((b, i) => {
    if (b) out[i >> 3] = (out[i >> 3] as number) | (1 << (i & 7));
  });
  return out;
}

/** Handles one request PDU; returns the response PDU. */
export function handlePdu(dev: ModbusDevice, pdu: Buffer): Buffer {
  const fc = pdu[0] ?? 0;
  try {
    switch (fc) {
      case 1:
      case 2: {
        if (pdu.length !== 5) return exception(fc, EX_ILLEGAL_VALUE);
        const addr = pdu.readUInt16BE(1);
        const count = pdu.readUInt16BE(3);
        if (count < 1 || count > 2000) return exception(fc, EX_ILLEGAL_VALUE);
        const r = fc === 1 ? dev.readCoils(addr, count) : dev.readDiscreteInputs(addr, count);
        if (typeof r === "number") return exception(fc, r);
        const bytes = packBits(r);
        return Buffer.concat([Buffer.from([fc, bytes.length]), bytes]);
      }
      case 3:
      case 4: {
        if (pdu.length !== 5) return exception(fc, EX_ILLEGAL_VALUE);
        const addr = pdu.readUInt16BE(1);
        const count = pdu.readUInt16BE(3);
        if (count < 1 || count > 125) return exception(fc, EX_ILLEGAL_VALUE);
        const r = fc === 3 ? dev.readHoldingRegisters(addr, count) : dev.readInputRegisters(addr, count);
        if (typeof r === "number") return exception(fc, r);
        const out = Buffer.alloc(2 + 2 * r.length);
        out[0] = fc;
        out[1] = 2 * r.length;
        r.forEach((v, i) => {
          out.writeUInt16BE(v & 0xffff, 2 + 2 * i);
        });
        return out;
      }
      case 5: {
        if (pdu.length !== 5) return exception(fc, EX_ILLEGAL_VALUE);
        const v = pdu.readUInt16BE(3);
        if (v !== 0xff00 && v !== 0) return exception(fc, EX_ILLEGAL_VALUE);
        const e = dev.writeCoils(pdu.readUInt16BE(1), [v === 0xff00]);
        return e ? exception(fc, e) : Buffer.from(pdu);
      }
      case 6: {
        if (pdu.length !== 5) return exception(fc, EX_ILLEGAL_VALUE);
        const e = dev.writeRegisters(pdu.readUInt16BE(1), [pdu.readUInt16BE(3)]);
        return e ? exception(fc, e) : Buffer.from(pdu);
      }
      case 15: {
        if (pdu.length < 6) return exception(fc, EX_ILLEGAL_VALUE);
        const addr = pdu.readUInt16BE(1);
        const count = pdu.readUInt16BE(3);
        const n = pdu[5] as number;
        if (count < 1 || count > 1968 || n !== Math.ceil(count / 8) || pdu.length !== 6 + n)
          return exception(fc, EX_ILLEGAL_VALUE);
        const bits: boolean[] = [];
        for (let i = 0; i < count; i++) bits.push((((pdu[6 + (i >> 3)] as number) >> (i & 7)) & 1) === 1);
        const e = dev.writeCoils(addr, bits);
        return e ? exception(fc, e) : pdu.subarray(0, 5);
      }
      case 16: {
        if (pdu.length < 6) return exception(fc, EX_ILLEGAL_VALUE);
        const addr = pdu.readUInt16BE(1);
        const count = pdu.readUInt16BE(3);
        const n = pdu[5] as number;
        if (count < 1 || count > 123 || n !== 2 * count || pdu.length !== 6 + n) return exception(fc, EX_ILLEGAL_VALUE);
        const vals: number[] = [];
        for (let i = 0; i < count; i++) vals.push(pdu.readUInt16BE(6 + 2 * i));
        const e = dev.writeRegisters(addr, vals);
        return e ? exception(fc, e) : pdu.subarray(0, 5);
      }
      default:
        return exception(fc & 0x7f, EX_ILLEGAL_FUNCTION);
    }
  } catch {
    return exception(fc & 0x7f, EX_DEVICE_FAILURE);
  }
}

export interface FrameSplit {
  frames: { tid: number; unit: number; pdu: Buffer }[];
  rest: Buffer;
  /** The stream is not Modbus/TCP: the connection must be closed. */
  broken: boolean;
}

/** Splits a byte stream into MBAP frames. */
export function splitFrames(buf: Buffer): FrameSplit {
  const frames: FrameSplit["frames"] = [];
  let off = 0;
  while (buf.length - off >= 7) {
    const proto = buf.readUInt16BE(off + 2);
    const len = buf.readUInt16BE(off + 4);
    if (proto !== 0 || len < 2 || len > MAX_ADU - 6) return { frames, rest: Buffer.alloc(0), broken: true };
    if (buf.length - off < 6 + len) break;
    frames.push({
      tid: buf.readUInt16BE(off),
      unit: buf[off + 6] as number,
      pdu: buf.subarray(off + 7, off + 6 + len),
    });
    off += 6 + len;
  }
  return { frames, rest: buf.subarray(off), broken: false };
}

export function frame(tid: number, unit: number, pdu: Buffer): Buffer {
  const h = Buffer.alloc(7);
  h.writeUInt16BE(tid & 0xffff, 0);
  h.writeUInt16BE(0, 2);
  h.writeUInt16BE(pdu.length + 1, 4);
  h[6] = unit;
  return Buffer.concat([h, pdu]);
}

export interface ModbusServerStats {
  requests: number;
  exceptions: number;
  closedForGarbage: number;
}

/** Serves `dev` on host:port (0 = any free port). Resolves with the server and its port. */
export async function startModbusServer(
  dev: ModbusDevice,
  port = 0,
  host = "127.0.0.1",
): Promise<{ server: Server; port: number; stats: ModbusServerStats }> {
  const stats: ModbusServerStats = { requests: 0, exceptions: 0, closedForGarbage: 0 };
  const sockets = new Set<Socket>();
  const server = createServer((sock) => {
    sockets.add(sock);
    sock.setNoDelay(true);
    let pending: Buffer = Buffer.alloc(0);
    sock.on("data", (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      const s = splitFrames(pending);
      const out: Buffer[] = [];
      for (const f of s.frames) {
        stats.requests++;
        const resp = handlePdu(dev, f.pdu);
        if ((resp[0] as number) & 0x80) stats.exceptions++;
        out.push(frame(f.tid, f.unit, resp));
      }
      if (out.length) sock.write(out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out));
      if (s.broken || s.rest.length > MAX_ADU * 4) {
        stats.closedForGarbage++;
        sock.destroy();
        return;
      }
      pending = s.rest;
    });
    sock.on("error", () => sock.destroy());
    sock.on("close", () => sockets.delete(sock));
  });
  server.on("error", () => undefined);
  const bound = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const a = server.address();
      resolve(typeof a === "object" && a ? a.port : port);
    });
  });
  const close = server.close.bind(server);
  server.close = ((cb?: (err?: Error) => void) => {
    for (const s of sockets) s.destroy();
    return close(cb);
  }) as typeof server.close;
  return { server, port: bound, stats };
}

export class ModbusError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** A Modbus/TCP client with pipelined requests matched by transaction id, and a timeout per request. */
export class ModbusClient {
  private sock: Socket | undefined;
  private tid = 0;
  private buf: Buffer = Buffer.alloc(0);
  private readonly waiting = new Map<
    number,
    { resolve: (pdu: Buffer) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();

  constructor(
    readonly host: string,
    readonly port: number,
    readonly timeoutMs = 1000,
    readonly unit = 1,
  ) {}

  async connect(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const s = tcpConnect(this.port, this.host, () => resolve());
      s.setNoDelay(true);
      s.once("error", reject);
      s.on("data", (chunk: Buffer) => this.onData(chunk));
      s.on("close", () => this.failAll(new ModbusError(-1, "connection closed")));
      s.on("error", () => undefined);
      this.sock = s;
    });
  }

  get connected(): boolean {
    return !!this.sock && !this.sock.destroyed;
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const s = splitFrames(this.buf);
    this.buf = s.rest;
    for (const f of s.frames) {
      const w = this.waiting.get(f.tid);
      if (!w) continue;
      this.waiting.delete(f.tid);
      clearTimeout(w.timer);
      w.resolve(Buffer.from(f.pdu));
    }
    if (s.broken) this.sock?.destroy();
  }

  private failAll(e: Error): void {
    for (const [, w] of this.waiting) {
      clearTimeout(w.timer);
      w.reject(e);
    }
    this.waiting.clear();
  }

  /** Sends a raw PDU; resolves with the response PDU (an exception response rejects with ModbusError). */
  request(pdu: Buffer): Promise<Buffer> {
    const sock = this.sock;
    if (!sock || sock.destroyed) return Promise.reject(new ModbusError(-1, "not connected"));
    this.tid = (this.tid + 1) & 0xffff;
    const tid = this.tid;
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(tid);
        reject(new ModbusError(-2, "timeout"));
      }, this.timeoutMs);
      this.waiting.set(tid, {
        resolve: (r) => {
          if ((r[0] as number) & 0x80) reject(new ModbusError(r[1] as number, `Modbus exception ${r[1]}`));
          else resolve(r);
        },
        reject,
        timer,
      });
      sock.write(frame(tid, this.unit, pdu));
    });
  }

  async readRegisters(fc: 3 | 4, addr: number, count: number): Promise<number[]> {
    const p = Buffer.alloc(5);
    p[0] = fc;
    p.writeUInt16BE(addr, 1);
    p.writeUInt16BE(count, 3);
    const r = await this.request(p);
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push(r.readUInt16BE(2 + 2 * i));
    return out;
  }

  async readBits(fc: 1 | 2, addr: number, count: number): Promise<boolean[]> {
    const p = Buffer.alloc(5);
    p[0] = fc;
    p.writeUInt16BE(addr, 1);
    p.writeUInt16BE(count, 3);
    const r = await this.request(p);
    const out: boolean[] = [];
    for (let i = 0; i < count; i++) out.push((((r[2 + (i >> 3)] as number) >> (i & 7)) & 1) === 1);
    return out;
  }

  async writeCoil(addr: number, on: boolean): Promise<void> {
    const p = Buffer.alloc(5);
    p[0] = 5;
    p.writeUInt16BE(addr, 1);
    p.writeUInt16BE(on ? 0xff00 : 0, 3);
    await this.request(p);
  }

  async writeRegisters(addr: number, values: number[]): Promise<void> {
    const p = Buffer.alloc(6 + 2 * values.length);
    p[0] = 16;
    p.writeUInt16BE(addr, 1);
    p.writeUInt16BE(values.length, 3);
    p[5] = 2 * values.length;
    values.forEach((v, i) => {
      p.writeUInt16BE(v & 0xffff, 6 + 2 * i);
    });
    await this.request(p);
  }

  close(): void {
    this.failAll(new ModbusError(-1, "closed"));
    this.sock?.destroy();
  }
}

/** A float32 as two registers, high word first. */
export function floatToRegs(v: number): [number, number] {
  const b = Buffer.alloc(4);
  b.writeFloatBE(v, 0);
  return [b.readUInt16BE(0), b.readUInt16BE(2)];
}

export function regsToFloat(hi: number, lo: number): number {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(hi & 0xffff, 0);
  b.writeUInt16BE(lo & 0xffff, 2);
  return b.readFloatBE(0);
}
