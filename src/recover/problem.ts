/**
 * A restoration problem (docs/recover.md): what is down, how long each repair takes, and the teams that can do
 * it. Built from the model and, optionally, a crews file that overrides the model's crews. Pure; no I/O (the
 * caller reads files). Bad input comes back as located issues ([RCV-7]), never thrown.
 */
import { z } from "zod";
import { serviceWeight } from "../model/consequence.ts";
import { buildIndex, type CityIndex, servicesAtRisk } from "../model/graph.ts";
import { formatPath, type ModelIssue, nearest } from "../model/issues.ts";
import type { CityModel } from "../model/model.ts";
import { describeValue, Id, LAYERS, Layer, Length, SECTORS, Sector, Time } from "../model/primitives.ts";
import { containerOffset, locate, offsetOf, type ParsedSource, parseYaml } from "../model/source.ts";
import { convertZodIssues } from "../model/zod-issues.ts";
import { DEFAULT_CREWS, DEFAULT_REBUILD, DEFAULT_SPARE, SPARE_KINDS } from "../simulate/bind.ts";

/** A team's working hours: on for `hours` in every `every`, the first window starting at `from` ([RCV-2]). */
export type Shift = { from: number; hours: number; every: number };
export const ALWAYS: Shift = { from: 0, hours: 24, every: 24 };

export type CrewSpec = {
  id: string;
  count: number;
  layers?: Layer[];
  sectors?: Sector[];
  shift: Shift;
  /** Where it came from: "model", "default" (the simulator's defaults), "general" (the simulator's fallback crew), or the crews file. */
  source: string;
};

/** One unit of a crew: it repairs one asset at a time. */
export type Team = { crew: number; unit: number; label: string };

export type Task = {
  /** Asset node (index into the model's assets). */
  node: number;
  id: string;
  /** Work hours of the repair ([RCV-1]). */
  duration: number;
  durationSource: "backup" | "rebuild" | "default" | "given";
  /** The cap while down: 0 = down. */
  cap: number;
  /** Teams (indices) that may repair it. */
  eligible: Int32Array;
};

export type Problem = {
  model: CityModel;
  index: CityIndex;
  crews: CrewSpec[];
  teams: Team[];
  tasks: Task[];
};

const ShiftSchema = z.strictObject({ from: Time.default(0), hours: Length, every: Length.default(24) });

const CrewFileSchema = z.strictObject({
  crews: z
    .array(
      z.strictObject({
        id: Id,
        count: z
          .number({ error: (iss) => `expected a whole number of teams >= 1, found ${describeValue(iss.input)}` })
          .int({ error: (iss) => `expected a whole number of teams >= 1, found ${describeValue(iss.input)}` })
          .min(1, { error: (iss) => `expected a whole number of teams >= 1, found ${describeValue(iss.input)}` }),
        layers: z.array(Layer).min(1).optional(),
        sectors: z.array(Sector).min(1).optional(),
        shift: ShiftSchema.optional(),
      }),
    )
    .min(1, { error: "expected at least one crew: a plan needs someone to do the work" }),
  /** Repair hours per asset id, overriding the model's. */
  durations: z.record(Id, Length).optional(),
});

export type CrewFile = {
  crews: CrewSpec[];
  durations: Map<string, number>;
  where: (path: (string | number)[], atKey?: boolean) => Loc;
};
type Loc = { file: string; line: number; column: number };

function locator(src: ParsedSource | undefined, file: string) {
  return (path: (string | number)[], atKey = false): Loc => {
    if (!src) return { file, line: 1, column: 1 };
    const off = path.length ? offsetOf(src, src.data, path, atKey) : (containerOffset(src, src.data) ?? 0);
    const l = locate(src, off);
    return { file, line: l.line, column: l.column };
  };
}

const issue = (loc: Loc, path: (string | number)[], code: string, message: string): ModelIssue => ({
  severity: "error",
  code,
  ...loc,
  path: formatPath(path),
  message,
});

/** Parses a crews file ([RCV-7]): every error located by file, line, column and path. */
export function parseCrewFile(
  file: string,
  text: string,
): { ok: true; value: CrewFile } | { ok: false; issues: ModelIssue[] } {
  const p = parseYaml(file, text);
  if ("error" in p) return { ok: false, issues: [{ severity: "error", path: "", ...p.error }] };
  const where = locator(p.source, file);
  const raw = p.source.data;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    return { ok: false, issues: [issue(where([]), [], "not-a-mapping", "expected a mapping with crews: [...]")] };
  const r = CrewFileSchema.safeParse(raw, { reportInput: true });
  if (!r.success)
    return {
      ok: false,
      issues: convertZodIssues(r.error.issues, []).map((i) => issue(where(i.path, i.atKey), i.path, i.code, i.message)),
    };
  const issues: ModelIssue[] = [];
  const seen = new Set<string>();
  r.data.crews.forEach((c, i) => {
    if (seen.has(c.id))
      issues.push(
        issue(where(["crews", i, "id"]), ["crews", i, "id"], "duplicate-id", `crew "${c.id}" is listed twice`),
      );
    seen.add(c.id);
    if (c.shift && c.shift.hours > c.shift.every)
      issues.push(
        issue(
          where(["crews", i, "shift", "hours"]),
          ["crews", i, "shift", "hours"],
          "bad-shift",
          `expected shift hours <= every (${c.shift.every}h), found ${c.shift.hours}h`,
        ),
      );
  });
  if (issues.length) return { ok: false, issues };
  return {
    ok: true,
    value: {
      crews: r.data.crews.map((c) => ({
        id: c.id,
        count: c.count,
        layers: c.layers,
        sectors: c.sectors,
        shift: c.shift ?? ALWAYS,
        source: file,
      })),
      durations: new Map(Object.entries(r.data.durations ?? {})),
      where,
    },
  };
}

/** The model's crews, or the simulator's defaults when it has none (src/simulate/bind.ts), always on shift. */
export function modelCrews(model: CityModel): CrewSpec[] {
  if (model.crews.length === 0)
    return LAYERS.map((l) => ({
      id: `default-${l}`,
      count: DEFAULT_CREWS[l],
      layers: [l],
      shift: ALWAYS,
      source: "default",
    }));
  return model.crews.map((c) => ({
    id: c.id,
    count: c.count,
    layers: c.layers,
    sectors: c.sectors,
    shift: ALWAYS,
    source: "model",
  }));
}

/**
 * Repair hours of an asset [RCV-1]: an offline, tested backup's `restore`; else the model's `rebuild`; else the
 * simulator's default median for its kind (spares for field and network devices).
 */
export function repairHours(a: CityModel["assets"][number]): { hours: number; source: Task["durationSource"] } {
  if (a.backup?.offline && a.backup.tested !== undefined) return { hours: a.backup.restore, source: "backup" };
  if (a.rebuild !== undefined) return { hours: a.rebuild, source: "rebuild" };
  const med = SPARE_KINDS.has(a.kind) ? DEFAULT_SPARE : (DEFAULT_REBUILD[a.kind] ?? DEFAULT_REBUILD.other);
  return { hours: med, source: "default" };
}

/** Per asset: bit set of the sectors of the services that need it through assets alone (as the simulator matches crews). */
export function assetSectorBits(index: CityIndex): Uint32Array {
  const A = index.assetCount;
  const bits = new Uint32Array(A);
  const seen = new Int32Array(A).fill(-1);
  const stack: number[] = [];
  for (let j = 0; j < index.serviceCount; j++) {
    const bit = 1 << SECTORS.indexOf(index.model.services[j].sector);
    const push = (owner: number) => {
      for (let r = index.reqStart[owner]; r < index.reqStart[owner + 1]; r++)
        for (let m = index.memberStart[r]; m < index.memberStart[r + 1]; m++) {
          const a = index.members[m];
          if (a < A && seen[a] !== j) {
            seen[a] = j;
            stack.push(a);
          }
        }
    };
    push(A + j);
    while (stack.length) {
      const a = stack.pop() as number;
      bits[a] |= bit;
      push(a);
    }
  }
  return bits;
}

export type DownItem = { id: string; cap?: number };

/** An error in a parameter (not in a file): the caller names the parameter its own way ([RCV-7]). */
export type ProblemError = { code: string; parameter: string; message: string };

export type ProblemResult =
  | { ok: true; problem: Problem }
  | { ok: false; issues: ModelIssue[]; errors: ProblemError[] };

export type ProblemInput = {
  model: CityModel;
  index?: CityIndex;
  down: DownItem[];
  /** A parsed crews file; absent: the model's crews. */
  crewFile?: CrewFile;
  /** The parameter the down list came in, named by errors (default "down"). */
  downParameter?: string;
  sectorBits?: Uint32Array;
};

/**
 * Builds the problem [RCV-1]: tasks, teams, eligibility. Errors: unknown or repeated asset ids, a service
 * named as down, no teams, an asset no crew can repair (with a crews file; the model's crews fall back to the
 * simulator's one-team "general" crew as the simulator does). File errors are located issues; errors in the
 * down list name the parameter (`down[2]`).
 */
export function buildProblem(input: ProblemInput): ProblemResult {
  const { model } = input;
  const index = input.index ?? buildIndex(model);
  const A = index.assetCount;
  const param = input.downParameter ?? "down";
  const issues: ModelIssue[] = [];
  const errors: ProblemError[] = [];
  const paramError = (code: string, message: string, i?: number) =>
    errors.push({ code, parameter: i === undefined ? param : `${param}[${i}]`, message });
  if (input.down.length === 0) paramError("empty-down", "expected at least one asset that is down");
  const nodes: number[] = [];
  const caps: number[] = [];
  const seen = new Set<number>();
  input.down.forEach((d, i) => {
    const n = index.nodeOf.get(d.id);
    if (n === undefined) {
      const guess = nearest(
        d.id,
        model.assets.map((a) => a.id),
      );
      paramError("unknown-asset", `unknown asset "${d.id}"${guess ? `; did you mean ${guess}?` : ""}`, i);
    } else if (n >= A)
      paramError(
        "not-an-asset",
        `"${d.id}" is a service; name the assets that are down (a service is restored through them)`,
        i,
      );
    else if (seen.has(n)) paramError("duplicate-asset", `"${d.id}" is listed twice`, i);
    else {
      seen.add(n);
      nodes.push(n);
      caps.push(d.cap ?? 0);
    }
  });
  const crews = input.crewFile ? input.crewFile.crews.slice() : modelCrews(model);
  const cf = input.crewFile;
  if (cf)
    for (const id of cf.durations.keys()) {
      const n = index.nodeOf.get(id);
      if (n === undefined || n >= A) {
        const path = ["durations", id];
        issues.push(issue(cf.where(path, true), path, "unknown-asset", `unknown asset "${id}" in durations`));
      }
    }
  if (issues.length || errors.length) return { ok: false, issues, errors };
  const bits = input.sectorBits ?? assetSectorBits(index);
  const canDo = (c: CrewSpec, a: number) => {
    const x = model.assets[a];
    if (c.layers && !c.layers.includes(x.layer)) return false;
    if (c.sectors && !c.sectors.some((s) => (bits[a] & (1 << SECTORS.indexOf(s))) !== 0)) return false;
    return true;
  };
  // the simulator's rule: with the model's crews, an asset none of them covers goes to a one-team general crew
  if (!cf && model.crews.length > 0 && nodes.some((a) => !crews.some((c) => canDo(c, a))))
    crews.push({ id: "general", count: 1, shift: ALWAYS, source: "general" });
  const teams: Team[] = [];
  crews.forEach((c, ci) => {
    for (let u = 0; u < c.count; u++)
      teams.push({ crew: ci, unit: u, label: c.count > 1 ? `${c.id} #${u + 1}` : c.id });
  });
  const tasks: Task[] = [];
  nodes.forEach((a, i) => {
    const x = model.assets[a];
    const el: number[] = [];
    teams.forEach((t, k) => {
      if (canDo(crews[t.crew], a)) el.push(k);
    });
    if (el.length === 0) {
      const sect = SECTORS.filter((_, b) => (bits[a] & (1 << b)) !== 0);
      const message = `no crew can repair ${x.id} (layer ${x.layer}; sectors ${sect.join(", ") || "none"}): add a crew with that layer or sector`;
      if (cf) issues.push(issue(cf.where(["crews"]), ["crews"], "no-crew", message));
      else errors.push({ code: "no-crew", parameter: "crews", message });
      return;
    }
    const given = cf?.durations.get(x.id);
    const rh = given !== undefined ? { hours: given, source: "given" as const } : repairHours(x);
    const cap = caps[i];
    tasks.push({
      node: a,
      id: x.id,
      duration: rh.hours,
      durationSource: rh.source,
      cap,
      eligible: Int32Array.from(el),
    });
  });
  if (issues.length || errors.length) return { ok: false, issues, errors };
  return { ok: true, problem: { model, index, crews, teams, tasks } };
}

/** When work of `work` hours started at `start` ends, working only within the shift's windows [RCV-2]. */
export function finishTime(start: number, work: number, s: Shift): number {
  if (s.hours >= s.every) return start + work;
  let t = start;
  let left = work;
  for (;;) {
    const k = Math.floor((t - s.from) / s.every);
    let ws = s.from + k * s.every;
    if (t >= ws + s.hours) ws += s.every;
    if (t < ws) t = ws;
    const avail = ws + s.hours - t;
    if (left <= avail) return t + left;
    left -= avail;
    t = ws + s.every;
  }
}

/** When work started at `start` really begins (the next moment on shift). */
export function startTime(start: number, s: Shift): number {
  if (s.hours >= s.every) return start;
  const k = Math.floor((start - s.from) / s.every);
  let ws = s.from + k * s.every;
  if (start >= ws + s.hours) ws += s.every;
  return start < ws ? ws : start;
}

/** Weight x population of the services whose level can depend on the asset ([CON-1]), for ratio orders. */
export function weightedPopulationServed(p: Problem, node: number): number {
  let x = 0;
  const A = p.index.assetCount;
  for (const s of servicesAtRisk(p.index, node)) x += serviceWeight(p.model.services[s - A]) * p.index.population[s];
  return x;
}

/** Population of the services whose level can depend on the asset ([DEP-3] dependents), for simple orders. */
export function populationServed(index: CityIndex, node: number): number {
  let p = 0;
  for (const s of servicesAtRisk(index, node)) p += index.population[s];
  return p;
}
