import { describe, expect, test } from "vitest";
import { effectiveSize, train } from "../../src/detect/engine.ts";
import { fitGpd, gpdQuantile, tailThreshold } from "../../src/detect/tail.ts";
import { streamFor } from "../../src/model/rng.ts";

/** Draws from GPD(sigma, xi) by inverting its distribution function. */
function drawGpd(seed: number, n: number, sigma: number, xi: number): Float64Array {
  const rng = streamFor(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(rng.next(), 1e-15);
    out[i] = Math.abs(xi) < 1e-9 ? -sigma * Math.log(u) : (sigma / xi) * (u ** -xi - 1);
  }
  return out;
}

/** Slow oracle: probability-weighted moments by pairwise counting, straight from their definition. */
function slowPwm(y: ArrayLike<number>): { sigma: number; xi: number } {
  const n = y.length;
  let a0 = 0;
  let a1 = 0;
  for (let i = 0; i < n; i++) {
    a0 += y[i];
    let above = 0;
    for (let j = 0; j < n; j++) if (y[j] > y[i]) above++;
    a1 += (y[i] * above) / (n - 1);
  }
  a0 /= n;
  a1 /= n;
  return { sigma: (2 * a0 * a1) / (a0 - 2 * a1), xi: 2 - a0 / (a0 - 2 * a1) };
}

describe("tail model (peaks over threshold)", () => {
  test("[DET-P1] differential: the sorted PWM fit equals the pairwise-count oracle on random samples", () => {
    for (let t = 0; t < 40; t++) {
      const rng = streamFor(900 + t);
      const xi = -0.3 + 0.6 * rng.next();
      const y = drawGpd(1000 + t, 20 + rng.int(200), 0.5 + rng.next() * 2, xi);
      const fast = fitGpd(y);
      const slow = slowPwm(y);
      if (slow.xi < -0.5 || slow.xi > 0.9) continue; // clamped cases are checked below
      expect(fast.sigma).toBeCloseTo(slow.sigma, 9);
      expect(fast.xi).toBeCloseTo(slow.xi, 9);
    }
  });

  test("[DET-P2] the fit recovers known parameters and the threshold's exceedance rate is the target", () => {
    for (const [sigma, xi] of [
      [1, 0],
      [2, 0.2],
      [1, -0.2],
    ]) {
      const fit = fitGpd(drawGpd(7, 20_000, sigma, xi));
      expect(Math.abs(fit.xi - xi)).toBeLessThan(0.05);
      expect(Math.abs(fit.sigma / sigma - 1)).toBeLessThan(0.06);
    }
    // calibrate on 2,000 normal readings (alpha beyond the sample: extrapolation), check on 400,000 fresh ones
    const rng = streamFor(3);
    const normal = (k: number) => {
      const o = new Float64Array(k);
      for (let i = 0; i < k; i++) {
        const u = Math.max(rng.next(), 1e-15);
        o[i] = Math.abs(Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next()));
      }
      return o;
    };
    const alpha = 1e-3;
    const th = tailThreshold(normal(2000), alpha);
    expect(th.method).toBe("gpd");
    const fresh = normal(400_000);
    let over = 0;
    for (const v of fresh) if (v > th.threshold) over++;
    const rate = over / fresh.length;
    expect(rate).toBeGreaterThan(alpha / 3);
    expect(rate).toBeLessThan(alpha * 3);
    // within the sample the empirical quantile is used; with too few readings the largest
    expect(tailThreshold(normal(100_000), alpha).method).toBe("empirical");
    expect(tailThreshold(normal(10), alpha).method).toBe("max");
    // the quantile formula at xi = 0 is the exponential's
    expect(gpdQuantile(1, { sigma: 2, xi: 0 }, 0.1, 0.001)).toBeCloseTo(1 + 2 * Math.log(100), 9);
  });

  test("[DET-P3] a per-signal target false-alarm rate sets that signal's tolerance only", () => {
    const rng = streamFor(5);
    const n = 3000;
    const signals = ["a", "b", "c"];
    const values = new Float64Array(n * 3);
    const wall = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      wall[i] = i * 60_000;
      const x = rng.next();
      values[i * 3] = x + 0.1 * rng.next();
      values[i * 3 + 1] = 2 * x + 0.1 * rng.next();
      values[i * 3 + 2] = rng.next();
    }
    const base = train(signals, [{ wall, values }], { far: 1e-3 });
    const strict = train(signals, [{ wall, values }], { far: 1e-3, farBySignal: { a: 1e-6 } });
    expect(strict.seasonQ[0]).toBeGreaterThan(base.seasonQ[0]);
    expect(strict.seasonQ[1]).toBe(base.seasonQ[1]);
    expect(strict.seasonQ[2]).toBe(base.seasonQ[2]);
  });

  test("[DET-H1] effective history: white noise counts nearly fully, a random walk as a few readings", () => {
    const rng = streamFor(8);
    const white = new Float64Array(2000);
    const walk = new Float64Array(2000);
    let w = 0;
    for (let i = 0; i < 2000; i++) {
      white[i] = rng.next();
      w += rng.next() - 0.5;
      walk[i] = w;
    }
    expect(effectiveSize(white)).toBeGreaterThan(500);
    expect(effectiveSize(walk)).toBeLessThan(60);
  });
});
