/**
 * Attribution of simulated loss (docs/simulate.md "Attribution", [ATT-1]..[ATT-2]). Each run keeps two
 * counterfactual levels engines beside the real one, fed the same hits, buffer and fallback states:
 * - without containment: every hit but the isolations of our own containment;
 * - without containment and without cascade between services: the same, on an index where every requirement
 *   member that is a service is replaced by a node that is always up (what the service's own assets and the
 *   attack's hits on them explain).
 * Levels are monotone in caps and member levels, so real <= without containment <= without cascade at every
 * time, and the loss splits exactly: containment = real - without containment; cascade = without containment
 * - without cascade; attack effect = without cascade.
 */
import type { CityIndex } from "../model/graph.ts";

/**
 * The index with every service member of a requirement replaced by one extra node (number `nodeCount`) that
 * nothing caps and that requires nothing, so it stays at level 1. Only the fields the levels engine reads change.
 */
export function withoutServiceMembers(ix: CityIndex): CityIndex {
  const N = ix.nodeCount;
  const A = ix.assetCount;
  const up = N;
  const members = Int32Array.from(ix.members, (m) => (m >= A ? up : m));
  const reqStart = new Int32Array(N + 2);
  reqStart.set(ix.reqStart);
  reqStart[N + 1] = ix.reqCount;
  // reverse edges, each requirement once per node
  const count = new Int32Array(N + 2);
  const seen = new Int32Array(N + 1).fill(-1);
  for (let r = 0; r < ix.reqCount; r++)
    for (let p = ix.memberStart[r]; p < ix.memberStart[r + 1]; p++) {
      const m = members[p];
      if (seen[m] !== r) {
        seen[m] = r;
        count[m + 1]++;
      }
    }
  const usedByStart = new Int32Array(N + 2);
  for (let n = 0; n <= N; n++) usedByStart[n + 1] = usedByStart[n] + count[n + 1];
  const usedBy = new Int32Array(usedByStart[N + 1]);
  const fill = usedByStart.slice(0, N + 1);
  seen.fill(-1);
  for (let r = 0; r < ix.reqCount; r++)
    for (let p = ix.memberStart[r]; p < ix.memberStart[r + 1]; p++) {
      const m = members[p];
      if (seen[m] !== r) {
        seen[m] = r;
        usedBy[fill[m]++] = r;
      }
    }
  return { ...ix, nodeCount: N + 1, reqStart, members, usedByStart, usedBy };
}
