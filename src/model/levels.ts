/**
 * The levels engine (docs/specs/index-and-levels.md): every node's level by [DEP-1]..[DEP-6] as the greatest
 * fixpoint, kept up to date incrementally.
 *
 * State: per node a cap (1 = not hit), a floor (0 = none) and the level/own pair; per requirement its real
 * satisfaction (cached, always equal to [DEP-2] over the current member levels) and whether its buffer is
 * exhausted. Invariant between calls: `level` is the greatest fixpoint of
 *   own(n)   = min(cap(n), min over requirements r of n of effective(r))             [DEP-3]
 *   level(n) = min(cap(n), max(own(n), floor(n)))                                     [DEP-6]
 *   effective(r) = max(degrade(r), buffered and not exhausted ? 1 : satisfaction(r))  [DEP-4]
 *
 * Lowering (a cap, a floor, exhausting a buffer) only lowers the fixpoint: the old levels are above the new
 * function, so a worklist from the changed node lowers nodes until nothing changes (chaotic iteration from a
 * post-fixpoint converges to the greatest fixpoint). Raising resets the forward-dependent closure of the changed
 * node to its caps and runs the same worklist over it ([DEP-5]: a healed cycle comes back). Both touch only what
 * depends on the change. Every write goes through a trail when a checkpoint is active, so rollback is exact.
 *
 * Hot paths allocate nothing: all scratch is typed arrays sized at construction (the trail grows by doubling).
 */
import type { CityIndex } from "./graph.ts";

const T_NODE = 0;
const T_CAP = 1;
const T_FLOOR = 2;
const T_EXHAUSTED = 3;
const T_SAT = 4;

export class LevelsEngine {
  readonly index: CityIndex;
  /** Current level per node (what dependents see). */
  readonly level: Float64Array;
  /** Level without the fallback floor ([DEP-6] "own level"); equals `level` where no floor lifts it. */
  readonly own: Float64Array;
  /** Current cap per node, 1 = not hit (read-only for callers; use setCap). */
  readonly cap: Float64Array;
  /** Current floor per node, 0 = none (read-only for callers; use setFloor). */
  readonly floor: Float64Array;
  /** Per requirement: 1 when its buffer is exhausted (read-only for callers; use setBufferExhausted). */
  readonly exhausted: Uint8Array;
  /**
   * Nodes whose `level` or `own` changed during the last call (setCap, setBufferExhausted, exhaustAllBuffers,
   * setFloor, rollback, reset, recomputeAll), `changedCount` of them, compared before/after the call. `own` is
   * included because a service's own level can cross its fallback level while the floor holds `level` still.
   */
  readonly changed: Int32Array;
  changedCount = 0;
  /** Requirements whose real satisfaction changed during the last call, `satChangedCount` of them. */
  readonly satChanged: Int32Array;
  satChangedCount = 0;

  private readonly sat: Float64Array;
  // worklist (ring buffer; a node is queued at most once at a time)
  private readonly queue: Int32Array;
  private readonly inQueue: Uint8Array;
  private qHead = 0;
  private qLen = 0;
  // per-call touch tracking for `changed` / `satChanged`
  private epoch = 0;
  private readonly nodeStamp: Int32Array;
  private readonly preLevel: Float64Array;
  private readonly preOwn: Float64Array;
  private touched = 0;
  private readonly reqStamp: Int32Array;
  private readonly preSat: Float64Array;
  private reqTouched = 0;
  // closure scratch for raises
  private readonly region: Int32Array;
  private readonly regionStamp: Int32Array;
  private readonly reqSeen: Int32Array;
  private regionEpoch = 0;
  // k-th largest scratch, sized to the largest requirement
  private readonly kth: Float64Array;
  // nodes and requirements written since the last reset (so reset touches only those)
  private readonly dirtyNode: Uint8Array;
  private readonly dirtyNodes: Int32Array;
  private dirtyNodeCount = 0;
  private readonly dirtyReq: Uint8Array;
  private readonly dirtyReqs: Int32Array;
  private dirtyReqCount = 0;
  // trail (undo log)
  private recording = false;
  private tLen = 0;
  private tKind: Uint8Array;
  private tIdx: Int32Array;
  private tA: Float64Array;
  private tB: Float64Array;

  constructor(index: CityIndex) {
    this.index = index;
    const n = index.nodeCount;
    const rc = index.reqCount;
    this.level = new Float64Array(n).fill(1);
    this.own = new Float64Array(n).fill(1);
    this.cap = new Float64Array(n).fill(1);
    this.floor = new Float64Array(n);
    this.exhausted = new Uint8Array(rc);
    this.sat = new Float64Array(rc).fill(1);
    this.changed = new Int32Array(n);
    this.satChanged = new Int32Array(rc);
    this.queue = new Int32Array(Math.max(1, n));
    this.inQueue = new Uint8Array(n);
    this.nodeStamp = new Int32Array(n);
    this.preLevel = new Float64Array(n);
    this.preOwn = new Float64Array(n);
    this.reqStamp = new Int32Array(rc);
    this.preSat = new Float64Array(rc);
    this.region = new Int32Array(n);
    this.regionStamp = new Int32Array(n);
    this.reqSeen = new Int32Array(rc);
    let maxMembers = 1;
    for (let r = 0; r < rc; r++) {
      const len = index.memberStart[r + 1] - index.memberStart[r];
      if (len > maxMembers) maxMembers = len;
    }
    this.kth = new Float64Array(maxMembers);
    this.dirtyNode = new Uint8Array(n);
    this.dirtyNodes = new Int32Array(n);
    this.dirtyReq = new Uint8Array(rc);
    this.dirtyReqs = new Int32Array(rc);
    const cap0 = 1024;
    this.tKind = new Uint8Array(cap0);
    this.tIdx = new Int32Array(cap0);
    this.tA = new Float64Array(cap0);
    this.tB = new Float64Array(cap0);
    // no caps, no floors, buffers full: every satisfaction is 1 and every level 1, the greatest fixpoint.
  }

  // ---- public API -------------------------------------------------------------------------------------------

  /** Sets node's cap ([DEP-1]); cap in [0, 1], 1 = not hit. The caller resolves several hits (lowest). */
  setCap(node: number, cap: number): void {
    const c = cap >= 0 ? Math.min(cap, 1) : 0;
    this.begin();
    const old = this.cap[node];
    if (c !== old) {
      this.trail(T_CAP, node, old, 0);
      this.markNode(node);
      this.cap[node] = c;
      if (c < old) {
        this.enqueue(node);
        this.drain();
      } else this.raise(node);
    }
    this.finish();
  }

  /** A buffered requirement not exhausted counts as 1 ([DEP-4]). No effect on a requirement without a buffer. */
  setBufferExhausted(req: number, exhausted: boolean): void {
    this.begin();
    const v = exhausted ? 1 : 0;
    if (this.exhausted[req] !== v) {
      const before = this.effective(req);
      this.trail(T_EXHAUSTED, req, this.exhausted[req], 0);
      this.markReq(req);
      this.exhausted[req] = v;
      const after = this.effective(req);
      if (after < before) {
        this.enqueue(this.index.reqOwner[req]);
        this.drain();
      } else if (after > before) this.raise(this.index.reqOwner[req]);
    }
    this.finish();
  }

  /** Every buffered requirement counts its real satisfaction from now on. */
  exhaustAllBuffers(): void {
    this.begin();
    const { reqBuffer, reqOwner, reqCount } = this.index;
    for (let r = 0; r < reqCount; r++) {
      if (reqBuffer[r] > 0 && this.exhausted[r] === 0) {
        const before = this.effective(r);
        this.trail(T_EXHAUSTED, r, 0, 0);
        this.markReq(r);
        this.exhausted[r] = 1;
        if (this.effective(r) !== before) this.enqueue(reqOwner[r]);
      }
    }
    this.drain();
    this.finish();
  }

  /** Fallback floor ([DEP-6]): level = min(cap, max(own, floor)); 0 = none. */
  setFloor(node: number, floor: number): void {
    const f = floor >= 0 ? Math.min(floor, 1) : 0;
    this.begin();
    const old = this.floor[node];
    if (f !== old) {
      this.trail(T_FLOOR, node, old, 0);
      this.markNode(node);
      this.floor[node] = f;
      if (f < old) {
        this.enqueue(node);
        this.drain();
      } else this.raise(node);
    }
    this.finish();
  }

  /** Real satisfaction of a requirement now ([DEP-2]): all = min, any = max, k-of-n = k-th largest member level. */
  satisfaction(req: number): number {
    return this.sat[req];
  }

  /** What the requirement contributes ([DEP-3], [DEP-4]): max(degrade, buffered and not exhausted ? 1 : satisfaction). */
  effective(req: number): number {
    const ix = this.index;
    const s = ix.reqBuffer[req] > 0 && this.exhausted[req] === 0 ? 1 : this.sat[req];
    const d = ix.reqDegrade[req];
    return Math.max(d, s);
  }

  /** Starts (or continues) recording; returns a mark to roll back to. */
  checkpoint(): number {
    this.recording = true;
    return this.tLen;
  }

  /** Restores levels, caps, buffers and floors exactly as they were at `mark`. Later marks become invalid. */
  rollback(mark: number): void {
    if (!(mark >= 0 && mark <= this.tLen)) throw new RangeError(`rollback: mark ${mark} is not a live checkpoint`);
    this.begin();
    const { tKind, tIdx, tA, tB } = this;
    while (this.tLen > mark) {
      const t = --this.tLen;
      const i = tIdx[t];
      if (tKind[t] === T_EXHAUSTED || tKind[t] === T_SAT) this.markReq(i);
      else this.markNode(i);
      switch (tKind[t]) {
        case T_NODE:
          this.touchNode(i);
          this.level[i] = tA[t];
          this.own[i] = tB[t];
          break;
        case T_CAP:
          this.cap[i] = tA[t];
          break;
        case T_FLOOR:
          this.floor[i] = tA[t];
          break;
        case T_EXHAUSTED:
          this.exhausted[i] = tA[t];
          break;
        default:
          this.touchReq(i);
          this.sat[i] = tA[t];
      }
    }
    this.finish();
  }

  /** Drops the undo log and stops recording until the next checkpoint (marks become invalid). Added member. */
  commit(): void {
    this.tLen = 0;
    this.recording = false;
  }

  /**
   * No caps, no floors, buffers full, levels recomputed (all 1). Drops the undo log like commit(). Touches only
   * the nodes and requirements written since the last reset (in index order, as a full sweep would).
   */
  reset(): void {
    this.commit();
    this.begin();
    const { level, own, cap, floor, sat, exhausted, dirtyNode, dirtyReq } = this;
    const nodes = this.dirtyNodes.subarray(0, this.dirtyNodeCount).sort();
    for (let k = 0; k < nodes.length; k++) {
      const i = nodes[k];
      if (level[i] !== 1 || own[i] !== 1) this.touchNode(i);
    }
    const reqs = this.dirtyReqs.subarray(0, this.dirtyReqCount).sort();
    for (let k = 0; k < reqs.length; k++) {
      const r = reqs[k];
      if (sat[r] !== 1) this.touchReq(r);
    }
    for (let k = 0; k < nodes.length; k++) {
      const i = nodes[k];
      level[i] = 1;
      own[i] = 1;
      cap[i] = 1;
      floor[i] = 0;
      dirtyNode[i] = 0;
    }
    for (let k = 0; k < reqs.length; k++) {
      const r = reqs[k];
      exhausted[r] = 0;
      sat[r] = 1;
      dirtyReq[r] = 0;
    }
    this.dirtyNodeCount = 0;
    this.dirtyReqCount = 0;
    this.finish();
  }

  /** Recomputes every level from the caps (the greatest fixpoint over the whole city). Added member. */
  recomputeAll(): void {
    this.begin();
    const n = this.index.nodeCount;
    const region = this.region;
    for (let i = 0; i < n; i++) region[i] = i;
    this.resetRegion(n, true);
    this.drain();
    this.finish();
  }

  // ---- internals --------------------------------------------------------------------------------------------

  private begin(): void {
    if (this.epoch >= 0x7ffffff0) {
      this.nodeStamp.fill(0);
      this.reqStamp.fill(0);
      this.epoch = 0;
    }
    this.epoch++;
    this.touched = 0;
    this.reqTouched = 0;
  }

  private finish(): void {
    const { changed, level, own, preLevel, preOwn, satChanged, sat, preSat } = this;
    let c = 0;
    for (let i = 0; i < this.touched; i++) {
      const n = changed[i];
      if (level[n] !== preLevel[n] || own[n] !== preOwn[n]) changed[c++] = n;
    }
    this.changedCount = c;
    c = 0;
    for (let i = 0; i < this.reqTouched; i++) {
      const r = satChanged[i];
      if (sat[r] !== preSat[r]) satChanged[c++] = r;
    }
    this.satChangedCount = c;
  }

  private touchNode(n: number): void {
    if (this.nodeStamp[n] !== this.epoch) {
      this.nodeStamp[n] = this.epoch;
      this.preLevel[n] = this.level[n];
      this.preOwn[n] = this.own[n];
      this.changed[this.touched++] = n;
    }
  }

  private touchReq(r: number): void {
    if (this.reqStamp[r] !== this.epoch) {
      this.reqStamp[r] = this.epoch;
      this.preSat[r] = this.sat[r];
      this.satChanged[this.reqTouched++] = r;
    }
  }

  private trail(kind: number, idx: number, a: number, b: number): void {
    if (!this.recording) return;
    if (this.tLen === this.tKind.length) this.growTrail();
    const t = this.tLen++;
    this.tKind[t] = kind;
    this.tIdx[t] = idx;
    this.tA[t] = a;
    this.tB[t] = b;
  }

  private growTrail(): void {
    const size = this.tKind.length * 2;
    const k = new Uint8Array(size);
    k.set(this.tKind);
    const i = new Int32Array(size);
    i.set(this.tIdx);
    const a = new Float64Array(size);
    a.set(this.tA);
    const b = new Float64Array(size);
    b.set(this.tB);
    this.tKind = k;
    this.tIdx = i;
    this.tA = a;
    this.tB = b;
  }

  private markNode(n: number): void {
    if (this.dirtyNode[n] === 0) {
      this.dirtyNode[n] = 1;
      this.dirtyNodes[this.dirtyNodeCount++] = n;
    }
  }

  private markReq(r: number): void {
    if (this.dirtyReq[r] === 0) {
      this.dirtyReq[r] = 1;
      this.dirtyReqs[this.dirtyReqCount++] = r;
    }
  }

  private setNode(n: number, level: number, own: number): void {
    this.touchNode(n);
    this.markNode(n);
    this.trail(T_NODE, n, this.level[n], this.own[n]);
    this.level[n] = level;
    this.own[n] = own;
  }

  private setSat(r: number, s: number): void {
    this.touchReq(r);
    this.markReq(r);
    this.trail(T_SAT, r, this.sat[r], 0);
    this.sat[r] = s;
  }

  private enqueue(n: number): void {
    if (this.inQueue[n] === 1) return;
    this.inQueue[n] = 1;
    const cap = this.queue.length;
    let p = this.qHead + this.qLen;
    if (p >= cap) p -= cap;
    this.queue[p] = n;
    this.qLen++;
  }

  /** [DEP-3] own level of n under the current member levels. */
  private evalOwn(n: number): number {
    const ix = this.index;
    const { reqBuffer, reqDegrade } = ix;
    const { exhausted, sat } = this;
    let v = this.cap[n];
    const end = ix.reqStart[n + 1];
    for (let r = ix.reqStart[n]; r < end; r++) {
      let e = reqBuffer[r] > 0 && exhausted[r] === 0 ? 1 : sat[r];
      const d = reqDegrade[r];
      if (d > e) e = d;
      if (e < v) v = e;
    }
    return v;
  }

  /** Lowers queued nodes to what [DEP-3]/[DEP-6] allow until nothing changes. */
  private drain(): void {
    const { queue, inQueue, level, own, cap, floor } = this;
    const qcap = queue.length;
    while (this.qLen > 0) {
      const n = queue[this.qHead];
      this.qHead = this.qHead + 1 === qcap ? 0 : this.qHead + 1;
      this.qLen--;
      inQueue[n] = 0;
      const ow = this.evalOwn(n);
      const f = floor[n];
      let lv = ow;
      if (f > ow) lv = Math.min(f, cap[n]);
      const oldLv = level[n];
      if (lv === oldLv && ow === own[n]) continue;
      this.setNode(n, lv, ow);
      if (lv !== oldLv) this.propagate(n, oldLv, lv);
    }
    this.qHead = 0;
  }

  /** Member n moved from `old` to `now`: update the satisfaction of the requirements listing it. */
  private propagate(n: number, old: number, now: number): void {
    const ix = this.index;
    const { usedByStart, usedBy, memberStart, reqK, reqOwner } = ix;
    const sat = this.sat;
    const end = usedByStart[n + 1];
    for (let p = usedByStart[n]; p < end; p++) {
      const r = usedBy[p];
      const s = sat[r];
      // [DEP-2] the k-th largest changes only when the member crosses it: a fall from below it or to at least it,
      // and a rise from above it or to at most it from below, leave it as it is
      let ns: number;
      if (now < old) {
        if (old < s || now >= s) continue;
        ns = reqK[r] === memberStart[r + 1] - memberStart[r] ? Math.min(now, s) : this.kthLargest(r);
      } else {
        if (old > s || (old < s && now <= s)) continue;
        ns = reqK[r] === 1 ? Math.max(now, s) : this.kthLargest(r);
      }
      if (ns === s) continue;
      const before = this.effective(r);
      this.setSat(r, ns);
      if (this.effective(r) !== before) this.enqueue(reqOwner[r]);
    }
  }

  /** [DEP-2] the k-th largest member level, O(members). */
  private kthLargest(r: number): number {
    const ix = this.index;
    const a = ix.memberStart[r];
    const b = ix.memberStart[r + 1];
    const len = b - a;
    const k = ix.reqK[r];
    const { members } = ix;
    const level = this.level;
    if (k === 1) {
      let m = level[members[a]];
      for (let i = a + 1; i < b; i++) if (level[members[i]] > m) m = level[members[i]];
      return m;
    }
    if (k >= len) {
      let m = level[members[a]];
      for (let i = a + 1; i < b; i++) if (level[members[i]] < m) m = level[members[i]];
      return m;
    }
    // quickselect for the k-th largest = position k-1 in descending order
    const v = this.kth;
    // levels are at most 1: with k members at 1 the k-th largest is 1 (the common case, no selection)
    let ones = 0;
    for (let i = 0; i < len; i++) {
      const x = level[members[a + i]];
      v[i] = x;
      if (x === 1) ones++;
    }
    if (ones >= k) return 1;
    const target = k - 1;
    let lo = 0;
    let hi = len - 1;
    while (lo < hi) {
      const pivot = v[(lo + hi) >>> 1];
      let i = lo;
      let j = hi;
      while (i <= j) {
        while (v[i] > pivot) i++;
        while (v[j] < pivot) j--;
        if (i <= j) {
          const t = v[i];
          v[i] = v[j];
          v[j] = t;
          i++;
          j--;
        }
      }
      if (target <= j) hi = j;
      else if (target >= i) lo = i;
      else return v[target];
    }
    return v[target];
  }

  /**
   * Raise at `node`: reset its forward-dependent closure to the caps, recompute the satisfactions that read
   * the closure, and lower it again to the greatest fixpoint.
   */
  private raise(node: number): void {
    const { usedByStart, usedBy, reqOwner } = this.index;
    const { region, regionStamp, own, cap } = this;
    if (this.regionEpoch >= 0x7ffffff0) {
      regionStamp.fill(0);
      this.reqSeen.fill(0);
      this.regionEpoch = 0;
    }
    const stamp = ++this.regionEpoch;
    let head = 0;
    let tail = 0;
    region[tail++] = node;
    regionStamp[node] = stamp;
    while (head < tail) {
      const v = region[head++];
      const end = usedByStart[v + 1];
      for (let p = usedByStart[v]; p < end; p++) {
        const o = reqOwner[usedBy[p]];
        if (regionStamp[o] !== stamp) {
          regionStamp[o] = stamp;
          // a node already at its cap cannot rise (raising only raises the fixpoint) nor pass a rise on
          if (own[o] === cap[o]) continue;
          region[tail++] = o;
        }
      }
    }
    this.resetRegion(tail, false);
    this.drain();
  }

  /** Sets region[0..len) to their caps, recomputes the satisfactions reading them, and queues them. */
  private resetRegion(len: number, allReqs: boolean): void {
    const { usedByStart, usedBy, reqCount } = this.index;
    const { region, cap, level, own, reqSeen } = this;
    for (let i = 0; i < len; i++) {
      const n = region[i];
      if (level[n] !== cap[n] || own[n] !== cap[n]) this.setNode(n, cap[n], cap[n]);
    }
    if (allReqs) {
      for (let r = 0; r < reqCount; r++) {
        const s = this.kthLargest(r);
        if (s !== this.sat[r]) this.setSat(r, s);
      }
    } else {
      const stamp = this.regionEpoch;
      for (let i = 0; i < len; i++) {
        const n = region[i];
        const end = usedByStart[n + 1];
        for (let p = usedByStart[n]; p < end; p++) {
          const r = usedBy[p];
          if (reqSeen[r] === stamp) continue;
          reqSeen[r] = stamp;
          const s = this.kthLargest(r);
          if (s !== this.sat[r]) this.setSat(r, s);
        }
      }
    }
    for (let i = 0; i < len; i++) this.enqueue(region[i]);
  }
}
