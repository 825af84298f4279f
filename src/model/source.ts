/**
 * YAML parsing with source positions. js-yaml parses large models fast; its `listener` reports where each
 * node starts, from which we keep, per mapping and sequence, the offsets of its keys, values and items.
 * Positions are offsets until an error needs a line and column.
 */
import { LIMITS, type LocatedError, ParseBudget, parseYamlBounded } from "./limits.ts";

export type ParsedSource = {
  file: string;
  text: string;
  data: unknown;
  /**
   * Containers (mappings and sequences) in the order they closed, with the offsets of their children:
   * a sequence's items, or a mapping's keys and values interleaved (in the object's key order).
   * Kept flat so that parsing allocates nothing per node; looked up by object on first use.
   */
  containers: object[];
  childStart: number[];
  childCount: number[];
  offsets: number[];
  lookup?: Map<object, number>;
  /** Mappings that have a key starting with `x-` (the user's own, to be ignored). */
  extended: object[];
  /** The keys those mappings had before the `x-` keys were removed (child offsets follow this order). */
  originalKeys?: Map<object, string[]>;
  /**
   * False when parsed without positions (the fast path for large valid models): the first position asked
   * for parses the text again with positions, into `positionedData`, which paths are then followed in.
   */
  positioned: boolean;
  positionedData?: unknown;
};

export type SourceError = LocatedError;

export type Location = { line: number; column: number };

/**
 * Parses one YAML file within the limits of `budget` ([LIM-1], [LIM-2]; a model's files share one budget),
 * with positions unless `withPositions` is false. Bad input comes back as a located error, never thrown.
 */
export function parseYaml(
  file: string,
  text: string,
  withPositions = true,
  budget: ParseBudget = new ParseBudget(LIMITS.yaml),
): { source: ParsedSource } | { error: SourceError } {
  if (!withPositions) {
    const r = parseYamlBounded(file, text, budget);
    if ("error" in r) return r;
    return {
      source: {
        file,
        text,
        data: r.data,
        containers: [],
        childStart: [],
        childCount: [],
        offsets: [],
        extended: [],
        positioned: false,
      },
    };
  }
  const containers: object[] = [];
  const childStart: number[] = [];
  const childCount: number[] = [];
  const offsets: number[] = [];
  const extended: object[] = [];
  // Stacks with explicit tops: truncating arrays by setting length is slow in V8.
  const stackRes: unknown[] = [];
  const stackPos: number[] = [];
  let top = 0;
  const frameBase: number[] = [];
  const frameStart: number[] = [];
  let frames = 0;
  const listener = (event: "open" | "close", state: { position: number; result: unknown }) => {
    if (event === "open") {
      frameBase[frames] = top;
      frameStart[frames] = state.position;
      frames++;
      return;
    }
    frames--;
    const base = frameBase[frames];
    let start = frameStart[frames];
    const result = state.result;
    const n = top - base;
    if (result !== null && typeof result === "object") {
      if (n === 1 && stackRes[base] === result) {
        start = stackPos[base]; // a wrapper around the real node
      } else if (n > 0) {
        containers.push(result);
        childStart.push(offsets.length);
        childCount.push(n);
        for (let i = base; i < top; i++) offsets.push(stackPos[i]);
        if (!Array.isArray(result)) {
          for (let i = base; i < top; i += 2) {
            const k = stackRes[i];
            if (typeof k === "string" && k.charCodeAt(0) === 120 && k.charCodeAt(1) === 45) {
              extended.push(result);
              break;
            }
          }
        }
      }
    }
    for (let i = base; i < top; i++) stackRes[i] = undefined; // let go of finished nodes
    top = base;
    stackRes[top] = result;
    stackPos[top] = start;
    top++;
  };
  const r = parseYamlBounded(file, text, budget, listener as never);
  if ("error" in r) return r;
  return {
    source: { file, text, data: r.data, containers, childStart, childCount, offsets, extended, positioned: true },
  };
}

/** Parses a source again, with positions, if it was parsed without them. */
function ensurePositions(src: ParsedSource): void {
  if (src.positioned) return;
  const again = parseYaml(src.file, src.text, true);
  src.positioned = true;
  if ("error" in again) return;
  const p = again.source;
  src.containers = p.containers;
  src.childStart = p.childStart;
  src.childCount = p.childCount;
  src.offsets = p.offsets;
  src.positionedData = p.data;
}

/** Where paths from `root` are followed: the positioned copy of the data when the source was re-parsed. */
function rootFor(src: ParsedSource, root: unknown): unknown {
  ensurePositions(src);
  return root === src.data && src.positionedData !== undefined ? src.positionedData : root;
}

/** The container record of a mapping or sequence of this source, or -1. */
function containerIndex(src: ParsedSource, node: object): number {
  if (!src.lookup) {
    const m = new Map<object, number>();
    for (let i = 0; i < src.containers.length; i++) if (!m.has(src.containers[i])) m.set(src.containers[i], i);
    src.lookup = m;
  }
  return src.lookup.get(node) ?? -1;
}

/** Offset of child `key` of a container: for a mapping, its key or its value. */
function childOffset(src: ParsedSource, node: object, key: string | number, atKey: boolean): number | undefined {
  const c = containerIndex(src, node);
  if (c < 0) return undefined;
  const base = src.childStart[c];
  const n = src.childCount[c];
  if (Array.isArray(node)) {
    const i = Number(key);
    return i >= 0 && i < n ? src.offsets[base + i] : undefined;
  }
  const i = (src.originalKeys?.get(node) ?? Object.keys(node)).indexOf(String(key));
  if (i < 0 || 2 * i + 1 >= n) return undefined;
  return src.offsets[base + 2 * i + (atKey ? 0 : 1)];
}

/** Line starts of a text, built on first use. */
const lineIndex = new WeakMap<ParsedSource, Int32Array>();

function lineStarts(src: ParsedSource): Int32Array {
  let idx = lineIndex.get(src);
  if (idx) return idx;
  const starts = [0];
  const t = src.text;
  for (let i = t.indexOf("\n"); i !== -1; i = t.indexOf("\n", i + 1)) starts.push(i + 1);
  idx = Int32Array.from(starts);
  lineIndex.set(src, idx);
  return idx;
}

/** Converts an offset to a 1-based line and column, skipping white space and comments before the node. */
export function locate(src: ParsedSource, offset: number): Location {
  const t = src.text;
  let i = offset;
  for (;;) {
    const c = t.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else if (c === 35 /* # */) {
      const nl = t.indexOf("\n", i);
      if (nl === -1) break;
      i = nl + 1;
    } else break;
  }
  if (i >= t.length) i = Math.min(offset, Math.max(0, t.length - 1));
  const starts = lineStarts(src);
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= i) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: i - starts[lo] + 1 };
}

/**
 * The offset of the node at `path` below `root` (a value of this source), or of the deepest ancestor found.
 * `key: true` points at the last segment's key rather than its value.
 */
export function offsetOf(src: ParsedSource, root: unknown, path: (string | number)[], key = false): number {
  let node = rootFor(src, root);
  let offset = containerOffset(src, root) ?? 0;
  for (let i = 0; i < path.length; i++) {
    if (node === null || typeof node !== "object") break;
    const at = childOffset(src, node, path[i], key && i === path.length - 1);
    if (at === undefined) break; // a missing field: point at the mapping itself
    offset = at;
    node = (node as Record<string, unknown>)[path[i] as string];
  }
  return offset;
}

/** Offset of the mapping or sequence itself (its first key or item). */
export function containerOffset(src: ParsedSource, node: unknown): number | undefined {
  node = rootFor(src, node);
  if (node === null || typeof node !== "object") return undefined;
  const c = containerIndex(src, node);
  return c < 0 ? undefined : src.offsets[src.childStart[c]];
}
