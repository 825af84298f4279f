/**
 * The twin engine: EPANET stepped at the PLC scan interval, with the PLCs' logic (the network's level controls,
 * each owned by the PLC that actuates its link) deciding pump and valve commands from what each PLC sees: its
 * own sensors and the readings other PLCs send it over the .cpa links. Attacks alter those readings, the PLC
 * logic or the actuator commands. SCADA records, every hour, what reaches it over its links.
 * Pure and deterministic: time is the simulation's own clock, randomness comes from the seeded generator.
 */
import { type Rng, streamFor } from "../model/rng.ts";
import type { Attack, Condition, CpaSpec, CyberLink, LinkManipulation } from "./cpa.ts";
import type { TwinIssue, TwinResult } from "./errors.ts";
import { Hydraulics } from "./hydraulics.ts";
import type { LevelControl, NetworkSpec } from "./inp.ts";

export interface TwinConfig {
  network: NetworkSpec;
  inpText: string;
  cpa: CpaSpec;
  /** Hourly demand multipliers (rows) per network pattern (columns); replaces the network's patterns. */
  patterns?: number[][];
  /** Hours to simulate. */
  hours: number;
  /** PLC scan interval in seconds; must divide 3600 (default: the network's hydraulic step, else 900). */
  scanSeconds?: number;
  seed: number;
  /** Standard deviation of measurement noise added to SCADA's analogue readings (0 = none). */
  noiseSd?: number;
  /** Decimal digits SCADA's readings are rounded to (undefined = no rounding). */
  round?: number;
  /** Attacks beyond those of the .cpa (used by dataset generation). */
  extraAttacks?: Attack[];
  /** Run EPANET's own controls instead of the PLC logic (the reference run). */
  epanetControls?: boolean;
}

/** One hourly SCADA row: the values SCADA received, the true values, and whether an attack was active. */
export interface TwinRow {
  hour: number;
  scada: number[];
  truth: number[];
  attack: 0 | 1;
}

export interface AttackEvent {
  attack: number;
  target: string;
  type: string;
  startHour: number;
  endHour?: number;
}

/** A PLC's control rule: command `link` open/closed when the PLC's reading of `sensor` crosses `level`. */
export interface PlcRule {
  control: LevelControl;
  plc: string;
  sensor: string;
}

interface Sensor {
  name: string;
  kind: "P" | "F";
  index: number;
}

interface LinkState {
  link: CyberLink;
  sensor: string;
  /** Last value the destination received (kept under DoS). */
  last: number | undefined;
  /** True values sent over this link at each scan, for replay. */
  history: Float64Array;
}

/** The lowest gauge pressure a sensor reads (m of water): vacuum. */
export const VACUUM_METRES = -10;

const isTime = (v: string) => v.toUpperCase() === "TIME";

function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

export function plcRules(network: NetworkSpec, cpa: CpaSpec): TwinResult<PlcRule[]> {
  const issues: TwinIssue[] = [];
  const rules: PlcRule[] = [];
  for (const c of network.controls) {
    const owner = cpa.nodes.find((n) => n.actuators.includes(c.link));
    if (!owner) {
      issues.push({
        code: "TWIN_NO_PLC",
        message: `control ${c.index} drives "${c.link}", which no PLC in ${cpa.file} actuates`,
        file: network.file,
        line: c.line,
        column: 1,
      });
      continue;
    }
    const sensor = `P_${c.node}`;
    const own = owner.sensors.includes(sensor);
    const linked = cpa.links.some((l) => l.destination === owner.name && l.sensors.includes(sensor));
    if (!own && !linked)
      issues.push({
        code: "TWIN_NO_READING",
        message: `PLC "${owner.name}" runs control ${c.index} on "${sensor}" but neither senses it nor receives it over a link`,
        file: cpa.file,
        line: owner.line,
        column: 1,
      });
    else rules.push({ control: c, plc: owner.name, sensor });
  }
  return issues.length ? { ok: false, issues } : { ok: true, value: rules };
}

/** Checks that every element a .cpa names exists in the network. */
export function checkCpaAgainstNetwork(network: NetworkSpec, cpa: CpaSpec, extra: Attack[] = []): TwinIssue[] {
  const nodes = new Set([...network.junctions, ...network.reservoirs, ...network.tanks.map((t) => t.id)]);
  const links = new Set([...network.pipes, ...network.pumps, ...network.valves]);
  const issues: TwinIssue[] = [];
  const at = (line: number, code: string, message: string) =>
    issues.push({ code, message, file: cpa.file, line, column: 1 });
  const sensorOk = (s: string) =>
    s.startsWith("P_") ? nodes.has(s.slice(2)) : s.startsWith("F_") ? links.has(s.slice(2)) : false;
  for (const n of cpa.nodes) {
    for (const s of n.sensors)
      if (!sensorOk(s)) at(n.line, "TWIN_UNKNOWN_SENSOR", `sensor "${s}" names no element of ${network.file}`);
    for (const a of n.actuators)
      if (!network.pumps.includes(a) && !network.valves.includes(a))
        at(n.line, "TWIN_UNKNOWN_ACTUATOR", `actuator "${a}" is not a pump or valve of ${network.file}`);
  }
  const variables = (c: Condition, line: number): void => {
    if (c.kind === "cmp") {
      const v = c.variable;
      if (!isTime(v) && !nodes.has(v) && !links.has(v) && !sensorOk(v) && !/^[LS]_/.test(v))
        at(
          line,
          "TWIN_UNKNOWN_VARIABLE",
          `condition reads "${v}", which is neither TIME nor an element of ${network.file}`,
        );
    } else if (c.kind === "not") variables(c.inner, line);
    else {
      variables(c.left, line);
      variables(c.right, line);
    }
  };
  for (const a of [...cpa.attacks, ...extra]) {
    variables(a.start, a.line);
    variables(a.end, a.line);
    const x = a.action;
    if (x.type === "control" && !network.controls.some((c) => c.index === x.control))
      at(
        a.line,
        "TWIN_UNKNOWN_CONTROL",
        `CTRL${x.control}: ${network.file} has ${network.controls.length} level controls`,
      );
    if (x.type === "actuator" && !cpa.nodes.some((n) => n.actuators.includes(x.actuator)))
      at(a.line, "TWIN_UNKNOWN_ACTUATOR", `"${x.actuator}" is not an actuator of any PLC`);
  }
  return issues;
}

/** The BATADAL-shaped columns SCADA records for a network and its .cpa. */
export function scadaColumns(
  network: NetworkSpec,
  cpa: CpaSpec,
  linkNodes: (link: string) => [string, string],
): string[] {
  const toScada = new Set(cpa.links.filter((l) => l.destination === "SCADA").flatMap((l) => l.sensors));
  const plcToScada = new Set(cpa.links.filter((l) => l.destination === "SCADA").map((l) => l.source));
  const cols: string[] = [];
  for (const t of [...network.tanks].sort((a, b) => naturalCompare(a.id, b.id)))
    if (toScada.has(`P_${t.id}`)) cols.push(`L_${t.id}`);
  const actuators = [...network.pumps, ...network.valves].filter((a) =>
    cpa.nodes.some((n) => n.actuators.includes(a) && plcToScada.has(n.name)),
  );
  for (const a of actuators) {
    if (toScada.has(`F_${a}`)) cols.push(`F_${a}`);
    cols.push(`S_${a}`);
  }
  const pressures: string[] = [];
  for (const a of actuators)
    for (const n of linkNodes(a))
      if (toScada.has(`P_${n}`) && !pressures.includes(`P_${n}`) && !network.tanks.some((t) => t.id === n))
        pressures.push(`P_${n}`);
  for (const s of toScada)
    if (s.startsWith("P_") && !pressures.includes(s) && !network.tanks.some((t) => `P_${t.id}` === s))
      pressures.push(s);
  for (const s of toScada) if (s.startsWith("F_") && !cols.includes(s)) cols.push(s);
  return [...cols, ...pressures];
}

function gaussian(rng: Rng): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

type AttackPhase = "pending" | "active" | "done";

export class Twin {
  readonly columns: string[];
  readonly rules: PlcRule[];
  readonly scanSeconds: number;
  readonly events: AttackEvent[] = [];
  /** Seconds since start of the current solution. */
  time = 0;
  private readonly h: Hydraulics;
  private readonly sensors = new Map<string, Sensor>();
  private readonly tankIds: string[];
  private readonly links: LinkState[] = [];
  private readonly attacks: Attack[];
  private readonly phase: AttackPhase[];
  private readonly noiseRng: Rng;
  private readonly attackRng: Rng;
  private readonly actuatorIndex = new Map<string, number>();
  private readonly commanded = new Map<string, boolean>();
  /** What each PLC currently believes each sensor reads (own sensors and received values). */
  readonly views = new Map<string, Map<string, number>>();
  /** Values SCADA last received, by sensor. */
  readonly scadaView = new Map<string, number>();
  /** True values at the latest scan, by sensor. */
  readonly truth = new Map<string, number>();
  private readonly historyLength: number;
  private scanNo = 0;
  private nextScan = 0;
  private finished = false;
  /** Hooks for the wire: when set, PLC-to-PLC deliveries are left to the caller. */
  externalLinks = false;
  /** Wire-side overrides of a PLC's rules (program swap): control index -> level or forced status. */
  readonly programOverrides = new Map<number, { level?: number; status?: 0 | 1 }>();
  /** Wire-side forced actuator commands (attacker writes to coils). */
  readonly forcedActuators = new Map<string, boolean>();

  private constructor(
    readonly config: TwinConfig,
    h: Hydraulics,
    rules: PlcRule[],
    scanSeconds: number,
  ) {
    this.h = h;
    this.rules = rules;
    this.scanSeconds = scanSeconds;
    const { network, cpa } = config;
    this.tankIds = network.tanks.map((t) => t.id);
    const all = new Set<string>();
    for (const n of cpa.nodes) for (const s of n.sensors) all.add(s);
    for (const r of rules) all.add(r.sensor);
    for (const s of all) {
      const kind = s.startsWith("F_") ? "F" : "P";
      const id = s.slice(2);
      this.sensors.set(s, { name: s, kind, index: kind === "F" ? h.linkIndex(id) : h.nodeIndex(id) });
    }
    this.historyLength = Math.ceil(((config.hours + 1) * 3600) / scanSeconds) + 2;
    for (const l of cpa.links)
      for (const s of l.sensors)
        this.links.push({ link: l, sensor: s, last: undefined, history: new Float64Array(this.historyLength) });
    for (const n of cpa.nodes) {
      this.views.set(n.name, new Map());
      for (const a of n.actuators) this.actuatorIndex.set(a, h.linkIndex(a));
    }
    this.attacks = [...cpa.attacks, ...(config.extraAttacks ?? [])];
    this.phase = this.attacks.map(() => "pending");
    this.noiseRng = streamFor(config.seed, 1);
    this.attackRng = streamFor(config.seed, 2);
    this.columns = scadaColumns(network, cpa, (id) => h.linkNodes(h.linkIndex(id)));
  }

  static async create(config: TwinConfig): Promise<TwinResult<Twin>> {
    const { network, cpa } = config;
    const issues = checkCpaAgainstNetwork(network, cpa, config.extraAttacks);
    const rules = plcRules(network, cpa);
    if (!rules.ok) issues.push(...rules.issues);
    const scan = config.scanSeconds ?? (3600 % network.hydraulicStep === 0 ? network.hydraulicStep : 900);
    if (!Number.isInteger(scan) || scan <= 0 || 3600 % scan !== 0)
      issues.push({
        code: "TWIN_SCAN",
        message: `scan interval must divide one hour (seconds), found ${scan}`,
        path: "scanSeconds",
      });
    if (!Number.isInteger(config.hours) || config.hours < 1 || config.hours > 24 * 366)
      issues.push({ code: "TWIN_HOURS", message: "hours must be a whole number from 1 to 8784", path: "hours" });
    if (issues.length || !rules.ok) return { ok: false, issues };
    let initialLevels: Map<string, number> | undefined;
    const ic = cpa.options.initialConditions;
    if (ic) {
      const tanks = [...network.tanks].sort((a, b) => naturalCompare(a.id, b.id));
      if (ic.length !== tanks.length)
        return {
          ok: false,
          issues: [
            {
              code: "TWIN_INITIAL",
              message: `initial_conditions has ${ic.length} levels; the network has ${tanks.length} tanks`,
              file: cpa.file,
            },
          ],
        };
      initialLevels = new Map();
      for (let i = 0; i < tanks.length; i++) {
        const t = tanks[i] as (typeof tanks)[number];
        const v = ic[i] as number;
        if (v < t.minLevel || v > t.maxLevel)
          return {
            ok: false,
            issues: [
              {
                code: "TWIN_INITIAL",
                message: `initial level ${v} of ${t.id} is outside ${t.minLevel}..${t.maxLevel}`,
                file: cpa.file,
              },
            ],
          };
        initialLevels.set(t.id, v);
      }
    }
    if (config.patterns?.[0] && (config.patterns[0] as number[]).length > network.patterns.length)
      return {
        ok: false,
        issues: [
          {
            code: "TWIN_PATTERNS",
            message: `patterns have ${(config.patterns[0] as number[]).length} columns; the network has ${network.patterns.length} patterns`,
            path: "patterns",
          },
        ],
      };
    let h: Hydraulics;
    try {
      h = await Hydraulics.open(config.inpText, {
        step: scan,
        duration: config.hours * 3600,
        epanetControls: config.epanetControls ?? false,
        initialLevels,
        patterns: config.patterns,
        patternIds: network.patterns,
        pda: cpa.options.pda,
      });
    } catch (e) {
      return {
        ok: false,
        issues: [
          { code: "EPANET", message: `EPANET rejected the network: ${(e as Error).message}`, file: network.file },
        ],
      };
    }
    return { ok: true, value: new Twin(config, h, rules.value, scan) };
  }

  get done(): boolean {
    return this.finished;
  }

  /** A variable of a condition, from the true state. */
  private variable(name: string): number {
    if (isTime(name)) return this.time / 3600;
    const s = this.truth.get(name) ?? this.truth.get(`P_${name}`) ?? this.truth.get(`F_${name}`);
    if (s !== undefined) return s;
    const body = name.replace(/^[LPFS]_/, "");
    if (name.startsWith("S_")) return this.h.status(this.h.linkIndex(body));
    const ni = this.h.nodeIndex(body);
    if (ni > 0 && !name.startsWith("F_")) return this.h.pressure(ni);
    return this.h.flow(this.h.linkIndex(body));
  }

  private holds(c: Condition): boolean {
    switch (c.kind) {
      case "and":
        return this.holds(c.left) && this.holds(c.right);
      case "or":
        return this.holds(c.left) || this.holds(c.right);
      case "not":
        return !this.holds(c.inner);
      case "cmp": {
        const v = this.variable(c.variable);
        const tol = isTime(c.variable) ? this.scanSeconds / 7200 : 0;
        switch (c.op) {
          case "==":
            return Math.abs(v - c.value) <= tol;
          case "!=":
            return Math.abs(v - c.value) > tol;
          case "<":
            return v < c.value;
          case "<=":
            return v <= c.value;
          case ">":
            return v > c.value;
          default:
            return v >= c.value;
        }
      }
    }
  }

  private manipulate(
    how: LinkManipulation,
    ls: LinkState | undefined,
    trueValue: number,
    previous: number | undefined,
  ): number | undefined {
    switch (how.kind) {
      case "dos":
        return previous;
      case "constant":
        return how.value;
      case "offset":
        return trueValue + how.value;
      case "replay": {
        const back = Math.round((how.delayHours * 3600) / this.scanSeconds);
        const i = this.scanNo - back;
        const base = ls && i >= 0 ? (ls.history[i] as number) : trueValue;
        const v = base + how.noiseSd * gaussian(this.attackRng);
        return Math.min(how.max, Math.max(how.min, v));
      }
    }
  }

  /** The communication attack active on (source, sensor, destination), if any. */
  activeCommunication(source: string, sensor: string, destination: string): LinkManipulation | undefined {
    for (let i = 0; i < this.attacks.length; i++) {
      if (this.phase[i] !== "active") continue;
      const a = (this.attacks[i] as Attack).action;
      if (a.type === "communication" && a.source === source && a.sensor === sensor && a.destination === destination)
        return a.how;
    }
    return undefined;
  }

  private updateAttacks(): void {
    const hour = this.time / 3600;
    for (let i = 0; i < this.attacks.length; i++) {
      const a = this.attacks[i] as Attack;
      if (this.phase[i] === "pending" && this.holds(a.start)) {
        this.phase[i] = "active";
        this.events.push({ attack: i, target: a.target, type: a.action.type, startHour: hour });
      } else if (this.phase[i] === "active" && this.holds(a.end)) {
        this.phase[i] = "done";
        const ev = this.events.find((e) => e.attack === i);
        if (ev) ev.endHour = hour;
      }
    }
  }

  get anyAttackActive(): boolean {
    return this.phase.includes("active");
  }

  /** Reads every sensor's true value at the current solution. */
  private readTruth(): void {
    // A pressure gauge cannot read below vacuum: EPANET's values for a cut-off zone (millions of metres
    // below zero under demand-driven analysis) are read as the gauge would show them.
    for (const s of this.sensors.values())
      this.truth.set(s.name, s.kind === "F" ? this.h.flow(s.index) : Math.max(VACUUM_METRES, this.h.pressure(s.index)));
  }

  /** Delivers link readings (with attacks) to PLC views and to SCADA. */
  private deliver(): void {
    const { cpa } = this.config;
    for (const n of cpa.nodes) {
      const view = this.views.get(n.name) as Map<string, number>;
      for (const s of n.sensors) {
        const t = this.truth.get(s) as number;
        const how = this.activeCommunication("NULL", s, n.name);
        const v = how ? this.manipulate(how, undefined, t, view.get(s)) : t;
        if (v !== undefined) view.set(s, v);
      }
    }
    for (const ls of this.links) {
      const src = this.views.get(ls.link.source) as Map<string, number>;
      const sent = src.get(ls.sensor) as number;
      if (this.scanNo < ls.history.length) ls.history[this.scanNo] = sent;
      if (this.externalLinks && ls.link.destination !== "SCADA") continue;
      const how = this.externalLinks
        ? undefined
        : this.activeCommunication(ls.link.source, ls.sensor, ls.link.destination);
      const v = how ? this.manipulate(how, ls, sent, ls.last) : sent;
      if (v === undefined) continue;
      ls.last = v;
      if (ls.link.destination === "SCADA") this.scadaView.set(ls.sensor, v);
      else (this.views.get(ls.link.destination) as Map<string, number>).set(ls.sensor, v);
    }
  }

  /** Receives a reading on a PLC-to-PLC link from the wire (when externalLinks is set). */
  receive(plc: string, sensor: string, value: number): void {
    this.views.get(plc)?.set(sensor, value);
  }

  /** Runs each PLC's rules on its view and applies the commands; true if an actuator changed. */
  private plcLogic(): boolean {
    for (const r of this.rules) {
      const v = this.views.get(r.plc)?.get(r.sensor);
      if (v === undefined) continue;
      let level = r.control.level;
      let open = r.control.open;
      for (let i = 0; i < this.attacks.length; i++) {
        if (this.phase[i] !== "active") continue;
        const a = (this.attacks[i] as Attack).action;
        if (a.type === "control" && a.control === r.control.index) {
          if (a.field === "level") level = a.value;
          else open = a.value === 1;
        }
      }
      const po = this.programOverrides.get(r.control.index);
      if (po?.level !== undefined) level = po.level;
      if (po?.status !== undefined) open = po.status === 1;
      if (r.control.below ? v < level : v > level) this.commanded.set(r.control.link, open);
    }
    for (let i = 0; i < this.attacks.length; i++) {
      if (this.phase[i] !== "active") continue;
      const a = (this.attacks[i] as Attack).action;
      if (a.type === "actuator") this.commanded.set(a.actuator, a.value === 1);
    }
    for (const [a, open] of this.forcedActuators) this.commanded.set(a, open);
    let changed = false;
    for (const [a, open] of this.commanded) {
      const idx = this.actuatorIndex.get(a);
      if (idx !== undefined && this.h.status(idx) !== (open ? 1 : 0)) {
        this.h.setStatus(idx, open);
        changed = true;
      }
    }
    return changed;
  }

  private noisy(v: number, analogue: boolean): number {
    let x = v;
    const sd = this.config.noiseSd ?? 0;
    if (analogue && sd > 0) x += sd * gaussian(this.noiseRng);
    const d = this.config.round;
    if (d !== undefined) {
      const f = 10 ** d;
      x = Math.round(x * f) / f;
    }
    return x;
  }

  /** The SCADA row and the true row at the current time. */
  private row(): TwinRow {
    const scada: number[] = [];
    const truth: number[] = [];
    for (const c of this.columns) {
      const kind = c[0];
      const id = c.slice(2);
      if (kind === "S") {
        const st = this.h.status(this.actuatorIndex.get(id) as number);
        scada.push(st);
        truth.push(st);
        continue;
      }
      const sensor = kind === "L" ? `P_${id}` : c;
      const t = this.truth.get(sensor) as number;
      truth.push(t);
      scada.push(this.noisy(this.scadaView.get(sensor) ?? t, true));
    }
    return { hour: this.time / 3600, scada, truth, attack: this.anyAttackActive ? 1 : 0 };
  }

  /**
   * Advances the simulation by one hydraulic solution; runs a PLC scan when one is due. Returns the hourly row
   * when this solution falls on a whole hour, else undefined. Check `done` after.
   */
  step(): TwinRow | undefined {
    if (this.finished) return undefined;
    this.time = this.h.solve();
    let out: TwinRow | undefined;
    this.readTruth();
    const scan = this.time >= this.nextScan;
    if (scan) {
      this.updateAttacks();
      this.deliver();
      // A changed command takes effect now: the current time is solved again with the new statuses, as
      // EPANET does when its own controls fire, and SCADA receives the readings of that solution.
      if (!this.config.epanetControls && this.plcLogic()) {
        this.h.solve();
        this.readTruth();
        this.deliver();
      }
      this.scanNo++;
      this.nextScan += this.scanSeconds;
    }
    if (this.time % 3600 === 0 && this.time < this.config.hours * 3600) out = this.row();
    const dt = this.h.advance();
    if (dt <= 0) this.finished = true;
    return out;
  }

  /** Advances until one more PLC scan has run (or the end); returns the hourly rows produced on the way. */
  advanceScan(): TwinRow[] {
    const rows: TwinRow[] = [];
    const target = this.scanNo + 1;
    while (!this.finished && this.scanNo < target) {
      const r = this.step();
      if (r) rows.push(r);
    }
    return rows;
  }

  /** Scans run so far. */
  get scans(): number {
    return this.scanNo;
  }

  /** Runs to the end, returning every hourly row. */
  runAll(): TwinRow[] {
    const rows: TwinRow[] = [];
    while (!this.finished) {
      const r = this.step();
      if (r) rows.push(r);
    }
    return rows;
  }

  /** True level of each tank (m) at the current solution. */
  tankLevels(): Map<string, number> {
    return new Map(this.tankIds.map((id) => [id, this.h.pressure(this.h.nodeIndex(id))]));
  }

  /** Status of each actuator (1 open/on). */
  actuatorStatus(): Map<string, number> {
    return new Map([...this.actuatorIndex].map(([id, i]) => [id, this.h.status(i)]));
  }

  close(): void {
    this.h.close();
  }
}
