/**
 * Loading a model: YAML files (one, or a folder merged), schema validation per entity, semantic validation
 * (references, ids, populations), control patches ([CTL-1]) and warnings. It never throws for bad input:
 * every problem comes back as a located ModelIssue.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { Asset } from "./asset.ts";
import { City, District } from "./city.ts";
import { Control } from "./control.ts";
import { isKnownExtension, KNOWN_EXTENSIONS, type ModelExtensions } from "./extensions.ts";
import { formatPath, type ModelIssue, nearest } from "./issues.ts";
import { LIMITS, ParseBudget, type ParseLimits } from "./limits.ts";
import { type CityModel, LIST_KEYS, type ListKey } from "./model.ts";
import { Crew, Person, Vendor } from "./party.ts";
import { applyPatch } from "./patch.ts";
import { ID_PATTERN } from "./primitives.ts";
import { ARTICLE, type EntityKind, forEachRef, KIND_OF_LIST } from "./refs.ts";
import { Requirement } from "./requirement.ts";
import { Service } from "./service.ts";
import { containerOffset, locate, offsetOf, type ParsedSource, parseYaml } from "./source.ts";
import { convertZodIssues } from "./zod-issues.ts";
import { Conduit, Zone } from "./zone.ts";

export const ENTITY_SCHEMAS = {
  districts: District,
  services: Service,
  assets: Asset,
  zones: Zone,
  conduits: Conduit,
  vendors: Vendor,
  crews: Crew,
  controls: Control,
  people: Person,
} as const;

/** The merged, raw model (plain YAML data, `x-` keys removed). Controls patch this. */
export type RawModel = { rampart?: unknown; city?: unknown } & Partial<Record<ListKey, unknown[]>>;

export type LoadResult =
  | { ok: true; model: CityModel; raw: RawModel; warnings: ModelIssue[]; files: string[] }
  | { ok: false; issues: ModelIssue[]; warnings: ModelIssue[]; files: string[] };

export type LoadOptions = {
  /** Stop collecting errors after this many (default 200). */
  maxErrors?: number;
  /** Check every control's patch against the model (default true). */
  checkControls?: boolean;
  /** Parsing limits for the model's files together ([LIM-1], [LIM-2]; default LIMITS.yaml). */
  limits?: ParseLimits;
  /** The clock the parse-time limit is measured with (default: the process's monotonic clock). */
  clock?: () => number;
};

export type SourceText = { file: string; text: string };

/** Lists the YAML files of a model path (a file, or a folder and its subfolders, in path order). */
export async function modelFiles(path: string): Promise<string[] | ModelIssue> {
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(path);
  } catch {
    return fileIssue(path, "not-found", `no such file or folder: ${path}`);
  }
  if (st.isFile()) return [path];
  if (!st.isDirectory()) return fileIssue(path, "not-found", `not a file or folder: ${path}`);
  const out: string[] = [];
  const walk = async (dir: string) => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && /\.ya?ml$/i.test(e.name)) out.push(p);
    }
  };
  await walk(path);
  if (out.length === 0) return fileIssue(path, "no-files", `no .yaml or .yml files in folder ${path}`);
  return out;
}

function fileIssue(file: string, code: string, message: string): ModelIssue {
  return { severity: "error", code, file, line: 1, column: 1, path: "", message };
}

/** Loads a model from a file or folder. */
export async function loadModel(path: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const files = await modelFiles(path);
  if (!Array.isArray(files)) return { ok: false, issues: [files], warnings: [], files: [] };
  const base = resolve(path);
  const sources: SourceText[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = await readFile(f, "utf8");
    } catch (e) {
      return {
        ok: false,
        issues: [fileIssue(f, "unreadable", `cannot read file: ${(e as NodeJS.ErrnoException).code ?? "error"}`)],
        warnings: [],
        files,
      };
    }
    const shown = files.length === 1 && f === path ? f : join(path, relative(base, resolve(f)));
    sources.push({ file: shown, text });
  }
  return loadModelFromSources(sources, opts);
}

/** A run of a merged list that came from one file: merged positions start .. start + list.length - 1. */
type Chunk = { src: ParsedSource; key: ListKey; length: number; start: number };

/** Finds where a path of the merged model stands in its files. */
class Locator {
  chunks: Record<string, Chunk[]> = {};
  citySrc?: ParsedSource;
  constructor(readonly sources: ParsedSource[]) {}

  issue(severity: "error" | "warning", path: (string | number)[], code: string, message: string, atKey = false) {
    let src = this.sources[0];
    let offset = 0;
    const head = path[0];
    if (typeof head === "string" && head in this.chunks && typeof path[1] === "number") {
      const i = path[1];
      const o = this.chunks[head].find((c) => i >= c.start && i < c.start + c.length);
      if (o) {
        src = o.src;
        offset = offsetOf(o.src, o.src.data, [o.key, i - o.start, ...path.slice(2)], atKey);
      }
    } else if (head === "city" && this.citySrc) {
      src = this.citySrc;
      offset = offsetOf(src, src.data, path, atKey);
    } else if (src) {
      offset = path.length ? offsetOf(src, src.data, path, atKey) : (containerOffset(src, src.data) ?? 0);
    }
    const loc = src ? locate(src, offset) : { line: 1, column: 1 };
    return {
      severity,
      code,
      file: src?.file ?? "<model>",
      line: loc.line,
      column: loc.column,
      path: formatPath(path),
      message,
    } satisfies ModelIssue;
  }
}

const TOP_KEYS = new Set<string>(["rampart", "city", ...LIST_KEYS]);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Removes the keys starting with `x-` (the user's own) from the mappings the parser saw them in. */
function stripExtensions(sources: ParsedSource[]): void {
  for (const src of sources) {
    if (!src.positioned) {
      walkExtensions(src.data);
      continue;
    }
    if (src.extended.length === 0) continue;
    src.originalKeys = new Map();
    for (const o of src.extended) {
      const keys = Object.keys(o);
      src.originalKeys.set(o, keys);
      for (const k of keys) if (k.startsWith("x-")) delete (o as Record<string, unknown>)[k];
    }
  }
}

/** Removes `x-` keys everywhere below a value (for sources parsed without positions). */
function walkExtensions(v: unknown): void {
  if (v === null || typeof v !== "object") return;
  if (Array.isArray(v)) {
    for (const x of v) walkExtensions(x);
    return;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    if (k.charCodeAt(0) === 120 && k.charCodeAt(1) === 45) delete o[k];
    else walkExtensions(o[k]);
  }
}

class TooMany extends Error {}

/** Loads a model from texts already read (the server's uploads use this). */
export function loadModelFromSources(texts: SourceText[], opts: LoadOptions = {}): LoadResult {
  const maxErrors = opts.maxErrors ?? 200;
  const files = texts.map((t) => t.file);
  const issues: ModelIssue[] = [];
  const warnings: ModelIssue[] = [];
  const push = (i: ModelIssue) => {
    if (i.severity === "warning") {
      warnings.push(i);
      return;
    }
    issues.push(i);
    if (issues.length >= maxErrors) throw new TooMany();
  };
  const byPlace = (list: ModelIssue[]) => {
    const order = new Map(files.map((f, i) => [f, i]));
    list.sort((a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) || a.line - b.line || a.column - b.column);
  };
  try {
    const r = loadInner(texts, files, push, warnings, issues, opts);
    byPlace(warnings);
    if (!r.ok) byPlace(r.issues);
    return r;
  } catch (e) {
    if (!(e instanceof TooMany)) throw e;
    issues.push({
      severity: "error",
      code: "too-many-errors",
      file: files[0] ?? "<model>",
      line: 1,
      column: 1,
      path: "",
      message: `stopped after ${maxErrors} errors`,
    });
    return { ok: false, issues, warnings, files };
  }
}

function loadInner(
  texts: SourceText[],
  files: string[],
  push: (i: ModelIssue) => void,
  warnings: ModelIssue[],
  issues: ModelIssue[],
  opts: LoadOptions,
): LoadResult {
  const sources: ParsedSource[] = [];
  // One budget for all the files: the limits hold per model, not per file.
  const budget = new ParseBudget(opts.limits ?? LIMITS.yaml, opts.clock ?? (() => performance.now()));
  for (const t of texts) {
    // Large files are parsed without positions: they are found again only if an issue needs them.
    const r = parseYaml(t.file, t.text, t.text.length < 200_000, budget);
    if ("error" in r) {
      push({ severity: "error", path: "", ...r.error });
      if (r.error.code.endsWith("-limit")) break; // the budget is spent: the other files cannot pass either
    } else sources.push(r.source);
  }
  const loc = new Locator(sources);
  const raw: RawModel = { rampart: 1 };
  const extensions: ModelExtensions = { actors: [] };
  let hasExtensions = false;
  for (const k of LIST_KEYS) loc.chunks[k] = [];
  for (const src of sources) {
    const one = new Locator([src]);
    const data = src.data;
    if (!isPlainObject(data)) {
      push(one.issue("error", [], "not-a-mapping", "expected a mapping with rampart: 1 at the top of the file"));
      continue;
    }
    if (data.rampart !== 1) {
      push(
        one.issue(
          "error",
          data.rampart === undefined ? [] : ["rampart"],
          "bad-version",
          data.rampart === undefined
            ? "missing rampart: 1 (the format version) at the top of the file"
            : `expected rampart: 1 (the only format version), found ${JSON.stringify(data.rampart)}`,
        ),
      );
    }
    for (const key of Object.keys(data)) {
      if (key.startsWith("x-")) {
        if (!isKnownExtension(key)) continue; // the user's own
        hasExtensions = true;
        const list = data[key];
        if (list === null) continue;
        if (!Array.isArray(list)) {
          push(one.issue("error", [key], "invalid-type", `expected ${key} to be a list`));
          continue;
        }
        list.forEach((el, i) => {
          const r = KNOWN_EXTENSIONS[key].safeParse(el);
          if (r.success) extensions.actors.push(r.data);
          else
            for (const iss of convertZodIssues(r.error.issues, []))
              push(one.issue("error", [key, i, ...iss.path], iss.code, iss.message, iss.atKey));
        });
        continue;
      }
      if (!TOP_KEYS.has(key)) {
        const guess = nearest(key, TOP_KEYS);
        push(
          one.issue(
            "error",
            [key],
            "unknown-key",
            `unknown top-level field "${key}"${guess ? ` (did you mean ${guess}?)` : ""}`,
            true,
          ),
        );
        continue;
      }
      if (key === "rampart") continue;
      if (key === "city") {
        if (loc.citySrc) {
          push(one.issue("error", ["city"], "city-duplicate", `city is already defined in ${loc.citySrc.file}`, true));
          continue;
        }
        loc.citySrc = src;
        raw.city = data.city;
        continue;
      }
      const list = data[key];
      if (list === null) continue;
      if (!Array.isArray(list)) {
        push(one.issue("error", [key], "invalid-type", `expected ${key} to be a list`));
        continue;
      }
      const lk = key as ListKey;
      const target = raw[lk] ?? [];
      raw[lk] = target;
      loc.chunks[lk].push({ src, key: lk, length: list.length, start: target.length });
      for (const el of list) target.push(el);
    }
  }
  stripExtensions(sources);
  if (raw.city === undefined && sources.length > 0 && issues.length === 0) {
    push(loc.issue("error", [], "city-missing", "missing city: {name, population} (it must appear in one file)"));
  }

  const v = validateRaw(raw, (path, code, message, atKey) => push(loc.issue("error", path, code, message, atKey)), {
    warn: (path, code, message) => warnings.push(loc.issue("warning", path, code, message)),
    checkControls: opts.checkControls ?? true,
  });
  if (issues.length > 0 || !v) return { ok: false, issues, warnings, files };
  if (hasExtensions) v.extensions = extensions;
  return { ok: true, model: v, raw, warnings, files };
}

type Report = (path: (string | number)[], code: string, message: string, atKey?: boolean) => void;

function parseEntity(list: ListKey, el: unknown) {
  const r = ENTITY_SCHEMAS[list].safeParse(el, { reportInput: true });
  return r.success
    ? ({ ok: true, value: r.data as Entity } as const)
    : ({ ok: false, issues: convertZodIssues(r.error.issues, []) } as const);
}

type Entity = Record<string, unknown> & { id: string };
type Entities = Record<ListKey, { index: number; value: Entity }[]>;
type IdInfo = { kind: EntityKind; list: ListKey; index: number };

const LIST_INDEX = new Map<ListKey, number>(LIST_KEYS.map((k, i) => [k, i]));
const SLOT = 2 ** 26;

/** Every id of the model and where it is defined, as one number per id (no object per entity). */
class IdTable {
  private readonly m = new Map<string, number>();
  set(id: string, list: ListKey, index: number) {
    this.m.set(id, (LIST_INDEX.get(list) as number) * SLOT + index + 1);
  }
  has(id: string) {
    return this.m.has(id);
  }
  kind(id: string): EntityKind | undefined {
    const c = this.m.get(id);
    return c === undefined ? undefined : KIND_OF_LIST[LIST_KEYS[Math.floor(c / SLOT)]];
  }
  get(id: string): IdInfo | undefined {
    const c = this.m.get(id);
    if (c === undefined) return undefined;
    const list = LIST_KEYS[Math.floor(c / SLOT)];
    return { kind: KIND_OF_LIST[list], list, index: (c % SLOT) - 1 };
  }
  *withKind(kind: EntityKind): Generator<string> {
    for (const [id, c] of this.m) if (KIND_OF_LIST[LIST_KEYS[Math.floor(c / SLOT)]] === kind) yield id;
  }
}

/** A validated model with what control checks need to re-check a patched copy incrementally. */
type Validated = {
  model: CityModel;
  raw: RawModel;
  ents: Entities;
  ids: IdTable;
  reverse?: Map<string, IdInfo[]>;
};

/**
 * Validates a merged raw model: schema per entity, then semantics. Returns the CityModel, or undefined
 * if any error was reported. Used by the loader and to re-check models patched by controls.
 */
export function validateRaw(
  raw: RawModel,
  report: Report,
  opts: { warn?: Report; checkControls?: boolean } = {},
): CityModel | undefined {
  return validateFull(raw, report, opts)?.model;
}

function unknownRefMessage(
  id: string,
  kinds: readonly EntityKind[],
  found: EntityKind | undefined,
  pool: () => string[],
) {
  if (found)
    return {
      code: "wrong-kind-ref",
      message: `${id} is ${ARTICLE[found]}; ${kinds.map((k) => ARTICLE[k]).join(" or ")} was expected`,
    };
  const guess = nearest(id, pool());
  return {
    code: "unknown-ref",
    message: `unknown ${kinds.join(" or ")} "${id}"${guess ? `; did you mean ${guess}?` : ""}`,
  };
}

const isId = (v: unknown): v is string => typeof v === "string" && ID_PATTERN.test(v);

/**
 * The well-formed references of an entity that failed its schema, so that its reference errors are reported
 * in the same run. Fields of the wrong type are left out (their schema errors are already reported).
 */
function lenient(list: ListKey, el: unknown): Entity | undefined {
  if (!isPlainObject(el)) return undefined;
  const o: Record<string, unknown> = { id: String(el.id) };
  const ids = (v: unknown) => (Array.isArray(v) ? v.map((x) => (isId(x) ? x : "")) : []);
  const reqs = (v: unknown) =>
    (Array.isArray(v) ? v : []).map((r) => {
      const p = Requirement.safeParse(r);
      return p.success ? p.data : { kind: "all", k: 0, members: [], degrade: 0 };
    });
  const keepIds = (v: unknown) => ids(v).filter((x) => x !== "");
  switch (list) {
    case "services":
      if (Array.isArray(el.districts)) o.districts = keepIds(el.districts);
      o.requires = reqs(el.requires);
      break;
    case "assets":
      o.zone = isId(el.zone) ? el.zone : undefined;
      if (isId(el.vendor)) o.vendor = el.vendor;
      o.requires = reqs(el.requires);
      break;
    case "conduits":
      for (const f of ["from", "to", "via"]) if (isId(el[f])) o[f] = el[f];
      break;
    case "vendors":
      o.remote_access = (Array.isArray(el.remote_access) ? el.remote_access : []).map((ra) =>
        isPlainObject(ra) ? { to: isId(ra.to) ? ra.to : undefined, via: isId(ra.via) ? ra.via : undefined } : {},
      );
      break;
    case "people":
      o.responsible = keepIds(el.responsible);
      if (isId(el.backup)) o.backup = el.backup;
      break;
    default:
      return undefined;
  }
  return o as Entity;
}

/** Rules on one entity beyond its schema; returns the entity, completed (a service's population from districts). */
function entityRules(
  list: ListKey,
  value: Entity,
  districtPop: (id: string) => number,
  err: (path: (string | number)[], code: string, message: string) => void,
): Entity {
  if (list === "services") {
    const hasPop = value.population !== undefined;
    const hasDistricts = value.districts !== undefined;
    if (hasPop === hasDistricts) {
      err(
        [],
        "population",
        hasPop
          ? "expected population or districts, not both"
          : "missing population: give population (a number) or districts (a list of district ids)",
      );
    } else if (hasDistricts) {
      let sum = 0;
      for (const d of value.districts as string[]) sum += districtPop(d);
      return { ...value, population: sum };
    }
  } else if (list === "crews") {
    if (value.layers === undefined && value.sectors === undefined)
      err([], "missing-field", "expected layers and/or sectors: what this crew restores");
  } else if (list === "people") {
    if (value.backup !== undefined && value.backup === value.id)
      err(["backup"], "self-backup", `${value.id} cannot be their own backup`);
  }
  return value;
}

function validateFull(
  raw: RawModel,
  report: Report,
  opts: { warn?: Report; checkControls?: boolean },
): Validated | undefined {
  let errors = 0;
  const err: Report = (...a) => {
    errors++;
    report(...a);
  };
  // Schema, entity by entity.
  let city: CityModel["city"] | undefined;
  if (raw.city !== undefined) {
    const r = City.safeParse(raw.city, { reportInput: true });
    if (r.success) city = r.data;
    else for (const i of convertZodIssues(r.error.issues, ["city"])) err(i.path, i.code, i.message, i.atKey);
  }
  const ents = {} as Entities;
  /** Every id seen in the raw model, valid entity or not: references to it are not "unknown". */
  const ids = new IdTable();
  /** Entities that failed their schema: their well-formed references are still checked. */
  const failed: { list: ListKey; index: number; value: Entity }[] = [];
  for (const list of LIST_KEYS) {
    ents[list] = [];
    const kind = KIND_OF_LIST[list];
    const items = raw[list] ?? [];
    for (let i = 0; i < items.length; i++) {
      const el = items[i];
      const r = parseEntity(list, el);
      const rawId = isPlainObject(el) ? el.id : undefined;
      if (typeof rawId === "string") {
        const prev = ids.get(rawId);
        if (prev) {
          err(
            [list, i, "id"],
            "duplicate-id",
            `duplicate id "${rawId}": already used by ${ARTICLE[prev.kind]} at ${formatPath([prev.list, prev.index])} (ids are unique across the whole model)`,
          );
        } else ids.set(rawId, list, i);
        if ((rawId === "internet" && kind !== "zone") || rawId === "all") {
          err(
            [list, i, "id"],
            "reserved-id",
            `"${rawId}" is reserved${rawId === "internet" ? " for the zone outside the city" : ""}; choose another id`,
          );
        }
      }
      if (r.ok) ents[list].push({ index: i, value: r.value });
      else {
        for (const iss of r.issues) err([list, i, ...iss.path], iss.code, iss.message, iss.atKey);
        const partial = lenient(list, el);
        if (partial) failed.push({ list, index: i, value: partial });
      }
    }
  }
  if (!ids.has("internet")) ids.set("internet", "zones", -1);

  // References.
  const byKind = new Map<EntityKind, string[]>();
  const candidates = (kinds: readonly EntityKind[]) => () => {
    const out: string[] = [];
    for (const k of kinds) {
      let c = byKind.get(k);
      if (!c) {
        c = [];
        for (const id of ids.withKind(k)) c.push(id);
        byKind.set(k, c);
      }
      out.push(...c);
    }
    return out;
  };
  const checkRefs = (list: ListKey, index: number, value: Entity) =>
    forEachRef(list, value, (id, kinds, path) => {
      const target = ids.kind(id);
      if (target !== undefined && kinds.includes(target)) return;
      const m = unknownRefMessage(id, kinds, target, candidates(kinds));
      err([list, index, ...path()], m.code, m.message);
    });
  for (const list of LIST_KEYS) for (const { index, value } of ents[list]) checkRefs(list, index, value);
  for (const { list, index, value } of failed) checkRefs(list, index, value);

  // Entity rules beyond the schema.
  const districtPop = new Map<string, number>();
  for (const { value } of ents.districts) districtPop.set(value.id, value.population as number);
  for (const list of ["services", "crews", "people"] as const) {
    for (const e of ents[list]) {
      e.value = entityRules(
        list,
        e.value,
        (d) => districtPop.get(d) ?? 0,
        (path, code, message) => err([list, e.index, ...path], code, message),
      );
    }
  }

  if (errors > 0 || city === undefined) return undefined;

  const zones = ents.zones.map((e) => e.value) as CityModel["zones"];
  if (!zones.some((z) => z.id === "internet")) zones.push({ id: "internet" as never, name: "Internet", level: 5 });
  const model = {
    city,
    districts: ents.districts.map((e) => e.value),
    services: ents.services.map((e) => e.value),
    assets: ents.assets.map((e) => e.value),
    zones,
    conduits: ents.conduits.map((e) => e.value),
    vendors: ents.vendors.map((e) => e.value),
    crews: ents.crews.map((e) => e.value),
    controls: ents.controls.map((e) => e.value),
    people: ents.people.map((e) => e.value),
  } as unknown as CityModel;
  const v: Validated = { model, raw, ents, ids };

  if (opts.checkControls) {
    for (const { index, value } of ents.controls)
      checkControl(v, value as unknown as CityModel["controls"][number], index, err);
    if (errors > 0) return undefined;
  }
  if (opts.warn) modelWarnings(model, ents, ids, opts.warn);
  return v;
}

/** Who refers to each id, built once, on the first control that removes or renames something. */
function reverseRefs(v: Validated): Map<string, IdInfo[]> {
  if (v.reverse) return v.reverse;
  const rev = new Map<string, IdInfo[]>();
  for (const list of LIST_KEYS) {
    const kind = KIND_OF_LIST[list];
    for (const { index, value } of v.ents[list]) {
      forEachRef(list, value, (id) => {
        const l = rev.get(id);
        const info = { kind, list, index };
        if (l) l.push(info);
        else rev.set(id, [info]);
      });
    }
  }
  v.reverse = rev;
  return rev;
}

/**
 * [CTL-1] A control's patch applies to a copy of the model and the result validates. Incremental: only the
 * entities the patch adds or changes are parsed and checked, plus every reference to what it removes.
 */
function checkControl(v: Validated, control: CityModel["controls"][number], index: number, err: Report) {
  const patched = applyPatch(v.raw, control.patch);
  if (!patched.ok) {
    err(["controls", index, "patch", patched.op, "target"], "bad-patch", patched.message);
    return;
  }
  const problems: string[] = [];
  const note = (where: string, message: string) => problems.push(`${where}: ${message}`);
  const removedIds = new Map<string, EntityKind>();
  const removedObjects = new Set<unknown>();
  for (const ch of patched.changes) {
    for (const o of ch.removed) {
      removedObjects.add(o);
      if (isPlainObject(o) && typeof o.id === "string") removedIds.set(o.id, KIND_OF_LIST[ch.list]);
    }
  }
  const addedIds = new Map<string, EntityKind>();
  const fresh: { list: ListKey; value: Entity }[] = [];
  for (const ch of patched.changes) {
    const kind = KIND_OF_LIST[ch.list];
    for (const o of ch.added) {
      const id = isPlainObject(o) && typeof o.id === "string" ? o.id : "?";
      const r = parseEntity(ch.list, o);
      if (!r.ok) {
        const first = r.issues[0];
        note(`${ch.list}.${id}${first.path.length ? `: ${formatPath(first.path)}` : ""}`, first.message);
        continue;
      }
      if (addedIds.has(id) || (v.ids.has(id) && !removedIds.has(id))) note(`${ch.list}.${id}`, `duplicate id "${id}"`);
      addedIds.set(id, kind);
      fresh.push({ list: ch.list, value: r.value });
    }
  }
  const kindOf = (id: string) =>
    addedIds.get(id) ?? (removedIds.has(id) ? undefined : (v.ids.kind(id) ?? (id === "internet" ? "zone" : undefined)));
  const districtPop = (d: string) => {
    const f = fresh.find((x) => x.list === "districts" && x.value.id === d);
    if (f) return f.value.population as number;
    const info = removedIds.has(d) ? undefined : v.ids.get(d);
    const e = info ? v.ents.districts.find((x) => x.index === info.index) : undefined;
    return (e?.value.population as number | undefined) ?? 0;
  };
  for (const { list, value } of fresh) {
    forEachRef(list, value, (id, kinds, path) => {
      const k = kindOf(id);
      if (k && kinds.includes(k)) return;
      const m = unknownRefMessage(id, kinds, k, () => []);
      note(`${list}.${value.id}.${formatPath(path())}`, m.message);
    });
    entityRules(list, value, districtPop, (path, _code, message) =>
      note(`${list}.${value.id}${path.length ? `.${formatPath(path)}` : ""}`, message),
    );
  }
  const gone = [...removedIds.keys()].filter((id) => !addedIds.has(id));
  if (gone.length > 0) {
    const rev = reverseRefs(v);
    for (const id of gone) {
      for (const who of rev.get(id) ?? []) {
        const rawObj = v.raw[who.list]?.[who.index];
        if (removedObjects.has(rawObj)) continue; // the patch changed the referrer too: checked above
        const whoId = (rawObj as Entity | undefined)?.id ?? "?";
        note(
          `${who.list}.${whoId}`,
          `refers to ${id}, which the patch removes (unknown ${removedIds.get(id)} "${id}")`,
        );
      }
    }
  }
  if (problems.length > 0) {
    err(
      ["controls", index, "patch"],
      "patched-invalid",
      `control ${control.id}: the patched model is invalid: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ""}`,
    );
  }
}

function modelWarnings(model: CityModel, ents: Entities, ids: IdTable, warn: Report) {
  // Assets that no service needs, directly or through other assets and services. Called on a valid model,
  // where ents[list][i] is raw entity i, so the id map leads straight to each entity's requirements.
  const seenAsset = new Uint8Array(model.assets.length);
  const seenService = new Uint8Array(model.services.length);
  const stack: string[] = [];
  const pushMembers = (reqs: CityModel["assets"][number]["requires"]) => {
    for (const r of reqs) for (const m of r.members) stack.push(m);
  };
  for (const s of model.services) pushMembers(s.requires);
  while (stack.length) {
    const info = ids.get(stack.pop() as string);
    if (!info) continue;
    const seen = info.list === "assets" ? seenAsset : info.list === "services" ? seenService : undefined;
    if (!seen || seen[info.index]) continue;
    seen[info.index] = 1;
    pushMembers((info.list === "assets" ? model.assets : model.services)[info.index].requires);
  }
  for (let i = 0; i < model.assets.length; i++)
    if (!seenAsset[i]) warn(["assets", i], "unneeded-asset", `no service needs asset ${model.assets[i].id}`);
  for (const { index, value } of ents.services)
    if (value.objectives === undefined)
      warn(["services", index], "no-objectives", `service ${value.id} has no objectives (rto, mtd, restore)`);
  // objectives that contradict each other ([OBJ-1] to [OBJ-3], docs/specs/findings.md)
  ents.services.forEach(({ index }, k) => {
    const o = model.services[k]?.objectives;
    if (!o) return;
    const id = model.services[k].id;
    const h = (x: number) => (x >= 48 && x % 24 === 0 ? `${x / 24}d` : `${Math.round(x * 100) / 100}h`);
    if (o.rto !== undefined && o.mtd !== undefined && o.rto > o.mtd)
      warn(
        ["services", index, "objectives", "rto"],
        "rto-beyond-mtd",
        `service ${id}: rto ${h(o.rto)} is beyond its mtd ${h(o.mtd)}: the service is declared lost before its recovery target`,
      );
    const steps = (o.restore ?? []).map((r, i) => ({ ...r, i })).sort((a, b) => a.within - b.within || a.i - b.i);
    let best = { level: 0, within: 0 };
    for (const r of steps) {
      if (r.level < best.level)
        warn(
          ["services", index, "objectives", "restore", r.i],
          "restore-level-down",
          `service ${id}: restore level ${r.level} within ${h(r.within)} is lower than ${best.level} within ${h(best.within)}: restore levels must not go down over time`,
        );
      else best = r;
    }
    // [DEP-8] the mtd is breached while the level stays below the fallback level (1 without a fallback): the
    // first restore step that reaches it must come within the mtd
    const floor = model.services[k].fallback?.level ?? 1;
    const reach = steps.find((r) => r.level >= floor);
    if (o.mtd !== undefined && steps.length && (!reach || reach.within > o.mtd)) {
      const at = reach ?? steps[steps.length - 1];
      warn(
        ["services", index, "objectives", "restore", at.i, "within"],
        "restore-beyond-mtd",
        reach
          ? `service ${id}: restore level ${reach.level} within ${h(reach.within)} is beyond its mtd ${h(o.mtd)}: the objectives accept the service below ${floor} for longer than the mtd`
          : `service ${id}: no restore step reaches level ${floor} (the ${model.services[k].fallback ? "fallback level" : "full service"}), so the objectives accept the service below it for longer than its mtd ${h(o.mtd)}`,
      );
    }
  });
  const used = new Set<string>();
  for (const a of model.assets) used.add(a.zone);
  for (const { index, value } of ents.zones)
    if (value.id !== "internet" && !used.has(value.id))
      warn(["zones", index], "empty-zone", `zone ${value.id} has no assets`);
}
