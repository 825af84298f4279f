/** Dependencies point one way and never in a circle ([ARCH-2], [ARCH-3]); the check is shown to bite ([ARCH-4]). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { boundaryViolations, importCycles, importGraph, importSpecifiers } from "./imports.ts";

const root = join(import.meta.dirname, "..", "..");

test("[ARCH-2] no engine (model, assess, simulate, detect outside io/, other domains) imports src/cli or src/server", () => {
  const g = importGraph(root, ["src"]);
  expect(g.size).toBeGreaterThan(50);
  expect(boundaryViolations(g)).toEqual([]);
});

test("[ARCH-3] no import cycles in src/ or web/src/ (type-only imports count)", () => {
  const g = importGraph(root, ["src", "web/src"]);
  expect(g.size).toBeGreaterThan(60);
  expect(importCycles(g)).toEqual([]);
});

const tmp = mkdtempSync(join(tmpdir(), "rampart-guard-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function plant(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmp, "tree-"));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

test("[ARCH-4] a planted cycle and an engine importing the CLI or the server are reported", () => {
  const dir = plant({
    "src/model/a.ts": 'import { b } from "./b.ts";\nexport const a = b;\n',
    "src/model/b.ts": 'import type { C } from "../assess/c.ts";\nexport const b = 1;\nexport type B = C;\n',
    "src/assess/c.ts": 'export type C = import("../model/a.ts").A;\nimport { x } from "../model/a.ts";\n',
    "src/twin/engine.ts": 'export async function f() { return import("../server/app.ts"); }\n',
    "src/detect/live/p.ts": 'import { run } from "../../cli/io.ts";\nexport const p = run;\n',
    "src/detect/io/watch.ts": 'import { run } from "../../cli/io.ts";\nexport const w = run;\n',
    "src/cli/io.ts": "export const run = 1;\n",
    "src/server/app.ts": 'import { run } from "../cli/io.ts";\nexport const app = run;\n',
    "web/src/main.tsx": 'import { P } from "./pages/P.tsx";\nexport type Ctx = { p: typeof P };\n',
    "web/src/pages/P.tsx": 'import type { Ctx } from "../main.tsx";\nexport const P = (c: Ctx) => c;\n',
    "src/model/ok.ts": 'import { a } from "./a.ts";\nimport x from "zod";\nexport const ok = [a, x];\n',
  });
  const g = importGraph(dir, ["src", "web/src"]);
  expect(importCycles(g).sort()).toEqual([
    ["src/assess/c.ts", "src/model/a.ts", "src/model/b.ts"],
    ["web/src/main.tsx", "web/src/pages/P.tsx"],
  ]);
  // detect/io is an adapter (allowed); detect/live and a new domain folder are engines (not allowed)
  expect(boundaryViolations(g)).toEqual([
    "src/detect/live/p.ts -> src/cli/io.ts",
    "src/twin/engine.ts -> src/server/app.ts",
  ]);
  // the same tree without the planted faults passes
  const clean = plant({
    "src/model/a.ts": 'import { b } from "./b.ts";\nexport const a = b;\n',
    "src/model/b.ts": "export const b = 1;\n",
    "src/cli/io.ts": 'import { a } from "../model/a.ts";\nexport const run = a;\n',
  });
  const g2 = importGraph(clean, ["src"]);
  expect(importCycles(g2)).toEqual([]);
  expect(boundaryViolations(g2)).toEqual([]);
});

test("[ARCH-4] the import scanner sees every import form", () => {
  expect(
    importSpecifiers(
      'import { a } from "../simulate/engine.ts";\nexport * from "./x.ts";\nconst m = await import("../simulate/index.ts");\nimport "./side.ts";',
    ),
  ).toEqual(["../simulate/engine.ts", "./x.ts", "./side.ts", "../simulate/index.ts"]);
  expect(importSpecifiers('import type {\n  A,\n  B,\n} from "../simulate/stats.ts";')).toEqual([
    "../simulate/stats.ts",
  ]);
});
