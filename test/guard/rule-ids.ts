/** Rule ids cited by tests and defined in docs/specs ([SPEC-1]). */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** `[DEP-4]`, `[DET-M2]`, `[AUD-2,3]` (a list shares the prefix): the ids a text cites. */
export function citedIds(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\[([A-Z]{2,}-)([A-Z]*\d+)((?:\s*,\s*[A-Z]*\d+)*)\]/g)) {
    out.push(m[1] + m[2]);
    for (const more of m[3].split(",").slice(1)) out.push(m[1] + more.trim());
  }
  return out;
}

/** List items that start with an id in brackets (`- [DEP-4] ...`, `- **[DEP-4]** ...`) define it. */
export function definedIds(markdown: string): string[] {
  const out: string[] = [];
  for (const m of markdown.matchAll(/^\s*[-*]\s+(?:\*\*)?\[([A-Z]{2,}-[A-Z]*\d+)\]/gm)) out.push(m[1]);
  return out;
}

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p, ext) : ext.test(p) ? [p] : [];
  });
}

export interface RuleCheck {
  /** "id cited by file" for each id no spec file defines. */
  undefinedIds: string[];
  /** ids defined more than once, with where. */
  duplicates: string[];
  cited: number;
  defined: number;
}

export function checkRuleIds(testDir: string, specDir: string): RuleCheck {
  const defs = new Map<string, string[]>();
  for (const f of files(specDir, /\.md$/))
    for (const id of definedIds(readFileSync(f, "utf8"))) defs.set(id, [...(defs.get(id) ?? []), f]);
  const undefinedIds = new Set<string>();
  let cited = 0;
  for (const f of files(testDir, /\.tsx?$/))
    for (const id of citedIds(readFileSync(f, "utf8"))) {
      cited++;
      if (!defs.has(id)) undefinedIds.add(`${id} cited by ${f}`);
    }
  const duplicates = [...defs].filter(([, w]) => w.length > 1).map(([id, w]) => `${id} in ${w.join(", ")}`);
  return { undefinedIds: [...undefinedIds].sort(), duplicates, cited, defined: defs.size };
}
