/**
 * A reader for the parts of an EPANET .inp file the twin needs: element ids by kind, tank geometry, demand
 * patterns in order and the simple level controls that become PLC logic. EPANET itself reads the hydraulics;
 * this reader gives located errors (file:line:col) for what the twin relies on, before EPANET sees the file.
 */
import { boundedLines, stripComment, type TwinIssue, type TwinResult, tokens } from "./errors.ts";

export interface TankSpec {
  id: string;
  elevation: number;
  initLevel: number;
  minLevel: number;
  maxLevel: number;
  diameter: number;
}

/** `LINK <link> <OPEN|CLOSED> IF NODE <node> <BELOW|ABOVE> <level>`: one level control, in file order. */
export interface LevelControl {
  /** 1-based position among the file's [CONTROLS] lines (as epanetCPA's CTRL<n> counts them). */
  index: number;
  link: string;
  open: boolean;
  node: string;
  below: boolean;
  level: number;
  line: number;
}

export interface NetworkSpec {
  file: string;
  junctions: string[];
  reservoirs: string[];
  tanks: TankSpec[];
  pipes: string[];
  pumps: string[];
  valves: string[];
  patterns: string[];
  controls: LevelControl[];
  /** Hydraulic time step in seconds, from [TIMES] (default 3600). */
  hydraulicStep: number;
  /** Duration in seconds, from [TIMES] (0 if absent). */
  duration: number;
}

const ELEMENT_SECTIONS = ["JUNCTIONS", "RESERVOIRS", "TANKS", "PIPES", "PUMPS", "VALVES"] as const;

function num(text: string): number | undefined {
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** Parses "h", "h:mm", "h:mm:ss" or a number with an optional unit into seconds. */
export function parseDuration(parts: string[]): number | undefined {
  const [v, unit] = parts;
  if (v === undefined) return undefined;
  if (v.includes(":")) {
    const f = v.split(":").map((x) => num(x));
    if (f.some((x) => x === undefined) || f.length > 3) return undefined;
    const [h = 0, m = 0, s = 0] = f as number[];
    return Math.round(h * 3600 + m * 60 + s);
  }
  const n = num(v);
  if (n === undefined) return undefined;
  const u = (unit ?? "HOURS").toUpperCase();
  const mult = u.startsWith("SEC") ? 1 : u.startsWith("MIN") ? 60 : u.startsWith("DAY") ? 86400 : 3600;
  return Math.round(n * mult);
}

export function parseInp(text: string, file: string): TwinResult<NetworkSpec> {
  const lr = boundedLines(text, file);
  if (!lr.ok) return lr;
  const issues: TwinIssue[] = [];
  const err = (line: number, column: number, code: string, message: string) =>
    issues.push({ code, message, file, line, column });
  const spec: NetworkSpec = {
    file,
    junctions: [],
    reservoirs: [],
    tanks: [],
    pipes: [],
    pumps: [],
    valves: [],
    patterns: [],
    controls: [],
    hydraulicStep: 3600,
    duration: 0,
  };
  const seen = new Map<string, number>();
  const nodeIds = new Set<string>();
  const linkIds = new Set<string>();
  let section = "";
  let controlNo = 0;
  for (const { no, text: raw } of lr.value) {
    const body = stripComment(raw);
    const head = body.trim();
    if (head.startsWith("[")) {
      const m = /^\[([A-Za-z_]+)\]$/.exec(head);
      if (!m) err(no, raw.indexOf("[") + 1, "INP_SECTION", `malformed section header "${head}"`);
      else section = (m[1] as string).toUpperCase();
      continue;
    }
    const tk = tokens(body);
    if (tk.length === 0) continue;
    const first = tk[0] as { text: string; col: number };
    if ((ELEMENT_SECTIONS as readonly string[]).includes(section)) {
      const prev = seen.get(first.text);
      if (prev !== undefined) {
        err(no, first.col, "INP_DUPLICATE_ID", `"${first.text}" is already defined on line ${prev}`);
        continue;
      }
      seen.set(first.text, no);
      if (section === "JUNCTIONS" || section === "RESERVOIRS" || section === "TANKS") nodeIds.add(first.text);
      else linkIds.add(first.text);
    }
    switch (section) {
      case "JUNCTIONS":
        spec.junctions.push(first.text);
        break;
      case "RESERVOIRS":
        spec.reservoirs.push(first.text);
        break;
      case "PIPES":
        spec.pipes.push(first.text);
        break;
      case "PUMPS":
        spec.pumps.push(first.text);
        break;
      case "VALVES":
        spec.valves.push(first.text);
        break;
      case "TANKS": {
        const vals: number[] = [];
        for (let i = 1; i <= 5; i++) {
          const t = tk[i];
          const v = t ? num(t.text) : undefined;
          if (v === undefined) {
            err(no, t?.col ?? raw.length + 1, "INP_TANK", `tank "${first.text}": field ${i + 1} must be a number`);
            break;
          }
          vals.push(v);
        }
        if (vals.length === 5) {
          const [elevation, initLevel, minLevel, maxLevel, diameter] = vals as [number, number, number, number, number];
          if (maxLevel < minLevel || initLevel < minLevel || initLevel > maxLevel)
            err(no, (tk[2] as { col: number }).col, "INP_TANK", `tank "${first.text}": needs min <= init <= max level`);
          spec.tanks.push({ id: first.text, elevation, initLevel, minLevel, maxLevel, diameter });
        }
        break;
      }
      case "PATTERNS":
        if (!spec.patterns.includes(first.text)) spec.patterns.push(first.text);
        break;
      case "TIMES": {
        const key = tk
          .slice(0, 2)
          .map((t) => t.text.toUpperCase())
          .join(" ");
        if (key === "HYDRAULIC TIMESTEP" || key === "DURATION" || first.text.toUpperCase() === "DURATION") {
          const rest = tk.slice(first.text.toUpperCase() === "DURATION" ? 1 : 2).map((t) => t.text);
          const s = parseDuration(rest);
          if (s === undefined || s < 0)
            err(no, (tk[tk.length - 1] as { col: number }).col, "INP_TIME", "expected a time such as 0:15 or 168:00");
          else if (key === "HYDRAULIC TIMESTEP") spec.hydraulicStep = s;
          else spec.duration = s;
        }
        break;
      }
      case "CONTROLS": {
        controlNo++;
        const c = parseControl(tk);
        if (typeof c === "string") err(no, first.col, "INP_CONTROL", c);
        else spec.controls.push({ ...c, index: controlNo, line: no });
        break;
      }
      default:
        break;
    }
  }
  // Controls must name known elements.
  for (const c of spec.controls) {
    if (!linkIds.has(c.link))
      err(c.line, 1, "INP_UNKNOWN_LINK", `control names link "${c.link}", which is not defined`);
    if (!nodeIds.has(c.node))
      err(c.line, 1, "INP_UNKNOWN_NODE", `control names node "${c.node}", which is not defined`);
  }
  if (spec.junctions.length === 0 && issues.length === 0)
    err(1, 1, "INP_EMPTY", "no [JUNCTIONS]: not an EPANET network");
  if (spec.hydraulicStep <= 0) err(1, 1, "INP_TIME", "hydraulic time step must be positive");
  return issues.length ? { ok: false, issues } : { ok: true, value: spec };
}

function parseControl(tk: { text: string; col: number }[]): Omit<LevelControl, "index" | "line"> | string {
  const w = tk.map((t) => t.text);
  const up = w.map((x) => x.toUpperCase());
  if (w.length !== 8 || up[0] !== "LINK" || up[3] !== "IF" || up[4] !== "NODE")
    return "only level controls are supported: LINK <id> OPEN|CLOSED IF NODE <id> BELOW|ABOVE <level>";
  if (up[2] !== "OPEN" && up[2] !== "CLOSED") return `expected OPEN or CLOSED, found "${w[2]}"`;
  if (up[6] !== "BELOW" && up[6] !== "ABOVE") return `expected BELOW or ABOVE, found "${w[6]}"`;
  const level = num(w[7] as string);
  if (level === undefined) return `expected a level, found "${w[7]}"`;
  return { link: w[1] as string, open: up[2] === "OPEN", node: w[5] as string, below: up[6] === "BELOW", level };
}
