/**
 * Live ingestion, pure part: topic and payload parsing, and routing of readings to per-asset detectors.
 * Topics: rampart/<site>/<asset-id>/<signal>; payload: a number, or JSON {"t": time, "v": number}.
 */
import { Detector, type DetectorModel, type Finding } from "./engine.ts";
import type { DetectIssue } from "./errors.ts";
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

const SEG = /^[A-Za-z0-9_.:-]{1,128}$/;

export function parseTopic(topic: string): { site: string; asset: string; signal: string } | DetectIssue {
  const p = topic.split("/");
  if (p.length !== 4 || p[0] !== "rampart") {
    return { code: "MQTT_TOPIC", message: "expected rampart/<site>/<asset-id>/<signal>", topic };
  }
  for (const s of p.slice(1))
    if (!SEG.test(s)) return { code: "MQTT_TOPIC", message: `bad topic segment "${s.slice(0, 40)}"`, topic };
  return { site: p[1], asset: p[2], signal: p[3] };
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
    o = JSON.parse(s);
  } catch {
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
    o = JSON.parse(line);
  } catch {
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

export interface LiveAlert {
  site: string;
  asset: string;
  t: number;
  score: number;
  findings: Finding[];
}

interface Group {
  det?: Detector;
  idx?: Map<string, number>;
  row?: Float64Array;
  rowT: number;
  pending: { signal: string; v: number }[];
  streams: Map<string, { d: StreamDetector; flag: boolean }>;
}

/**
 * Routes readings to detectors: an asset with a trained model gets rows assembled by timestamp (a row is
 * judged when a reading with a later time arrives); other signals get a univariate streaming detector.
 */
export class Router {
  private readonly groups = new Map<string, Group>();
  constructor(
    private readonly models: Map<string, DetectorModel>,
    private readonly streamOpts: Partial<StreamOptions> = { learn: 168, suppress: 24 },
    private readonly alertAt = 0.7,
  ) {}

  private group(site: string, asset: string): Group {
    const k = `${site}/${asset}`;
    let g = this.groups.get(k);
    if (!g) {
      const model = this.models.get(asset) ?? this.models.get(k);
      g = { rowT: Number.NaN, pending: [], streams: new Map() };
      if (model) {
        g.det = new Detector(model);
        g.idx = new Map(model.signals.map((s, i) => [s, i]));
        g.row = new Float64Array(model.signals.length).fill(Number.NaN);
      }
      this.groups.set(k, g);
    }
    return g;
  }

  /** Feeds one reading; returns verdicts for the readings judged now and any alert raised. */
  push(r: Reading, out: LiveVerdict[], alerts: LiveAlert[]): void {
    const g = this.group(r.site, r.asset);
    const j = g.idx?.get(r.signal);
    if (g.det && g.row && j !== undefined) {
      if (!Number.isNaN(g.rowT) && r.t > g.rowT) this.closeRow(r.site, r.asset, g, out, alerts);
      if (Number.isNaN(g.rowT)) g.rowT = r.t;
      g.row[j] = r.v;
      g.pending.push({ signal: r.signal, v: r.v });
      return;
    }
    let s = g.streams.get(r.signal);
    if (!s) {
      s = { d: new StreamDetector(this.streamOpts), flag: false };
      g.streams.set(r.signal, s);
    }
    const score = s.d.step(r.v);
    const flag = score >= this.alertAt;
    out.push({ site: r.site, asset: r.asset, signal: r.signal, t: r.t, v: r.v, score, flag: flag ? 1 : 0 });
    if (flag && !s.flag) {
      alerts.push({
        site: r.site,
        asset: r.asset,
        t: r.t,
        score,
        findings: [
          {
            signal: r.signal,
            component: "range",
            severity: score,
            observed: r.v,
            expected: Number.NaN,
            sigmas: 0,
            since: r.t,
          },
        ],
      });
    }
    s.flag = flag;
  }

  private closeRow(site: string, asset: string, g: Group, out: LiveVerdict[], alerts: LiveAlert[]): void {
    const v = g.det!.step(g.rowT, g.row!);
    for (const p of g.pending)
      out.push({ site, asset, signal: p.signal, t: g.rowT, v: p.v, score: v.score, flag: v.flag });
    if (v.edge === 1) alerts.push({ site, asset, t: g.rowT, score: v.score, findings: g.det!.explain(1, 5) });
    g.pending.length = 0;
    g.row!.fill(Number.NaN);
    g.rowT = Number.NaN;
  }

  /** Judges every open row (end of a replay or shutdown). */
  flush(out: LiveVerdict[], alerts: LiveAlert[]): void {
    for (const [k, g] of this.groups) {
      if (g.det && !Number.isNaN(g.rowT)) {
        const [site, asset] = k.split("/");
        this.closeRow(site, asset, g, out, alerts);
      }
    }
  }
}
