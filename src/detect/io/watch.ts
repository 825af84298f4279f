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
import type { LiveAlert } from "../live/alert.ts";
import { type Catalog, type DropReason, formatStats, LivePipeline, type LiveStats } from "../live/pipeline.ts";
import { checkDetectorAssets, loadCityCatalog } from "./city.ts";
import { readDetectorFile } from "./files.ts";
import { AlertStore } from "./store.ts";

/**
 * A watcher on an external broker publishes how many readings it has received on `rampart-status/<client>`
 * (QoS 0, every 20 ms while the count moves, twice a second when idle), outside the `rampart/` readings tree.
 */
export const STATUS_PREFIX = "rampart-status/";

export interface LiveOptions {
  db: string;
  models?: Map<string, DetectorModel>;
  /** Where each asset sits; readings for assets it does not know are dropped ([LIV-2]). Absent: all accepted. */
  catalog?: Catalog;
  clock?: () => number;
  onAlert?: (line: string, a: LiveAlert) => void;
  onDrop?: (reason: DropReason, i: DetectIssue) => void;
  storeReadings?: boolean;
  trainRows?: number;
}

/** The live pipeline with the command line's SQLite sink: shared by MQTT, HTTP and tests. */
export class LiveService {
  readonly pipeline: LivePipeline;
  readonly store: AlertStore;
  private timer: NodeJS.Timeout;

  constructor(o: LiveOptions) {
    const learn = o.trainRows ?? 168;
    this.store = new AlertStore(o.db, o.storeReadings ?? true);
    const store = this.store;
    this.pipeline = new LivePipeline({
      detectors: o.models,
      catalog: o.catalog,
      now: o.clock ?? (() => 0),
      stream: { learn, suppress: Math.max(1, Math.round(learn / 6)) },
      onDrop: o.onDrop,
      sink: {
        verdict: (site, asset, signal, t, v, score, flag) => store.verdict(site, asset, signal, t, v, score, flag),
        alert: (a) => {
          store.alert(a);
          o.onAlert?.(alertLine(a), a);
        },
      },
    });
    this.timer = setInterval(() => this.store.flush(), 50);
    this.timer.unref();
  }

  get received(): number {
    return this.pipeline.received;
  }

  /** Readings dropped so far, all reasons together (`stats()` has them by reason). */
  get rejected(): number {
    const d = this.stats().dropped;
    return Object.values(d).reduce((a, b) => a + b, 0);
  }

  /** Readings judged so far (written, or buffered for the store). */
  get judged(): number {
    return this.pipeline.judged;
  }

  /** The pipeline's counts, with readings the store failed to write counted as dropped (`sink`). */
  stats(): LiveStats {
    const s = this.pipeline.stats();
    s.dropped.sink += this.store.readingsFailed;
    s.judged -= this.store.readingsFailed;
    return s;
  }

  message(topic: string, payload: Buffer | string): DetectIssue | null {
    return this.pipeline.message(topic, payload);
  }

  ndjson(body: string): { accepted: number; issues: DetectIssue[] } {
    return this.pipeline.ndjson(body);
  }

  /** Judges open rows and writes everything. */
  flush(): void {
    this.pipeline.flush();
    this.store.flush();
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
    this.store.close();
  }
}

/** `ALERT site=... asset=... zone=... services_at_risk=... score=... signals: ...` (no reading values). */
export function alertLine(a: LiveAlert): string {
  const what = a.findings
    .slice(0, 3)
    .map((f) => `${f.signal} (${f.component}, severity ${f.severity.toFixed(1)})`)
    .join(", ");
  return (
    `ALERT site=${a.site} asset=${a.asset}` +
    (a.zone ? ` zone=${a.zone}` : "") +
    ` services_at_risk=${a.services.join(",") || "-"}` +
    ` score=${a.score.toFixed(2)} signals: ${what}`
  );
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
  let statusTimer: NodeJS.Timeout | null = null;
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
    // progress for publishers that pace themselves end to end (`detect replay`): counts only, QoS 0
    const c = client;
    const statusTopic = `${STATUS_PREFIX}${c.options.clientId ?? "watch"}`;
    let sent = -1;
    let ticks = 0;
    statusTimer = setInterval(() => {
      // every 20 ms while the count moves, and twice a second when idle
      if ((live.received !== sent || ++ticks >= 25) && c.connected) {
        sent = live.received;
        ticks = 0;
        c.publish(statusTopic, `{"received":${sent}}`, { qos: 0 });
      }
    }, 20);
    statusTimer.unref();
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
        if (statusTimer) clearInterval(statusTimer);
        if (client) await client.endAsync();
        if (http) await new Promise<void>((r) => http!.close(() => r()));
        if (net) await new Promise<void>((r) => net!.close(() => r()));
        if (aedes) await new Promise<void>((r) => aedes!.close(() => r()));
        live.close();
      },
    },
  };
}

/** A `--detector` setting: the asset it judges and the detector file. */
export type DetectorSpec = { asset: string; file: string };

/** Entry of `detect watch`: runs until SIGINT/SIGTERM; logs counts every 10 s while readings flow. */
export async function watchCommand(o: {
  modelPath: string;
  broker?: string;
  port: number;
  httpPort: number;
  detectors: DetectorSpec[];
  db: string;
  trainRows: number;
  log?: (line: string) => void;
  /** Partitioned ingestion ([PRT-1]): the partition count, the group, PostgreSQL, lease and checkpoint times. */
  partitioned?: { partitions: number; group: string; databaseUrl: string; leaseMs: number; checkpointMs: number };
}): Promise<Result<void>> {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const city = await loadCityCatalog(o.modelPath);
  if (!city.ok) return city;
  const models = new Map<string, DetectorModel>();
  for (const spec of o.detectors) {
    const d = readDetectorFile(spec.file);
    if (!d.ok) return d;
    models.set(spec.asset, d.value);
  }
  const unknown = checkDetectorAssets(city.value, [...models.keys()]);
  if (!unknown.ok) return unknown;
  // the first refusal of each reason and topic is shown; after that only counts
  const shown = new Set<string>();
  const onDrop = (reason: DropReason, i: DetectIssue) => {
    const k = `${reason} ${i.topic ?? ""}`;
    if (shown.size < 20 && !shown.has(k)) {
      shown.add(k);
      log(`warning: dropped (${reason}): ${formatIssue(i)}`);
    }
  };
  if (o.partitioned) return watchPartitioned(o, o.partitioned, models, city.value.catalog, onDrop, log);
  const h = await startWatch({
    db: o.db,
    models,
    catalog: city.value.catalog,
    broker: o.broker,
    port: o.port,
    httpPort: o.httpPort > 0 ? o.httpPort : undefined,
    trainRows: o.trainRows,
    clock: () => Date.now(),
    onAlert: (line) => process.stdout.write(`${line}\n`),
    onDrop,
  });
  if (!h.ok) return h;
  log(
    `watching ${o.broker ? o.broker : `embedded broker on 127.0.0.1:${h.value.port}`}` +
      (h.value.httpPort ? `, HTTP NDJSON on 127.0.0.1:${h.value.httpPort}/ingest` : "") +
      `; ${city.value.assets} assets in the model; alerts -> ${o.db}`,
  );
  let last = "";
  const tick = setInterval(() => {
    const line = formatStats(h.value.live.stats());
    if (line !== last) log(`readings: ${line}`);
    last = line;
  }, 10_000);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  clearInterval(tick);
  await h.value.close();
  log(`readings: ${formatStats(h.value.live.stats())}`);
  return { ok: true, value: undefined };
}

/** `detect watch --partitions N`: this process's share of the partitions, until SIGINT/SIGTERM. */
async function watchPartitioned(
  o: { broker?: string; trainRows: number },
  p: { partitions: number; group: string; databaseUrl: string; leaseMs: number; checkpointMs: number },
  models: Map<string, DetectorModel>,
  catalog: Catalog,
  onDrop: (reason: DropReason, i: DetectIssue) => void,
  log: (line: string) => void,
): Promise<Result<void>> {
  if (!o.broker)
    return {
      ok: false,
      issues: [{ code: "USAGE", message: "partitioned ingestion needs an external broker URL", path: "broker" }],
    };
  const { PartitionedWatch } = await import("./partitions.ts");
  const w = await PartitionedWatch.start({
    ...p,
    broker: o.broker,
    models,
    catalog,
    trainRows: o.trainRows,
    clock: () => Date.now(),
    onAlert: (a) => process.stdout.write(`${alertLine(a)}\n`),
    onDrop,
    log,
  });
  if (!w.ok) return w;
  log(
    `watching ${o.broker} as ${w.value.owner} in group ${p.group} (${p.partitions} partitions); ` +
      `holding ${w.value.partitionsHeld().join(",") || "none yet"}`,
  );
  let last = "";
  const tick = setInterval(() => {
    const line = formatStats(w.value.stats());
    if (line !== last) log(`readings: ${line}; partitions ${w.value.partitionsHeld().join(",") || "none"}`);
    last = line;
  }, 10_000);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  clearInterval(tick);
  await w.value.close();
  log(`readings: ${formatStats(w.value.stats())}`);
  return { ok: true, value: undefined };
}
