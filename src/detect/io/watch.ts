/**
 * `detect watch`: live detection on MQTT (embedded aedes broker, or an external broker by URL) and HTTP
 * NDJSON bulk ingestion. Readings are judged as they arrive, stored in SQLite in batched transactions, and
 * alerts are printed naming the asset, its zone and the services at risk.
 */
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import { Aedes } from "aedes";
import mqtt from "mqtt";
import type { DetectorModel } from "../engine.ts";
import { type DetectIssue, formatIssue, type Result } from "../errors.ts";
import {
  type LiveAlert,
  parseNdjsonLine,
  parsePayload,
  parseTopic,
  parseTvFast,
  type Reading,
  type Route,
  Router,
} from "../ingest.ts";
import { type CityLookup, loadCityLookup } from "./city.ts";
import { readDetectorFile } from "./files.ts";
import { AlertStore } from "./store.ts";

export interface LiveOptions {
  db: string;
  models?: Map<string, DetectorModel>;
  lookup?: CityLookup;
  clock?: () => number;
  onAlert?: (line: string, a: LiveAlert) => void;
  onIssue?: (i: DetectIssue) => void;
  storeReadings?: boolean;
  trainRows?: number;
}

/** Ingestion core shared by MQTT, HTTP and tests. */
export class LiveService {
  readonly router: Router;
  readonly store: AlertStore;
  private readonly alerts: LiveAlert[] = [];
  /** Topic -> resolved route (bounded: cleared when full). */
  private readonly topics = new Map<string, Route>();
  private readonly tv = new Float64Array(2);
  private timer: NodeJS.Timeout;
  received = 0;
  rejected = 0;

  constructor(private readonly o: LiveOptions) {
    const learn = o.trainRows ?? 168;
    this.router = new Router(o.models ?? new Map(), { learn, suppress: Math.max(1, Math.round(learn / 6)) });
    this.store = new AlertStore(o.db, o.storeReadings ?? true);
    this.timer = setInterval(() => this.store.flush(), 50);
    this.timer.unref();
  }

  /** Readings judged so far (stored or buffered for the store). */
  get judged(): number {
    return this.store.readingsStored + this.store.pending;
  }

  /**
   * One MQTT message. Returns an issue (naming the topic) when it is rejected. Hot path: the topic is
   * resolved once and cached; `{"t":<epoch ms>,"v":<number>}` is parsed without JSON.parse.
   */
  message(topic: string, payload: Buffer | string): DetectIssue | null {
    this.received++;
    let rt = this.topics.get(topic);
    if (rt === undefined) {
      const tp = parseTopic(topic);
      if ("code" in tp) return this.reject(tp);
      rt = this.router.route(tp.site, tp.asset, tp.signal);
      if (this.topics.size >= 100_000) this.topics.clear();
      this.topics.set(topic, rt);
    }
    const text = typeof payload === "string" ? payload : payload.toString("utf8");
    let t: number;
    let v: number;
    if (parseTvFast(text, this.tv)) {
      t = this.tv[0];
      v = this.tv[1];
    } else {
      const pv = parsePayload(text, topic);
      if ("code" in pv) return this.reject(pv);
      t = Number.isNaN(pv.t) ? (this.o.clock?.() ?? 0) : pv.t;
      v = pv.v;
    }
    this.router.pushRoute(rt, t, v, this.store, this.alerts);
    if (this.alerts.length) this.drain();
    return null;
  }

  /** A body of NDJSON readings; returns per-line issues. */
  ndjson(body: string): { accepted: number; issues: DetectIssue[] } {
    const issues: DetectIssue[] = [];
    let accepted = 0;
    const lines = body.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i].trim();
      if (!l) continue;
      this.received++;
      const r = parseNdjsonLine(l, i + 1);
      if ("code" in r) {
        this.rejected++;
        if (issues.length < 50) issues.push(r);
        continue;
      }
      if (Number.isNaN(r.t)) r.t = this.o.clock?.() ?? 0;
      this.reading(r);
      accepted++;
    }
    return { accepted, issues };
  }

  private reject(i: DetectIssue): DetectIssue {
    this.rejected++;
    this.o.onIssue?.(i);
    return i;
  }

  reading(r: Reading): void {
    this.router.pushRoute(this.router.route(r.site, r.asset, r.signal), r.t, r.v, this.store, this.alerts);
    this.drain();
  }

  private drain(): void {
    if (this.alerts.length) {
      for (const a of this.alerts) {
        const ctx = this.o.lookup?.(a.asset) ?? null;
        this.store.addAlert(a, ctx);
        const what = a.findings
          .slice(0, 3)
          .map((f) => `${f.signal} (${f.component}, severity ${f.severity.toFixed(1)})`)
          .join(", ");
        const line =
          `ALERT site=${a.site} asset=${a.asset}` +
          (ctx?.zone ? ` zone=${ctx.zone}` : "") +
          (ctx ? ` services_at_risk=${ctx.services.join(",") || "-"}` : "") +
          ` score=${a.score.toFixed(2)} signals: ${what}`;
        this.o.onAlert?.(line, a);
      }
      this.alerts.length = 0;
    }
  }

  /** Judges open rows and writes everything. */
  flush(): void {
    this.router.flush(this.store, this.alerts);
    this.drain();
    this.store.flush();
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
    this.store.close();
  }
}

/**
 * Coalesces the writes a socket makes in answer to one chunk of input (QoS 1 PUBACKs, one per message) into
 * one system call: cork when data arrives, uncork once the current I/O phase is done (setImmediate). Every
 * acknowledgement is still sent, a few microseconds later, in one writev instead of one each.
 */
export function coalesceWrites(sock: Socket): void {
  let corked = false;
  const uncork = () => {
    corked = false;
    if (!sock.destroyed) sock.uncork();
  };
  sock.on("data", () => {
    if (corked || sock.destroyed) return;
    corked = true;
    sock.cork();
    setImmediate(uncork);
  });
}

export interface WatchHandle {
  live: LiveService;
  port: number;
  httpPort: number;
  close(): Promise<void>;
}

/** Starts the embedded broker (or connects to `broker`) and the optional HTTP endpoint. */
export async function startWatch(
  o: LiveOptions & { broker?: string; port: number; httpPort?: number },
): Promise<Result<WatchHandle>> {
  const live = new LiveService(o);
  let net: NetServer | null = null;
  let aedes: Aedes | null = null;
  let client: mqtt.MqttClient | null = null;
  let http: HttpServer | null = null;
  let port = o.port;
  if (o.broker) {
    try {
      client = await mqtt.connectAsync(o.broker, { reconnectPeriod: 0, connectTimeout: 5000, clean: true });
    } catch (e) {
      live.close();
      return {
        ok: false,
        issues: [{ code: "MQTT_CONNECT", message: `cannot connect: ${(e as Error).message}`, path: o.broker }],
      };
    }
    if (client.stream && "cork" in client.stream) coalesceWrites(client.stream as Socket);
    client.on("message", (topic, payload) => {
      live.message(topic, payload);
    });
    await client.subscribeAsync("rampart/#", { qos: 1 });
  } else {
    aedes = await Aedes.createBroker();
    aedes.on("publish", (packet, c) => {
      if (!c) return; // broker's own $SYS messages
      live.message(packet.topic, packet.payload as Buffer);
    });
    const broker = aedes;
    net = createNetServer((sock) => {
      coalesceWrites(sock);
      broker.handle(sock);
    });
    const ok = await new Promise<boolean>((res) => {
      net!.once("error", () => res(false));
      net!.listen(o.port, "127.0.0.1", () => res(true));
    });
    if (!ok) {
      live.close();
      await new Promise<void>((r) => aedes!.close(() => r()));
      return {
        ok: false,
        issues: [{ code: "PORT_IN_USE", message: `cannot listen on port ${o.port}`, path: `127.0.0.1:${o.port}` }],
      };
    }
    const addr = net.address();
    port = typeof addr === "object" && addr ? addr.port : o.port;
  }
  let httpPort = 0;
  if (o.httpPort !== undefined) {
    http = createHttpServer((req, res) => {
      if (req.method !== "POST" || !req.url?.startsWith("/ingest")) {
        res.writeHead(404, { "content-type": "application/json" }).end('{"error":"POST /ingest with NDJSON"}');
        return;
      }
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const r = live.ndjson(Buffer.concat(chunks).toString("utf8"));
        live.flush();
        res.writeHead(r.issues.length ? 400 : 200, { "content-type": "application/json" }).end(JSON.stringify(r));
      });
    });
    await new Promise<void>((r) => http!.listen(o.httpPort, "127.0.0.1", () => r()));
    const a = http.address();
    httpPort = typeof a === "object" && a ? a.port : 0;
  }
  return {
    ok: true,
    value: {
      live,
      port,
      httpPort,
      async close() {
        if (client) await client.endAsync();
        if (http) await new Promise<void>((r) => http!.close(() => r()));
        if (net) await new Promise<void>((r) => net!.close(() => r()));
        if (aedes) await new Promise<void>((r) => aedes!.close(() => r()));
        live.close();
      },
    },
  };
}

/** CLI entry: runs until SIGINT/SIGTERM. */
export async function watchCommand(o: {
  modelPath: string;
  broker?: string;
  port: number;
  httpPort: number;
  detectors: string[];
  db: string;
  trainRows: number;
}): Promise<Result<void>> {
  const city = await loadCityLookup(o.modelPath);
  if (!city.ok) return city;
  const models = new Map<string, DetectorModel>();
  for (const spec of o.detectors) {
    const eq = spec.indexOf("=");
    if (eq <= 0)
      return { ok: false, issues: [{ code: "USAGE", message: `--detector expects <asset>=<file>, got "${spec}"` }] };
    const d = readDetectorFile(spec.slice(eq + 1));
    if (!d.ok) return d;
    models.set(spec.slice(0, eq), d.value);
  }
  const h = await startWatch({
    db: o.db,
    models,
    lookup: city.value.lookup,
    broker: o.broker,
    port: o.port,
    httpPort: o.httpPort > 0 ? o.httpPort : undefined,
    trainRows: o.trainRows,
    clock: () => Date.now(),
    onAlert: (line) => process.stdout.write(`${line}\n`),
    onIssue: (i) => process.stderr.write(`warning: ${formatIssue(i)}\n`),
  });
  if (!h.ok) return h;
  process.stderr.write(
    `watching ${o.broker ? o.broker : `embedded broker on 127.0.0.1:${h.value.port}`}` +
      (h.value.httpPort ? `, HTTP NDJSON on 127.0.0.1:${h.value.httpPort}/ingest` : "") +
      `; ${city.value.assets} assets in the model; alerts -> ${o.db}\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await h.value.close();
  process.stderr.write(
    `received ${h.value.live.received}, rejected ${h.value.live.rejected}, judged ${h.value.live.judged}\n`,
  );
  return { ok: true, value: undefined };
}
