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
import { formatPath, type ModelIssue, nearest } from "./issues.ts";
import { type CityModel, LIST_KEYS, type ListKey } from "./model.ts";
import { Crew, Person, Vendor } from "./party.ts";
import { applyPatch } from "./patch.ts";
import { ARTICLE, type EntityKind, KIND_OF_LIST, refsOf } from "./refs.ts";
import { Service } from "./service.ts";
import { containerOffset, locate, offsetOf, type ParsedSource, parseYaml } from "./source.ts";
import { convertZodIssues, type RawIssue } from "./zod-issues.ts";
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

type Origin = { src: ParsedSource; list: unknown[]; index: number };

/** Finds where a path of the merged model stands in its files. */
class Locator {
  origins: Record<string, Origin[]> = {};
  citySrc?: ParsedSource;
  constructor(readonly sources: ParsedSource[]) {}

  issue(severity: "error" | "warning", path: (string | number)[], code: string, message: string, atKey = false) {
    let src = this.sources[0];
    let offset = 0;
    const head = path[0];
    if (typeof head === "string" && head in this.origins && typeof path[1] === "number") {
      const o = this.origins[head][path[1]];
      if (o) {
        src = o.src;
        offset = offsetOf(o.src, o.list, [o.index, ...path.slice(2)], atKey);
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

/** Removes keys starting with `x-` everywhere (they are the user's own). */
function stripExtensions(v: unknown): void {
  if (Array.isArray(v)) {
    for (const x of v) if (x !== null && typeof x === "object") stripExtensions(x);
  } else if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    for (const k in o) {
      if (k.charCodeAt(0) === 120 && k.charCodeAt(1) === 45) delete o[k];
      else {
        const x = o[k];
        if (x !== null && typeof x === "object") stripExtensions(x);
      }
    }
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
  try {
    return loadInner(texts, files, push, warnings, issues, opts);
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
  for (const t of texts) {
    const r = parseYaml(t.file, t.text);
    if ("error" in r) push({ severity: "error", path: "", ...r.error });
    else sources.push(r.source);
  }
  const loc = new Locator(sources);
  const raw: RawModel = { rampart: 1 };
  for (const k of LIST_KEYS) loc.origins[k] = [];
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
      if (key.startsWith("x-")) continue;
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
          push(
            one.issue("error", ["city"], "city-duplicate", `city is already defined in ${loc.citySrc.file}`, true),
          );
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
      list.forEach((el, index) => {
        target.push(el);
        loc.origins[lk].push({ src, list, index });
      });
    }
  }
  stripExtensions(raw);
  if (raw.city === undefined && sources.length > 0 && issues.length === 0) {
    push(loc.issue("error", [], "city-missing", "missing city: {name, population} (it must appear in one file)"));
  }

  const v = validateRaw(raw, (path, code, message, atKey) => push(loc.issue("error", path, code, message, atKey)), {
    warn: (path, code, message) => warnings.push(loc.issue("warning", path, code, message)),
    checkControls: opts.checkControls ?? true,
  });
  if (issues.length > 0 || !v) return { ok: false, issues, warnings, files };
  return { ok: true, model: v, raw, warnings, files };
}

type Report = (path: (string | number)[], code: string, message: string, atKey?: boolean) => void;

/** Parsed entities cached by their raw objects, so a patched model only re-parses what changed. */
const parseCache = new WeakMap<object, { ok: true; value: unknown } | { ok: false; issues: RawIssue[] }>();

function parseEntity(list: ListKey, el: unknown) {
  const key = el !== null && typeof el === "object" ? el : undefined;
  if (key) {
    const hit = parseCache.get(key);
    if (hit) return hit;
  }
  const r = ENTITY_SCHEMAS[list].safeParse(el, { reportInput: true });
  const out = r.success
    ? ({ ok: true, value: r.data } as const)
    : ({ ok: false, issues: convertZodIssues(r.error.issues, []) } as const);
  if (key) parseCache.set(key, out);
  return out;
}

type Entities = Record<ListKey, { index: number; value: Record<string, unknown> & { id: string } }[]>;

/**
 * Validates a merged raw model: schema per entity, then semantics. Returns the CityModel, or undefined
 * if any error was reported. Used by the loader and to re-check models patched by controls.
 */
export function validateRaw(
  raw: RawModel,
  report: Report,
  opts: { warn?: Report; checkControls?: boolean } = {},
): CityModel | undefined {
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
  /** Every id seen in the raw model, valid entity or not, with its kind: references to it are not "unknown". */
  const ids = new Map<string, { kind: EntityKind; path: (string | number)[] }>();
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
            `duplicate id "${rawId}": already used by ${ARTICLE[prev.kind]} at ${formatPath(prev.path)} (ids are unique across the whole model)`,
          );
        } else ids.set(rawId, { kind, path: [list, i] });
        if ((rawId === "internet" && kind !== "zone") || rawId === "all") {
          err([list, i, "id"], "reserved-id", `"${rawId}" is reserved${rawId === "internet" ? " for the zone outside the city" : ""}; choose another id`);
        }
      }
      if (r.ok) ents[list].push({ index: i, value: r.value as Record<string, unknown> & { id: string } });
      else for (const iss of r.issues) err([list, i, ...iss.path], iss.code, iss.message, iss.atKey);
    }
  }
  if (!ids.has("internet")) ids.set("internet", { kind: "zone", path: ["zones"] });

  // References.
  const byKind = new Map<EntityKind, string[]>();
  const candidates = (k: EntityKind) => {
    let c = byKind.get(k);
    if (!c) {
      c = [];
      for (const [id, v] of ids) if (v.kind === k) c.push(id);
      byKind.set(k, c);
    }
    return c;
  };
  for (const list of LIST_KEYS) {
    for (const { index, value } of ents[list]) {
      for (const ref of refsOf(list, value)) {
        const target = ids.get(ref.id);
        if (target && ref.kinds.includes(target.kind)) continue;
        const want = ref.kinds.map((k) => ARTICLE[k]).join(" or ");
        if (target) {
          err(
            [list, index, ...ref.path],
            "wrong-kind-ref",
            `${ref.id} is ${ARTICLE[target.kind]}; ${want} was expected`,
          );
        } else {
          const pool = ref.kinds.flatMap((k) => candidates(k));
          const guess = nearest(ref.id, pool);
          err(
            [list, index, ...ref.path],
            "unknown-ref",
            `unknown ${ref.kinds.join(" or ")} "${ref.id}"${guess ? `; did you mean ${guess}?` : ""}`,
          );
        }
      }
    }
  }

  // Entity rules beyond the schema.
  const districtPop = new Map<string, number>();
  for (const { value } of ents.districts) districtPop.set(value.id, value.population as number);
  for (const { index, value } of [...ents.services]) {
    const hasPop = value.population !== undefined;
    const hasDistricts = value.districts !== undefined;
    if (hasPop === hasDistricts) {
      err(
        ["services", index],
        "population",
        hasPop
          ? "expected population or districts, not both"
          : "missing population: give population (a number) or districts (a list of district ids)",
      );
    } else if (hasDistricts) {
      let sum = 0;
      for (const d of value.districts as string[]) sum += districtPop.get(d) ?? 0;
      // parsed entities are shared with patched models: never mutate them
      const e = ents.services.find((x) => x.index === index);
      if (e) e.value = { ...value, population: sum };
    }
  }
  for (const { index, value } of ents.crews) {
    if (value.layers === undefined && value.sectors === undefined)
      err(["crews", index], "missing-field", "expected layers and/or sectors: what this crew restores");
  }
  for (const { index, value } of ents.people) {
    if (value.backup !== undefined && value.backup === value.id)
      err(["people", index, "backup"], "self-backup", `${value.id} cannot be their own backup`);
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

  if (opts.checkControls) {
    for (const { index, value } of ents.controls) {
      const control = value as unknown as CityModel["controls"][number];
      checkControl(raw, control, index, err);
    }
    if (errors > 0) return undefined;
  }
  if (opts.warn) modelWarnings(model, ents, opts.warn);
  return model;
}

/** [CTL-1] A control's patch applies to a copy of the model and the result validates. */
function checkControl(raw: RawModel, control: CityModel["controls"][number], index: number, err: Report) {
  const patched = applyPatch(raw, control.patch);
  if (!patched.ok) {
    err(["controls", index, "patch", patched.op, "target"], "bad-patch", patched.message);
    return;
  }
  const inner: { path: string; message: string }[] = [];
  validateRaw(patched.raw, (path, _code, message) => {
    if (inner.length < 3) inner.push({ path: formatPath(path), message });
  });
  if (inner.length > 0) {
    const first = inner[0];
    err(
      ["controls", index, "patch"],
      "patched-invalid",
      `control ${control.id}: the patched model is invalid: ${first.path}: ${first.message}${inner.length > 1 ? ` (and more)` : ""}`,
    );
  }
}

function modelWarnings(model: CityModel, ents: Entities, warn: Report) {
  // Assets that no service needs, directly or through other assets and services.
  const needs = new Map<string, string[]>();
  for (const s of model.services) needs.set(s.id, s.requires.flatMap((r) => r.members));
  for (const a of model.assets) needs.set(a.id, a.requires.flatMap((r) => r.members));
  const needed = new Set<string>();
  const stack: string[] = [];
  for (const s of model.services) stack.push(...(needs.get(s.id) ?? []));
  while (stack.length) {
    const id = stack.pop() as string;
    if (needed.has(id)) continue;
    needed.add(id);
    for (const m of needs.get(id) ?? []) if (!needed.has(m)) stack.push(m);
  }
  ents.assets.forEach(({ index, value }) => {
    if (!needed.has(value.id)) warn(["assets", index], "unneeded-asset", `no service needs asset ${value.id}`);
  });
  ents.services.forEach(({ index, value }) => {
    if (value.objectives === undefined)
      warn(["services", index], "no-objectives", `service ${value.id} has no objectives (rto, mtd, restore)`);
  });
  const used = new Set(model.assets.map((a) => a.zone as string));
  ents.zones.forEach(({ index, value }) => {
    if (value.id !== "internet" && !used.has(value.id))
      warn(["zones", index], "empty-zone", `zone ${value.id} has no assets`);
  });
}
