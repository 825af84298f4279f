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

export interface SynthProcess extends Synth {
  /** 1 on attacked rows, 0 otherwise. */
  labels: Uint8Array;
  attack: "none" | "bias" | "ramp" | "freeze" | "actuator" | "flowspoof";
  attackStart: number;
  attackEnd: number;
}

const PROCESS_ATTACKS = ["none", "bias", "ramp", "freeze", "actuator", "flowspoof"] as const;

/**
 * A 1 Hz two-tank process (the short-history protocol, [DET-V3]): tank 1 is filled through an inlet valve
 * (on below 500, off above 800) and emptied by a transfer pump into tank 2 (on while tank 1 is above 250 and
 * tank 2 below 600, off above 900 or when tank 1 falls below 250); tank 2 feeds a slowly varying demand. A
 * water-quality analyser wanders slowly (a random walk a short history cannot bound) and a second analyser
 * follows it. After row `attackAfter`, one attack (chosen by the generator) runs for 60-300 rows:
 * a level reading biased, a level reading ramping away, a level reading frozen, the pump forced on, or a
 * flow reading spoofed to 0; one experiment in six has none. Deterministic for a given Rng.
 */
export function synthProcess(
  rng: Rng,
  rows: number,
  attackAfter: number,
  startWall = Date.UTC(2024, 2, 4),
): SynthProcess {
  const signals = ["LIT1", "FIT1", "MV1", "P1", "FIT2", "PIT1", "LIT2", "FIT3", "AIT1", "AIT2", "TEMP1"];
  const m = signals.length;
  const values = new Float64Array(rows * m);
  const wall = new Float64Array(rows);
  const labels = new Uint8Array(rows);
  const attack = PROCESS_ATTACKS[rng.int(PROCESS_ATTACKS.length)];
  const len = 60 + rng.int(241);
  const attackStart =
    attack === "none" ? rows : attackAfter + 200 + rng.int(Math.max(1, rows - attackAfter - 200 - len));
  const attackEnd = Math.min(rows, attackStart + len);
  let l1 = 450 + rng.next() * 300;
  let l2 = 500 + rng.next() * 300;
  let mv = rng.next() < 0.5 ? 1 : 0;
  let pump = rng.next() < 0.5 ? 1 : 0;
  let demand = 1.2 + 0.3 * rng.next();
  let ait = 300 + 40 * gauss(rng);
  let temp = 18 + 4 * rng.next();
  let frozen = 0;
  const r2 = (x: number) => Math.round(x * 100) / 100;
  for (let i = 0; i < rows; i++) {
    wall[i] = startWall + i * 1000;
    const att = i >= attackStart && i < attackEnd;
    labels[i] = att ? 1 : 0;
    if (l1 < 500) mv = 1;
    if (l1 > 800) mv = 0;
    if (l1 > 250 && l2 < 600) pump = 1;
    if (l2 > 900 || l1 < 250) pump = 0;
    if (att && attack === "actuator") pump = 1;
    demand = Math.min(2.2, Math.max(0.6, demand + 0.01 * gauss(rng)));
    const fin = mv ? 2.5 + 0.05 * gauss(rng) : 0;
    const fout = pump ? 2.0 + 0.04 * gauss(rng) - 0.0003 * (l1 - 500) : 0;
    const fdem = demand + 0.03 * gauss(rng);
    l1 = Math.max(0, Math.min(1000, l1 + fin - fout));
    l2 = Math.max(0, Math.min(1000, l2 + fout - fdem));
    ait += 0.15 * gauss(rng);
    temp += 0.002 * gauss(rng);
    let rl1 = l1 + 0.3 * gauss(rng);
    let rl2 = l2 + 0.3 * gauss(rng);
    let rf2 = fout;
    if (att && attack === "bias") rl1 += 60;
    if (att && attack === "ramp") rl1 += 0.5 * (i - attackStart);
    if (att && attack === "freeze") {
      if (i === attackStart) frozen = values[(i - 1) * m + 6];
      rl2 = frozen;
    }
    if (att && attack === "flowspoof") rf2 = 0;
    const o = i * m;
    values[o] = r2(rl1);
    values[o + 1] = r2(fin);
    values[o + 2] = mv;
    values[o + 3] = pump;
    values[o + 4] = r2(rf2);
    values[o + 5] = r2(pump ? 1.5 + 0.0008 * l1 + 0.01 * gauss(rng) : 0.2 + 0.01 * gauss(rng));
    values[o + 6] = r2(rl2);
    values[o + 7] = r2(fdem);
    values[o + 8] = r2(ait);
    values[o + 9] = r2(0.8 * ait + 0.5 * gauss(rng));
    values[o + 10] = r2(temp + 0.02 * gauss(rng));
  }
  return { signals, wall, values, labels, attack, attackStart, attackEnd };
}
