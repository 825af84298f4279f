/**
 * Sampling durations (hours) from the scenario distributions of spec §1: fixed, uniform, triangular and
 * lognormal given its median and 90th percentile. Pure: the caller passes the run's seeded stream.
 */
import type { Distribution } from "../model/primitives.ts";
import type { Rng } from "../model/rng.ts";

export type { Distribution };

/** z of the standard normal's 90th percentile. */
export const Z90 = 1.2815515655446004;

/** Standard normal by inverse CDF (Acklam's rational approximation, relative error < 1.2e-9): one draw per sample. */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  if (p < pl) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    );
  }
  if (p > 1 - pl) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return (
      -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

/** One sample in hours. Fixed distributions draw nothing from the stream (so they stay exact). */
export function sample(d: Distribution, rng: Rng): number {
  switch (d.kind) {
    case "fixed":
      return d.value;
    case "uniform":
      return d.a + (d.b - d.a) * rng.next();
    case "triangular": {
      const { min, mode, max } = d;
      if (max === min) return min;
      const u = rng.next();
      const f = (mode - min) / (max - min);
      return u < f
        ? min + Math.sqrt(u * (max - min) * (mode - min))
        : max - Math.sqrt((1 - u) * (max - min) * (max - mode));
    }
    case "lognormal": {
      const sigma = Math.log(d.p90 / d.median) / Z90;
      if (sigma === 0) return d.median;
      // u in (0, 1): avoid the infinite tails
      const u = (rng.next() * 4294967295 + 0.5) / 4294967296;
      return d.median * Math.exp(sigma * normalQuantile(u));
    }
  }
}

export function isFixed(d: Distribution): boolean {
  return d.kind === "fixed";
}

/** The distribution's mean, for documentation and checks. */
export function mean(d: Distribution): number {
  switch (d.kind) {
    case "fixed":
      return d.value;
    case "uniform":
      return (d.a + d.b) / 2;
    case "triangular":
      return (d.min + d.mode + d.max) / 3;
    case "lognormal": {
      const sigma = Math.log(d.p90 / d.median) / Z90;
      return d.median * Math.exp((sigma * sigma) / 2);
    }
  }
}

export const fixed = (value: number): Distribution => ({ kind: "fixed", value });
export const lognormal = (median: number, p90: number): Distribution => ({ kind: "lognormal", median, p90 });
