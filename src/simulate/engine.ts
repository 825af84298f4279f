/**
 * The event-driven simulation of one run (docs/simulate.md "Semantics"). Exact times: a priority queue of
 * events, no time steps. At each event time every event due is applied, then buffers [DEP-4] and fallbacks
 * [DEP-6] are settled (which may schedule more events at the same time), then the services' levels are
 * recorded ([DEP-9]: a change at t holds from t on). Pure and deterministic: the run's seeded stream is
 * passed in.
 */
import type { TraceEntry } from "../contracts/simulation.ts";
import { SEVERE_LOSS } from "../model/consequence.ts";
import { servicesAtRisk } from "../model/graph.ts";
import { LevelsEngine } from "../model/levels.ts";
import type { Rng } from "../model/rng.ts";
import { A_CONTAIN, A_CREW, A_FALLBACK, A_ISOLATE, A_RESTORE } from "./actions.ts";
import { withoutServiceMembers } from "./attribution.ts";
import { type Compiled, OBJ_MTD, OBJ_RESTORE, OBJ_RPO, OBJ_RTO } from "./bind.ts";
import { sample } from "./distributions.ts";
import { EventQueue, PriorityHeap } from "./queue.ts";

/** What the engine needs from src/model/levels.ts LevelsEngine. */
export interface LevelsLike {
  readonly level: Float64Array;
  readonly own: Float64Array;
  readonly exhausted: Uint8Array;
  readonly changed: Int32Array;
  readonly changedCount: number;
  setCap(node: number, cap: number): void;
  setBufferExhausted(req: number, exhausted: boolean): void;
  setFloor(node: number, floor: number): void;
  satisfaction(req: number): number;
  reset(): void;
}

const E_HIT_START = 0;
const E_HIT_END = 1;
const E_BUF = 2;
const E_FB_START = 3;
const E_FB_END = 4;
const E_ENTRY = 5;
const E_STEP = 6;
const E_COMPROMISE = 7;
const E_EFFECT = 8;
const E_EFFECT_END = 9;
const E_DETECT = 10;
const E_CONTAIN = 11;
const E_TASK_DONE = 12;
const E_ISO_END = 13;
const E_ACTION = 14;
const E_ACTION_END = 15;

/** Repair state of a damaged asset (decisions can start a repair from backup ahead of the crews' queue). */
const R_PENDING = 1;
const R_QUEUED = 2;
const R_BUSY = 3;
const R_DONE = 4;

export type { TraceEntry };

/**
 * One change to the levels engine's inputs in a run, for checking attribution against a slow oracle: a node's
 * cap (`value` the real one, `without` the cap without our containment's hits [ATT-1]), a requirement's buffer
 * exhausted (1) or refilled (0), a node's fallback floor. Applied at time `t`, in order.
 */
export type LevelInput =
  | { t: number; kind: "cap"; index: number; value: number; without: number }
  | { t: number; kind: "buffer" | "floor"; index: number; value: number };

/** Per-run results, written into arrays shared by a chunk of runs (run r at offset r * width). */
export class RunSink {
  readonly personHours: Float64Array;
  /** Person-hours had our own containment cut nothing ([ATT-1]); <= personHours. */
  readonly phNoContain: Float64Array;
  /** Person-hours without containment and without cascade between services ([ATT-1]): the attack's effect. */
  readonly phDirect: Float64Array;
  /** Peak share of the service's population without it (1 - lowest level) [CON-3]. */
  readonly peakLoss: Float64Array;
  /** Hours with more than SEVERE_LOSS of the population without the service [CON-3]. */
  readonly severe: Float64Array;
  readonly downtime: Float64Array;
  readonly firstLoss: Float64Array;
  readonly met: Uint8Array;
  /** Per run: 1 if the attack succeeded: its objective reached [SCN-4] (no objective: any effect applied). */
  readonly attackSucceeded: Uint8Array;
  /** Per run: 1 if any attack effect was applied. */
  readonly effectApplied: Uint8Array;
  readonly compromised: Int32Array;
  readonly detectedAt: Float64Array;
  readonly endTime: Float64Array;
  /** Level histograms of the curve grid: cell (service * G + point) -> level -> runs; levels of 1 are not stored. */
  readonly hist = new Map<number, Map<number, number>>();
  constructor(
    readonly runs: number,
    readonly services: number,
    readonly objectives: number,
  ) {
    this.personHours = new Float64Array(runs * services);
    this.phNoContain = new Float64Array(runs * services);
    this.phDirect = new Float64Array(runs * services);
    this.peakLoss = new Float64Array(runs * services);
    this.severe = new Float64Array(runs * services);
    this.downtime = new Float64Array(runs * services);
    this.firstLoss = new Float64Array(runs * services).fill(Number.NaN);
    this.met = new Uint8Array(runs * objectives);
    this.attackSucceeded = new Uint8Array(runs);
    this.effectApplied = new Uint8Array(runs);
    this.compromised = new Int32Array(runs);
    this.detectedAt = new Float64Array(runs).fill(Number.NaN);
    this.endTime = new Float64Array(runs);
  }
}

/** A counterfactual levels engine and its services' person-hours (src/simulate/attribution.ts). */
class Shadow {
  readonly cur: Float64Array;
  readonly last: Float64Array;
  readonly ph: Float64Array;
  /** Started in this run (until then it equals its source: the real run, or for D the run without containment). */
  on = false;
  /**
   * Its own engine is driven (on and not parked). N is parked once every isolation is lifted: from then on its
   * caps, buffers and floors are the real run's, so its levels (the unique greatest fixpoint) are the real
   * engine's, which it reads instead.
   */
  live = false;
  constructor(
    readonly L: LevelsEngine,
    S: number,
  ) {
    this.cur = new Float64Array(S);
    this.last = new Float64Array(S);
    this.ph = new Float64Array(S);
  }
}

export class Simulator {
  private readonly q = new EventQueue();
  private readonly A: number;
  private readonly S: number;
  private readonly G: number;
  private rng!: Rng;
  private trace: TraceEntry[] | undefined;
  private inputs: LevelInput[] | undefined;
  private now = 0;
  // hits: per node the active caps
  private readonly hits: (number[] | undefined)[];
  private readonly hitTouched: number[] = [];
  // settle and record worklists
  private readonly pend: Int32Array;
  private pendLen = 0;
  private readonly inPend: Uint8Array;
  private readonly rec: Int32Array;
  private recLen = 0;
  private readonly inRec: Uint8Array;
  // buffers
  private readonly bufDip: Uint8Array;
  private readonly bufGen: Int32Array;
  private readonly bufTouched: number[] = [];
  // fallbacks (by node)
  private readonly fbDip: Uint8Array;
  private readonly fbForce: Uint8Array;
  private readonly fbForceStart: Float64Array;
  private readonly fbUsed: Float64Array;
  private readonly fbGen: Int32Array;
  // services (by slot)
  private readonly cur: Float64Array;
  private readonly last: Float64Array;
  private readonly ph: Float64Array;
  private readonly down: Float64Array;
  private readonly first: Float64Array;
  private readonly recovered: Float64Array;
  private readonly thr: Float64Array;
  private readonly belowStart: Float64Array;
  private readonly maxBelow: Float64Array;
  private readonly gridIdx: Int32Array;
  private readonly dataLoss: Float64Array;
  private readonly lastRise: Float64Array;
  private readonly minLevel: Float64Array;
  private readonly severe: Float64Array;
  private downCount = 0;
  // attribution [ATT-1]: counterfactuals without containment (N) and also without cascade (D), started lazily
  private readonly shN: Shadow;
  private readonly shD: Shadow;
  /** The real run's per-service integration state, as a shadow's source. */
  private get real(): { cur: Float64Array; last: Float64Array; ph: Float64Array } {
    return { cur: this.cur, last: this.last, ph: this.ph };
  }
  /** Service slots that are a member of some requirement (their loss can cascade). */
  private readonly feedList: number[] = [];
  /** Per node: the cap of its active zone-isolation hit (1: none) and whether a host isolation hit is active. */
  private readonly isoHitCap: Float64Array;
  private readonly isoHostOn: Uint8Array;
  /** Per service slot: 1 if the service is a member of some requirement (its loss can cascade). */
  private readonly feeds: Uint8Array;
  // attack
  private readonly held: Uint8Array;
  private readonly heldList: number[] = [];
  private readonly heldZone: Uint8Array;
  private readonly reach: Uint8Array;
  private readonly reachNet: Uint8Array;
  private readonly attempt: Int32Array;
  private attemptStamp = 0;
  private readonly damaged: Uint8Array;
  private readonly damageCap: Float64Array;
  private readonly repairDur: Float64Array;
  private readonly damagedList: number[] = [];
  private pendingRepair: number[] = [];
  private manipulated: number[] = [];
  // isolation at containment (docs/simulate.md "Containment and isolation")
  private readonly isoZone: Uint8Array;
  private readonly isoCap: Float64Array;
  private isoAssets: number[] = [];
  private isoZones: number[] = [];
  /** Hosts isolated alone (capped at 0: cut off and re-imaged), and the assets whose compromise took place. */
  private isoHosts: number[] = [];
  private readonly taken: number[] = [];
  private readonly zoneTaken: Int32Array;
  private readonly zoneOt: Uint8Array;
  /** The zone a vendor access reached (-1: none). */
  private vendorZone = -1;
  private detectAt = Number.POSITIVE_INFINITY;
  private detectGen = 0;
  private detectedAt = Number.NaN;
  private contained = false;
  /** Isolations (zone, host) not yet lifted. */
  private isoPending = 0;
  private succeeded = 0;
  private reached = 0;
  private compromisedCount = 0;
  private readonly free: Int32Array;
  private readonly waiting: PriorityHeap[];
  // defenders' actions [SCN-5]: zones isolated by decision (a count per zone), the caps that puts on assets
  private readonly actZone: Int32Array;
  private readonly actCap: Float64Array;
  private actCapList: number[] = [];
  private readonly repState: Uint8Array;
  /** Per zone (CSR): the positions in crossReq of the cross-zone requirements its isolation can cut. */
  private readonly zoneCrStart: Int32Array;
  private readonly zoneCr: Int32Array;
  private readonly crSeen: Int32Array;
  private readonly crList: Int32Array;
  private crStamp = 0;

  /**
   * `lean`: person-hours and objectives only, for callers that read nothing else (invest [BUY-8]): no level
   * histograms and no attribution counterfactuals ([ATT-1]; phNoContain and phDirect then equal personHours,
   * and the objective [SCN-4] is judged on the real run). Person-hours are the same as without it.
   */
  constructor(
    readonly c: Compiled,
    readonly L: LevelsLike,
    readonly lean = false,
  ) {
    const ix = c.index;
    this.A = ix.assetCount;
    this.S = ix.serviceCount;
    this.G = c.grid.length;
    const N = ix.nodeCount;
    this.hits = new Array(N);
    this.pend = new Int32Array(N);
    this.inPend = new Uint8Array(N);
    this.rec = new Int32Array(N);
    this.inRec = new Uint8Array(N);
    this.bufDip = new Uint8Array(ix.reqCount);
    this.bufGen = new Int32Array(ix.reqCount);
    this.fbDip = new Uint8Array(N);
    this.fbForce = new Uint8Array(N);
    this.fbForceStart = new Float64Array(N);
    this.fbUsed = new Float64Array(N);
    this.fbGen = new Int32Array(N);
    const S = this.S;
    this.cur = new Float64Array(S);
    this.last = new Float64Array(S);
    this.ph = new Float64Array(S);
    this.down = new Float64Array(S);
    this.first = new Float64Array(S);
    this.recovered = new Float64Array(S);
    this.thr = new Float64Array(S);
    for (let s = 0; s < S; s++) this.thr[s] = ix.hasFallback[this.A + s] ? ix.fallbackLevel[this.A + s] : 1;
    this.belowStart = new Float64Array(S);
    this.maxBelow = new Float64Array(S);
    this.gridIdx = new Int32Array(S);
    this.dataLoss = new Float64Array(S);
    this.lastRise = new Float64Array(c.objSvc.length);
    this.minLevel = new Float64Array(S);
    this.severe = new Float64Array(S);
    this.shN = new Shadow(new LevelsEngine(ix), S);
    this.shD = new Shadow(new LevelsEngine(withoutServiceMembers(ix)), S);
    this.isoHitCap = new Float64Array(N).fill(1);
    this.isoHostOn = new Uint8Array(N);
    this.feeds = new Uint8Array(S);
    for (let s = 0; s < S; s++) {
      this.feeds[s] = ix.usedByStart[this.A + s + 1] > ix.usedByStart[this.A + s] ? 1 : 0;
      if (this.feeds[s]) this.feedList.push(s);
    }
    this.held = new Uint8Array(this.A);
    this.heldZone = new Uint8Array(ix.zoneCount);
    this.reach = new Uint8Array(ix.zoneCount);
    this.reachNet = new Uint8Array(ix.zoneCount);
    const iz = ix.internetZone;
    this.reachNet[iz] = 1;
    for (let p = ix.zoneOutStart[iz]; p < ix.zoneOutStart[iz + 1]; p++) this.reachNet[ix.zoneOut[p]] = 1;
    this.attempt = new Int32Array(this.A);
    this.damaged = new Uint8Array(this.A);
    this.damageCap = new Float64Array(this.A);
    this.repairDur = new Float64Array(this.A);
    this.isoZone = new Uint8Array(ix.zoneCount);
    this.isoCap = new Float64Array(this.A).fill(1);
    this.zoneTaken = new Int32Array(ix.zoneCount);
    this.zoneOt = new Uint8Array(ix.zoneCount);
    this.free = new Int32Array(c.poolSize.length);
    this.waiting = c.poolName.map(() => new PriorityHeap());
    this.actZone = new Int32Array(ix.zoneCount);
    this.actCap = new Float64Array(this.A).fill(1);
    this.repState = new Uint8Array(this.A);
    // a cross-zone requirement is cut only when its owner's zone or one of its asset members' zones is isolated
    const cr = c.crossReq;
    const Z = ix.zoneCount;
    const zonesOf = (i: number, f: (z: number) => void) => {
      const r = cr[i];
      const zx = ix.assetZone[ix.reqOwner[r]];
      f(zx);
      for (let m = ix.memberStart[r]; m < ix.memberStart[r + 1]; m++) {
        const b = ix.members[m];
        if (b < this.A && ix.assetZone[b] !== zx) f(ix.assetZone[b]);
      }
    };
    this.crSeen = new Int32Array(cr.length);
    this.crList = new Int32Array(cr.length);
    const count = new Int32Array(Z + 1);
    for (let i = 0; i < cr.length; i++)
      zonesOf(i, (z) => {
        count[z + 1]++;
      });
    this.zoneCrStart = new Int32Array(Z + 1);
    for (let z = 0; z < Z; z++) this.zoneCrStart[z + 1] = this.zoneCrStart[z] + count[z + 1];
    this.zoneCr = new Int32Array(this.zoneCrStart[Z]);
    const fill = this.zoneCrStart.slice(0, Z);
    for (let i = 0; i < cr.length; i++)
      zonesOf(i, (z) => {
        this.zoneCr[fill[z]++] = i;
      });
  }

  /** Runs one simulation with stream `rng`, writing run `slot` of `sink`. Returns the trace when asked. */
  run(rng: Rng, sink: RunSink, slot: number, withTrace = false, inputs?: LevelInput[]): TraceEntry[] | undefined {
    this.rng = rng;
    this.trace = withTrace ? [] : undefined;
    this.inputs = inputs;
    this.now = 0;
    this.resetRun();
    const c = this.c;
    const q = this.q;
    const horizon = c.horizon;
    // explicit events [SCN-1]
    for (const ev of c.events) {
      const at = sample(ev.at, rng);
      const len = ev.for ? sample(ev.for, rng) : Number.POSITIVE_INFINITY;
      for (let i = 0; i < ev.nodes.length; i++) {
        q.push(at, E_HIT_START, ev.nodes[i], 0, ev.cap);
        if (len !== Number.POSITIVE_INFINITY) q.push(at + len, E_HIT_END, ev.nodes[i], 0, ev.cap);
      }
    }
    if (c.attack) q.push(0, E_ENTRY, 0);
    // defenders' actions [SCN-5]: fixed times, nothing drawn, so a run is the same as without them until the first
    for (let i = 0; i < c.actions.length; i++) q.push(c.actions[i].at, E_ACTION, i);
    let tEnd = horizon;
    let t = 0;
    while (q.size > 0) {
      t = q.topTime();
      if (t > horizon) break;
      this.now = t;
      do {
        while (q.size > 0 && q.topTime() === t) {
          q.pop();
          const k = q.size;
          this.handle(t, q.type[k], q.a[k], q.b[k], q.f[k]);
        }
        this.settle(t);
      } while (q.size > 0 && q.topTime() === t);
      this.record(t);
      if (q.size === 0 && this.downCount === 0) {
        tEnd = t;
        break;
      }
    }
    this.finish(sink, slot, tEnd);
    return this.trace;
  }

  private resetRun(): void {
    this.q.clear();
    this.L.reset();
    for (const n of this.hitTouched) this.hits[n] = undefined;
    this.hitTouched.length = 0;
    for (const r of this.bufTouched) this.bufDip[r] = 0;
    this.bufTouched.length = 0;
    this.fbDip.fill(0, this.A);
    this.fbForce.fill(0, this.A);
    this.fbUsed.fill(0, this.A);
    for (let i = 0; i < this.pendLen; i++) this.inPend[this.pend[i]] = 0;
    for (let i = 0; i < this.recLen; i++) this.inRec[this.rec[i]] = 0;
    this.pendLen = 0;
    this.recLen = 0;
    this.cur.fill(1);
    this.last.fill(0);
    this.ph.fill(0);
    this.down.fill(0);
    this.first.fill(Number.NaN);
    this.recovered.fill(Number.NaN);
    this.belowStart.fill(0);
    this.maxBelow.fill(0);
    this.gridIdx.fill(0);
    this.dataLoss.fill(0);
    this.lastRise.fill(Number.NaN);
    this.minLevel.fill(1);
    this.severe.fill(0);
    this.shN.on = false;
    this.shN.live = false;
    this.shD.on = false;
    this.shD.live = false;
    this.isoPending = 0;
    this.downCount = 0;
    for (const a of this.heldList) this.held[a] = 0;
    this.heldList.length = 0;
    this.heldZone.fill(0);
    for (const a of this.damagedList) {
      this.damaged[a] = 0;
      this.repState[a] = 0;
    }
    this.damagedList.length = 0;
    this.actZone.fill(0);
    for (const a of this.actCapList) this.actCap[a] = 1;
    this.actCapList = [];
    this.pendingRepair = [];
    this.manipulated = [];
    for (const a of this.isoAssets) {
      this.isoCap[a] = 1;
      this.isoHitCap[a] = 1;
    }
    this.isoAssets = [];
    for (const a of this.isoHosts) this.isoHostOn[a] = 0;
    for (const z of this.isoZones) this.isoZone[z] = 0;
    this.isoZones = [];
    this.isoHosts = [];
    this.taken.length = 0;
    this.vendorZone = -1;
    this.detectAt = Number.POSITIVE_INFINITY;
    this.detectGen++;
    this.detectedAt = Number.NaN;
    this.contained = false;
    this.succeeded = 0;
    this.reached = 0;
    this.compromisedCount = 0;
    this.free.set(this.c.poolSize);
    for (const w of this.waiting) w.clear();
  }

  private note(t: number, kind: string, id: string, detail?: string): void {
    this.trace?.push(detail === undefined ? { t, kind, id } : { t, kind, id, detail });
  }

  // ---- levels plumbing ----------------------------------------------------------------------------------

  private collect(): void {
    const L = this.L;
    for (let i = 0; i < L.changedCount; i++) {
      const n = L.changed[i];
      if (this.inPend[n] === 0) {
        this.inPend[n] = 1;
        this.pend[this.pendLen++] = n;
      }
      if (this.inRec[n] === 0) {
        this.inRec[n] = 1;
        this.rec[this.recLen++] = n;
      }
    }
  }

  private applyCap(n: number): void {
    const h = this.hits[n];
    let cap = 1;
    if (h) for (const x of h) if (x < cap) cap = x;
    this.L.setCap(n, cap);
    this.collect();
    this.inputs?.push({ t: this.now, kind: "cap", index: n, value: cap, without: this.shadowCap(n) });
    if (this.shN.live || this.shD.live) {
      const sc = this.shadowCap(n);
      if (this.shN.live) this.shN.L.setCap(n, sc);
      if (this.shD.live) this.shD.L.setCap(n, sc);
    }
  }

  /** The node's cap without the hits of our own containment (one zone-isolation hit, one host hit) [ATT-1]. */
  private shadowCap(n: number): number {
    const h = this.hits[n];
    if (!h) return 1;
    let skipZone = this.isoHitCap[n] < 1;
    let skipHost = this.isoHostOn[n] === 1;
    let cap = 1;
    for (const x of h) {
      if (skipZone && x === this.isoHitCap[n]) {
        skipZone = false;
        continue;
      }
      if (skipHost && x === 0) {
        skipHost = false;
        continue;
      }
      if (x < cap) cap = x;
    }
    return cap;
  }

  /**
   * Starts a counterfactual engine at the current state: the same hits less containment's, the same exhausted
   * buffers and fallback floors; its person-hours so far are those of `from` (the real run, or for D the run
   * without containment), which it equalled until now. N starts before the first containment hit; D when a
   * service that others need first loses level in the run without containment.
   */
  private startShadow(sh: Shadow, from: { cur: Float64Array; last: Float64Array; ph: Float64Array }): void {
    sh.on = true;
    sh.live = true;
    const ix = this.c.index;
    const L = sh.L;
    L.reset();
    for (const n of this.hitTouched) {
      const sc = this.shadowCap(n);
      if (sc < 1) L.setCap(n, sc);
    }
    for (const r of this.bufTouched) if (this.L.exhausted[r]) L.setBufferExhausted(r, true);
    for (let s = 0; s < this.S; s++) if (this.fbForce[this.A + s]) L.setFloor(this.A + s, ix.fallbackLevel[this.A + s]);
    sh.cur.set(from.cur);
    sh.last.set(from.last);
    sh.ph.set(from.ph);
  }

  private shadowExhausted(r: number, on: boolean): void {
    if (this.shN.live) this.shN.L.setBufferExhausted(r, on);
    if (this.shD.live) this.shD.L.setBufferExhausted(r, on);
  }

  private shadowFloor(n: number, f: number): void {
    if (this.shN.live) this.shN.L.setFloor(n, f);
    if (this.shD.live) this.shD.L.setFloor(n, f);
  }

  /** [DEP-1] several hits on one node: the lowest cap counts. */
  private addHit(n: number, cap: number): void {
    let h = this.hits[n];
    if (!h) {
      h = [];
      this.hits[n] = h;
      this.hitTouched.push(n);
    }
    h.push(cap);
    this.applyCap(n);
  }

  private removeHit(n: number, cap: number): void {
    const h = this.hits[n];
    if (!h) return;
    const i = h.indexOf(cap);
    if (i < 0) return;
    h.splice(i, 1);
    this.applyCap(n);
  }

  /** Buffers [DEP-4] and fallbacks [DEP-6] of every node whose level or own level changed. */
  private settle(t: number): void {
    const ix = this.c.index;
    const { usedByStart, usedBy, reqBuffer } = ix;
    while (this.pendLen > 0) {
      const n = this.pend[--this.pendLen];
      this.inPend[n] = 0;
      for (let p = usedByStart[n]; p < usedByStart[n + 1]; p++) {
        const r = usedBy[p];
        if (reqBuffer[r] > 0) this.checkBuffer(r, t);
      }
      if (ix.hasFallback[n]) this.checkFallback(n, t);
    }
  }

  private checkBuffer(r: number, t: number): void {
    const s = this.L.satisfaction(r);
    if (s < 1) {
      if (this.bufDip[r] === 0) {
        this.bufDip[r] = 1;
        this.bufTouched.push(r);
        this.q.push(t + this.c.index.reqBuffer[r], E_BUF, r, ++this.bufGen[r]);
      }
    } else if (this.bufDip[r] === 1) {
      this.bufDip[r] = 0;
      this.bufGen[r]++;
      if (this.L.exhausted[r]) {
        this.L.setBufferExhausted(r, false);
        this.collect();
        this.inputs?.push({ t, kind: "buffer", index: r, value: 0 });
        this.shadowExhausted(r, false);
        this.note(t, "buffer-refilled", this.c.index.nodeId[this.c.index.reqOwner[r]]);
      }
    }
  }

  private checkFallback(n: number, t: number): void {
    const ix = this.c.index;
    const fl = ix.fallbackLevel[n];
    const L = this.L;
    if (L.own[n] < fl) {
      if (this.fbDip[n] === 0) {
        this.fbDip[n] = 1;
        const gen = ++this.fbGen[n];
        if (ix.fallbackLasts[n] - this.fbUsed[n] > 0) this.q.push(t + ix.fallbackAfter[n], E_FB_START, n, gen);
      }
    } else if (this.fbDip[n] === 1) {
      this.fbDip[n] = 0;
      this.fbGen[n]++;
      if (this.fbForce[n]) this.endFallback(n, t, "own level back at the fallback level");
    }
    if (L.level[n] === 1) this.fbUsed[n] = 0; // the outage is over: the next one gets the whole `lasts`
  }

  private endFallback(n: number, t: number, why: string): void {
    this.fbForce[n] = 0;
    this.fbUsed[n] += t - this.fbForceStart[n];
    this.L.setFloor(n, 0);
    this.collect();
    this.inputs?.push({ t, kind: "floor", index: n, value: 0 });
    this.shadowFloor(n, 0);
    this.note(t, "fallback-off", this.c.index.nodeId[n], why);
  }

  // ---- events ---------------------------------------------------------------------------------------------

  private handle(t: number, type: number, a: number, b: number, f: number): void {
    const ix = this.c.index;
    switch (type) {
      case E_HIT_START:
        this.note(t, f === 0 ? "down" : "hit", ix.nodeId[a], f === 0 ? "scenario event" : `scenario event, cap ${f}`);
        this.addHit(a, f);
        break;
      case E_HIT_END:
        this.note(t, "hit-end", ix.nodeId[a], "scenario event over");
        this.removeHit(a, f);
        break;
      case E_BUF:
        if (b === this.bufGen[a] && this.bufDip[a] === 1) {
          this.L.setBufferExhausted(a, true);
          this.collect();
          this.inputs?.push({ t, kind: "buffer", index: a, value: 1 });
          this.shadowExhausted(a, true);
          this.note(t, "buffer-exhausted", ix.nodeId[ix.reqOwner[a]], `ride-through of ${ix.reqBuffer[a]}h used up`);
        }
        break;
      case E_FB_START:
        if (b === this.fbGen[a] && this.fbDip[a] === 1 && this.fbForce[a] === 0) {
          const left = ix.fallbackLasts[a] - this.fbUsed[a];
          if (left > 0) {
            this.fbForce[a] = 1;
            this.fbForceStart[a] = t;
            this.L.setFloor(a, ix.fallbackLevel[a]);
            this.collect();
            this.inputs?.push({ t, kind: "floor", index: a, value: ix.fallbackLevel[a] });
            this.shadowFloor(a, ix.fallbackLevel[a]);
            this.note(t, "fallback-on", ix.nodeId[a], `fallback at level ${ix.fallbackLevel[a]}`);
            if (left !== Number.POSITIVE_INFINITY) this.q.push(t + left, E_FB_END, a, b);
          }
        }
        break;
      case E_FB_END:
        if (b === this.fbGen[a] && this.fbForce[a] === 1) this.endFallback(a, t, "fallback time (lasts) used up");
        break;
      case E_ENTRY:
        this.entry(t);
        break;
      case E_STEP:
        this.step(t, a);
        break;
      case E_COMPROMISE:
        this.compromise(t, a, b);
        break;
      case E_EFFECT:
        this.effect(t, a, b);
        break;
      case E_EFFECT_END:
        this.note(t, "attack-over", ix.nodeId[a], "effect ended");
        this.removeHit(a, f);
        break;
      case E_DETECT:
        if (b === this.detectGen) this.detect(t);
        break;
      case E_CONTAIN:
        this.contain(t);
        break;
      case E_TASK_DONE:
        this.taskDone(t, a, b);
        break;
      case E_ISO_END:
        this.liftIsolation(t, a);
        break;
      case E_ACTION:
        this.action(t, a);
        break;
      case E_ACTION_END:
        this.endIsolateAction(t, a);
        break;
    }
  }

  // ---- attack -------------------------------------------------------------------------------------------

  private markHeld(a: number): void {
    if (this.held[a] === 0) {
      this.held[a] = 1;
      this.heldList.push(a);
    }
  }

  private entry(t: number): void {
    const c = this.c;
    if (!c.attack) return;
    const e = c.attack.entry;
    if (!e) {
      this.q.push(t, E_STEP, 0);
      return;
    }
    const rng = this.rng;
    let best = -1;
    let bestT = Number.POSITIVE_INFINITY;
    if (e.via === "vendor") {
      const n = e.access.length;
      if (n === 0) return;
      const tries = Math.min(e.attempts, n);
      const off = rng.int(n);
      for (let i = 0; i < tries; i++) {
        const k = (off + i) % n;
        const p = e.probability ?? e.access[k].p;
        const ok = rng.next() < p;
        const ct = t + sample(e.time, rng);
        if (ok && ct < bestT) {
          bestT = ct;
          best = k;
        }
      }
      if (best < 0) return;
      const acc = e.access[best];
      this.heldZone[acc.zone] = 1;
      this.vendorZone = acc.zone;
      this.note(bestT, "entry", acc.label, "vendor remote access");
      if (acc.via >= 0) {
        this.markHeld(acc.via);
        this.q.push(bestT, E_COMPROMISE, acc.via, -1);
      }
      this.q.push(bestT, E_STEP, 0);
      return;
    }
    const list = e.list;
    const n = list.length;
    if (n === 0) return;
    const tries = Math.min(e.attempts, n);
    const off = rng.int(n);
    for (let i = 0; i < tries; i++) {
      const a = list[(off + i) % n];
      const p = e.probability ?? (e.via === "phishing" ? c.pPhish[a] : e.via === "exposed" ? c.pExposed[a] : 1);
      const ok = rng.next() < p;
      const ct = t + sample(e.time, rng);
      if (ok && ct < bestT) {
        bestT = ct;
        best = a;
      }
    }
    if (best < 0) return;
    this.markHeld(best);
    this.heldZone[c.index.assetZone[best]] = 1;
    this.q.push(bestT, E_COMPROMISE, best, -1);
    this.q.push(bestT, E_STEP, 0);
  }

  /** [NET-1] zones reachable from the zones the attacker holds (reach), and from the internet (reachNet). */
  private computeReach(): void {
    const ix = this.c.index;
    const reach = this.reach;
    reach.fill(0);
    for (let z = 0; z < ix.zoneCount; z++) {
      if (this.heldZone[z] === 0 || this.actZone[z] > 0) continue;
      reach[z] = 1;
      for (let p = ix.zoneOutStart[z]; p < ix.zoneOutStart[z + 1]; p++) reach[ix.zoneOut[p]] = 1;
    }
  }

  private step(t: number, k: number): void {
    const c = this.c;
    const steps = c.attack?.steps;
    if (!steps || k >= steps.length || this.contained) return;
    const st = steps[k];
    const rng = this.rng;
    const ix = c.index;
    const list = st.list;
    const n = list.length;
    let stepEnd = t;
    if (st.action === "compromise" || st.on === "reachable") {
      const stamp = ++this.attemptStamp;
      let waveStart = t;
      let successes = 0;
      for (;;) {
        this.computeReach();
        const newZones: number[] = [];
        // a compromise wave takes one draw of `time`: everything it takes is held at its end
        const waveDur = st.action === "compromise" ? sample(st.time, rng) : 0;
        let waveEnd = waveStart;
        const off = n > 0 ? rng.int(n) : 0;
        for (let i = 0; i < n && successes < st.max; i++) {
          const a = list[(off + i) % n];
          if (this.attempt[a] === stamp) continue;
          if (st.action === "compromise" && this.held[a]) continue;
          const z = ix.assetZone[a];
          if (this.actZone[z] > 0) continue;
          const fromHeld = this.reach[z] === 1;
          if (!fromHeld && this.reachNet[z] === 0 && !c.exposed[a]) continue;
          this.attempt[a] = stamp;
          const p =
            st.probability ??
            (st.action === "compromise"
              ? fromHeld
                ? c.pLateral[a]
                : c.exposed[a]
                  ? c.pExposed[a]
                  : c.pLateral[a]
              : c.pCommand[a]);
          if (rng.next() >= p) continue;
          const ct = waveStart + (st.action === "compromise" ? waveDur : sample(st.time, rng));
          successes++;
          if (ct > waveEnd) waveEnd = ct;
          if (st.action === "compromise") {
            this.markHeld(a);
            this.q.push(ct, E_COMPROMISE, a, k);
            if (this.heldZone[z] === 0) newZones.push(z);
          } else this.q.push(ct, E_EFFECT, a, k);
        }
        if (waveEnd > stepEnd) stepEnd = waveEnd;
        if (newZones.length === 0 || successes >= st.max || st.action !== "compromise") break;
        for (const z of newZones) this.heldZone[z] = 1;
        waveStart = waveEnd;
      }
    } else {
      // effects on held assets: the attacker holds them, so they succeed
      const hl = this.heldList;
      const m = hl.length;
      const off = m > 0 ? rng.int(m) : 0;
      let done = 0;
      for (let i = 0; i < m && done < st.max; i++) {
        const a = hl[(off + i) % m];
        if (st.mask[a] === 0 || this.actZone[ix.assetZone[a]] > 0) continue;
        done++;
        const ct = t + sample(st.time, rng);
        if (ct > stepEnd) stepEnd = ct;
        this.q.push(ct, E_EFFECT, a, k);
      }
    }
    this.q.push(stepEnd, E_STEP, k + 1);
  }

  private compromise(t: number, a: number, k: number): void {
    if (this.contained) return;
    const c = this.c;
    this.compromisedCount++;
    this.taken.push(a);
    this.note(t, "compromise", c.index.nodeId[a], k < 0 ? "initial foothold" : `step ${c.attack?.steps[k].label}`);
    const det = c.monitored[a] ? c.scenario.detection.monitored : c.scenario.detection.unmonitored;
    if (this.rng.next() < det.probability) this.scheduleDetect(t + sample(det.delay, this.rng));
  }

  private scheduleDetect(td: number): void {
    if (td < this.detectAt) {
      this.detectAt = td;
      this.q.push(td, E_DETECT, 0, ++this.detectGen);
    }
  }

  private effect(t: number, a: number, k: number): void {
    if (this.contained) return;
    const c = this.c;
    const st = (c.attack as NonNullable<Compiled["attack"]>).steps[k];
    const rng = this.rng;
    const id = c.index.nodeId[a];
    if (this.actZone[c.index.assetZone[a]] > 0) {
      this.note(t, "blocked", id, `${st.label}; its zone is isolated by decision`);
      return;
    }
    switch (st.action) {
      case "deny": {
        this.succeeded = 1;
        this.note(t, "deny", id, st.label);
        if (st.for) {
          this.addHit(a, st.level);
          this.q.push(t + sample(st.for, rng), E_EFFECT_END, a, k, st.level);
        } else this.damage(t, a, st.level, sample(st.restore ?? c.scenario.recovery.deny, rng));
        this.scheduleDetect(t);
        break;
      }
      case "encrypt": {
        if (this.damaged[a]) return;
        this.succeeded = 1;
        let dur: number;
        let loss: number;
        if (c.backupUsable[a]) {
          dur = c.backupRestore[a];
          loss = rng.next() * c.backupEvery[a];
        } else {
          dur = Number.isNaN(c.rebuild[a]) ? sample(c.defaultRebuild[a], rng) : c.rebuild[a];
          loss = Number.POSITIVE_INFINITY;
        }
        this.note(
          t,
          "encrypt",
          id,
          `${st.label}; ${c.backupUsable[a] ? "restore from offline tested backup" : "rebuild"}`,
        );
        for (let p = c.assetSvcStart[a]; p < c.assetSvcStart[a + 1]; p++) {
          const s = c.assetSvc[p];
          if (loss > this.dataLoss[s]) this.dataLoss[s] = loss;
        }
        this.damage(t, a, 0, dur);
        this.scheduleDetect(t);
        break;
      }
      case "destroy": {
        if (this.damaged[a]) return;
        this.succeeded = 1;
        this.note(t, "destroy", id, st.label);
        this.damage(t, a, 0, Number.isNaN(c.rebuild[a]) ? sample(c.defaultRebuild[a], rng) : c.rebuild[a]);
        this.scheduleDetect(t);
        break;
      }
      case "manipulate": {
        // integrity loss: the level stays reduced until a crew has verified and restored the asset, which
        // starts at containment like every repair (docs/simulate.md "Steps")
        if (!Number.isNaN(this.detectedAt) || this.damaged[a]) return;
        this.succeeded = 1;
        this.note(t, "manipulate", id, `${st.label}; level ${st.level} until a crew restores it`);
        this.manipulated.push(a);
        this.damage(t, a, st.level, sample(st.restore ?? c.verify[a], rng));
        break;
      }
      default:
        break;
    }
  }

  private damage(t: number, a: number, cap: number, dur: number): void {
    if (this.damaged[a]) return;
    this.damaged[a] = 1;
    this.damagedList.push(a);
    this.damageCap[a] = cap;
    this.repairDur[a] = dur;
    this.addHit(a, cap);
    if (this.contained) this.enqueueTask(t, a);
    else {
      this.repState[a] = R_PENDING;
      this.pendingRepair.push(a);
    }
  }

  private detect(t: number): void {
    this.detectedAt = t;
    this.note(t, "detected", "attack", "the incident is detected");
    for (const a of this.manipulated)
      this.note(t, "manipulation-found", this.c.index.nodeId[a], "to verify and restore after containment");
    this.manipulated = [];
    this.q.push(t + sample(this.c.containment.delay, this.rng), E_CONTAIN, 0);
  }

  private contain(t: number): void {
    if (this.contained) return;
    this.contained = true;
    this.note(t, "contained", "attack", "the attacker's hosts or zones isolated; the attacker is out");
    this.isolate(t);
    for (const a of this.pendingRepair) this.enqueueTask(t, a);
    this.pendingRepair = [];
  }

  /**
   * Containment is proportionate to the intrusion. Per zone where the attacker has compromised assets: with at
   * least `containment.zoneThreshold` of them there, or any of them in the OT layer, the zone is isolated;
   * otherwise only those hosts are, each capped at 0 for the isolation (cut off and re-imaged; a repair of the
   * same host runs alongside, so it is back at the later of the two). A zone a vendor access reached where no
   * asset was compromised is isolated (there is no host to cut off). Both last one draw of
   * `containment.isolation`. An isolated zone's conduits are cut. An asset's requirement is cut when the members it can still reach (assets in its own
   * zone, assets in zones the cut leaves connected to it, services) can no longer meet it (all: any member
   * across the cut; any: every member across; k-of-n: fewer than k left). Each asset with a cut requirement is
   * capped at max(`containment.impact`, that requirement's `degrade`) (the lowest over its cut requirements)
   * until the isolation is lifted.
   */
  private isolate(t: number): void {
    const c = this.c;
    const ix = c.index;
    const A = this.A;
    const pol = c.containment;
    const thr = pol.zoneThreshold;
    const { zoneTaken, zoneOt, taken } = this;
    for (const a of taken) {
      const z = ix.assetZone[a];
      zoneTaken[z]++;
      if (c.otLayer[a]) zoneOt[z] = 1;
    }
    const vz = this.vendorZone;
    if (pol.scope !== "host" && vz >= 0 && vz !== ix.internetZone && zoneTaken[vz] === 0) {
      this.isoZone[vz] = 1;
      this.isoZones.push(vz);
    }
    for (const a of taken) {
      const z = ix.assetZone[a];
      if (z === ix.internetZone || this.isoZone[z] === 1) continue;
      const wholeZone =
        pol.scope === "zone" || (pol.scope === "proportionate" && (zoneTaken[z] >= thr || zoneOt[z] === 1));
      if (wholeZone) {
        this.isoZone[z] = 1;
        this.isoZones.push(z);
      } else if (this.isoHostOn[a] === 0) {
        this.isoHosts.push(a);
        this.isoHostOn[a] = 1;
      }
    }
    for (const a of taken) {
      zoneTaken[ix.assetZone[a]] = 0;
      zoneOt[ix.assetZone[a]] = 0;
    }
    if (this.isoZones.length === 0 && this.isoHosts.length === 0) return;
    if (!this.shN.on && !this.lean) this.startShadow(this.shN, this.real);
    if (this.isoZones.length > 0) {
      const len = sample(pol.zoneIsolation, this.rng);
      const impact = pol.impact;
      const cr = c.crossReq;
      // only the cross-zone requirements touching an isolated zone can be cut; in crossReq order as a full sweep
      const stamp = ++this.crStamp;
      let nc = 0;
      for (const z of this.isoZones)
        for (let p = this.zoneCrStart[z]; p < this.zoneCrStart[z + 1]; p++) {
          const i = this.zoneCr[p];
          if (this.crSeen[i] !== stamp) {
            this.crSeen[i] = stamp;
            this.crList[nc++] = i;
          }
        }
      const cand = this.crList.subarray(0, nc).sort();
      for (let j = 0; j < nc; j++) {
        const r = cr[cand[j]];
        const x = ix.reqOwner[r];
        const zx = ix.assetZone[x];
        const xIso = this.isoZone[zx] === 1;
        let n = 0;
        let cut = 0;
        for (let m = ix.memberStart[r]; m < ix.memberStart[r + 1]; m++) {
          n++;
          const b = ix.members[m];
          if (b < A) {
            const zb = ix.assetZone[b];
            if (zb !== zx && (xIso || this.isoZone[zb] === 1)) cut++;
          }
        }
        if (cut === 0 || n - cut >= ix.reqK[r]) continue;
        const cap = Math.max(impact, ix.reqDegrade[r]);
        if (cap >= 1) continue;
        if (this.isoCap[x] === 1) this.isoAssets.push(x);
        if (cap < this.isoCap[x]) this.isoCap[x] = cap;
      }
      const hrs = Math.round(len * 10) / 10;
      for (const z of this.isoZones)
        this.note(t, "isolated", ix.zoneId[z], `conduits cut for ${hrs}h; the attacker cannot cross them`);
      for (const x of this.isoAssets) {
        this.isoHitCap[x] = this.isoCap[x];
        this.addHit(x, this.isoCap[x]);
      }
      this.q.push(t + len, E_ISO_END, 0);
      this.isoPending++;
    }
    if (this.isoHosts.length > 0) {
      const len = sample(pol.hostIsolation, this.rng);
      const hrs = Math.round(len * 10) / 10;
      for (const a of this.isoHosts) {
        this.note(t, "isolated host", ix.nodeId[a], `cut off and re-imaged for ${hrs}h`);
        this.addHit(a, 0);
      }
      this.q.push(t + len, E_ISO_END, 1);
      this.isoPending++;
    }
  }

  /** Ends the zone isolations (which = 0) or the host isolations (which = 1). */
  private liftIsolation(t: number, which: number): void {
    const ix = this.c.index;
    if (which === 0) {
      for (const z of this.isoZones) this.note(t, "isolation-lifted", ix.zoneId[z], "conduits reconnected");
      for (const x of this.isoAssets) {
        this.isoHitCap[x] = 1;
        this.removeHit(x, this.isoCap[x]);
      }
    } else
      for (const a of this.isoHosts) {
        this.note(t, "isolation-lifted host", ix.nodeId[a], "host reconnected");
        this.isoHostOn[a] = 0;
        this.removeHit(a, 0);
      }
    // every isolation lifted: N's inputs are the real run's from now on, so it reads the real levels [ATT-1]
    if (--this.isoPending === 0) this.shN.live = false;
  }

  private priorityOf(a: number): number {
    const c = this.c;
    let p = c.priority[a];
    if (Number.isNaN(p)) {
      p = 0;
      for (const s of servicesAtRisk(c.index, a)) p += c.index.population[s];
      c.priority[a] = p;
    }
    return p;
  }

  private enqueueTask(t: number, a: number): void {
    const pool = this.c.pool[a];
    if (this.free[pool] > 0) {
      this.free[pool]--;
      this.repState[a] = R_BUSY;
      this.q.push(t + this.repairDur[a], E_TASK_DONE, a, pool);
    } else {
      this.repState[a] = R_QUEUED;
      this.waiting[pool].push(this.priorityOf(a), a);
    }
  }

  /** A free crew of `pool` takes the most important queued repair; false when none is queued. */
  private startNext(t: number, pool: number): boolean {
    const w = this.waiting[pool];
    while (w.size > 0) {
      const next = w.pop();
      if (this.repState[next] !== R_QUEUED) continue; // restored from backup by decision meanwhile
      this.repState[next] = R_BUSY;
      this.q.push(t + this.repairDur[next], E_TASK_DONE, next, pool);
      return true;
    }
    return false;
  }

  private taskDone(t: number, a: number, pool: number): void {
    this.repState[a] = R_DONE;
    if (pool < 0) {
      this.note(t, "restored", this.c.index.nodeId[a], "from backup, by decision");
      this.removeHit(a, this.damageCap[a]);
      return;
    }
    this.note(t, "restored", this.c.index.nodeId[a], `crew ${this.c.poolName[pool]}`);
    this.removeHit(a, this.damageCap[a]);
    if (!this.startNext(t, pool)) this.free[pool]++;
  }

  // ---- defenders' actions [SCN-5]..[SCN-7] ------------------------------------------------------------------

  private action(t: number, i: number): void {
    const c = this.c;
    const ix = c.index;
    const act = c.actions[i];
    const items = act.items;
    switch (act.kind) {
      case A_ISOLATE: {
        for (let j = 0; j < items.length; j++) {
          this.actZone[items[j]]++;
          const len = act.for === Number.POSITIVE_INFINITY ? "to the end" : `for ${act.for}h`;
          this.note(t, "decision", ix.zoneId[items[j]], `isolate the zone ${len}: conduits cut`);
        }
        this.updateActionCaps();
        if (act.for !== Number.POSITIVE_INFINITY) this.q.push(t + act.for, E_ACTION_END, i);
        break;
      }
      case A_FALLBACK:
        for (let j = 0; j < items.length; j++) {
          const n = items[j];
          const left = ix.fallbackLasts[n] - this.fbUsed[n];
          if (this.fbForce[n] === 1 || !(left > 0)) {
            this.note(t, "decision", ix.nodeId[n], this.fbForce[n] ? "fallback already on" : "fallback time used up");
            continue;
          }
          // switched by hand now: the automatic switch pending (after `after`) is superseded
          this.fbDip[n] = 1;
          const gen = ++this.fbGen[n];
          this.fbForce[n] = 1;
          this.fbForceStart[n] = t;
          this.L.setFloor(n, ix.fallbackLevel[n]);
          this.collect();
          this.inputs?.push({ t, kind: "floor", index: n, value: ix.fallbackLevel[n] });
          this.shadowFloor(n, ix.fallbackLevel[n]);
          this.note(t, "decision", ix.nodeId[n], `switch to the fallback (level ${ix.fallbackLevel[n]})`);
          if (left !== Number.POSITIVE_INFINITY) this.q.push(t + left, E_FB_END, n, gen);
        }
        break;
      case A_CREW: {
        const p = items[0];
        this.free[p] += act.count;
        this.note(t, "decision", c.poolName[p], `${act.count} more crew${act.count === 1 ? "" : "s"} called`);
        while (this.free[p] > 0 && this.startNext(t, p)) this.free[p]--;
        break;
      }
      case A_RESTORE:
        for (let j = 0; j < items.length; j++) {
          const a = items[j];
          const st = this.repState[a];
          if (this.damaged[a] === 0 || st === R_BUSY || st === R_DONE) {
            const why =
              this.damaged[a] === 0 ? "not damaged" : st === R_DONE ? "already restored" : "already in repair";
            this.note(t, "decision", ix.nodeId[a], `restore from backup: nothing to do (${why})`);
            continue;
          }
          if (st === R_PENDING) this.pendingRepair = this.pendingRepair.filter((x) => x !== a);
          this.repState[a] = R_BUSY;
          this.note(t, "decision", ix.nodeId[a], `restore from backup (${c.backupRestore[a]}h)`);
          this.q.push(t + c.backupRestore[a], E_TASK_DONE, a, -1);
        }
        break;
      case A_CONTAIN:
        if (this.contained || Number.isNaN(this.detectedAt)) {
          this.note(t, "decision", "attack", this.contained ? "already contained" : "contain: no incident known yet");
          break;
        }
        this.note(t, "decision", "attack", "contain now (the containment delay is skipped)");
        this.contain(t);
        break;
    }
  }

  private endIsolateAction(t: number, i: number): void {
    const items = this.c.actions[i].items;
    for (let j = 0; j < items.length; j++) {
      this.actZone[items[j]]--;
      this.note(t, "decision-over", this.c.index.zoneId[items[j]], "zone reconnected");
    }
    this.updateActionCaps();
  }

  /**
   * [SCN-6] The caps that the zones isolated by decision put on assets: a requirement is cut as by containment's
   * zone isolation (docs/simulate.md "Containment and isolation"), each cut asset capped at
   * max(containment impact, the requirement's degrade); recomputed when an isolation starts or ends.
   */
  private updateActionCaps(): void {
    const c = this.c;
    const ix = c.index;
    const A = this.A;
    const next = new Map<number, number>();
    const cr = c.crossReq;
    for (let i = 0; i < cr.length; i++) {
      const r = cr[i];
      const x = ix.reqOwner[r];
      const zx = ix.assetZone[x];
      const xIso = this.actZone[zx] > 0;
      let n = 0;
      let cut = 0;
      for (let m = ix.memberStart[r]; m < ix.memberStart[r + 1]; m++) {
        n++;
        const b = ix.members[m];
        if (b < A) {
          const zb = ix.assetZone[b];
          if (zb !== zx && (xIso || this.actZone[zb] > 0)) cut++;
        }
      }
      if (cut === 0 || n - cut >= ix.reqK[r]) continue;
      const cap = Math.max(c.containment.impact, ix.reqDegrade[r]);
      if (cap >= 1) continue;
      if (cap < (next.get(x) ?? 1)) next.set(x, cap);
    }
    const list: number[] = [];
    for (const x of this.actCapList) {
      const nw = next.get(x) ?? 1;
      if (nw !== this.actCap[x]) {
        this.removeHit(x, this.actCap[x]);
        if (nw < 1) this.addHit(x, nw);
        this.actCap[x] = nw;
      }
      if (nw < 1) list.push(x);
      next.delete(x);
    }
    for (const [x, cap] of next) {
      this.addHit(x, cap);
      this.actCap[x] = cap;
      list.push(x);
    }
    this.actCapList = list;
  }

  // ---- metrics ------------------------------------------------------------------------------------------

  private record(t: number): void {
    const A = this.A;
    const L = this.L;
    if (!this.shD.on && !this.lean) {
      // D equals the run without containment until a service others need loses level there
      const src = this.shN.on ? this.shN : undefined;
      const lv = this.shN.live ? this.shN.L.level : L.level;
      for (const s of this.feedList)
        if (lv[A + s] < 1) {
          this.startShadow(this.shD, src ?? this.real);
          break;
        }
    }
    if (this.shN.on) this.recordShadow(this.shN, t);
    if (this.shD.on) this.recordShadow(this.shD, t);
    for (let i = 0; i < this.recLen; i++) {
      const n = this.rec[i];
      this.inRec[n] = 0;
      if (n < A) continue;
      const s = n - A;
      const nw = L.level[n];
      const old = this.cur[s];
      if (nw !== old) this.change(s, old, nw, t);
    }
    this.recLen = 0;
  }

  private recordShadow(sh: Shadow, t: number): void {
    const A = this.A;
    const lv = sh.live ? sh.L.level : this.L.level;
    const pop = this.c.index.population;
    for (let s = 0; s < this.S; s++) {
      const nw = lv[A + s];
      const old = sh.cur[s];
      if (nw === old) continue;
      if (old < 1) sh.ph[s] += (1 - old) * pop[A + s] * (t - sh.last[s]);
      const obj = this.c.objective;
      if (sh === this.shN && obj && this.c.objectiveSvc[s] === 1 && nw < obj.below) this.reached = 1;
      sh.cur[s] = nw;
      sh.last[s] = t;
    }
  }

  private histAdd(cell: number, level: number, hist: Map<number, Map<number, number>>): void {
    let m = hist.get(cell);
    if (!m) {
      m = new Map();
      hist.set(cell, m);
    }
    m.set(level, (m.get(level) ?? 0) + 1);
  }

  private readonly pendingGrid: number[] = [];

  private change(s: number, old: number, nw: number, t: number): void {
    const c = this.c;
    const pop = c.index.population[this.A + s];
    const dt = t - this.last[s];
    if (old < 1) {
      this.ph[s] += (1 - old) * pop * dt;
      this.down[s] += dt;
      if (old < 1 - SEVERE_LOSS) this.severe[s] += dt;
    }
    if (nw < this.minLevel[s]) this.minLevel[s] = nw;
    // [SCN-4] the objective is the attack's doing: once containment or cascade counterfactuals run, the level
    // without our containment decides (recordShadow)
    if (!this.shN.on && c.objectiveSvc[s] === 1 && c.objective && nw < c.objective.below) this.reached = 1;
    // curve grid points before t hold the old level
    const grid = c.grid;
    let g = this.gridIdx[s];
    while (g < this.G && grid[g] < t) {
      if (old < 1 && !this.lean) this.pendingGrid.push(s * this.G + g, old);
      g++;
    }
    this.gridIdx[s] = g;
    if (old === 1 && nw < 1) {
      this.downCount++;
      if (Number.isNaN(this.first[s])) this.first[s] = t;
    } else if (old < 1 && nw === 1) {
      this.downCount--;
      if (Number.isNaN(this.recovered[s])) this.recovered[s] = t;
    }
    const thr = this.thr[s];
    if (old >= thr && nw < thr) this.belowStart[s] = t;
    else if (old < thr && nw >= thr) {
      const d = t - this.belowStart[s];
      if (d > this.maxBelow[s]) this.maxBelow[s] = d;
    }
    for (let o = c.objStart[s]; o < c.objStart[s + 1]; o++) {
      if (c.objKind[o] === OBJ_RESTORE && old < c.objLevel[o] && nw >= c.objLevel[o]) this.lastRise[o] = t;
    }
    this.cur[s] = nw;
    this.last[s] = t;
    this.trace?.push({ t, kind: "level", id: c.index.nodeId[this.A + s], from: old, to: nw });
  }

  private closeShadow(sh: Shadow, s: number, tEnd: number, pop: number): number {
    const lv = sh.cur[s];
    return lv < 1 ? sh.ph[s] + (1 - lv) * pop * (tEnd - sh.last[s]) : sh.ph[s];
  }

  private finish(sink: RunSink, slot: number, tEnd: number): void {
    const c = this.c;
    const S = this.S;
    const base = slot * S;
    const grid = c.grid;
    // close every service's last segment at tEnd
    for (let s = 0; s < S; s++) {
      const lv = this.cur[s];
      if (lv < 1) {
        const dt = tEnd - this.last[s];
        this.ph[s] += (1 - lv) * c.index.population[this.A + s] * dt;
        this.down[s] += dt;
        if (lv < 1 - SEVERE_LOSS) this.severe[s] += dt;
        let g = this.gridIdx[s];
        if (!this.lean)
          while (g < this.G && grid[g] <= tEnd) {
            this.pendingGrid.push(s * this.G + g, lv);
            g++;
          }
        if (lv < this.thr[s]) {
          const d = tEnd - this.belowStart[s];
          if (d > this.maxBelow[s]) this.maxBelow[s] = d;
        }
      }
      sink.personHours[base + s] = this.ph[s];
      sink.peakLoss[base + s] = 1 - this.minLevel[s];
      sink.severe[base + s] = this.severe[s];
      // [ATT-1] real >= without containment >= without cascade; clamp rounding so the split stays ordered
      const pop = c.index.population[this.A + s];
      const n = this.shN.on ? Math.min(this.ph[s], this.closeShadow(this.shN, s, tEnd, pop)) : this.ph[s];
      sink.phNoContain[base + s] = n;
      sink.phDirect[base + s] = this.shD.on ? Math.min(n, this.closeShadow(this.shD, s, tEnd, pop)) : n;
      sink.downtime[base + s] = this.down[s];
      sink.firstLoss[base + s] = this.first[s];
    }
    const pg = this.pendingGrid;
    for (let i = 0; i < pg.length; i += 2) this.histAdd(pg[i], pg[i + 1], sink.hist);
    pg.length = 0;
    // objectives [DEP-8]
    const O = c.objSvc.length;
    for (let o = 0; o < O; o++) {
      const s = c.objSvc[o];
      const t1 = this.first[s];
      let met = true;
      if (!Number.isNaN(t1)) {
        const target = c.objTarget[o];
        switch (c.objKind[o]) {
          case OBJ_RTO:
            met = !Number.isNaN(this.recovered[s]) && this.recovered[s] <= t1 + target;
            break;
          case OBJ_MTD:
            met = !(this.maxBelow[s] > target);
            break;
          case OBJ_RESTORE: {
            const lvl = c.objLevel[o];
            met = this.cur[s] >= lvl && (Number.isNaN(this.lastRise[o]) || this.lastRise[o] <= t1 + target);
            break;
          }
          case OBJ_RPO:
            met = this.dataLoss[s] <= target;
            break;
        }
      } else if (c.objKind[o] === OBJ_RPO) met = this.dataLoss[s] <= c.objTarget[o];
      sink.met[slot * O + o] = met ? 1 : 0;
    }
    sink.attackSucceeded[slot] = this.c.objective ? this.reached : this.succeeded;
    sink.effectApplied[slot] = this.succeeded;
    sink.compromised[slot] = this.compromisedCount;
    sink.detectedAt[slot] = this.detectedAt;
    sink.endTime[slot] = tEnd;
  }
}
