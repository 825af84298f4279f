/**
 * The import graph of a source tree, read from the text (no compiler): static imports and re-exports
 * (type-only ones included), side-effect imports and dynamic `import("...")` with a literal path.
 * Used by the boundary and cycle check ([ARCH-2], [ARCH-3]) and by its planted-tree test ([ARCH-4]).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";

/** Module specifiers of static imports, re-exports and dynamic imports. */
export function importSpecifiers(src: string): string[] {
  const out: string[] = [];
  for (const m of src.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;'"]*?from\s*["']([^"']+)["']/g)) out.push(m[1]);
  for (const m of src.matchAll(/(?:^|\n)\s*import\s*["']([^"']+)["']/g)) out.push(m[1]);
  for (const m of src.matchAll(/\bimport\(\s*["'`]([^"'`]+)["'`]/g)) out.push(m[1]);
  return out;
}

export function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === "node_modules" || f === "dist" ? [] : sourceFiles(p);
    return /\.tsx?$/.test(p) && !p.endsWith(".d.ts") ? [p] : [];
  });
}

function resolveSpec(from: string, spec: string): string | null {
  if (!spec.startsWith(".")) return null; // packages and node: built-ins are not part of the graph
  const base = join(dirname(from), spec);
  for (const c of [base, `${base}.ts`, `${base}.tsx`, join(base, "index.ts")])
    if (existsSync(c) && statSync(c).isFile()) return c;
  return null;
}

/** file (relative to root, with forward slashes) -> the files it imports inside the tree. */
export function importGraph(root: string, dirs: string[]): Map<string, string[]> {
  const rel = (p: string) => relative(root, p).split(sep).join("/");
  const g = new Map<string, string[]>();
  for (const d of dirs)
    for (const f of sourceFiles(join(root, d))) {
      const to: string[] = [];
      for (const s of importSpecifiers(readFileSync(f, "utf8"))) {
        const r = resolveSpec(f, s);
        if (r) to.push(rel(r));
      }
      g.set(rel(f), to);
    }
  return g;
}

/** Strongly connected components with more than one file (or a file importing itself), each sorted. */
export function importCycles(g: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  // iterative Tarjan (a deep chain of imports must not overflow the call stack)
  for (const start of g.keys()) {
    if (index.has(start)) continue;
    const work: { v: string; i: number }[] = [{ v: start, i: 0 }];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const top = work[work.length - 1];
      const edges = (g.get(top.v) ?? []).filter((w) => g.has(w));
      if (top.i < edges.length) {
        const w = edges[top.i++];
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].v;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.v)!));
      }
      if (low.get(top.v) === index.get(top.v)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
        } while (w !== top.v);
        if (comp.length > 1 || (g.get(top.v) ?? []).includes(top.v)) out.push(comp.sort());
      }
    }
  }
  return out;
}

/** Engine folders: everything under src/ except the edges (cli, server, store) and the detection adapters. */
export const EDGES = ["src/cli/", "src/server/"];
export const NOT_ENGINES = [...EDGES, "src/store/", "src/detect/io/"];

/** Imports from an engine file into src/cli or src/server, as "file -> imported". */
export function boundaryViolations(g: Map<string, string[]>): string[] {
  const bad: string[] = [];
  for (const [f, to] of g) {
    if (!f.startsWith("src/") || NOT_ENGINES.some((p) => f.startsWith(p))) continue;
    for (const t of to) if (EDGES.some((p) => t.startsWith(p))) bad.push(`${f} -> ${t}`);
  }
  return bad.sort();
}
