/**
 * Univariate streaming detector (one signal, no separate history): used for NAB-style streams and for a
 * live signal that has no trained model yet. O(1) time per reading and bounded memory.
 *
 * Contextual novelty: readings are quantised into `bins` levels over the range seen while learning; the
 * detector remembers which levels, which (previous, current) transitions and which 3-reading sequences it
 * has seen. A reading scores by how many of these contexts are new (a never-seen level, a jump never seen,
 * a shape never seen), plus how far outside the known range it lies. After a confident detection the output
 * is damped for `suppress` readings (one event, one alert). Seen contexts are capped (oldest forgotten
 * first would need a queue; instead the table is cleared when full, which keeps memory bounded).
 */
export interface StreamOptions {
  /** Readings used to learn before judging (output 0 meanwhile). */
  learn: number;
  /** Readings of damping after a detection. */
  suppress: number;
  /** Quantisation levels over the learned range. */
  bins: number;
  /** Score at or above which a detection starts damping. */
  fire: number;
  /** Upper bound on remembered contexts. */
  maxContexts: number;
  /** Weights of a new level and a new transition (a new 3-sequence gets the rest). */
  w1: number;
  w2: number;
}

export const DEFAULT_STREAM: StreamOptions = {
  learn: 750,
  suppress: 375,
  bins: 20,
  fire: 0.7,
  maxContexts: 200_000,
  w1: 0.4,
  w2: 0.35,
};

export class StreamDetector {
  readonly o: StreamOptions;
  // 0 n, 1 min, 2 max, 3 prevBin, 4 prevPrevBin, 5 cooldown, 6 lo (frozen), 7 width (frozen)
  private readonly s = new Float64Array(8);
  private readonly warm: Float64Array;
  private readonly seen = new Map<number, number>();

  constructor(o: Partial<StreamOptions> = {}) {
    this.o = { ...DEFAULT_STREAM, ...o };
    this.warm = new Float64Array(Math.max(1, this.o.learn));
  }

  private bin(x: number): number {
    const b = Math.floor((x - this.s[6]) / this.s[7]);
    const B = this.o.bins;
    return b < -B ? -B : Math.min(b, 2 * B);
  }

  private remember(key: number): number {
    const c = this.seen.get(key) ?? 0;
    if (c === 0 && this.seen.size >= this.o.maxContexts) this.seen.clear();
    this.seen.set(key, c + 1);
    return c;
  }

  step(x: number): number {
    const s = this.s;
    const o = this.o;
    if (!Number.isFinite(x)) return 0;
    const n = s[0];
    s[0] = n + 1;
    if (n === 0 || x < s[1]) s[1] = x;
    if (n === 0 || x > s[2]) s[2] = x;
    if (n < o.learn) {
      this.warm[n] = x;
      if (n + 1 < o.learn) return 0;
      // freeze the quantisation, then replay the warm-up readings into the context tables
      const span = s[2] - s[1];
      s[6] = s[1];
      s[7] = span > 0 ? span / o.bins : Math.max(Math.abs(s[1]) * 1e-3, 1e-9);
      let p1 = Number.NaN;
      let p2 = Number.NaN;
      for (let i = 0; i < o.learn; i++) {
        const b = this.bin(this.warm[i]);
        this.remember(key1(b));
        if (!Number.isNaN(p1)) this.remember(key2(p1, b));
        if (!Number.isNaN(p2)) this.remember(key3(p2, p1, b));
        p2 = p1;
        p1 = b;
      }
      s[3] = p1;
      s[4] = p2;
      return 0;
    }
    const b = this.bin(x);
    const c1 = this.remember(key1(b));
    const c2 = this.remember(key2(s[3], b));
    const c3 = Number.isNaN(s[4]) ? 1 : this.remember(key3(s[4], s[3], b));
    s[4] = s[3];
    s[3] = b;
    let score = (c1 === 0 ? o.w1 : 0) + (c2 === 0 ? o.w2 : 0) + (c3 === 0 ? 1 - o.w1 - o.w2 : 0);
    // graded: rare contexts count a little
    if (score === 0) score = 0.1 / Math.sqrt(c3);
    if (s[5] > 0) {
      s[5]--;
      return score * 0.1;
    }
    if (score >= o.fire) s[5] = o.suppress;
    return score;
  }
}

const B1 = 1 << 8;
function key1(b: number): number {
  return b + 64;
}
function key2(a: number, b: number): number {
  return 1e6 + (a + 64) * B1 + (b + 64);
}
function key3(a: number, b: number, c: number): number {
  return 1e8 + ((a + 64) * B1 + (b + 64)) * B1 + (c + 64);
}
