/**
 * Seeded random numbers for the engines. `streamFor(seed, stream)` gives run `stream` its own independent
 * generator, so results do not depend on how runs are spread over workers. sfc32 seeded by splitmix32:
 * fast, 32-bit integer arithmetic only, identical on every platform.
 */

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

function splitmix32(state: number): () => number {
  let s = state | 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

class Sfc32 implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seedLo: number, seedHi: number, stream: number) {
    const mix = splitmix32((seedLo ^ Math.imul(stream, 0x27d4eb2f)) | 0);
    const mix2 = splitmix32((seedHi ^ Math.imul(stream + 1, 0x5bd1e995)) | 0);
    this.a = mix() ^ mix2();
    this.b = mix();
    this.c = mix2();
    this.d = (stream ^ mix()) | 0;
    for (let i = 0; i < 12; i++) this.u32();
  }
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  next(): number {
    return this.u32() / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** The generator of stream `stream` under `seed` (seed: any safe integer). */
export function streamFor(seed: number, stream = 0): Rng {
  const s = Math.trunc(Math.abs(seed));
  return new Sfc32((s % 4294967296) | 0, Math.floor(s / 4294967296) | 0, stream | 0);
}

/** Parses a CLI/API seed ("42") into a safe integer, or undefined. */
export function parseSeed(text: string): number | undefined {
  if (!/^\d{1,15}$/.test(text.trim())) return undefined;
  return Number(text.trim());
}
