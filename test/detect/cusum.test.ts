import { describe, expect, test } from "vitest";
import { type Component, DEFAULT_PARAMS, Detector, type DetectorModel, train } from "../../src/detect/engine.ts";
import { streamFor } from "../../src/model/rng.ts";

const HOUR = 3_600_000;
const TRAIN = 24 * 7 * 6;
const TEST = 24 * 14;
const START = 48;
const SIGNALS = ["F_DEMAND", "P_J1", "S_PU1"];
const m = SIGNALS.length;

/** A daily demand with noise, a flat noisy pressure and an on/off pump (few values): hourly, seeded. */
function series(seed: number) {
  const rng = streamFor(seed);
  const g = () => Math.sqrt(-2 * Math.log(Math.max(rng.next(), 1e-12))) * Math.cos(2 * Math.PI * rng.next());
  const n = TRAIN + TEST;
  const wall = new Float64Array(n);
  const values = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    wall[i] = Date.UTC(2020, 0, 6) + i * HOUR;
    const h = i % 24;
    values[i * m] = 100 + 20 * Math.sin((2 * Math.PI * (h - 6)) / 24) + 6 * g();
    values[i * m + 1] = 40 + 0.5 * g();
    values[i * m + 2] = h >= 6 && h < 22 ? 1 : 0;
  }
  const model = train(SIGNALS, [{ wall: wall.slice(0, TRAIN), values: values.slice(0, TRAIN * m) }]);
  return { model, wall: wall.slice(TRAIN), clean: values.slice(TRAIN * m) };
}

function withComponents(model: DetectorModel, components: Component[]): DetectorModel {
  return { ...model, params: { ...model.params, components } };
}

/** First alert: reading index and its explanation. */
function firstAlert(model: DetectorModel, wall: Float64Array, values: Float64Array) {
  const det = new Detector(model);
  for (let i = 0; i < wall.length; i++) {
    const v = det.step(wall[i], values.subarray(i * m, (i + 1) * m));
    if (v.edge === 1) return { i, findings: det.explain(1, 5) };
  }
  return null;
}

/** +rate training standard deviations per day on F_DEMAND from START, for 36 hours, then held. */
function drifted(model: DetectorModel, clean: Float64Array, rate: number): Float64Array {
  const v = clean.slice();
  for (let i = START; i < TEST; i++) v[i * m] += (rate * model.scale[0] * Math.min(i - START, 36)) / 24;
  return v;
}

describe("per-signal change detection (CUSUM on the seasonal residual)", () => {
  test("[DET-C1] cusum is part of the default ensemble; on/off signals get none; h is learned from training", () => {
    expect(DEFAULT_PARAMS.components).toContain("cusum");
    const { model } = series(7);
    expect(model.cusumQ[2]).toBe(0); // S_PU1: two values
    for (const j of [0, 1]) {
      expect(model.cusumQ[j]).toBeGreaterThan(1);
      expect(model.cusumK![j]).toBeGreaterThanOrEqual(0.5);
    }
  });

  test("[DET-C2] a slow drift (+0.5 sd/day) that range/rate miss is caught and explained (signal, up, since)", () => {
    const { model, wall, clean } = series(7);
    const v = drifted(model, clean, 0.5);
    // range, step and stuck never raise an alert on it
    expect(firstAlert(withComponents(model, ["range", "step", "stuck"]), wall, v)).toBeNull();
    // the default ensemble does, within 2 days, and the change detector explains it
    const a = firstAlert(model, wall, v);
    expect(a).not.toBeNull();
    if (!a) return;
    expect(a.i).toBeGreaterThanOrEqual(START);
    expect(a.i).toBeLessThan(START + 48);
    const f = a.findings[0];
    expect(f.signal).toBe("F_DEMAND");
    expect(f.component).toBe("cusum");
    expect(f.direction).toBe("up");
    // since when: the estimated change point lies between the drift's start and the alert
    expect(f.since).toBeGreaterThanOrEqual(wall[START - 6]);
    expect(f.since).toBeLessThanOrEqual(wall[a.i]);
    // a downward drift is reported as down
    const d = clean.slice();
    for (let i = START; i < TEST; i++) d[i * m] -= (0.5 * model.scale[0] * Math.min(i - START, 36)) / 24;
    const b = firstAlert(withComponents(model, ["cusum"]), wall, d);
    expect(b?.findings[0].direction).toBe("down");
  });

  test("[DET-C3] clean data stays quiet: the change detector raises nothing on 8 seeds x two weeks", () => {
    for (let seed = 1; seed <= 8; seed++) {
      const { model, wall, clean } = series(seed);
      const det = new Detector(withComponents(model, ["cusum"]));
      let worst = 0;
      for (let i = 0; i < TEST; i++) {
        det.step(wall[i], clean.subarray(i * m, (i + 1) * m));
        worst = Math.max(worst, det.lastScore);
      }
      expect(worst, `seed ${seed}`).toBeLessThan(model.params.on);
    }
  });

  test("[DET-C4] reset after an alarm: a drift that goes on raises the cusum again, not one endless run", () => {
    const { model, wall, clean } = series(7);
    const v = drifted(model, clean, 0.5);
    const det = new Detector(withComponents(model, ["cusum"]));
    let peaks = 0;
    let prev = 0;
    for (let i = 0; i < TEST; i++) {
      det.step(wall[i], v.subarray(i * m, (i + 1) * m));
      const s = det.severities[0];
      // a drop by more than h in one reading: only a reset does that (|e| - k stays far below h here)
      if (prev > model.params.cusumReset && prev - s > 1) peaks++;
      prev = s;
    }
    expect(peaks).toBeGreaterThanOrEqual(2);
  });

  test("[DET-C5] the online CUSUM equals a slow recomputation from the model (random inputs, 30 trials)", () => {
    const { model, wall } = series(3);
    const rng = streamFor(42);
    const cm = withComponents(model, ["cusum"]);
    const on = cm.params.cusumReset;
    for (let trial = 0; trial < 30; trial++) {
      const len = 5 + rng.int(200);
      const vals = new Float64Array(len * m);
      const shift = (rng.next() - 0.5) * 60;
      for (let i = 0; i < len * m; i++) vals[i] = 100 + shift + (rng.next() - 0.5) * 80;
      const det = new Detector(cm);
      // oracle: plain two-sided CUSUM with reset once a side passes on x h
      const sp = [0, 0];
      const sn = [0, 0];
      for (let i = 0; i < len; i++) {
        det.step(wall[i], vals.subarray(i * m, (i + 1) * m));
        for (const j of [0, 1]) {
          const b = (Math.floor(wall[i] / HOUR) + 72) % 168;
          const base = model.buckets === 168 ? model.season[j * 168 + b] : 0;
          const zj = (vals[i * m + j] - model.center[j]) / model.scale[j];
          const e = (zj - base - model.cusumMu![j]) / model.cusumScale[j];
          sp[j] = Math.max(0, sp[j] + e - model.cusumK![j]);
          sn[j] = Math.max(0, sn[j] - e - model.cusumK![j]);
          const want = Math.max(sp[j], sn[j]) / model.cusumQ[j];
          if (want > on) {
            sp[j] = 0;
            sn[j] = 0;
          }
          expect(det.severities[j]).toBeCloseTo(want, 9);
        }
      }
    }
  });
});
