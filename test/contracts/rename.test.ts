/**
 * A field renamed in the contract fails type-checking where the engine writes it and where the web UI reads
 * it: the contract is copied with one field renamed and the producer and consumer are type-checked against it
 * (and, so the test can fail, checked clean first without the rename).
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, expect, test } from "vitest";

const ROOT = resolve(import.meta.dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "rampart-contract-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

cpSync(join(ROOT, "src"), join(dir, "src"), { recursive: true });
cpSync(join(ROOT, "web", "src"), join(dir, "web", "src"), { recursive: true });
symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
const { compilerOptions } = JSON.parse(readFileSync(join(ROOT, "tsconfig.json"), "utf8"));
writeFileSync(
  join(dir, "tsconfig.json"),
  JSON.stringify({
    compilerOptions,
    files: [
      "src/assess/assess.ts",
      "src/simulate/index.ts",
      "web/src/env.d.ts",
      "web/src/pages/Findings.tsx",
      "web/src/pages/Simulation.tsx",
    ],
  }),
);

/** Type-checks the copy; returns the files with errors. */
function typeCheck(): string[] {
  const r = spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", dir], {
    cwd: dir,
    encoding: "utf8",
  });
  const out = `${r.stdout}${r.stderr}`;
  return [...new Set([...out.matchAll(/^([^\s(]+\.tsx?)\(\d+,\d+\): error/gm)].map((m) => m[1]))].sort();
}

function rename(file: string, from: string, to: string) {
  const p = join(dir, "src", "contracts", file);
  const text = readFileSync(p, "utf8");
  expect(text).toContain(from);
  writeFileSync(p, text.replace(from, to));
}

test("[CTR-5] a renamed report field fails type-checking at the engine that writes it and the page that reads it", () => {
  expect(typeCheck()).toEqual([]);
  rename("assessment.ts", "  findings: z.array(Finding),", "  issues: z.array(Finding),");
  rename("simulation.ts", "  horizonHours: z.number(),", "  horizon: z.number(),");
  expect(typeCheck()).toEqual([
    "src/assess/assess.ts",
    "src/simulate/index.ts",
    "web/src/pages/Findings.tsx",
    "web/src/pages/Simulation.tsx",
  ]);
}, 300_000);
