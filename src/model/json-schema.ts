/** The JSON Schema of one model file, derived from the zod schemas, for editors (YAML language server). */
import { z } from "zod";
import { ModelSchema } from "./model.ts";

type Json = Record<string, unknown>;

function allowExtensions(node: unknown): void {
  if (Array.isArray(node)) {
    for (const n of node) allowExtensions(n);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const o = node as Json;
  if (o.type === "object" && o.additionalProperties === false) o.patternProperties = { "^x-": {} };
  for (const v of Object.values(o)) allowExtensions(v);
}

export function modelJsonSchema(): Json {
  const schema = z.toJSONSchema(ModelSchema, { io: "input", unrepresentable: "any" }) as Json;
  allowExtensions(schema);
  // One file of a folder model holds any part of it; only the version line is required in each.
  schema.required = ["rampart"];
  schema.title = "Rampart city model (format version 1)";
  schema.description =
    "A city's services, assets, zones, conduits, vendors, controls and people. See docs/model.md in the Rampart repository.";
  return { $id: "https://rampart.dev/schema/rampart-model.schema.json", ...schema };
}
