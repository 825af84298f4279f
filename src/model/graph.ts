/**
 * The compact graph index of a city model (docs/specs/index-and-levels.md): integer nodes (assets then
 * services), requirements and their members in CSR arrays, reverse edges, zones and directed conduit edges
 * ([NET-1]). Built once per model and shared by every engine; read-only after construction.
 */
import type { CityModel, Requirement } from "./model.ts";

export type CityIndex = {
  model: CityModel;
  nodeCount: number;
  assetCount: number;
  serviceCount: number;
  /** Id per node. */
  nodeId: string[];
  /** Id -> node. */
  nodeOf: Map<string, number>;
  /** Per node: service population, 0 for assets. */
  population: Float64Array;
  // requirements, CSR by owner node: requirements of node n are reqStart[n] .. reqStart[n+1]-1
  reqCount: number;
  /** nodeCount + 1 entries. */
  reqStart: Int32Array;
  /** reqCount entries: the node that has the requirement. */
  reqOwner: Int32Array;
  /** 0 all, 1 any, 2 k-of-n. */
  reqKind: Uint8Array;
  /** Members needed (all = n, any = 1). */
  reqK: Int32Array;
  /** Level that remains while unmet. */
  reqDegrade: Float64Array;
  /** Ride-through hours, 0 = none. */
  reqBuffer: Float64Array;
  /** reqCount + 1 entries: members of requirement r are members[memberStart[r] .. memberStart[r+1]-1]. */
  memberStart: Int32Array;
  /** Member nodes, in the order the model lists them. */
  members: Int32Array;
  /**
   * Reverse edges: the requirements that list node n, usedBy[usedByStart[n] .. usedByStart[n+1]-1], ascending,
   * each requirement once even if it lists n twice.
   */
  usedByStart: Int32Array;
  usedBy: Int32Array;
  /**
   * Services' fallbacks, indexed by node. Without one (every asset, services without a fallback):
   * fallbackLevel NaN, fallbackAfter 0, fallbackLasts 0, hasFallback 0. `fallbackLasts` is Infinity when unlimited.
   */
  fallbackLevel: Float64Array;
  fallbackAfter: Float64Array;
  fallbackLasts: Float64Array;
  /** 1 when the node is a service with a fallback (added member). */
  hasFallback: Uint8Array;
  // zones and conduits ([NET-1])
  zoneCount: number;
  zoneId: string[];
  zoneOf: Map<string, number>;
  /** Purdue level, NaN if unknown; internet = 5. */
  zoneLevel: Float64Array;
  /** Asset node -> zone (assetCount entries). */
  assetZone: Int32Array;
  /** Assets by zone (CSR, zoneCount + 1 starts), ascending. */
  zoneAssetStart: Int32Array;
  zoneAssets: Int32Array;
  /**
   * Directed zone edges (CSR, zoneCount + 1 starts): a `both` conduit gives from->to and to->from, a `one-way`
   * conduit from->to only. zoneOutConduit = the index of the conduit in model.conduits.
   */
  zoneOutStart: Int32Array;
  zoneOut: Int32Array;
  zoneOutConduit: Int32Array;
  /** The `internet` zone (the loader adds it; added here too, last, when a hand-built model lacks it). */
  internetZone: number;
};

function memberNode(index: Map<string, number>, id: string, owner: string): number {
  const n = index.get(id);
  if (n === undefined) throw new Error(`buildIndex: ${owner} requires unknown node ${id} (validate the model first)`);
  return n;
}

function grow<T extends Int32Array | Uint8Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** Builds the index of a validated model. O(size of the model). */
export function buildIndex(model: CityModel): CityIndex {
  const assets = model.assets;
  const services = model.services;
  const assetCount = assets.length;
  const serviceCount = services.length;
  const nodeCount = assetCount + serviceCount;

  // push, not new Array(n): a large preallocated array can fall back to slow dictionary elements
  const nodeId: string[] = [];
  const nodeOf = new Map<string, number>();
  for (let i = 0; i < assetCount; i++) {
    const id = assets[i].id;
    nodeId.push(id);
    nodeOf.set(id, i);
  }
  for (let j = 0; j < serviceCount; j++) {
    const id = services[j].id;
    nodeId.push(id);
    nodeOf.set(id, assetCount + j);
  }

  const population = new Float64Array(nodeCount);
  const fallbackLevel = new Float64Array(nodeCount).fill(Number.NaN);
  const fallbackAfter = new Float64Array(nodeCount);
  const fallbackLasts = new Float64Array(nodeCount);
  const hasFallback = new Uint8Array(nodeCount);
  for (let j = 0; j < serviceCount; j++) {
    const s = services[j];
    const n = assetCount + j;
    population[n] = s.population;
    if (s.fallback) {
      hasFallback[n] = 1;
      fallbackLevel[n] = s.fallback.level;
      fallbackAfter[n] = s.fallback.after;
      fallbackLasts[n] = s.fallback.lasts ?? Number.POSITIVE_INFINITY;
    }
  }

  // requirements: one walk over the model into growable typed arrays, then reverse edges by counting sort
  const reqStart = new Int32Array(nodeCount + 1);
  let rcap = Math.max(16, nodeCount);
  let mcap = Math.max(16, 2 * nodeCount);
  let reqOwner = new Int32Array(rcap);
  let reqKind = new Uint8Array(rcap);
  let reqK = new Int32Array(rcap);
  let reqDegrade = new Float64Array(rcap);
  let reqBuffer = new Float64Array(rcap);
  let memberStart = new Int32Array(rcap + 1);
  let members = new Int32Array(mcap);
  let reqCount = 0;
  let mi = 0;
  const usedByStart = new Int32Array(nodeCount + 1);
  // lastReq[m] = 1 + the last requirement that listed m, to count each (member, requirement) pair once
  const lastReq = new Int32Array(nodeCount);
  let hint = 0; // members are often listed next to each other: try the node after the last one first
  for (let n = 0; n < nodeCount; n++) {
    const rs: Requirement[] = n < assetCount ? assets[n].requires : services[n - assetCount].requires;
    reqStart[n] = reqCount;
    for (let i = 0; i < rs.length; i++) {
      const q = rs[i];
      const ids = q.members;
      const len = ids.length;
      if (reqCount === rcap) {
        rcap *= 2;
        reqOwner = grow(reqOwner, new Int32Array(rcap));
        reqKind = grow(reqKind, new Uint8Array(rcap));
        reqK = grow(reqK, new Int32Array(rcap));
        reqDegrade = grow(reqDegrade, new Float64Array(rcap));
        reqBuffer = grow(reqBuffer, new Float64Array(rcap));
        memberStart = grow(memberStart, new Int32Array(rcap + 1));
      }
      while (mi + len > mcap) {
        mcap *= 2;
        members = grow(members, new Int32Array(mcap));
      }
      const r = reqCount++;
      reqOwner[r] = n;
      const kind = q.kind;
      reqKind[r] = kind === "all" ? 0 : kind === "any" ? 1 : 2;
      reqK[r] = kind === "all" ? len : kind === "any" ? 1 : q.k;
      reqDegrade[r] = q.degrade ?? 0;
      reqBuffer[r] = q.buffer ?? 0;
      memberStart[r] = mi;
      for (let j = 0; j < len; j++) {
        const id = ids[j];
        const m = hint < nodeCount && nodeId[hint] === id ? hint : memberNode(nodeOf, id, nodeId[n]);
        hint = m + 1;
        members[mi++] = m;
        if (lastReq[m] !== r + 1) {
          lastReq[m] = r + 1;
          usedByStart[m + 1]++;
        }
      }
    }
  }
  reqStart[nodeCount] = reqCount;
  memberStart[reqCount] = mi;
  reqOwner = reqOwner.subarray(0, reqCount);
  reqKind = reqKind.subarray(0, reqCount);
  reqK = reqK.subarray(0, reqCount);
  reqDegrade = reqDegrade.subarray(0, reqCount);
  reqBuffer = reqBuffer.subarray(0, reqCount);
  memberStart = memberStart.subarray(0, reqCount + 1);
  members = members.subarray(0, mi);
  for (let n = 0; n < nodeCount; n++) usedByStart[n + 1] += usedByStart[n];
  const usedBy = new Int32Array(usedByStart[nodeCount]);
  const fill = usedByStart.slice(0, nodeCount);
  lastReq.fill(0);
  for (let q = 0; q < reqCount; q++) {
    for (let j = memberStart[q]; j < memberStart[q + 1]; j++) {
      const m = members[j];
      if (lastReq[m] !== q + 1) {
        lastReq[m] = q + 1;
        usedBy[fill[m]++] = q;
      }
    }
  }

  // zones
  const zoneId: string[] = model.zones.map((z) => z.id);
  const zoneOf = new Map<string, number>();
  for (let z = 0; z < zoneId.length; z++) zoneOf.set(zoneId[z], z);
  if (!zoneOf.has("internet")) {
    zoneOf.set("internet", zoneId.length);
    zoneId.push("internet");
  }
  const zoneCount = zoneId.length;
  const internetZone = zoneOf.get("internet") as number;
  const zoneLevel = new Float64Array(zoneCount).fill(Number.NaN);
  for (let z = 0; z < model.zones.length; z++) {
    const lv = model.zones[z].level;
    if (lv !== undefined) zoneLevel[z] = lv;
  }
  zoneLevel[internetZone] = 5;

  const assetZone = new Int32Array(assetCount);
  const zoneAssetStart = new Int32Array(zoneCount + 1);
  let lastZone = "";
  let z = -1;
  for (let i = 0; i < assetCount; i++) {
    const zs = assets[i].zone;
    if (zs !== lastZone) {
      // assets of one zone are usually listed together
      const found = zoneOf.get(zs);
      if (found === undefined) throw new Error(`buildIndex: asset ${assets[i].id} is in unknown zone ${zs}`);
      z = found;
      lastZone = zs;
    }
    assetZone[i] = z;
    zoneAssetStart[z + 1]++;
  }
  for (let z = 0; z < zoneCount; z++) zoneAssetStart[z + 1] += zoneAssetStart[z];
  const zoneAssets = new Int32Array(assetCount);
  const zfill = zoneAssetStart.slice(0, zoneCount);
  for (let i = 0; i < assetCount; i++) zoneAssets[zfill[assetZone[i]]++] = i;

  const conduits = model.conduits;
  const cFrom = new Int32Array(conduits.length);
  const cTo = new Int32Array(conduits.length);
  const zoneOutStart = new Int32Array(zoneCount + 1);
  for (let c = 0; c < conduits.length; c++) {
    const f = zoneOf.get(conduits[c].from);
    const t = zoneOf.get(conduits[c].to);
    if (f === undefined || t === undefined)
      throw new Error(`buildIndex: conduit ${conduits[c].id} names an unknown zone (validate the model first)`);
    cFrom[c] = f;
    cTo[c] = t;
    zoneOutStart[f + 1]++;
    if (conduits[c].direction !== "one-way") zoneOutStart[t + 1]++;
  }
  for (let z = 0; z < zoneCount; z++) zoneOutStart[z + 1] += zoneOutStart[z];
  const zoneOut = new Int32Array(zoneOutStart[zoneCount]);
  const zoneOutConduit = new Int32Array(zoneOutStart[zoneCount]);
  const ofill = zoneOutStart.slice(0, zoneCount);
  for (let c = 0; c < conduits.length; c++) {
    let p = ofill[cFrom[c]]++;
    zoneOut[p] = cTo[c];
    zoneOutConduit[p] = c;
    if (conduits[c].direction !== "one-way") {
      p = ofill[cTo[c]]++;
      zoneOut[p] = cFrom[c];
      zoneOutConduit[p] = c;
    }
  }

  return {
    model,
    nodeCount,
    assetCount,
    serviceCount,
    nodeId,
    nodeOf,
    population,
    reqCount,
    reqStart,
    reqOwner,
    reqKind,
    reqK,
    reqDegrade,
    reqBuffer,
    memberStart,
    members,
    usedByStart,
    usedBy,
    fallbackLevel,
    fallbackAfter,
    fallbackLasts,
    hasFallback,
    zoneCount,
    zoneId,
    zoneOf,
    zoneLevel,
    assetZone,
    zoneAssetStart,
    zoneAssets,
    zoneOutStart,
    zoneOut,
    zoneOutConduit,
    internetZone,
  };
}

/** Reusable traversal scratch per index (no allocation per call beyond the result). */
type Scratch = { seen: Int32Array; stamp: number; queue: Int32Array };
const scratchOf = new WeakMap<CityIndex, Scratch>();

function scratch(index: CityIndex): Scratch {
  let s = scratchOf.get(index);
  if (!s) {
    s = { seen: new Int32Array(index.nodeCount), stamp: 0, queue: new Int32Array(index.nodeCount) };
    scratchOf.set(index, s);
  }
  if (s.stamp >= 0x7ffffff0) {
    s.seen.fill(0);
    s.stamp = 0;
  }
  s.stamp++;
  return s;
}

/**
 * Fills `s.queue` with the forward-dependent closure of `node` (breadth-first, `node` first) and returns its
 * length. Nodes of the closure carry `s.seen[n] === s.stamp`.
 */
function closure(index: CityIndex, node: number, s: Scratch): number {
  const { usedByStart, usedBy, reqOwner } = index;
  const { seen, queue } = s;
  const stamp = s.stamp;
  let head = 0;
  let tail = 0;
  queue[tail++] = node;
  seen[node] = stamp;
  while (head < tail) {
    const v = queue[head++];
    for (let p = usedByStart[v]; p < usedByStart[v + 1]; p++) {
      const o = reqOwner[usedBy[p]];
      if (seen[o] !== stamp) {
        seen[o] = stamp;
        queue[tail++] = o;
      }
    }
  }
  return tail;
}

/** Every node whose level can depend on `node` (transitively), excluding `node`, in breadth-first order. */
export function dependents(index: CityIndex, node: number): Int32Array {
  const s = scratch(index);
  const len = closure(index, node, s);
  return s.queue.slice(1, len);
}

/** The service nodes among `node`'s dependents, and `node` itself if it is a service; ascending. */
export function servicesAtRisk(index: CityIndex, node: number): number[] {
  const s = scratch(index);
  const len = closure(index, node, s);
  const out: number[] = [];
  for (let i = 0; i < len; i++) if (s.queue[i] >= index.assetCount) out.push(s.queue[i]);
  out.sort((a, b) => a - b);
  return out;
}
