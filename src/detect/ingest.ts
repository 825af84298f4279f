/**
 * Live ingestion, pure part: topic and payload parsing, and routing of readings to per-asset detectors.
 * Topics: rampart/<site>/<asset-id>/<signal>; payload: a number, or JSON {"t": time, "v": number}.
 */

import { JsonRefused, LIMITS, parseJsonStrict } from "../model/limits.ts";
import { Detector, type DetectorModel, type Finding } from "./engine.ts";
import type { DetectIssue } from "./errors.ts";
import { capture, restore, type Snap } from "./snapshot.ts";
import { StreamDetector, type StreamOptions } from "./stream.ts";
import { parseTimeValue } from "./time.ts";

export interface Reading {
  site: string;
  asset: string;
  signal: string;
  /** Epoch ms (NaN = use the receive clock passed by the caller). */
  t: number;
  v: number;
}

/** A topic segment: 1-128 of [A-Za-z0-9_.:-]. */
function validSegment(t: string, a: number, b: number): boolean {
  if (b <= a || b - a > 128) return false;
  for (let i = a; i < b; i++) {
    const c = t.charCodeAt(i);
    const ok =
      (c >= 48 && c <= 58) || // 0-9 and ':'
      (c >= 65 && c <= 90) ||
      (c >= 97 && c <= 122) ||
      c === 95 || // _
      c === 46 || // .
      c === 45; // -
    if (!ok) return false;
  }
  return true;
}

/** Splits rampart/<site>/<asset-id>/<signal> with indexOf (no regex, no intermediate array). */
export function parseTopic(topic: string): { site: string; asset: string; signal: string } | DetectIssue {
  const bad = { code: "MQTT_TOPIC", message: "expected rampart/<site>/<asset-id>/<signal>", topic };
  if (!topic.startsWith("rampart/")) return bad;
  const a = 8;
  const b = topic.indexOf("/", a);
  const c = b < 0 ? -1 : topic.indexOf("/", b + 1);
  if (b < 0 || c < 0 || topic.indexOf("/", c + 1) >= 0) return bad;
  const bounds: [number, number][] = [
    [a, b],
    [b + 1, c],
    [c + 1, topic.length],
  ];
  for (const [x, y] of bounds)
    if (!validSegment(topic, x, y))
      return { code: "MQTT_TOPIC", message: `bad topic segment "${topic.slice(x, y).slice(0, 40)}"`, topic };
  return { site: topic.slice(a, b), asset: topic.slice(b + 1, c), signal: topic.slice(c + 1) };
}

/**
 * Fast path for the usual payload `{"t":<number>,"v":<number>}` (optional spaces): returns false when the
 * text has any other shape, so the caller falls back to `parsePayload`. Writes [t, v] into `out`.
 */
export function parseTvFast(text: string, out: Float64Array): boolean {
  const n = text.length;
  if (n < 13 || text.charCodeAt(0) !== 123 || text.charCodeAt(n - 1) !== 125) return false;
  const ti = text.indexOf('"t":');
  const vi = text.indexOf('"v":');
  if (ti !== 1 || vi < 0) return false;
  const comma = text.indexOf(",", ti + 4);
  if (comma < 0 || comma > vi) return false;
  const t = numberAt(text, ti + 4, comma);
  const v = numberAt(text, vi + 4, n - 1);
  // only epoch milliseconds take the fast path (seconds and ISO strings go through parseTimeValue)
  if (!(t >= 1e11) || !Number.isFinite(v)) return false;
  for (let i = comma + 1; i < vi; i++) if (text.charCodeAt(i) !== 32) return false;
  out[0] = t;
  out[1] = v;
  return true;
}

function numberAt(text: string, a: number, b: number): number {
  while (a < b && text.charCodeAt(a) === 32) a++;
  while (b > a && text.charCodeAt(b - 1) === 32) b--;
  if (a >= b) return Number.NaN;
  const c = text.charCodeAt(a);
  // a JSON number starts with '-' or a digit (Number() would also accept "0x10", "Infinity", "")
  if (c !== 45 && (c < 48 || c > 57)) return Number.NaN;
  for (let i = a; i < b; i++) {
    const d = text.charCodeAt(i);
    if (!((d >= 48 && d <= 57) || d === 45 || d === 43 || d === 46 || d === 101 || d === 69)) return Number.NaN;
  }
  return Number(text.slice(a, b));
}

/** Parses a payload: a bare number, or {"t": ISO string | epoch s/ms, "v": number}. */
export function parsePayload(text: string, topic: string): { t: number; v: number } | DetectIssue {
  const s = text.trim();
  if (s.length > 0 && s[0] !== "{") {
    const v = Number(s);
    if (s === "" || !Number.isFinite(v))
      return { code: "MQTT_PAYLOAD", message: 'expected a number or {"t":...,"v":...}', topic };
    return { t: Number.NaN, v };
  }
  let o: unknown;
  try {
    o = parseJsonStrict(s, LIMITS.reading);
  } catch (e) {
    if (e instanceof JsonRefused) return { code: "MQTT_PAYLOAD", message: `payload ${e.message}`, topic };
    return { code: "MQTT_PAYLOAD", message: "payload is not valid JSON", topic };
  }
  if (!o || typeof o !== "object") return { code: "MQTT_PAYLOAD", message: "expected a JSON object", topic };
  const r = o as { t?: unknown; v?: unknown };
  if (typeof r.v !== "number" || !Number.isFinite(r.v))
    return { code: "MQTT_PAYLOAD", message: '"v" must be a finite number', topic };
  if (r.t === undefined) return { t: Number.NaN, v: r.v };
  const t = parseTimeValue(r.t);
  if (!t) return { code: "MQTT_PAYLOAD", message: '"t" must be an ISO 8601 time or epoch seconds/ms', topic };
  return { t: t.epoch, v: r.v };
}

/** One NDJSON line: {"topic": "...", "t":..., "v":...} or {"site","asset","signal","t","v"}. */
export function parseNdjsonLine(line: string, lineNo: number): Reading | DetectIssue {
  let o: Record<string, unknown>;
  try {
    o = parseJsonStrict(line, LIMITS.reading) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof JsonRefused) return { code: "NDJSON_JSON", message: `line ${e.message}`, line: lineNo, column: 1 };
    return { code: "NDJSON_JSON", message: "line is not valid JSON", line: lineNo, column: 1 };
  }
  if (!o || typeof o !== "object")
    return { code: "NDJSON_JSON", message: "expected a JSON object", line: lineNo, column: 1 };
  const topic = typeof o.topic === "string" ? o.topic : `rampart/${o.site}/${o.asset}/${o.signal}`;
  const tp = parseTopic(topic);
  if ("code" in tp) return { ...tp, line: lineNo, column: 1 };
  const pv = parsePayload(JSON.stringify({ t: o.t, v: o.v }), topic);
  if ("code" in pv) return { ...pv, line: lineNo, column: 1 };
  return { ...tp, ...pv };
}

export interface LiveVerdict {
  site: string;
  asset: string;
  signal: string;
  t: number;
  v: number;
  score: number;
  flag: 0 | 1;
}

/** An alert as the router raises it; the live pipeline adds the asset's place in the city (`live/alert.ts`). */
export interface RouterAlert {
  site: string;
  asset: string;
  t: number;
  score: number;
  detector: "trained" | "stream";
  findings: Finding[];
}

/** Receives judged readings without an object per reading (the SQLite store implements it). */
export interface VerdictSink {
  verdict(site: string, asset: string, signal: string, t: number, v: number, score: number, flag: 0 | 1): void;
}

/** Detector state of a router (JSON-safe): one entry per asset. */
export interface RouterSnapshot {
  groups: { site: string; asset: string; det: Snap | null; streams: { signal: string; flag: boolean; d: Snap }[] }[];
}

/** A trained detector's row still open: its time and the readings it holds so far, in arrival order. */
export interface OpenRow {
  site: string;
  asset: string;
  t: number;
  signals: string[];
  values: number[];
}

interface StreamState {
  d: StreamDetector;
  flag: boolean;
}

interface Group {
  site: string;
  asset: string;
  det?: Detector;
  idx?: Map<string, number>;
  row?: Float64Array;
  rowT: number;
  /** Readings of the open row, in arrival order (parallel arrays, reused). */
  pendingSignal: string[];
  pendingV: number[];
  pendingN: number;
  streams: Map<string, StreamState>;
}

/** A resolved topic: its group and either its column in the trained row or its streaming detector. */
export interface Route {
  readonly site: string;
  readonly asset: string;
  readonly signal: string;
  readonly g: Group;
  /** Column in the trained model's row, or -1. */
  readonly j: number;
  readonly s: StreamState | null;
}

/** Adapter from the array-of-objects API to a sink. */
class ArraySink implements VerdictSink {
  constructor(readonly out: LiveVerdict[]) {}
  verdict(site: string, asset: string, signal: string, t: number, v: number, score: number, flag: 0 | 1): void {
    this.out.push({ site, asset, signal, t, v, score, flag });
  }
}

/**
 * Routes readings to detectors: an asset with a trained model gets rows assembled by timestamp (a row is
 * judged when a reading with a later time arrives); other signals get a univariate streaming detector.
 * Hot path: resolve a topic once with `route`, then `pushRoute` per reading (no allocation per reading).
 */
export class Router {
  private readonly groups = new Map<string, Group>();
  private readonly alertAt: number;
  constructor(
    private readonly models: Map<string, DetectorModel>,
    private readonly streamOpts: Partial<StreamOptions> = { learn: 168, suppress: 24 },
    alertAt?: number,
  ) {
    this.alertAt = alertAt ?? new StreamDetector({ ...streamOpts, learn: 1 }).o.fire;
  }

  private group(site: string, asset: string): Group {
    const k = `${site}/${asset}`;
    let g = this.groups.get(k);
    if (!g) {
      const model = this.models.get(asset) ?? this.models.get(k);
      g = { site, asset, rowT: Number.NaN, pendingSignal: [], pendingV: [], pendingN: 0, streams: new Map() };
      if (model) {
        g.det = new Detector(model);
        g.idx = new Map(model.signals.map((s, i) => [s, i]));
        g.row = new Float64Array(model.signals.length).fill(Number.NaN);
      }
      this.groups.set(k, g);
    }
    return g;
  }

  /** Resolves (site, asset, signal) to its detector state; cache the result per topic. */
  route(site: string, asset: string, signal: string): Route {
    const g = this.group(site, asset);
    const j = g.idx?.get(signal);
    if (g.det && j !== undefined) return { site: g.site, asset: g.asset, signal, g, j, s: null };
    let s = g.streams.get(signal);
    if (!s) {
      s = { d: new StreamDetector(this.streamOpts), flag: false };
      g.streams.set(signal, s);
    }
    return { site: g.site, asset: g.asset, signal, g, j: -1, s };
  }

  /** Feeds one reading; verdicts for the readings judged now go to `out`, any alert raised to `alerts`. */
  push(r: Reading, out: LiveVerdict[], alerts: RouterAlert[]): void {
    this.pushRoute(this.route(r.site, r.asset, r.signal), r.t, r.v, new ArraySink(out), alerts);
  }

  pushRoute(rt: Route, t: number, v: number, out: VerdictSink, alerts: RouterAlert[]): void {
    const g = rt.g;
    if (rt.j >= 0) {
      if (!Number.isNaN(g.rowT) && t > g.rowT) this.closeRow(g, out, alerts);
      if (Number.isNaN(g.rowT)) g.rowT = t;
      g.row![rt.j] = v;
      const k = g.pendingN++;
      g.pendingSignal[k] = rt.signal;
      g.pendingV[k] = v;
      return;
    }
    const s = rt.s!;
    const score = s.d.step(v);
    const flag = score >= this.alertAt;
    out.verdict(rt.site, rt.asset, rt.signal, t, v, score, flag ? 1 : 0);
    if (flag && !s.flag) {
      alerts.push({
        site: rt.site,
        asset: rt.asset,
        t,
        score,
        detector: "stream",
        findings: [
          {
            signal: rt.signal,
            component: "range",
            severity: score,
            observed: v,
            expected: Number.NaN,
            sigmas: 0,
            since: t,
          },
        ],
      });
    }
    s.flag = flag;
  }

  private closeRow(g: Group, out: VerdictSink, alerts: RouterAlert[]): void {
    const v = g.det!.step(g.rowT, g.row!);
    for (let k = 0; k < g.pendingN; k++)
      out.verdict(g.site, g.asset, g.pendingSignal[k], g.rowT, g.pendingV[k], v.score, v.flag);
    if (v.edge === 1)
      alerts.push({
        site: g.site,
        asset: g.asset,
        t: g.rowT,
        score: v.score,
        detector: "trained",
        findings: g.det!.explain(1, 5),
      });
    g.pendingN = 0;
    g.row!.fill(Number.NaN);
    g.rowT = Number.NaN;
  }

  /**
   * [PRT-4] The detectors' state, every asset, without the rows still open (`openRows`): what a partition's
   * checkpoint keeps so that another process goes on judging exactly as this one would have.
   */
  snapshot(): RouterSnapshot {
    const groups: RouterSnapshot["groups"] = [];
    for (const g of this.groups.values())
      groups.push({
        site: g.site,
        asset: g.asset,
        det: g.det ? capture(g.det) : null,
        streams: [...g.streams].map(([signal, s]) => ({ signal, flag: s.flag, d: capture(s.d) })),
      });
    return { groups };
  }

  /** Writes a snapshot back (into a router built with the same detectors and options). */
  restore(snap: RouterSnapshot): void {
    for (const r of snap.groups) {
      const g = this.group(r.site, r.asset);
      if (r.det) {
        if (!g.det) throw new Error(`${r.site}/${r.asset}: the checkpoint has a trained detector this process lacks`);
        restore(g.det, r.det, `${r.site}/${r.asset}`);
      }
      for (const st of r.streams) {
        const rt = this.route(r.site, r.asset, st.signal);
        if (!rt.s) throw new Error(`${r.site}/${r.asset}/${st.signal}: judged by a trained detector here`);
        rt.s.flag = st.flag;
        restore(rt.s.d, st.d, `${r.site}/${r.asset}/${st.signal}`);
      }
    }
  }

  /** The rows of trained detectors still waiting for a later reading (not judged yet). */
  openRows(): OpenRow[] {
    const out: OpenRow[] = [];
    for (const g of this.groups.values())
      if (g.det && !Number.isNaN(g.rowT))
        out.push({
          site: g.site,
          asset: g.asset,
          t: g.rowT,
          signals: g.pendingSignal.slice(0, g.pendingN),
          values: g.pendingV.slice(0, g.pendingN),
        });
    return out;
  }

  /** Puts open rows back (after a restore): their readings wait for a later one as before. */
  reopen(rows: OpenRow[], alerts: RouterAlert[]): void {
    const none: VerdictSink = { verdict() {} };
    for (const r of rows)
      for (let k = 0; k < r.signals.length; k++)
        this.pushRoute(this.route(r.site, r.asset, r.signals[k]), r.t, r.values[k], none, alerts);
  }

  /** Judges every open row (end of a replay or shutdown). */
  flush(out: LiveVerdict[] | VerdictSink, alerts: RouterAlert[]): void {
    const sink = Array.isArray(out) ? new ArraySink(out) : out;
    for (const g of this.groups.values()) if (g.det && !Number.isNaN(g.rowT)) this.closeRow(g, sink, alerts);
  }
}
