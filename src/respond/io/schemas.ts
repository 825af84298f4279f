/**
 * The OASIS CACAO 2.0 JSON schemas (oasis-open/cacao-json-schemas, Apache-2.0, see cacao-schemas/LICENSE;
 * the same files as ../shared/data/cacao/schemas, copied so that validation needs nothing outside the
 * repository), read once from this folder. The only file of src/respond that reads files.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export const CACAO_SCHEMA_DIR = join(import.meta.dirname, "cacao-schemas");

let cached: Record<string, unknown>[] | undefined;

/** Every schema file, parsed (each has its own `$id`). */
export function cacaoSchemas(): Record<string, unknown>[] {
  if (cached) return cached;
  const walk = (d: string): string[] =>
    readdirSync(d)
      .sort()
      .flatMap((f) => {
        const p = join(d, f);
        return statSync(p).isDirectory() ? walk(p) : p.endsWith(".json") ? [p] : [];
      });
  cached = walk(CACAO_SCHEMA_DIR).map((f) => JSON.parse(readFileSync(f, "utf8")) as Record<string, unknown>);
  return cached;
}
