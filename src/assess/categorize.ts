/**
 * [CAT-1] FIPS 199 categorization of assets and services, and the services each node supports.
 *
 * - An asset's confidentiality and integrity: the high-water mark over the services it supports through assets
 *   alone (a service requires it, or requires an asset that requires it, ...).
 * - An asset's availability: the high-water mark over every service it supports through any chain.
 * - A service keeps its own impact, its availability raised by every service that depends on it (transitively).
 *
 * Linear time: services are processed from the highest rating down; a breadth-first walk stops at nodes that
 * already carry at least the current rating (their own descendants do too).
 */
import type { CityIndex } from "../model/graph.ts";
import type { Categorization, Rating } from "./types.ts";

export const RATINGS: readonly Rating[] = ["low", "moderate", "high"];
const RANK: Record<string, number> = { low: 0, moderate: 1, high: 2 };

export type CategoryArrays = {
  /** Per node: 0 low, 1 moderate, 2 high. */
  conf: Uint8Array;
  integ: Uint8Array;
  avail: Uint8Array;
};

export function categorizeArrays(index: CityIndex): CategoryArrays {
  const { nodeCount, assetCount, serviceCount, model } = index;
  const conf = new Uint8Array(nodeCount);
  const integ = new Uint8Array(nodeCount);
  const avail = new Uint8Array(nodeCount);
  const own = (dim: "confidentiality" | "integrity" | "availability") => {
    const a = new Uint8Array(serviceCount);
    for (let j = 0; j < serviceCount; j++) a[j] = RANK[model.services[j].impact[dim]];
    return a;
  };
  const queue = new Int32Array(nodeCount);
  const propagate = (out: Uint8Array, ownRating: Uint8Array, assetsOnly: boolean) => {
    for (let j = 0; j < serviceCount; j++) out[assetCount + j] = ownRating[j];
    for (let r = 2; r >= 1; r--) {
      for (let j = 0; j < serviceCount; j++) {
        const s = assetCount + j;
        // start from every service that carries rating r (its own, or raised: services are sources too)
        if (out[s] < r) continue;
        let head = 0;
        let tail = 0;
        queue[tail++] = s;
        while (head < tail) {
          const v = queue[head++];
          for (let q = index.reqStart[v]; q < index.reqStart[v + 1]; q++) {
            for (let m = index.memberStart[q]; m < index.memberStart[q + 1]; m++) {
              const w = index.members[m];
              if (assetsOnly && w >= assetCount) continue;
              if (out[w] >= r) continue;
              out[w] = r;
              queue[tail++] = w;
            }
          }
        }
      }
    }
  };
  propagate(conf, own("confidentiality"), true);
  propagate(integ, own("integrity"), true);
  // services keep their own C and I
  const oc = own("confidentiality");
  const oi = own("integrity");
  for (let j = 0; j < serviceCount; j++) {
    conf[assetCount + j] = oc[j];
    integ[assetCount + j] = oi[j];
  }
  propagate(avail, own("availability"), false);
  return { conf, integ, avail };
}

export function categorize(index: CityIndex, cat: CategoryArrays = categorizeArrays(index)): Categorization[] {
  const out: Categorization[] = new Array(index.nodeCount);
  for (let n = 0; n < index.nodeCount; n++)
    out[n] = {
      id: index.nodeId[n],
      type: n < index.assetCount ? "asset" : "service",
      confidentiality: RATINGS[cat.conf[n]],
      integrity: RATINGS[cat.integ[n]],
      availability: RATINGS[cat.avail[n]],
    };
  return out;
}

/**
 * The services each node supports through any chain of requirements (or, with `assetsOnly`, through chains of
 * assets alone: the service's own systems), itself included for a service, as
 * bitsets: node n's set is words[n * width .. n * width + width - 1]. One walk per service.
 */
export type Support = { width: number; words: Uint32Array };

export function supportSets(index: CityIndex, assetsOnly = false): Support {
  const { nodeCount, assetCount, serviceCount } = index;
  const width = Math.max(1, Math.ceil(serviceCount / 32));
  const words = new Uint32Array(nodeCount * width);
  const seen = new Int32Array(nodeCount).fill(-1);
  const queue = new Int32Array(nodeCount);
  for (let j = 0; j < serviceCount; j++) {
    const s = assetCount + j;
    const w = j >>> 5;
    const bit = 1 << (j & 31);
    let head = 0;
    let tail = 0;
    queue[tail++] = s;
    seen[s] = j;
    while (head < tail) {
      const v = queue[head++];
      words[v * width + w] |= bit;
      for (let q = index.reqStart[v]; q < index.reqStart[v + 1]; q++) {
        for (let m = index.memberStart[q]; m < index.memberStart[q + 1]; m++) {
          const x = index.members[m];
          if (assetsOnly && x >= assetCount) continue;
          if (seen[x] !== j) {
            seen[x] = j;
            queue[tail++] = x;
          }
        }
      }
    }
  }
  return { width, words };
}

/** The service indexes (0-based, into model.services) in node n's support set. */
export function supportedServices(sup: Support, n: number): number[] {
  const out: number[] = [];
  const base = n * sup.width;
  for (let w = 0; w < sup.width; w++) {
    let x = sup.words[base + w];
    while (x !== 0) {
      const b = 31 - Math.clz32(x & -x);
      out.push(w * 32 + b);
      x &= x - 1;
    }
  }
  return out;
}
