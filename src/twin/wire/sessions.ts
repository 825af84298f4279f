/**
 * The server's twin: at most one running `twin serve` session, started from uploaded network and .cpa texts,
 * watched (tank levels, actuators, attack timeline, ground truth as it is recorded) and attacked on the wire.
 */
import type { TwinIssue } from "../errors.ts";
import { buildScenario } from "../load.ts";
import { parseWireAttack, type WireAttack } from "./attacks.ts";
import type { TwinServer } from "./serve.ts";

export interface TwinStartRequest {
  network: { file: string; text: string };
  cpa: { file: string; text: string };
  hours: number;
  speed: number;
  seed: number;
  mqttUrl?: string;
  startMs: number;
}

export interface TwinState {
  running: boolean;
  hour: number;
  hours: number;
  speed: number;
  tanks: { id: string; level: number; max: number }[];
  actuators: { id: string; plc: string; open: boolean; manual: boolean }[];
  plcs: { plc: string; port: number }[];
  /** What happened, in simulated hours: .cpa attacks as they started and ended, wire attacks launched. */
  timeline: { hour: number; text: string }[];
  /** Hourly ground truth recorded so far: hour, attack label, tank levels in `tanks` order. */
  truth: { hour: number; attack: 0 | 1; levels: (number | null)[] }[];
}

export type SessionResult =
  | { ok: true; state: TwinState }
  | { ok: false; status: 400 | 409; message: string; issues?: TwinIssue[] };

export class TwinSessions {
  private server: TwinServer | undefined;
  private request: TwinStartRequest | undefined;
  private readonly timeline: { hour: number; text: string }[] = [];
  private running: Promise<void> | undefined;
  private finished = false;

  async start(r: TwinStartRequest): Promise<SessionResult> {
    if (this.server && !this.finished)
      return { ok: false, status: 409, message: "a twin is already running; stop it first" };
    await this.stop();
    const sc = buildScenario({ network: r.network, cpa: r.cpa });
    if (!sc.ok)
      return {
        ok: false,
        status: 400,
        message: `${sc.issues.length} error(s) in the network or .cpa`,
        issues: sc.issues,
      };
    this.timeline.length = 0;
    // loaded on first use: the hydraulics (WASM) and MQTT stay out of the server's start-up
    const { TwinServer } = await import("./serve.ts");
    const s = await TwinServer.start({
      scenario: sc.value,
      hours: r.hours,
      seed: r.seed,
      speed: r.speed,
      site: "ctown",
      asset: "ct-scada",
      startMs: r.startMs,
      mqttUrl: r.mqttUrl,
      wireAttacks: [],
      onEvent: (text) => this.timeline.push({ hour: (this.server?.twin.time ?? 0) / 3600, text }),
    });
    if (!s.ok) return { ok: false, status: 400, message: "the twin cannot start", issues: s.issues };
    this.server = s.server;
    this.request = r;
    this.finished = false;
    this.running = s.server
      .run()
      .catch((e: Error) => {
        this.timeline.push({ hour: s.server.twin.time / 3600, text: `stopped: ${e.message}` });
      })
      .finally(() => {
        this.finished = true;
      });
    return { ok: true, state: this.state() };
  }

  /** Launches a wire attack now (its START is taken relative to the current simulated hour). */
  attack(spec: string): SessionResult {
    const s = this.server;
    if (!s || this.finished) return { ok: false, status: 409, message: "no twin is running" };
    const a = parseWireAttack(spec);
    if (typeof a === "string") return { ok: false, status: 400, message: a };
    const now = s.twin.time / 3600;
    const shifted: WireAttack = {
      ...a,
      start: now + a.start,
      ...("end" in a && a.end !== undefined ? { end: now + a.end } : {}),
    } as WireAttack;
    const plcs = new Set(s.twin.config.cpa.nodes.map((n) => n.name));
    const name = shifted.kind === "mitm" ? shifted.source : shifted.plc;
    if (!plcs.has(name)) return { ok: false, status: 400, message: `"${name}" is not a PLC of the running twin` };
    s.addWireAttack(shifted);
    this.timeline.push({ hour: now, text: `launched: ${spec}` });
    return { ok: true, state: this.state() };
  }

  state(): TwinState {
    const s = this.server;
    if (!s || !this.request)
      return {
        running: false,
        hour: 0,
        hours: 0,
        speed: 0,
        tanks: [],
        actuators: [],
        plcs: [],
        timeline: [],
        truth: [],
      };
    const tw = s.twin;
    const levels = tw.tankLevels();
    const tanks = [...tw.config.network.tanks].sort((a, b) => a.id.localeCompare(b.id, "en", { numeric: true }));
    const status = tw.actuatorStatus();
    const timeline = [
      ...tw.events.flatMap((e) => [
        { hour: e.startHour, text: `attack started: ${e.type} ${e.target}` },
        ...(e.endHour !== undefined ? [{ hour: e.endHour, text: `attack ended: ${e.type} ${e.target}` }] : []),
      ]),
      ...this.timeline,
    ].sort((a, b) => a.hour - b.hour);
    const tankCols = tanks.map((t) => tw.columns.indexOf(`L_${t.id}`));
    return {
      running: !this.finished,
      hour: tw.time / 3600,
      hours: this.request.hours,
      speed: this.request.speed,
      tanks: tanks.map((t) => ({ id: t.id, level: levels.get(t.id) ?? 0, max: t.maxLevel })),
      actuators: tw.config.cpa.nodes.flatMap((n) =>
        n.actuators.map((a) => ({ id: a, plc: n.name, open: status.get(a) === 1, manual: tw.forcedActuators.has(a) })),
      ),
      plcs: s.endpoints.map((e) => ({ plc: e.plc, port: e.port })),
      timeline: timeline.slice(-200),
      truth: s.rows.slice(-24 * 14).map((r) => ({
        hour: r.hour,
        attack: r.attack,
        levels: tankCols.map((i) => (i >= 0 ? (r.truth[i] as number) : null)),
      })),
    };
  }

  async stop(): Promise<boolean> {
    const s = this.server;
    if (!s) return false;
    this.server = undefined;
    await s.stop();
    await this.running;
    this.finished = true;
    return true;
  }
}
