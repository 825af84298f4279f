/**
 * One persistent MQTT 5 session whose QoS 1 messages are acknowledged by the caller, later and in batches
 * ([PRT-3]): a partition's consumer acknowledges a reading only once its verdict (or its open row) is
 * committed to PostgreSQL, so a process killed before that leaves the reading with the broker, which
 * delivers it again to whoever takes the session over. mqtt.js handles one received packet at a time and
 * sends PUBACK when its handler returns, which cannot wait for a commit without stopping the stream; this
 * adapter speaks the few packets a subscriber needs (CONNECT, SUBSCRIBE, PUBLISH, PUBACK, PINGREQ,
 * DISCONNECT) over mqtt-packet, the parser and writer mqtt.js and aedes use.
 */
import { connect as netConnect, type Socket } from "node:net";
import mqttPacket, { type Packet } from "mqtt-packet";

const OPTS = { protocolVersion: 5 as const };

export interface AckSessionOptions {
  /** mqtt://host:port */
  url: string;
  clientId: string;
  /** Topic filter subscribed at QoS 1. */
  topic: string;
  /** How many unacknowledged messages the broker may send (MQTT 5 Receive Maximum). */
  receiveMaximum?: number;
  keepaliveS?: number;
  onMessage(topic: string, payload: Buffer, id: number): void;
  /** The connection ended (broker gone, session taken over by another client, or `close`). */
  onClose(reason: string): void;
}

export class AckSession {
  private readonly parser = mqttPacket.parser(OPTS);
  private ping: NodeJS.Timeout | null = null;
  private closed = false;
  sessionPresent = false;

  private constructor(
    private readonly sock: Socket,
    private readonly o: AckSessionOptions,
  ) {}

  static open(o: AckSessionOptions): Promise<AckSession> {
    const u = new URL(o.url);
    if (u.protocol !== "mqtt:") return Promise.reject(new Error(`expected an mqtt:// URL, found ${u.protocol}`));
    const sock = netConnect({ host: u.hostname, port: Number(u.port || 1883) });
    sock.setNoDelay(true);
    const s = new AckSession(sock, o);
    return new Promise((resolve, reject) => {
      let phase: "connect" | "subscribe" | "open" = "connect";
      const fail = (why: string) => {
        if (phase !== "open") {
          phase = "open";
          sock.destroy();
          reject(new Error(why));
        }
      };
      const timer = setTimeout(() => fail("no answer from the broker in 5 s"), 5000);
      sock.once("error", (e) => fail(e.message));
      sock.on("data", (b) => s.parser.parse(b));
      s.parser.on("error", (e) => {
        fail(`bad packet: ${e.message}`);
        s.end(`bad packet: ${e.message}`);
      });
      s.parser.on("packet", (p: Packet) => {
        if (p.cmd === "publish") {
          if (p.qos === 1 && p.messageId !== undefined) o.onMessage(p.topic, p.payload as Buffer, p.messageId);
          else if (p.qos === 0) o.onMessage(p.topic, p.payload as Buffer, -1);
        } else if (p.cmd === "connack" && phase === "connect") {
          if (p.reasonCode) return fail(`the broker refused the session (reason ${p.reasonCode})`);
          s.sessionPresent = p.sessionPresent;
          phase = "subscribe";
          s.write({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: o.topic, qos: 1 }] });
        } else if (p.cmd === "suback" && phase === "subscribe") {
          clearTimeout(timer);
          if (p.granted.some((g) => typeof g === "number" && g >= 0x80))
            return fail(`the broker refused the subscription to ${o.topic}`);
          phase = "open";
          const every = ((o.keepaliveS ?? 30) * 1000) / 2;
          s.ping = setInterval(() => s.write({ cmd: "pingreq" }), every);
          s.ping.unref();
          sock.on("error", () => {});
          sock.on("close", () => s.end("connection closed"));
          resolve(s);
        } else if (p.cmd === "disconnect") {
          s.end(`the broker ended the session (reason ${p.reasonCode ?? 0})`);
        }
      });
      sock.once("connect", () =>
        s.write({
          cmd: "connect",
          protocolId: "MQTT",
          protocolVersion: 5,
          clientId: o.clientId,
          clean: false,
          keepalive: o.keepaliveS ?? 30,
          properties: { sessionExpiryInterval: 0xffffffff, receiveMaximum: o.receiveMaximum ?? 65535 },
        }),
      );
    });
  }

  private write(p: Packet): void {
    if (!this.closed) this.sock.write(mqttPacket.generate(p, OPTS));
  }

  /** Acknowledges received messages (PUBACK, success) in one write. */
  ack(ids: readonly number[]): void {
    if (this.closed || ids.length === 0) return;
    const b = Buffer.allocUnsafe(4 * ids.length);
    let k = 0;
    for (const id of ids) {
      if (id < 0) continue;
      b[k++] = 0x40;
      b[k++] = 2;
      b[k++] = id >> 8;
      b[k++] = id & 0xff;
    }
    if (k) this.sock.write(k === b.length ? b : b.subarray(0, k));
  }

  private end(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.ping) clearInterval(this.ping);
    this.sock.destroy();
    this.o.onClose(reason);
  }

  /** Ends the connection; the session and every message not acknowledged stay with the broker. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((r) => {
      this.sock.once("close", () => r());
      this.sock.end(mqttPacket.generate({ cmd: "disconnect", reasonCode: 0 }, OPTS), () => this.end("closed"));
    });
  }
}
