/** Bounded parsing ([LIM-1]..[LIM-4], docs/specs/security.md): one module, every parser, located refusals. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { describe, expect, test } from "vitest";
import { parseCsv } from "../../src/detect/csv.ts";
import { parseNdjsonLine, parsePayload } from "../../src/detect/ingest.ts";
import {
  aliasCounter,
  jsonDepthExceeded,
  LIMITS,
  ParseBudget,
  parseJsonText,
  parseYamlBounded,
} from "../../src/model/limits.ts";
import { loadModelFromSources } from "../../src/model/load.ts";
import { streamFor } from "../../src/model/rng.ts";
import { parseScenarioText } from "../../src/simulate/scenario.ts";
import { aliasBombModel, deepJson, jsonBombs, yamlBombs } from "../helpers/bombs.ts";

describe("YAML alias bombs", () => {
  for (const levels of [8, 9]) {
    test(`[LIM-2] the issue's ${levels}-level alias bomb is refused in milliseconds, located at the alias`, () => {
      const text = aliasBombModel(levels);
      expect(text.length).toBeLessThan(700);
      const t0 = performance.now();
      const r = loadModelFromSources([{ file: "bomb.yaml", text }]);
      const ms = performance.now() - t0;
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.issues).toHaveLength(1);
      const i = r.issues[0];
      expect(i.code).toBe("expansion-limit");
      expect(i.file).toBe("bomb.yaml");
      const line = text.split("\n")[i.line - 1];
      expect(line.slice(i.column - 1, i.column)).toBe("*"); // the column points at the alias that crossed
      expect(ms).toBeLessThan(500);
    });
  }

  test("[LIM-2] the upload limits are tighter and hold across a model's files together", () => {
    const half = `a: &a [${Array.from({ length: 1000 }, () => "x".repeat(100)).join(",")}]\n`;
    const refs = `b: [${Array.from({ length: 30 }, () => "*a").join(",")}]\n`;
    const one = loadModelFromSources([{ file: "one.yaml", text: `rampart: 1\nx-big: { ${half.trim()} }\n` }], {
      limits: LIMITS.upload,
    });
    expect(one.ok ? [] : one.issues.map((i) => i.code)).not.toContain("expansion-limit");
    // 30 aliases of ~100 kB each: 3 MB expanded, within the CLI's budget, over the upload's 4 MiB with two files
    const files = [
      { file: "a.yaml", text: `rampart: 1\nx-a: { ${half.trim()}, ${refs.trim()} }\n` },
      { file: "b.yaml", text: `rampart: 1\nx-b: { ${half.trim()}, ${refs.trim()} }\n` },
    ];
    const up = loadModelFromSources(files, { limits: LIMITS.upload });
    expect(up.ok).toBe(false);
    if (!up.ok) expect(up.issues.map((i) => `${i.file}:${i.code}`)).toContain("b.yaml:expansion-limit");
    const cli = loadModelFromSources(files);
    expect(cli.ok ? [] : cli.issues.map((i) => i.code)).not.toContain("expansion-limit");
  });

  test("[LIM-2] a model with a few anchors and aliases still loads", () => {
    const text = `rampart: 1
city: { name: T, population: 10 }
zones: [ { id: ot, level: 2 } ]
assets:
  - &plc { id: plc-1, name: P, kind: plc, layer: ot, zone: ot }
  - { <<: *plc, id: plc-2 }
`;
    // merge keys are not YAML 1.2 core: the model is refused for that, not for the alias
    const r = loadModelFromSources([{ file: "m.yaml", text }]);
    expect(r.ok ? [] : r.issues.map((i) => i.code)).not.toContain("expansion-limit");
    const ok = loadModelFromSources([
      {
        file: "m.yaml",
        text: `rampart: 1\ncity: { name: T, population: 10 }\nzones: [ { id: ot, level: 2 } ]\nx-tags: &t [a, b]\nassets:\n  - { id: plc-1, name: P, kind: plc, layer: ot, zone: ot, x-tags: *t }\n`,
      },
    ]);
    expect(ok.ok).toBe(true);
  });

  test("[LIM-2] the alias counter matches a full expansion on random documents (differential, seed 10)", () => {
    const rng = streamFor(10);
    const int = (n: number) => Math.floor(rng.next() * n);
    for (let doc = 0; doc < 300; doc++) {
      const anchors: number[] = [];
      const lines: string[] = [];
      let aliases = 0;
      const value = (depth: number): string => {
        const r = int(10);
        if (anchors.length && r < 4 && depth > 0) {
          aliases++;
          return `*a${anchors[int(anchors.length)]}`;
        }
        if (depth > 2 || r < 6) return ["x", "12", "'q y'", "true", "~"][int(5)];
        const n = int(4);
        if (r < 8) return `[${Array.from({ length: n }, () => value(depth + 1)).join(", ")}]`;
        return `{${Array.from({ length: n }, (_, i) => `k${i}: ${value(depth + 1)}`).join(", ")}}`;
      };
      const count = 3 + int(6);
      for (let i = 0; i < count; i++) {
        if (int(3) === 0) {
          // a block sequence, so wrapper nodes are exercised too
          lines.push(`k${i}: &a${i}`);
          for (let j = 0, n = 1 + int(3); j < n; j++) lines.push(`  - ${value(1)}`);
        } else lines.push(`k${i}: &a${i} ${value(0)}`);
        anchors.push(i);
      }
      const text = `${lines.join("\n")}\n`;
      const budget = new ParseBudget({ ...LIMITS.yaml });
      yaml.load(text, { schema: yaml.CORE_SCHEMA, listener: aliasCounter(budget, text) as never });
      // oracle: count the nodes of the fully expanded tree, and of the text with every alias made a null
      const nodes = (v: unknown): number => {
        if (v === null || typeof v !== "object") return 1;
        if (Array.isArray(v)) return 1 + v.reduce((a: number, x) => a + nodes(x), 0);
        return 1 + Object.values(v).reduce((a: number, x) => a + 1 + nodes(x), 0);
      };
      const expanded = nodes(yaml.load(text, { schema: yaml.CORE_SCHEMA }));
      const plain = nodes(yaml.load(text.replace(/\*a\d+/g, "~"), { schema: yaml.CORE_SCHEMA }));
      expect(budget.aliases, text).toBe(aliases);
      expect(budget.aliasNodes, text).toBe(expanded - plain + aliases);
    }
  });
});

describe("depth, size and time", () => {
  test("[LIM-1] deep YAML (flow and block) is refused with a located depth error, never a crash", () => {
    for (const b of yamlBombs().filter((x) => x.name.startsWith("deep"))) {
      const r = loadModelFromSources([{ file: "deep.yaml", text: b.text }]);
      expect(r.ok, b.name).toBe(false);
      if (!r.ok) {
        expect(r.issues[0].code, b.name).toBe("depth-limit");
        expect(r.issues[0].line, b.name).toBeGreaterThan(1);
      }
    }
  });
  test("[LIM-1] a file over the size limit is refused before parsing", () => {
    const big = `rampart: 1\nx-pad: "${"a".repeat(LIMITS.upload.maxBytes)}"\n`;
    const r = loadModelFromSources([{ file: "big.yaml", text: big }], { limits: LIMITS.upload });
    expect(r.ok ? "" : r.issues[0].code).toBe("size-limit");
  });
  test("[LIM-1] parsing stops at the time limit of the caller's clock", () => {
    let t = 0;
    const clock = () => (t += 60_000); // every reading is a minute later
    const text = `x-a: &a [${Array.from({ length: 3000 }, (_, i) => `v${i}`).join(", ")}]\n`;
    const r = parseYamlBounded("slow.yaml", text, new ParseBudget(LIMITS.upload, clock));
    expect("error" in r ? r.error.code : "").toBe("time-limit");
  });
  test("[LIM-3] JSON: depth checked before parsing, located; prototype keys refused", () => {
    const r = parseJsonText("b.json", deepJson(1000));
    expect("error" in r ? [r.error.code, r.error.line, r.error.column] : []).toEqual([
      "depth-limit",
      1,
      5 * LIMITS.json.maxDepth + 1,
    ]);
    expect(jsonDepthExceeded('{"a": "[[[[[[[[[[[[[[[[[["}', 3)).toBe(-1); // brackets inside strings do not count
    for (const b of jsonBombs()) {
      const p = parseJsonText("b.json", b.text);
      expect("error" in p, b.name).toBe(true);
    }
    expect(parseJsonText("ok.json", '{"a": [1, 2, {"b": "c"}]}')).toEqual({ data: { a: [1, 2, { b: "c" }] } });
  });
});

describe("[LIM-6] every parser survives the bomb corpus", () => {
  test("[LIM-6] the model loader, the scenario parser, CSV and telemetry payloads refuse or ignore each bomb", () => {
    for (const b of yamlBombs()) {
      const t0 = performance.now();
      const m = loadModelFromSources([{ file: "m.yaml", text: b.text }]);
      expect(m.ok, b.name).toBe(false);
      const s = parseScenarioText("s.yaml", b.text);
      expect(s.ok, b.name).toBe(false);
      expect(performance.now() - t0, b.name).toBeLessThan(2000);
    }
    for (const b of jsonBombs()) {
      expect(() => parsePayload(b.text, "rampart/m/a/s"), b.name).not.toThrow();
      const line = parseNdjsonLine(b.text, 1);
      expect("code" in line, b.name).toBe(true);
    }
    const longLine = `t,a\n2024-01-01T00:00:00Z,${"9".repeat(LIMITS.table.maxLineLength + 1)}\n`;
    const csv = parseCsv(longLine, "t.csv");
    expect(csv.ok ? "" : `${csv.issues[0].code}@${csv.issues[0].line}`).toBe("CSV_LIMIT@2");
    const wide = parseCsv(
      `t,${Array.from({ length: LIMITS.table.maxColumns + 1 }, (_, i) => `s${i}`).join(",")}\n`,
      "w.csv",
    );
    expect(wide.ok ? "" : wide.issues[0].code).toBe("CSV_LIMIT");
  });

  test("[LIM-4] a telemetry reading goes through the guarded parser: too deep or too large is refused by name", () => {
    const deep = `{"v":1,"x":${"[".repeat(10)}${"]".repeat(10)}}`;
    expect(parsePayload(deep, "rampart/m/a/s")).toMatchObject({ code: "MQTT_PAYLOAD", message: /nested deeper/ });
    const big = `{"v":1,"x":"${"a".repeat(LIMITS.reading.maxBytes)}"}`;
    expect(parseNdjsonLine(big, 7)).toMatchObject({ code: "NDJSON_JSON", line: 7, message: /larger than/ });
    expect(parsePayload('{"v":2.5}', "rampart/m/a/s")).toMatchObject({ v: 2.5 });
  });
});

describe("the CLI", () => {
  const dir = mkdtempSync(join(tmpdir(), "rampart-bomb-"));
  for (const levels of [8, 9]) {
    test(`[LIM-2] rampart validate refuses the ${levels}-level bomb quickly with file:line:col (exit 1)`, () => {
      const f = join(dir, `bomb${levels}.yaml`);
      writeFileSync(f, aliasBombModel(levels));
      const t0 = performance.now();
      const r = spawnSync(process.execPath, ["bin/rampart", "validate", f], { encoding: "utf8", timeout: 60_000 });
      const ms = performance.now() - t0;
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`${f}:1\\d:\\d+: error: aliases expand to more than`));
      expect(ms).toBeLessThan(15_000); // a fresh process on a shared machine; the refusal itself is milliseconds
    });
  }
});
