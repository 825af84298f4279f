/**
 * [CRI-1] Criticality of each asset and [CRI-2] worst pairs (N-2), with the incremental levels engine.
 *
 * Setup: every buffer exhausted, no floors (no fallback in force), no caps. For each asset a: checkpoint,
 * setCap(a, 0), read the services among the changed nodes, roll back. The cost is the size of a's dependent
 * closure, not the size of the city.
 *
 * Loss = sum over services of (1 - level) x population x 24, measured against the same setup without the asset
 * down (normally every level is 1; a model whose baseline is already below 1 is measured relative to it).
 *
 * Pairs examined ([CRI-2]): for every `any` or k-of-n requirement whose slack (members - k) is exactly 1, so that
 * one member may fail but not two:
 *   1. every pair of its members that are assets ("redundant" twins);
 *   2. pairs (x, y) where x alone lowers member i and y alone lowers member j (i != j) and neither lowers both:
 *      what the members stand on (their power feed, their switch). Up to 8 such supports per member, those with
 *      the largest single loss first.
 * Groups with slack >= 2 survive any two losses among their members; all pairs of the city do not scale. A pair
 * is reported when its joint loss exceeds the sum of the two single losses.
 *
 * Rankings use weighted loss ([CON-2], src/model/consequence.ts): assets by their weighted loss rate ([RNK-1]),
 * pairs by the weighted loss they add beyond their worse member ([RNK-2]).
 */

import { serviceWeight } from "../model/consequence.ts";
import type { CityIndex } from "../model/graph.ts";
import { LevelsEngine } from "../model/levels.ts";
import type { Criticality, Pair } from "./types.ts";

export type CriticalityResult = {
  /** Per asset node: person-hours per day lost with that asset alone down. */
  loss: Float64Array;
  /** Per asset node: weighted loss per day with that asset alone down ([CON-2], [RNK-1]). */
  weighted: Float64Array;
  spof: Uint8Array;
  list: Criticality[];
  pairs: Pair[];
  candidatePairs: number;
  /** Redundant groups defeated by one asset they all stand on (the nearest such asset per group). */
  commonCauses: CommonCause[];
};

export type CommonCause = { asset: string; owner: string; members: string[]; groupSize: number; k: number };

const EPS = 1e-9;
const MAX_SUPPORTS = 8;
const MAX_PAIRS_PER_GROUP = 64;

export function criticality(
  index: CityIndex,
  opts: { maxPairs?: number; pairBudget?: number } = {},
): CriticalityResult {
  const { assetCount, population } = index;
  const eng = new LevelsEngine(index);
  eng.exhaustAllBuffers();
  const base = Float64Array.from(eng.level);
  const loss = new Float64Array(assetCount);
  const weighted = new Float64Array(assetCount);
  // per node: the service's weight [CON-1] (0 for assets)
  const w = new Float64Array(index.nodeCount);
  index.model.services.forEach((svc, j) => {
    w[assetCount + j] = serviceWeight(svc);
  });
  const spof = new Uint8Array(assetCount);
  const list: Criticality[] = [];

  // members of slack-1 groups: which assets lower them alone (filled during the single pass)
  const groupOf = new Int32Array(index.nodeCount).fill(-1);
  const groups: number[] = [];
  const allGroups: number[] = [];
  for (let r = 0; r < index.reqCount; r++) {
    if (index.reqKind[r] === 0) continue;
    const n = index.memberStart[r + 1] - index.memberStart[r];
    if (n - index.reqK[r] < 1) continue;
    allGroups.push(r);
    if (n - index.reqK[r] === 1) groups.push(r);
    for (let m = index.memberStart[r]; m < index.memberStart[r + 1]; m++) groupOf[index.members[m]] = 1;
  }
  const reach = new Int32Array(assetCount);
  const supports = new Map<number, number[]>();

  const touched = new Int32Array(index.serviceCount);
  const stamp = new Int32Array(index.nodeCount);
  let epoch = 0;

  for (let a = 0; a < assetCount; a++) {
    const mark = eng.checkpoint();
    eng.setCap(a, 0);
    epoch++;
    let t = 0;
    let sum = 0;
    let wsum = 0;
    let isSpof = false;
    for (let i = 0; i < eng.changedCount; i++) {
      const n = eng.changed[i];
      if (stamp[n] === epoch) continue;
      stamp[n] = epoch;
      if (groupOf[n] === 1 && n !== a) {
        const l = supports.get(n);
        if (l) l.push(a);
        else supports.set(n, [a]);
      }
      if (n < assetCount) continue;
      const lv = eng.level[n];
      if (lv >= base[n]) continue;
      touched[t++] = n;
      sum += (base[n] - lv) * population[n] * 24;
      wsum += (base[n] - lv) * population[n] * 24 * w[n];
      if (lv === 0) isSpof = true;
    }
    if (groupOf[a] === 1) {
      const l = supports.get(a);
      if (l) l.push(a);
      else supports.set(a, [a]);
    }
    reach[a] = eng.changedCount;
    loss[a] = sum;
    weighted[a] = wsum;
    spof[a] = isSpof ? 1 : 0;
    if (t > 0) {
      const svc = Array.from(touched.subarray(0, t));
      svc.sort((x, y) => eng.level[x] - eng.level[y] || population[y] - population[x] || x - y);
      const levels: Record<string, number> = {};
      for (const s of svc) levels[index.nodeId[s]] = round(eng.level[s]);
      list.push({
        id: index.nodeId[a],
        personHoursPerDay: round(sum),
        weightedLossPerDay: round(wsum),
        spof: isSpof,
        services: svc.map((s) => index.nodeId[s]),
        levels,
      });
    }
    eng.rollback(mark);
  }
  for (let a = 0; a < assetCount; a++)
    if (loss[a] === 0)
      list.push({
        id: index.nodeId[a],
        personHoursPerDay: 0,
        weightedLossPerDay: 0,
        spof: false,
        services: [],
        levels: {},
      });
  // [RNK-1] by weighted loss, then person-hours, then id
  list.sort(
    (x, y) =>
      y.weightedLossPerDay - x.weightedLossPerDay ||
      y.personHoursPerDay - x.personHoursPerDay ||
      (x.id < y.id ? -1 : x.id > y.id ? 1 : 0),
  );

  // ---- common causes: one asset that takes down more members of a redundant group than it can lose ----
  // Only causes the members stand on through chains of assets (their own feed, switch, UPS): a service they all
  // need (electricity) is a dependency of the city, reported by criticality, not a flaw of this redundancy.
  // per member m: the assets among its supports that it stands on through a chain of assets, in support order
  // (one depth-first walk per member, marks in a typed array, cached: a member may sit in several groups)
  const mark = new Int32Array(assetCount);
  let markEpoch = 0;
  const dfs: number[] = [];
  const ancSupports = new Map<number, number[]>();
  const ancestorSupports = (m: number): number[] => {
    let out = ancSupports.get(m);
    if (out) return out;
    out = [];
    const sup = supports.get(m);
    if (sup) {
      const e = ++markEpoch;
      dfs.length = 0;
      dfs.push(m);
      while (dfs.length) {
        const v = dfs.pop() as number;
        for (let q = index.reqStart[v]; q < index.reqStart[v + 1]; q++)
          for (let k = index.memberStart[q]; k < index.memberStart[q + 1]; k++) {
            const x = index.members[k];
            if (x < assetCount && mark[x] !== e) {
              mark[x] = e;
              dfs.push(x);
            }
          }
      }
      for (const x of sup) if (mark[x] === e) out.push(x);
    }
    ancSupports.set(m, out);
    return out;
  };
  const commonCauses: CommonCause[] = [];
  {
    const count = new Map<number, number>();
    for (const r of allGroups) {
      const slack = index.memberStart[r + 1] - index.memberStart[r] - index.reqK[r];
      count.clear();
      const mem: number[] = [];
      for (let m = index.memberStart[r]; m < index.memberStart[r + 1]; m++) mem.push(index.members[m]);
      for (const m of new Set(mem)) for (const x of ancestorSupports(m)) count.set(x, (count.get(x) ?? 0) + 1);
      let best = -1;
      for (const [x, c] of count) {
        if (c <= slack || mem.includes(x)) continue;
        if (best < 0 || reach[x] < reach[best] || (reach[x] === reach[best] && x < best)) best = x;
      }
      if (best >= 0) {
        const hit = mem.filter((m) => ancestorSupports(m).includes(best));
        commonCauses.push({
          asset: index.nodeId[best],
          owner: index.nodeId[index.reqOwner[r]],
          members: [...new Set(hit.map((m) => index.nodeId[m]))],
          groupSize: mem.length,
          k: index.reqK[r],
        });
      }
    }
  }

  // ---- pairs ----
  const seenPair = new Set<number>();
  const cand: { a: number; b: number; reason: string }[] = [];
  const budget = opts.pairBudget ?? 20000;
  const addPair = (a: number, b: number, reason: string) => {
    if (a === b || a >= assetCount || b >= assetCount) return;
    const key = a < b ? a * assetCount + b : b * assetCount + a;
    if (seenPair.has(key)) return;
    seenPair.add(key);
    cand.push({ a: Math.min(a, b), b: Math.max(a, b), reason });
  };
  // the groups whose failure would cost most first: services by population, assets by their single loss
  const weight = (r: number) => {
    const o = index.reqOwner[r];
    return o >= assetCount ? population[o] * 24 : loss[o];
  };
  groups.sort((x, y) => weight(y) - weight(x) || x - y);
  for (const r of groups) {
    if (cand.length >= budget) break;
    const owner = index.nodeId[index.reqOwner[r]];
    const mem: number[] = [];
    for (let m = index.memberStart[r]; m < index.memberStart[r + 1]; m++) mem.push(index.members[m]);
    let added = 0;
    for (let i = 0; i < mem.length && added < MAX_PAIRS_PER_GROUP; i++)
      for (let j = i + 1; j < mem.length && added < MAX_PAIRS_PER_GROUP; j++) {
        if (mem[i] < assetCount && mem[j] < assetCount) {
          addPair(mem[i], mem[j], `redundant members of a requirement of ${owner}`);
          added++;
        }
      }
    const sup = mem.map((m) => {
      const l = (supports.get(m) ?? []).filter((x) => x !== m);
      l.sort((x, y) => loss[y] - loss[x] || x - y);
      return new Set(l);
    });
    for (let i = 0; i < mem.length && added < MAX_PAIRS_PER_GROUP * 2; i++)
      for (let j = i + 1; j < mem.length && added < MAX_PAIRS_PER_GROUP * 2; j++) {
        const si = [...sup[i]].filter((x) => !sup[j].has(x)).slice(0, MAX_SUPPORTS);
        const sj = [...sup[j]].filter((x) => !sup[i].has(x)).slice(0, MAX_SUPPORTS);
        const withI = mem[i] < assetCount ? [mem[i], ...si] : si;
        const withJ = mem[j] < assetCount ? [mem[j], ...sj] : sj;
        for (const x of withI)
          for (const y of withJ) {
            if (x === mem[i] && y === mem[j]) continue;
            addPair(x, y, `each takes down one redundant member of a requirement of ${owner}`);
            added++;
          }
      }
  }
  const pairs: Pair[] = [];
  for (const { a, b, reason } of cand) {
    const mark = eng.checkpoint();
    epoch++;
    let t = 0;
    eng.setCap(a, 0);
    for (let i = 0; i < eng.changedCount; i++) {
      const n = eng.changed[i];
      if (n >= assetCount && stamp[n] !== epoch) {
        stamp[n] = epoch;
        touched[t++] = n;
      }
    }
    eng.setCap(b, 0);
    for (let i = 0; i < eng.changedCount; i++) {
      const n = eng.changed[i];
      if (n >= assetCount && stamp[n] !== epoch) {
        stamp[n] = epoch;
        touched[t++] = n;
      }
    }
    let sum = 0;
    let wsum = 0;
    for (let i = 0; i < t; i++) {
      const n = touched[i];
      if (eng.level[n] < base[n]) {
        sum += (base[n] - eng.level[n]) * population[n] * 24;
        wsum += (base[n] - eng.level[n]) * population[n] * 24 * w[n];
      }
    }
    eng.rollback(mark);
    const excess = sum - loss[a] - loss[b];
    if (excess > EPS * Math.max(1, sum))
      pairs.push({
        ids: [index.nodeId[a], index.nodeId[b]],
        personHoursPerDay: round(sum),
        excess: round(excess),
        weightedLossPerDay: round(wsum),
        added: round(wsum - Math.max(weighted[a], weighted[b])),
        reason,
      });
  }
  // [RNK-2] by the weighted loss the pair adds beyond its worse member
  pairs.sort(
    (x, y) =>
      y.added - x.added ||
      y.weightedLossPerDay - x.weightedLossPerDay ||
      y.excess - x.excess ||
      cmp(x.ids[0], y.ids[0]) ||
      cmp(x.ids[1], y.ids[1]),
  );
  // keep the list diverse: at most 3 pairs per reason (one redundant group)
  const perReason = new Map<string, number>();
  const diverse = pairs.filter((p) => {
    const c = perReason.get(p.reason) ?? 0;
    perReason.set(p.reason, c + 1);
    return c < 3;
  });
  eng.commit();
  return {
    loss,
    weighted,
    spof,
    list,
    pairs: diverse.slice(0, opts.maxPairs ?? 100),
    candidatePairs: cand.length,
    commonCauses,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
