/**
 * [CLI-2] Engines name their own parameters and fields, never a command-line option: an option name in a string
 * of an engine (a message, a hint, an issue's path) would be wrong on the API, which has no options. The check
 * reads string and template literals with a parser (vite's), so comments and code (`--i`) do not count.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { parseAst } from "vite";
import { afterAll, expect, test } from "vitest";
import { sourceFiles } from "./imports.ts";

const root = join(import.meta.dirname, "..", "..");

/** An option-like word: `--name` at the start of a string or after a space, quote or bracket. */
const OPTION = /(?:^|[\s"'`([{=,;:])(--[a-z][a-z0-9-]*)/g;

/** `file:line: --option` for each option named in a string literal of the engines under `src`. */
function optionsInEngines(src: string): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(src)) {
    const rel = relative(src, file).split(sep).join("/");
    if (rel.startsWith("cli/") || rel.startsWith("server/")) continue; // the edges: options and fields are theirs
    const text = readFileSync(file, "utf8");
    const lineOf = (pos: number) => text.slice(0, pos).split("\n").length;
    const visit = (n: unknown): void => {
      if (Array.isArray(n)) {
        for (const x of n) visit(x);
        return;
      }
      if (!n || typeof n !== "object") return;
      const node = n as { type?: string; value?: unknown; start?: number };
      const str =
        node.type === "Literal" && typeof node.value === "string"
          ? node.value
          : node.type === "TemplateElement"
            ? ((node.value as { cooked?: string; raw: string }).cooked ?? (node.value as { raw: string }).raw)
            : undefined;
      if (str !== undefined)
        for (const m of str.matchAll(OPTION)) found.push(`${rel}:${lineOf(node.start ?? 0)}: ${m[1]}`);
      for (const v of Object.values(node)) if (v && typeof v === "object") visit(v);
    };
    visit(parseAst(text, { lang: file.endsWith(".tsx") ? "tsx" : "ts" }));
  }
  return found;
}

test("[CLI-2] no engine's strings name a command-line option (only src/cli and src/server do)", () => {
  expect(optionsInEngines(join(root, "src"))).toEqual([]);
});

const tmp = mkdtempSync(join(tmpdir(), "rampart-engine-messages-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test("[CLI-2] the check sees what it guards: planted option names are found, comments and the edges are not", () => {
  mkdirSync(join(tmp, "simulate"), { recursive: true });
  mkdirSync(join(tmp, "cli"), { recursive: true });
  writeFileSync(
    join(tmp, "simulate", "a.ts"),
    [
      "// a comment may say --with",
      'export const a = "--with: unknown control";',
      `export const b = (x: string) => \`refresh it with --kev ${"$"}{x}\`;`,
      `export const c = \`${"$"}{1} then (--json lists all)\`;`,
      'export const d = "marking-definition--bab4a63c";',
      "let i = 3; i--; export const e = --i;",
    ].join("\n"),
  );
  writeFileSync(join(tmp, "cli", "b.ts"), 'export const o = "option --with: expected";\n');
  expect(optionsInEngines(tmp)).toEqual([
    "simulate/a.ts:2: --with",
    "simulate/a.ts:3: --kev",
    "simulate/a.ts:4: --json",
  ]);
});
