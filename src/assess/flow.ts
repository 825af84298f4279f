/**
 * Graph algorithms for attack paths and choke points, on a compact directed graph with a success probability per
 * edge:
 * - most likely paths: Dijkstra on -log p (a path's probability is the product of its edges'), from several
 *   sources at once;
 * - minimum vertex cuts ([CHK-1]): max-flow (Dinic) with node splitting, unit capacity on cuttable nodes and
 *   infinite capacity elsewhere; the cut is read from the residual graph.
 */

export type Digraph = {
  n: number;
  /** CSR: edges of u are start[u] .. start[u+1]-1. */
  start: Int32Array;
  to: Int32Array;
  prob: Float64Array;
};

/** Builds a CSR graph from edge lists (edges keep their order within each source node). */
export function buildDigraph(
  n: number,
  from: ArrayLike<number>,
  to: ArrayLike<number>,
  prob: ArrayLike<number>,
): Digraph {
  const m = from.length;
  const start = new Int32Array(n + 1);
  for (let e = 0; e < m; e++) start[from[e] + 1]++;
  for (let u = 0; u < n; u++) start[u + 1] += start[u];
  const fill = start.slice(0, n);
  const t = new Int32Array(m);
  const p = new Float64Array(m);
  for (let e = 0; e < m; e++) {
    const k = fill[from[e]]++;
    t[k] = to[e];
    p[k] = prob[e];
  }
  return { n, start, to: t, prob: p };
}

export type PathTree = {
  /** Probability of the most likely path to each node (0 if unreachable). */
  best: Float64Array;
  /** Predecessor node on that path, -1 for sources and unreachable nodes. */
  pred: Int32Array;
  /** Edge used to reach each node (index into to/prob), -1 for sources. */
  predEdge: Int32Array;
};

/**
 * Most likely paths from `sources` (each with a starting probability) to every node: Dijkstra on -log p with a
 * binary heap. Ties are broken by node number, so the result is deterministic. Edges with p <= 0 are ignored.
 */
export function mostLikelyPaths(g: Digraph, sources: ArrayLike<number>, sourceProb?: ArrayLike<number>): PathTree {
  const { n, start, to, prob } = g;
  const dist = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const pred = new Int32Array(n).fill(-1);
  const predEdge = new Int32Array(n).fill(-1);
  const done = new Uint8Array(n);
  // binary heap of (dist, node), lazy deletion
  let hd = new Float64Array(64);
  let hn = new Int32Array(64);
  let size = 0;
  const less = (i: number, j: number) => hd[i] < hd[j] || (hd[i] === hd[j] && hn[i] < hn[j]);
  const push = (d: number, v: number) => {
    if (size === hd.length) {
      const d2 = new Float64Array(size * 2);
      d2.set(hd);
      hd = d2;
      const n2 = new Int32Array(size * 2);
      n2.set(hn);
      hn = n2;
    }
    let i = size++;
    hd[i] = d;
    hn[i] = v;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(i, p)) break;
      swap(i, p);
      i = p;
    }
  };
  const swap = (i: number, j: number) => {
    const d = hd[i];
    hd[i] = hd[j];
    hd[j] = d;
    const v = hn[i];
    hn[i] = hn[j];
    hn[j] = v;
  };
  const pop = () => {
    size--;
    swap(0, size);
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && less(l, m)) m = l;
      if (r < size && less(r, m)) m = r;
      if (m === i) break;
      swap(i, m);
      i = m;
    }
  };
  for (let i = 0; i < sources.length; i++) {
    const s = sources[i];
    const p = sourceProb ? sourceProb[i] : 1;
    if (!(p > 0)) continue;
    const d = -Math.log(p);
    if (d < dist[s]) {
      dist[s] = d;
      push(d, s);
    }
  }
  while (size > 0) {
    const d = hd[0];
    const u = hn[0];
    pop();
    if (done[u] || d > dist[u]) continue;
    done[u] = 1;
    for (let e = start[u]; e < start[u + 1]; e++) {
      const p = prob[e];
      if (!(p > 0)) continue;
      const v = to[e];
      if (done[v]) continue;
      const nd = d - Math.log(p);
      if (nd < dist[v] || (nd === dist[v] && u < pred[v])) {
        dist[v] = nd;
        pred[v] = u;
        predEdge[v] = e;
        push(nd, v);
      }
    }
  }
  const best = new Float64Array(n);
  for (let v = 0; v < n; v++) best[v] = dist[v] === Number.POSITIVE_INFINITY ? 0 : Math.exp(-dist[v]);
  return { best, pred, predEdge };
}

/** The node sequence of the most likely path to `v` (sources first), or [] if unreachable. */
export function pathTo(tree: PathTree, v: number): number[] {
  if (tree.best[v] === 0) return [];
  const out: number[] = [];
  for (let u = v; u !== -1; u = tree.pred[u]) out.push(u);
  return out.reverse();
}

export type CutResult = {
  /** Cost of the minimum cut: the number of cuttable nodes in it (with `capacity`, the sum of theirs). */
  size: number;
  /** The minimum cut closest to the sources. */
  sourceSide: number[];
  /** The minimum cut closest to the sinks (may equal sourceSide). */
  sinkSide: number[];
  /** Sinks reachable from a source through non-cuttable nodes only: no finite cut separates them. */
  direct: number[];
  /** For each direct sink, the node right after the source on such a path. */
  directEntry: number[];
  /** Sinks separated by the cut (reachable, not direct). */
  separated: number[];
};

const INF = 1 << 29;

/**
 * Minimum vertex cut between `sources` and `sinks`: the fewest nodes with `cuttable[v] = 1` whose removal leaves
 * no path from a source to a sink. Sources and sinks are never cut (their capacity is infinite whatever
 * `cuttable` says). Sinks reachable through non-cuttable nodes alone are reported in `direct` and left out.
 * Dinic's max-flow on the split graph (v_in -> v_out with capacity 1 or infinity; each edge infinite).
 */
export function minVertexCut(
  g: Digraph,
  cuttable: Uint8Array,
  sources: ArrayLike<number>,
  sinks: ArrayLike<number>,
  /** Cost of cutting each node (default 1): a node standing for k parallel equivalent elements costs k. */
  capacity?: Int32Array,
): CutResult {
  const n = g.n;
  const isSource = new Uint8Array(n);
  const isSink = new Uint8Array(n);
  for (let i = 0; i < sources.length; i++) isSource[sources[i]] = 1;
  for (let i = 0; i < sinks.length; i++) isSink[sinks[i]] = 1;
  const canCut = (v: number) => cuttable[v] === 1 && !isSource[v] && !isSink[v];

  // reachability: all nodes, and through non-cuttable nodes only
  const reach = new Uint8Array(n);
  const free = new Uint8Array(n);
  const queue = new Int32Array(n);
  const parent = new Int32Array(n).fill(-1);
  const bfs = (mark: Uint8Array, onlyFree: boolean) => {
    let h = 0;
    let t = 0;
    for (let i = 0; i < sources.length; i++) {
      const s = sources[i];
      if (!mark[s]) {
        mark[s] = 1;
        queue[t++] = s;
      }
    }
    while (h < t) {
      const u = queue[h++];
      if (onlyFree && canCut(u)) continue;
      for (let e = g.start[u]; e < g.start[u + 1]; e++) {
        if (!(g.prob[e] > 0)) continue;
        const v = g.to[e];
        if (!mark[v]) {
          mark[v] = 1;
          if (onlyFree) parent[v] = u;
          queue[t++] = v;
        }
      }
    }
  };
  bfs(reach, false);
  bfs(free, true);
  const direct: number[] = [];
  const separated: number[] = [];
  for (let i = 0; i < sinks.length; i++) {
    const s = sinks[i];
    if (!reach[s] || isSource[s]) continue;
    if (free[s] && !canCut(s)) direct.push(s);
    else separated.push(s);
  }
  const directSorted = uniq(direct);
  const directEntry = directSorted.map((s) => {
    let v = s;
    while (parent[v] !== -1 && !isSource[parent[v]]) v = parent[v];
    return v;
  });
  // "direct" sinks must not be flow targets; they are still passable (infinite) nodes
  if (separated.length === 0)
    return { size: 0, sourceSide: [], sinkSide: [], direct: directSorted, directEntry, separated: [] };

  // split graph over the reachable part only: node v -> in 2v, out 2v+1; S = 2n, T = 2n+1
  const N = 2 * n + 2;
  const S = 2 * n;
  const T = 2 * n + 1;
  let m = 0;
  for (let u = 0; u < n; u++) if (reach[u]) m += 1 + (g.start[u + 1] - g.start[u]);
  m += sources.length + separated.length;
  const head = new Int32Array(N).fill(-1);
  const eTo = new Int32Array(2 * m);
  const eCap = new Int32Array(2 * m);
  const eNext = new Int32Array(2 * m);
  let ec = 0;
  const add = (u: number, v: number, c: number) => {
    eTo[ec] = v;
    eCap[ec] = c;
    eNext[ec] = head[u];
    head[u] = ec++;
    eTo[ec] = u;
    eCap[ec] = 0;
    eNext[ec] = head[v];
    head[v] = ec++;
  };
  for (let u = 0; u < n; u++) {
    if (!reach[u]) continue;
    add(2 * u, 2 * u + 1, canCut(u) ? (capacity ? capacity[u] : 1) : INF);
    for (let e = g.start[u + 1] - 1; e >= g.start[u]; e--) {
      if (!(g.prob[e] > 0)) continue;
      add(2 * u + 1, 2 * g.to[e], INF);
    }
  }
  for (let i = 0; i < sources.length; i++) add(S, 2 * sources[i], INF);
  for (const s of separated) add(2 * s + 1, T, INF);

  const levelOf = new Int32Array(N);
  const it = new Int32Array(N);
  const q = new Int32Array(N);
  const bfsLevel = (): boolean => {
    levelOf.fill(-1);
    let h = 0;
    let t = 0;
    levelOf[S] = 0;
    q[t++] = S;
    while (h < t) {
      const u = q[h++];
      for (let e = head[u]; e !== -1; e = eNext[e]) {
        if (eCap[e] > 0 && levelOf[eTo[e]] < 0) {
          levelOf[eTo[e]] = levelOf[u] + 1;
          q[t++] = eTo[e];
        }
      }
    }
    return levelOf[T] >= 0;
  };
  // iterative DFS for blocking flow
  const stackNode = new Int32Array(N);
  const stackEdge = new Int32Array(N);
  const dfs = (): number => {
    let top = 0;
    stackNode[0] = S;
    for (;;) {
      const u = stackNode[top];
      if (u === T) {
        let f = INF;
        for (let i = 0; i < top; i++) f = Math.min(f, eCap[stackEdge[i]]);
        for (let i = 0; i < top; i++) {
          eCap[stackEdge[i]] -= f;
          eCap[stackEdge[i] ^ 1] += f;
        }
        return f;
      }
      let advanced = false;
      for (; it[u] !== -1; it[u] = eNext[it[u]]) {
        const e = it[u];
        const v = eTo[e];
        if (eCap[e] > 0 && levelOf[v] === levelOf[u] + 1) {
          stackEdge[top] = e;
          stackNode[++top] = v;
          advanced = true;
          break;
        }
      }
      if (!advanced) {
        if (top === 0) return 0;
        levelOf[u] = -1; // dead end
        top--;
        it[stackNode[top]] = eNext[it[stackNode[top]]];
      }
    }
  };
  let flow = 0;
  while (bfsLevel()) {
    for (let u = 0; u < N; u++) it[u] = head[u];
    for (;;) {
      const f = dfs();
      if (f === 0) break;
      flow += f;
      if (flow >= INF) break;
    }
    if (flow >= INF) break;
  }
  // source side: residual reachability from S
  const fromS = new Uint8Array(N);
  {
    let h = 0;
    let t = 0;
    fromS[S] = 1;
    q[t++] = S;
    while (h < t) {
      const u = q[h++];
      for (let e = head[u]; e !== -1; e = eNext[e])
        if (eCap[e] > 0 && !fromS[eTo[e]]) {
          fromS[eTo[e]] = 1;
          q[t++] = eTo[e];
        }
    }
  }
  // sink side: nodes that can still reach T in the residual graph (reverse residual search)
  const toT = new Uint8Array(N);
  {
    let h = 0;
    let t = 0;
    toT[T] = 1;
    q[t++] = T;
    while (h < t) {
      const v = q[h++];
      // u -> v has residual capacity iff edge e (u->v) has eCap > 0; e^1 is stored in v's list pointing to u
      for (let e = head[v]; e !== -1; e = eNext[e]) {
        const u = eTo[e];
        if (eCap[e ^ 1] > 0 && !toT[u]) {
          toT[u] = 1;
          q[t++] = u;
        }
      }
    }
  }
  const sourceSide: number[] = [];
  const sinkSide: number[] = [];
  for (let u = 0; u < n; u++) {
    if (!reach[u] || !canCut(u)) continue;
    if (fromS[2 * u] && !fromS[2 * u + 1]) sourceSide.push(u);
    if (!toT[2 * u] && toT[2 * u + 1]) sinkSide.push(u);
  }
  return { size: flow, sourceSide, sinkSide, direct: directSorted, directEntry, separated };
}

function uniq(xs: number[]): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}
