import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { modelJsonSchema } from "../../src/model/json-schema.ts";

test("schema/rampart-model.schema.json is up to date with the zod schemas (run `bin/rampart schema --out schema/rampart-model.schema.json`)", () => {
  const committed = JSON.parse(readFileSync("schema/rampart-model.schema.json", "utf8"));
  expect(committed).toEqual(JSON.parse(JSON.stringify(modelJsonSchema())));
});

test("the JSON Schema allows x- keys and requires rampart in each file", () => {
  const s = modelJsonSchema() as {
    required: string[];
    properties: Record<string, { items?: { patternProperties?: object } }>;
  };
  expect(s.required).toEqual(["rampart"]);
  expect(s.properties.assets.items?.patternProperties).toEqual({ "^x-": {} });
});
