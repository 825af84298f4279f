/** Dependencies point one way (docs/engineering.md, ARCHITECTURE.md): simulate may use assess, never the reverse. */
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { importSpecifiers, sourceFiles } from "../guard/imports.ts";

test("[ARCH-1] src/assess never imports src/simulate (nor the CLI, store, server or web)", () => {
  const files = [...sourceFiles("src/assess"), "src/cli/assess.ts"];
  expect(files.length).toBeGreaterThan(5);
  const bad: string[] = [];
  for (const f of files)
    for (const spec of importSpecifiers(readFileSync(f, "utf8")))
      if (
        /(^|\/)simulate(\/|\.ts$|$)/.test(spec) ||
        (f.startsWith("src/assess") && /\/(cli|store|server|web)\//.test(spec))
      )
        bad.push(`${f}: ${spec}`);
  expect(bad).toEqual([]);
});
