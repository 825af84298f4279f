/** The OASIS STIX 2.1 JSON schemas (../shared/data/stix2-schemas), compiled once with ajv (draft 2020-12, formats on). */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

export const SCHEMAS = join(import.meta.dirname, "../../../shared/data/stix2-schemas");
export const HAVE_SCHEMAS = existsSync(join(SCHEMAS, "schemas/common/bundle.json"));
const BASE = "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/";

type Validate = ((x: unknown) => boolean) & { errors?: unknown };
let ajv: InstanceType<typeof Ajv2020> | undefined;
const byType = new Map<string, Validate>();

function load() {
  if (ajv) return ajv;
  ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true, unicodeRegExp: false });
  addFormats(ajv);
  // ajv-formats has no idn-hostname: labels of letters (any script), digits and hyphens, dot-separated
  ajv.addFormat(
    "idn-hostname",
    /^(?=.{1,253}$)([\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)*[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u,
  );
  for (const dir of ["common", "sdos", "sros", "observables"]) {
    for (const f of readdirSync(join(SCHEMAS, "schemas", dir))) {
      if (!f.endsWith(".json")) continue;
      const schema = JSON.parse(readFileSync(join(SCHEMAS, "schemas", dir, f), "utf8"));
      ajv.addSchema(schema);
      byType.set(dir === "common" ? f.replace(/\.json$/, "") : String(schema.title), undefined as never);
    }
  }
  return ajv;
}

/** Schema errors of one object (its type's schema; core for types without one), as short strings. */
export function objectErrors(o: { type?: unknown }): string[] {
  const a = load();
  const type = String(o.type);
  const dir = ["relationship", "sighting"].includes(type)
    ? "sros"
    : type === "marking-definition" ||
        type === "bundle" ||
        type === "extension-definition" ||
        type === "language-content"
      ? "common"
      : existsSync(join(SCHEMAS, "schemas/sdos", `${type}.json`))
        ? "sdos"
        : existsSync(join(SCHEMAS, "schemas/observables", `${type}.json`))
          ? "observables"
          : "common";
  const id = `${BASE}${dir}/${dir === "common" && !existsSync(join(SCHEMAS, "schemas/common", `${type}.json`)) ? "core" : type}.json`;
  const v = a.getSchema(id) as Validate | undefined;
  if (!v) return [`no schema ${id}`];
  if (v(o)) return [];
  return ((v.errors as { instancePath: string; message: string }[]) ?? []).map(
    (e) => `${type} ${e.instancePath} ${e.message}`,
  );
}

/** Types the OASIS bundle schema lists (its other branch, for custom objects, refuses standard-looking SDOs). */
function bundleTypes(): Set<string> {
  const b = JSON.parse(readFileSync(join(SCHEMAS, "schemas/common/bundle.json"), "utf8"));
  const refs: { $ref: string }[] = b.properties.objects.items.anyOf[0].oneOf;
  return new Set(refs.map((r) => r.$ref.replace(/^.*\//, "").replace(/\.json$/, "")));
}

/**
 * Schema errors of a bundle: every object against its own type's schema, each type among those the bundle
 * schema lists, and the bundle schema itself on the bundle with a sample of its objects (the full anyOf over
 * every type for every object says the same and is far slower).
 */
export function bundleErrors(b: { objects?: unknown[] }): string[] {
  const errs: string[] = [];
  const listed = bundleTypes();
  const sample = new Map<string, unknown>();
  for (const o of b.objects ?? []) {
    const x = o as { id?: string; type?: string };
    errs.push(...objectErrors(x).map((e) => `${x.id}: ${e}`));
    if (!listed.has(String(x.type))) errs.push(`${x.id}: type ${x.type} is not among the bundle schema's types`);
    if (!sample.has(String(x.type))) sample.set(String(x.type), o);
  }
  if (!errs.length) errs.push(...objectErrors({ ...b, objects: [...sample.values()] } as { type?: unknown }));
  return errs;
}
