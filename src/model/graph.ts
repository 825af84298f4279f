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

const KIND_CODE = { all: 0, any: 1, k: 2 } as const;

function memberNode(index: Map<string, number>, id: string, owner: string): number {
  const n = index.get(id);
  if (n === undefined) throw new Error(`buildIndex: ${owner} requires unknown node ${id} (validate the model first)`);
  return n;
}

/** Builds the index of a validated model. O(size of the model). */
export function buildIndex(model: CityModel): CityIndex {
  const assets = model.assets;
  const services = model.services;
  const assetCount = assets.length;
  const serviceCount = services.length;
  const nodeCount = assetCount + serviceCount;

  const nodeId: string[] = new Array(nodeCount);
  const nodeOf = new Map<string, number>();
  for (let i = 0; i < assetCount; i++) {
    nodeId[i] = assets[i].id;
    nodeOf.set(assets[i].id, i);
  }
  for (let j = 0; j < serviceCount; j++) {
    nodeId[assetCount + j] = services[j].id;
    nodeOf.set(services[j].id, assetCount + j);
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

  // requirements: count, then fill
  const reqsOf = (n: number): Requirement[] => (n < assetCount ? assets[n].requires : services[n - assetCount].requires);
  let reqCount = 0;
  let memberCount = 0;
  const reqStart = new Int32Array(nodeCount + 1);
  for (let n = 0; n < nodeCount; n++) {
    const rs = reqsOf(n);
    reqStart[n] = reqCount;
    reqCount += rs.length;
    for (let i = 0; i < rs.length; i++) memberCount += rs[i].members.length;
  }
  reqStart[nodeCount] = reqCount;

  const reqOwner = new Int32Array(reqCount);
  const reqKind = new Uint8Array(reqCount);
  const reqK = new Int32Array(reqCount);
  const reqDegrade = new Float64Array(reqCount);
  const reqBuffer = new Float64Array(reqCount);
  const memberStart = new Int32Array(reqCount + 1);
  const members = new Int32Array(memberCount);
  const usedByStart = new Int32Array(nodeCount + 1);
  // lastReq[m] = 1 + the last requirement that listed m, to count each (member, requirement) pair once
  const lastReq = new Int32Array(nodeCount);
  let r = 0;
  let mi = 0;
  for (let n = 0; n < nodeCount; n++) {
    const rs = reqsOf(n);
    for (let i = 0; i < rs.length; i++, r++) {
      const q = rs[i];
      reqOwner[r] = n;
      reqKind[r] = KIND_CODE[q.kind];
      const len = q.members.length;
      reqK[r] = q.kind === "all" ? len : q.kind === "any" ? 1 : q.k;
      reqDegrade[r] = q.degrade ?? 0;
      reqBuffer[r] = q.buffer ?? 0;
      memberStart[r] = mi;
      for (let j = 0; j < len; j++) {
        const m = memberNode(nodeOf, q.members[j], nodeId[n]);
        members[mi++] = m;
        if (lastReq[m] !== r + 1) {
          lastReq[m] = r + 1;
          usedByStart[m + 1]++;
        }
      }
    }
  }
  memberStart[reqCount] = mi;
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
  for (let i = 0; i < assetCount; i++) {
    const z = zoneOf.get(assets[i].zone);
    if (z === undefined) throw new Error(`buildIndex: asset ${assets[i].id} is in unknown zone ${assets[i].zone}`);
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
