/**
 * Fuzzing the loader: random YAML and random mutations of a valid model never crash it, and every issue it
 * reports is located (file, line, column >= 1) and says something.
 */
import yaml from "js-yaml";
import { describe, expect, test } from "vitest";
import { generateRaw } from "../../src/model/generate.ts";
import { loadModelFromSources } from "../../src/model/load.ts";
import { type Rng, streamFor } from "../../src/model/rng.ts";

function checkLocated(text: string) {
  let r: ReturnType<typeof loadModelFromSources>;
  try {
    r = loadModelFromSources([{ file: "fuzz.yaml", text }]);
  } catch (e) {
    throw new Error(`loader threw on input:\n${text.slice(0, 2000)}\n${(e as Error).stack}`);
  }
  const lines = text.split("\n").length;
  for (const i of [...(r.ok ? [] : r.issues), ...r.warnings]) {
    expect(i.file).toBe("fuzz.yaml");
    expect(i.line).toBeGreaterThanOrEqual(1);
    expect(i.line).toBeLessThanOrEqual(lines + 1);
    expect(i.column).toBeGreaterThanOrEqual(1);
    expect(i.message.length).toBeGreaterThan(5);
    expect(i.message).not.toMatch(/undefined|\[object Object\]/);
  }
  return r;
}

const ATOMS: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  Number.POSITIVE_INFINITY,
  "",
  "x",
  "12h",
  "0h",
  "1d12h",
  "-3h",
  "internet",
  "all",
  "Pump_1",
  "2026-03-01",
  "low",
  "high",
  "plc",
  "ot",
  [],
  {},
  ["a"],
  { k: 2 },
  { uniform: ["1h", "2h"] },
];

function randomValue(rng: Rng, depth: number): unknown {
  const r = rng.next();
  if (depth > 3 || r < 0.5) return ATOMS[rng.int(ATOMS.length)];
  if (r < 0.75) return Array.from({ length: rng.int(4) }, () => randomValue(rng, depth + 1));
  const o: Record<string, unknown> = {};
  const keys = ["id", "name", "kind", "zone", "requires", "all", "any", "k", "of", "buffer", "x-y", "foo", "level"];
  for (let i = rng.int(5); i > 0; i--) o[keys[rng.int(keys.length)]] = randomValue(rng, depth + 1);
  return o;
}

function mutate(rng: Rng, node: unknown, depth = 0): unknown {
  if (node === null || typeof node !== "object") return rng.next() < 0.5 ? randomValue(rng, 2) : node;
  if (Array.isArray(node)) {
    if (node.length === 0 || rng.next() < 0.1) return randomValue(rng, 1);
    const copy = [...node];
    const i = rng.int(copy.length);
    const op = rng.next();
    if (op < 0.2) copy.splice(i, 1);
    else if (op < 0.3) copy.push(copy[i]);
    else copy[i] = mutate(rng, copy[i], depth + 1);
    return copy;
  }
  const o = { ...(node as Record<string, unknown>) };
  const keys = Object.keys(o);
  if (keys.length === 0) return randomValue(rng, 1);
  const k = keys[rng.int(keys.length)];
  const op = rng.next();
  if (op < 0.15) delete o[k];
  else if (op < 0.25) o[`${k}x`] = o[k];
  else o[k] = mutate(rng, o[k], depth + 1);
  return o;
}

describe("loader fuzz (spec §1 errors: every error located)", () => {
  test("random YAML documents never crash the loader", () => {
    for (let s = 0; s < 400; s++) {
      const rng = streamFor(7, s);
      const doc = rng.next() < 0.7 ? { rampart: 1, ...(randomValue(rng, 0) as object) } : randomValue(rng, 0);
      checkLocated(yaml.dump(doc, { flowLevel: rng.int(4) }));
    }
  });
  test("random bytes and broken YAML never crash the loader", () => {
    const chars = "ab:- \n\t{}[],&*!|>'\"#%@`?";
    for (let s = 0; s < 300; s++) {
      const rng = streamFor(8, s);
      let t = "rampart: 1\n";
      for (let i = rng.int(200); i > 0; i--) t += chars[rng.int(chars.length)];
      checkLocated(t);
    }
  });
  test("random mutations of a valid model are rejected or accepted, never crash, always located", () => {
    const base = generateRaw({ assets: 120, seed: 3 });
    const valid = checkLocated(yaml.dump(base));
    expect(valid.ok).toBe(true);
    let rejected = 0;
    for (let s = 0; s < 300; s++) {
      const rng = streamFor(9, s);
      let doc: unknown = base;
      for (let m = 1 + rng.int(3); m > 0; m--) doc = mutate(rng, doc);
      const r = checkLocated(yaml.dump(doc, { flowLevel: 2 + rng.int(3) }));
      if (!r.ok) rejected++;
    }
    expect(rejected).toBeGreaterThan(100); // the mutations do break models
  });
});
