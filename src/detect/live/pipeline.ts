/**
 * The one live pipeline ([LIV-1]): readings in (MQTT topic and payload, or NDJSON lines), each either routed
 * to its detector (trained per asset, else the streaming per-signal one) and its verdict handed to the sink,
 * or counted as dropped under one reason. Used by `detect watch` (SQLite sink, `io/watch.ts`) and by the
 * server (store and alert hub, `src/server/telemetry.ts`). Pure: no clock (the caller's `now` stamps
 * readings without a time), no I/O.
 */
import type { DetectorModel } from "../engine.ts";
import type { DetectIssue } from "../errors.ts";
import {
  parseNdjsonLine,
  parsePayload,
  parseTopic,
  parseTvFast,
  type Reading,
  type Route,
  Router,
  type RouterAlert,
  type VerdictSink,
} from "../ingest.ts";
import type { StreamOptions } from "../stream.ts";
import type { AssetContext, LiveAlert } from "./alert.ts";

export const DROP_REASONS = ["topic", "payload", "unknown-model", "unknown-asset", "sink", "duplicate"] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/**
 * Where an asset of a site sits in the city, or why the reading cannot be placed: the site names no known
 * model (server: the site is the model id), or the model has no such asset.
 */
export type Catalog = (site: string, asset: string) => AssetContext | "unknown-model" | "unknown-asset";

/** Receives judged readings (no object per reading) and alerts. */
export interface LiveSink extends VerdictSink {
  alert(a: LiveAlert): void;
}

export interface LiveStats {
  /** Readings that reached the pipeline. */
  received: number;
  /** Routed to a detector (judged, or waiting in an open row of a trained detector). */
  accepted: number;
  /** Verdicts handed to the sink. */
  judged: number;
  dropped: Record<DropReason, number>;
  alerts: number;
}

export interface PipelineOptions {
  /** Trained detectors by asset id (or `site/asset`). */
  detectors?: Map<string, DetectorModel>;
  catalog?: Catalog;
  sink: LiveSink;
  /** Epoch ms for readings that carry no time. */
  now: () => number;
  stream?: Partial<StreamOptions>;
  /**
   * [PRT-3] Partitioned ingestion: whether a reading is new (after the last one of its signal judged here
   * or by the partition's previous holder); a reading it refuses is dropped as `duplicate` (a broker's
   * redelivery of a reading already judged and stored).
   */
  admit?: (rt: Route, t: number) => boolean;
  /** Called once per rejected reading (for the caller to count or show a few). */
  onDrop?: (reason: DropReason, issue: DetectIssue) => void;
}

type Placed = { rt: Route; ctx: AssetContext | null };

export class LivePipeline implements VerdictSink {
  readonly router: Router;
  private readonly placed = new Map<string, Placed | DetectIssue>();
  private readonly raised: RouterAlert[] = [];
  private readonly tv = new Float64Array(2);
  private readonly ctxOf = new Map<string, AssetContext | null>();
  received = 0;
  accepted = 0;
  judged = 0;
  alerts = 0;
  readonly dropped: Record<DropReason, number> = {
    topic: 0,
    payload: 0,
    "unknown-model": 0,
    "unknown-asset": 0,
    sink: 0,
    duplicate: 0,
  };

  constructor(private readonly o: PipelineOptions) {
    this.router = new Router(o.detectors ?? new Map(), o.stream ?? { learn: 168, suppress: 28 });
  }

  /** Forget cached topic placements (after the models behind the catalog changed). */
  forget(): void {
    this.placed.clear();
    this.ctxOf.clear();
  }

  stats(): LiveStats {
    return {
      received: this.received,
      accepted: this.accepted,
      judged: this.judged,
      dropped: { ...this.dropped },
      alerts: this.alerts,
    };
  }

  /** A reading refused before it reached the pipeline (e.g. on the wrong partition): counted as received. */
  refuse(reason: DropReason, issue: DetectIssue): DetectIssue {
    this.received++;
    return this.drop(reason, issue);
  }

  private drop(reason: DropReason, issue: DetectIssue): DetectIssue {
    this.dropped[reason]++;
    this.o.onDrop?.(reason, issue);
    return issue;
  }

  /** Resolves a topic once: its detector route and its place in the city, or why it is refused. */
  private place(topic: string): Placed | DetectIssue {
    const c = this.placed.get(topic);
    if (c !== undefined) return c;
    const tp = parseTopic(topic);
    const p = "code" in tp ? tp : this.placeParts(tp.site, tp.asset, tp.signal);
    if (this.placed.size >= 100_000) this.placed.clear();
    this.placed.set(topic, p);
    return p;
  }

  private placeParts(site: string, asset: string, signal: string): Placed | DetectIssue {
    let ctx: AssetContext | null = null;
    if (this.o.catalog) {
      const k = `${site}/${asset}`;
      let found = this.ctxOf.get(k);
      if (found === undefined) {
        const r = this.o.catalog(site, asset);
        if (r === "unknown-model")
          return { code: "UNKNOWN_MODEL", message: `no model "${site}"`, topic: `rampart/${site}/${asset}/${signal}` };
        if (r === "unknown-asset")
          return {
            code: "UNKNOWN_ASSET",
            message: `the model has no asset "${asset}"`,
            topic: `rampart/${site}/${asset}/${signal}`,
          };
        found = r;
        if (this.ctxOf.size >= 100_000) this.ctxOf.clear();
        this.ctxOf.set(k, found);
      }
      ctx = found;
    }
    return { rt: this.router.route(site, asset, signal), ctx };
  }

  private reasonOf(i: DetectIssue): DropReason {
    return i.code === "MQTT_TOPIC"
      ? "topic"
      : i.code === "UNKNOWN_MODEL"
        ? "unknown-model"
        : i.code === "UNKNOWN_ASSET"
          ? "unknown-asset"
          : "payload";
  }

  /**
   * One MQTT message; returns the issue when it is dropped. Hot path: the topic is resolved once and cached;
   * `{"t":<epoch ms>,"v":<number>}` is parsed without JSON.parse.
   */
  message(topic: string, payload: Buffer | string): DetectIssue | null {
    this.received++;
    const p = this.place(topic);
    if ("code" in p) return this.drop(this.reasonOf(p), p);
    const text = typeof payload === "string" ? payload : payload.toString("utf8");
    let t: number;
    let v: number;
    if (parseTvFast(text, this.tv)) {
      t = this.tv[0];
      v = this.tv[1];
    } else {
      const pv = parsePayload(text, topic);
      if ("code" in pv) return this.drop("payload", pv);
      t = Number.isNaN(pv.t) ? this.o.now() : pv.t;
      v = pv.v;
    }
    if (this.o.admit && !this.o.admit(p.rt, t))
      return this.drop("duplicate", { code: "DUPLICATE", message: "a reading already judged", topic });
    this.push(p, t, v);
    return null;
  }

  /** One reading already parsed (NDJSON, tests). */
  reading(r: Reading): DetectIssue | null {
    this.received++;
    const p = this.placeParts(r.site, r.asset, r.signal);
    if ("code" in p) return this.drop(this.reasonOf(p), p);
    this.push(p, Number.isNaN(r.t) ? this.o.now() : r.t, r.v);
    return null;
  }

  /** A body of NDJSON readings; returns per-line issues (the first 50). */
  ndjson(body: string): { accepted: number; issues: DetectIssue[] } {
    const issues: DetectIssue[] = [];
    let accepted = 0;
    const lines = body.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i].trim();
      if (!l) continue;
      const r = parseNdjsonLine(l, i + 1);
      let issue: DetectIssue | null;
      if ("code" in r) {
        this.received++;
        issue = this.drop(this.reasonOf(r), r);
      } else issue = this.reading(r);
      if (issue === null) accepted++;
      else if (issues.length < 50) issues.push({ ...issue, line: i + 1, column: 1 });
    }
    return { accepted, issues };
  }

  private push(p: Placed, t: number, v: number): void {
    this.accepted++;
    this.router.pushRoute(p.rt, t, v, this, this.raised);
    if (this.raised.length) this.raise();
  }

  /** VerdictSink: a judged reading goes to the sink; a sink that throws loses it, counted. */
  verdict(site: string, asset: string, signal: string, t: number, v: number, score: number, flag: 0 | 1): void {
    try {
      this.o.sink.verdict(site, asset, signal, t, v, score, flag);
      this.judged++;
    } catch {
      this.dropped.sink++;
    }
  }

  private raise(): void {
    for (const r of this.raised) {
      const ctx = this.ctxOf.get(`${r.site}/${r.asset}`) ?? null;
      this.alerts++;
      this.o.sink.alert({ ...r, zone: ctx?.zone ?? null, services: ctx?.services ?? [] });
    }
    this.raised.length = 0;
  }

  /** Judges every open row of the trained detectors (end of a replay, shutdown). */
  flush(): void {
    this.router.flush(this, this.raised);
    if (this.raised.length) this.raise();
  }
}

/** Counts as one log line: `received N, judged N, waiting N, dropped N (reason N, ...)`; never values. */
export function formatStats(s: LiveStats): string {
  const dropped = Object.values(s.dropped).reduce((a, b) => a + b, 0);
  const waiting = s.accepted - s.judged - s.dropped.sink;
  const reasons = Object.entries(s.dropped)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
  return (
    `received ${s.received}, judged ${s.judged}, waiting ${waiting}, dropped ${dropped}` +
    (reasons ? ` (${reasons})` : "") +
    `, alerts ${s.alerts}`
  );
}
