/**
 * Tail model for alarm thresholds: peaks over threshold with a generalized Pareto distribution (GPD).
 *
 * Given scores of normal behaviour (a component's out-of-fold residuals, severities, ...) and a target
 * false-alarm rate `alpha` (probability that one normal reading exceeds the threshold), the threshold is the
 * (1 - alpha) quantile of the scores' distribution. When alpha is well inside the sample (at least `minTail`
 * normal readings above it) the empirical quantile is used; otherwise the tail above a high empirical
 * quantile u is modelled as GPD(sigma, xi) (Pickands-Balkema-de Haan) and the quantile extrapolated:
 *
 *   z(alpha) = u + sigma / xi * ((alpha / zeta_u)^(-xi) - 1)      (xi != 0)
 *   z(alpha) = u - sigma * ln(alpha / zeta_u)                     (xi = 0)
 *
 * with zeta_u = N_u / n the fraction of readings above u. sigma and xi are estimated by probability-weighted
 * moments (Hosking and Wallis 1987), which are stable for the small exceedance counts a short history gives.
 * Pure: no I/O, no randomness.
 */

export interface GpdFit {
  /** Scale sigma > 0. */
  sigma: number;
  /** Shape xi (clamped to [XI_MIN, XI_MAX]). */
  xi: number;
}

/** Shape bounds: xi >= 1 has no mean (PWM undefined); very negative xi is a hard endpoint we do not trust. */
export const XI_MIN = -0.5;
export const XI_MAX = 0.9;

/**
 * Probability-weighted-moment fit of a GPD to exceedances y > 0 (any order). One sort, O(n log n).
 * a0 = mean(y); a1 = mean over the ascending order statistics of y_(i) (n - i) / (n - 1);
 * sigma = 2 a0 a1 / (a0 - 2 a1); xi = 2 - a0 / (a0 - 2 a1).
 */
export function fitGpd(exceedances: ArrayLike<number>): GpdFit {
  const n = exceedances.length;
  if (n === 0) return { sigma: 0, xi: 0 };
  const y = Float64Array.from(exceedances).sort();
  let a0 = 0;
  let a1 = 0;
  for (let i = 0; i < n; i++) {
    a0 += y[i];
    a1 += n > 1 ? (y[i] * (n - 1 - i)) / (n - 1) : 0;
  }
  a0 /= n;
  a1 /= n;
  const d = a0 - 2 * a1;
  if (n < 2 || !(d > 0) || !(a0 > 0)) return { sigma: Math.max(a0, 0), xi: 0 };
  let xi = 2 - a0 / d;
  let sigma = (2 * a0 * a1) / d;
  if (xi < XI_MIN || xi > XI_MAX) {
    // keep the mean of the exceedances (a0 = sigma / (1 - xi)) when the shape is clamped
    xi = Math.min(XI_MAX, Math.max(XI_MIN, xi));
    sigma = a0 * (1 - xi);
  }
  return { sigma, xi };
}

/** Quantile of the GPD tail: the value exceeded with probability `alpha` when `zeta` of readings exceed u. */
export function gpdQuantile(u: number, fit: GpdFit, zeta: number, alpha: number): number {
  if (alpha >= zeta) return u;
  const r = alpha / zeta;
  if (Math.abs(fit.xi) < 1e-6) return u - fit.sigma * Math.log(r);
  return u + (fit.sigma / fit.xi) * (r ** -fit.xi - 1);
}

export interface TailOptions {
  /** Fewest readings above the threshold for the empirical quantile to be trusted (else GPD). */
  minTail: number;
  /** Fraction of readings above the GPD's base threshold u (at least `minExceed` readings). */
  tailFraction: number;
  /** Fewest exceedances to fit a GPD; below it the largest reading is returned (and `fitted` is false). */
  minExceed: number;
}

// not chosen by a protocol: conventional peaks-over-threshold choices (top 10%, at least 15 exceedances);
// [DET-P2] checks the resulting exceedance rate on fresh data
export const DEFAULT_TAIL: TailOptions = { minTail: 20, tailFraction: 0.1, minExceed: 15 };

export interface TailThreshold {
  threshold: number;
  /** "empirical" quantile, "gpd" extrapolation, or "max" (too few readings for either). */
  method: "empirical" | "gpd" | "max";
  u: number;
  fit: GpdFit | null;
  n: number;
}

function sortedFinite(xs: ArrayLike<number>): Float64Array {
  let c = 0;
  for (let i = 0; i < xs.length; i++) if (Number.isFinite(xs[i])) c++;
  const s = new Float64Array(c);
  c = 0;
  for (let i = 0; i < xs.length; i++) if (Number.isFinite(xs[i])) s[c++] = xs[i];
  return s.sort();
}

function empirical(s: Float64Array, q: number): number {
  const pos = (s.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/**
 * The score exceeded by a normal reading with probability `alpha` (non-finite scores ignored).
 * NaN when there are no scores.
 */
export function tailThreshold(scores: ArrayLike<number>, alpha: number, o: Partial<TailOptions> = {}): TailThreshold {
  const opt = { ...DEFAULT_TAIL, ...o };
  const s = sortedFinite(scores);
  const n = s.length;
  if (n === 0) return { threshold: Number.NaN, method: "max", u: Number.NaN, fit: null, n };
  if (alpha * n >= opt.minTail) {
    const t = empirical(s, 1 - alpha);
    return { threshold: t, method: "empirical", u: t, fit: null, n };
  }
  const k = Math.max(opt.minExceed, Math.floor(opt.tailFraction * n));
  if (n < 2 * opt.minExceed || k >= n) return { threshold: s[n - 1], method: "max", u: s[n - 1], fit: null, n };
  // u: the (k+1)-th largest value; exceedances are the k values strictly above (ties at u excluded)
  const u = s[n - 1 - k];
  const y: number[] = [];
  for (let i = n - k; i < n; i++) if (s[i] > u) y.push(s[i] - u);
  if (y.length < opt.minExceed) return { threshold: s[n - 1], method: "max", u, fit: null, n };
  const fit = fitGpd(y);
  const t = gpdQuantile(u, fit, y.length / n, alpha);
  return { threshold: Math.max(t, u), method: "gpd", u, fit, n };
}
