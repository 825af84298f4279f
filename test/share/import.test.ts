/** STIX import: OASIS examples, bounded parsing, located errors, de-duplication, watch rules ([SHR-7]..[SHR-9]). */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseStix, parseStixValue, watchRuleOf } from "../../src/share/import.ts";
import type { StixObject } from "../../src/share/stix.ts";
import { SCHEMAS } from "./oasis.ts";

const EXAMPLES = join(SCHEMAS, "examples");
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".json") ? [join(dir, e.name)] : [],
  );

describe.skipIf(!existsSync(EXAMPLES))("OASIS examples", () => {
  test("[SHR-7] every OASIS example bundle imports cleanly, every object kept", () => {
    const all = files(EXAMPLES);
    expect(all.length).toBeGreaterThanOrEqual(8);
    for (const f of all) {
      const text = readFileSync(f, "utf8");
      const r = parseStix(text);
      expect(r.ok ? [] : r.issues, f).toEqual([]);
      const data = JSON.parse(text);
      if (r.ok) expect(r.objects.length + r.repeats, f).toBe(data.type === "bundle" ? data.objects.length : 1);
    }
  });
  test("[SHR-9] the OASIS C2 indicator becomes an ipv4 watch rule", () => {
    const b = JSON.parse(readFileSync(join(EXAMPLES, "indicator-for-c2-ip-address.json"), "utf8"));
    const ind = b.objects.find((o: StixObject) => o.type === "indicator");
    const r = watchRuleOf(ind);
    expect(r?.kind).toBe("ipv4");
    expect(r?.match.value).toBe(/'([^']+)'/.exec(ind.pattern)?.[1]);
  });
});
if (!existsSync(EXAMPLES)) console.log("skip: OASIS examples: ../shared/data/stix2-schemas is absent");

const ind = (over: Partial<StixObject> = {}): StixObject => ({
  type: "indicator",
  spec_version: "2.1",
  id: "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
  created: "2026-01-01T00:00:00.000Z",
  modified: "2026-01-01T00:00:00.000Z",
  pattern: "[ipv4-addr:value = '198.51.100.1']",
  pattern_type: "stix",
  valid_from: "2026-01-01T00:00:00Z",
  ...over,
});

test("[SHR-7] invalid objects are refused with every issue located; nothing is kept", () => {
  const r = parseStixValue({
    type: "bundle",
    id: "bundle--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
    objects: [
      ind(),
      ind({ id: "malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f" }),
      ind({ modified: "2026-13-01" }),
      {
        type: "relationship",
        id: "relationship--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        spec_version: "2.1",
        created: "2026-01-01T00:00:00Z",
        modified: "2026-01-01T00:00:00Z",
        source_ref: "x",
      },
      "text",
    ],
  });
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.status).toBe(400);
  const paths = r.issues.map((i) => i.path);
  expect(paths).toEqual([
    "objects[1].id",
    "objects[2].modified",
    "objects[3].source_ref",
    "objects[3].target_ref",
    "objects[4]",
  ]);
  expect(r.issues[0].message).toContain('differs from the object\'s type "indicator"');
});

test("[SHR-7] not JSON, too large, too many objects or too deep: refused with the limit named", () => {
  const bad = parseStix('{"objects": [');
  expect(!bad.ok && bad.status).toBe(400);
  const big = parseStix(JSON.stringify({ objects: [ind()] }), { maxBytes: 100, maxObjects: 10, maxDepth: 32 });
  expect(!big.ok && big.status).toBe(413);
  const many = parseStixValue({ objects: [ind(), ind(), ind()] }, { maxBytes: 1e6, maxObjects: 2, maxDepth: 32 });
  expect(!many.ok && many.status).toBe(413);
  let deep: unknown = "x";
  for (let i = 0; i < 40; i++) deep = { d: deep };
  const d = parseStixValue({ objects: [ind({ x_deep: deep })] });
  expect(!d.ok && d.issues[0].message).toContain("deeper than 32");
  const proto = parseStix('{"objects": [{"__proto__": {"x": 1}}]}');
  expect(!proto.ok && proto.issues[0].message).toContain("__proto__");
  const deepText = parseStix(`{"objects": [${"[".repeat(100)}${"]".repeat(100)}]}`);
  expect(!deepText.ok && deepText.issues[0].message).toMatch(/^1:\d+: nested deeper/);
  expect(parseStixValue([]).ok).toBe(false);
  expect(parseStixValue({ type: "report" }).ok).toBe(false); // one object, without an id
});

test("[SHR-8] one object per id and version: repeats inside a bundle are counted, a new modified is kept", () => {
  const r = parseStixValue({ objects: [ind(), ind(), ind({ modified: "2026-02-01T00:00:00.000Z" })] });
  expect(r.ok && r.objects.map((o) => o.version)).toEqual(["2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z"]);
  expect(r.ok && r.repeats).toBe(1);
});

test("[SHR-9] indicators become watch rules only for patterns Rampart can watch", () => {
  const rule = (pattern: string, pattern_type = "stix") => watchRuleOf(ind({ pattern, pattern_type }));
  expect(rule("[network-traffic:dst_port = 502]")?.match).toEqual({ port: 502 });
  expect(rule("[domain-name:value = 'evil.example']")).toMatchObject({
    kind: "domain",
    match: { value: "evil.example" },
  });
  expect(rule("[file:hashes.'SHA-256' = 'ab12']")).toMatchObject({
    kind: "file-hash",
    match: { algorithm: "SHA-256", value: "ab12" },
  });
  expect(rule("kind = 'plc' AND signal = 'flow'", "rampart-telemetry")).toMatchObject({
    kind: "telemetry",
    match: { kind: "plc", signal: "flow" },
  });
  expect(rule("asset = 'it\\'s'", "rampart-telemetry")?.match).toEqual({ asset: "it's" });
  // not watchable: compound STIX patterns, other languages, a telemetry rule without kind or asset, bad ports
  expect(rule("[ipv4-addr:value = '1.2.3.4'] OR [ipv4-addr:value = '5.6.7.8']")).toBeNull();
  expect(rule("alert tcp any any -> any 502", "snort")).toBeNull();
  expect(rule("signal = 'flow'", "rampart-telemetry")).toBeNull();
  expect(rule("[network-traffic:dst_port = 70000]")).toBeNull();
  expect(watchRuleOf({ ...ind(), type: "malware", id: "malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f" })).toBeNull();
});
