/**
 * Synthetic water-network telemetry for tests and benchmarks: tanks filled by pumps under level control
 * (on below a start level, off above a stop level), a daily/weekly demand, and pressures that follow the
 * tanks. Deterministic for a given Rng.
 */
import type { Rng } from "../model/rng.ts";

export interface Synth {
  signals: string[];
  wall: Float64Array;
  values: Float64Array;
}

function gauss(rng: Rng): number {
  const u = Math.max(rng.next(), 1e-12);
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** `tanks` tanks x (level + 2 pumps x (flow, status)) + `pressures` pressure signals. */
export function synthNetwork(
  rng: Rng,
  rows: number,
  tanks = 3,
  pressures = 2,
  startWall = Date.UTC(2020, 0, 6),
): Synth {
  const signals: string[] = [];
  for (let k = 1; k <= tanks; k++)
    signals.push(`L_T${k}`, `F_PU${2 * k - 1}`, `S_PU${2 * k - 1}`, `F_PU${2 * k}`, `S_PU${2 * k}`);
  for (let p = 1; p <= pressures; p++) signals.push(`P_J${p}`);
  const m = signals.length;
  const values = new Float64Array(rows * m);
  const wall = new Float64Array(rows);
  const level = Array.from({ length: tanks }, (_, k) => 2 + k * 0.3);
  const on = Array.from({ length: 2 * tanks }, () => 0);
  for (let i = 0; i < rows; i++) {
    const t = startWall + i * 3_600_000;
    wall[i] = t;
    const hour = i % 24;
    const dow = Math.floor(i / 24) % 7;
    const demandFactor = (1 + 0.35 * Math.sin((2 * Math.PI * (hour - 6)) / 24)) * (dow >= 5 ? 0.85 : 1);
    for (let k = 0; k < tanks; k++) {
      // level control with hysteresis: pump A 2.0..4.5, pump B 1.0..3.0
      const L = level[k];
      if (L < 2.0) on[2 * k] = 1;
      if (L > 4.5) on[2 * k] = 0;
      if (L < 1.0) on[2 * k + 1] = 1;
      if (L > 3.0) on[2 * k + 1] = 0;
      const fa = on[2 * k] ? 95 - 3 * L + gauss(rng) * 0.8 : 0;
      const fb = on[2 * k + 1] ? 60 - 2 * L + gauss(rng) * 0.6 : 0;
      const demand = (70 + 5 * k) * demandFactor + gauss(rng) * 2;
      level[k] = Math.max(0, Math.min(6, L + (fa + fb - demand) / 60));
      const base = i * m + 5 * k;
      values[base] = level[k] + gauss(rng) * 0.01;
      values[base + 1] = fa;
      values[base + 2] = on[2 * k];
      values[base + 3] = fb;
      values[base + 4] = on[2 * k + 1];
    }
    for (let p = 0; p < pressures; p++) {
      const k = p % tanks;
      values[i * m + 5 * tanks + p] = 30 + 2.5 * level[k] + 0.04 * values[i * m + 5 * k + 1] + gauss(rng) * 0.15;
    }
  }
  return { signals, wall, values };
}
