import { describe, expect, test } from "vitest";
import { buildDigraph, type Digraph, minVertexCut, mostLikelyPaths, pathTo } from "../../src/assess/flow.ts";
import { type Rng, streamFor } from "../../src/model/rng.ts";

function randomGraph(rng: Rng, n: number, density: number): Digraph {
  const from: number[] = [];
  const to: number[] = [];
  const prob: number[] = [];
  for (let u = 0; u < n; u++)
    for (let v = 0; v < n; v++)
      if (u !== v && rng.next() < density) {
        from.push(u);
        to.push(v);
        prob.push(rng.next() < 0.1 ? 1 : 0.05 + 0.9 * rng.next());
      }
  return buildDigraph(n, from, to, prob);
}

/** Every simple path from src to each node: the best product, by enumeration. */
function enumerateBest(g: Digraph, src: number): Float64Array {
  const best = new Float64Array(g.n);
  const on = new Uint8Array(g.n);
  const walk = (u: number, p: number) => {
    if (p > best[u]) best[u] = p;
    on[u] = 1;
    for (let e = g.start[u]; e < g.start[u + 1]; e++) if (!on[g.to[e]]) walk(g.to[e], p * g.prob[e]);
    on[u] = 0;
  };
  walk(src, 1);
  return best;
}

function reachableWithout(g: Digraph, removed: Set<number>, sources: number[], sinks: Set<number>): boolean {
  const seen = new Uint8Array(g.n);
  const stack = sources.filter((s) => !removed.has(s));
  for (const s of stack) seen[s] = 1;
  while (stack.length) {
    const u = stack.pop() as number;
    if (sinks.has(u)) return true;
    for (let e = g.start[u]; e < g.start[u + 1]; e++) {
      const v = g.to[e];
      if (!seen[v] && !removed.has(v)) {
        seen[v] = 1;
        stack.push(v);
      }
    }
  }
  return false;
}

describe("attack path search", () => {
  test("[NET-1] most likely path = max product over every simple path (exhaustive, 400 random graphs)", () => {
    for (let seed = 0; seed < 400; seed++) {
      const rng = streamFor(seed, 3);
      const n = 3 + rng.int(6);
      const g = randomGraph(rng, n, 0.35);
      const tree = mostLikelyPaths(g, [0]);
      const want = enumerateBest(g, 0);
      for (let v = 0; v < n; v++) {
        expect(tree.best[v], `seed ${seed} node ${v}`).toBeCloseTo(want[v], 9);
        if (want[v] > 0) {
          // the path returned has that probability
          const p = pathTo(tree, v);
          expect(p[0]).toBe(0);
          expect(p[p.length - 1]).toBe(v);
          let prod = 1;
          for (let i = 1; i < p.length; i++) {
            let bestE = 0;
            for (let e = g.start[p[i - 1]]; e < g.start[p[i - 1] + 1]; e++)
              if (g.to[e] === p[i]) bestE = Math.max(bestE, g.prob[e]);
            prod *= bestE;
          }
          expect(prod).toBeCloseTo(want[v], 9);
        }
      }
    }
  });
});

describe("[CHK-1] minimum vertex cuts", () => {
  test("[CHK-1] cut size equals the smallest separating set found by exhaustive search (400 random graphs)", () => {
    let nonTrivial = 0;
    for (let seed = 0; seed < 400; seed++) {
      const rng = streamFor(seed, 5);
      const n = 4 + rng.int(7);
      const g = randomGraph(rng, n, 0.3);
      const cuttable = new Uint8Array(n);
      for (let v = 0; v < n; v++) cuttable[v] = rng.next() < 0.75 ? 1 : 0;
      const sources = [0];
      const sinks = [n - 1, ...(rng.next() < 0.5 ? [n - 2] : [])];
      const r = minVertexCut(g, cuttable, sources, sinks);
      // direct sinks: reachable through non-cuttable nodes only
      const canCut = (v: number) => cuttable[v] === 1 && !sources.includes(v) && !sinks.includes(v);
      const candidates = Array.from({ length: n }, (_, v) => v).filter(canCut);
      const target = new Set(r.separated);
      for (const d of r.direct) {
        const allCut = new Set(candidates);
        expect(reachableWithout(g, allCut, sources, new Set([d])), `seed ${seed}: direct sink ${d}`).toBe(true);
      }
      for (const s of r.separated) {
        const allCut = new Set(candidates);
        expect(reachableWithout(g, allCut, sources, new Set([s])), `seed ${seed}: separated sink ${s}`).toBe(false);
      }
      // both reported cuts separate, and have the minimum size
      for (const cut of [r.sourceSide, r.sinkSide]) {
        expect(cut.length).toBe(r.size);
        expect(reachableWithout(g, new Set(cut), sources, target), `seed ${seed}`).toBe(false);
        for (const v of cut) expect(canCut(v)).toBe(true);
      }
      // no smaller set does
      let min = Number.POSITIVE_INFINITY;
      if (target.size === 0) min = 0;
      else
        for (let mask = 0; mask < 1 << candidates.length; mask++) {
          let bits = 0;
          for (let x = mask; x; x &= x - 1) bits++;
          if (bits >= min) continue;
          const removed = new Set(candidates.filter((_, i) => mask & (1 << i)));
          if (!reachableWithout(g, removed, sources, target)) min = bits;
        }
      expect(r.size, `seed ${seed}`).toBe(min);
      if (min > 1) nonTrivial++;
    }
    expect(nonTrivial).toBeGreaterThan(30);
  });

  test("[CHK-1] a sink reached only through non-cuttable nodes is reported as direct, with its entry", () => {
    // 0 -> 1 (not cuttable) -> 3 (sink); 0 -> 2 (cuttable) -> 4 (sink)
    const g = buildDigraph(5, [0, 1, 0, 2], [1, 3, 2, 4], [1, 1, 1, 1]);
    const r = minVertexCut(g, Uint8Array.from([0, 0, 1, 0, 0]), [0], [3, 4]);
    expect(r.direct).toEqual([3]);
    expect(r.directEntry).toEqual([1]);
    expect(r.sourceSide).toEqual([2]);
    expect(r.size).toBe(1);
  });
});
