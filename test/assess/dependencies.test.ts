/** Dependencies point one way (docs/engineering.md, ARCHITECTURE.md): simulate may use assess, never the reverse. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** Module specifiers of static imports, re-exports and dynamic imports. */
function imports(src: string): string[] {
  const out: string[] = [];
  for (const m of src.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;'"]*?from\s*["']([^"']+)["']/g)) out.push(m[1]);
  for (const m of src.matchAll(/(?:^|\n)\s*import\s*["']([^"']+)["']/g)) out.push(m[1]);
  for (const m of src.matchAll(/\bimport\(\s*["'`]([^"'`]+)["'`]/g)) out.push(m[1]);
  return out;
}

test("[ARCH] src/assess never imports src/simulate (nor the CLI, store, server or web)", () => {
  const files = [...tsFiles("src/assess"), "src/cli/assess.ts"];
  expect(files.length).toBeGreaterThan(5);
  const bad: string[] = [];
  for (const f of files)
    for (const spec of imports(readFileSync(f, "utf8")))
      if (
        /(^|\/)simulate(\/|\.ts$|$)/.test(spec) ||
        (f.startsWith("src/assess") && /\/(cli|store|server|web)\//.test(spec))
      )
        bad.push(`${f}: ${spec}`);
  expect(bad).toEqual([]);
});

test("[ARCH] the import scanner sees the import forms it guards against", () => {
  expect(
    imports(
      'import { a } from "../simulate/engine.ts";\nexport * from "./x.ts";\nconst m = await import("../simulate/index.ts");',
    ),
  ).toEqual(["../simulate/engine.ts", "./x.ts", "../simulate/index.ts"]);
  expect(imports('import type {\n  A,\n  B,\n} from "../simulate/stats.ts";')).toEqual(["../simulate/stats.ts"]);
});
