import { describe, expect, test } from "vitest";
import {
  Detector,
  type DetectorModel,
  type Finding,
  hysteresis,
  resolutionOf,
  train,
} from "../../src/detect/engine.ts";
import { synthNetwork } from "../../src/detect/synth.ts";
import { streamFor } from "../../src/model/rng.ts";

const TRAIN_ROWS = 24 * 7 * 8;
const hist = synthNetwork(streamFor(11), TRAIN_ROWS + 24 * 21);
const m = hist.signals.length;
const trainVals = hist.values.slice(0, TRAIN_ROWS * m);
const model: DetectorModel = train(hist.signals, [{ wall: hist.wall.slice(0, TRAIN_ROWS), values: trainVals }]);
const testWall = hist.wall.slice(TRAIN_ROWS);
const clean = hist.values.slice(TRAIN_ROWS * m);
const n = testWall.length;
const col = (name: string) => hist.signals.indexOf(name);

function run(values: Float64Array) {
  const det = new Detector(model);
  const flags = new Uint8Array(n);
  const findings: Finding[][] = [];
  for (let i = 0; i < n; i++) {
    const v = det.step(testWall[i], values.subarray(i * m, (i + 1) * m));
    flags[i] = v.flag;
    findings.push(det.explain(1, 8));
  }
  return { flags, findings };
}

function caught(values: Float64Array, from: number, to: number, signal: string) {
  const r = run(values);
  let first = -1;
  for (let i = from; i <= to + 2 && i < n; i++)
    if (r.findings[i].some((f) => f.signal === signal)) {
      first = i;
      break;
    }
  return { first, ...r };
}

const START = 24 * 7;

describe("detector on synthetic water telemetry", () => {
  test("[DET-E1] clean data stays quiet: at most one alert in three weeks", () => {
    const r = run(clean);
    let raised = 0;
    let flagged = 0;
    for (let i = 0; i < n; i++) {
      flagged += r.flags[i];
      if (r.flags[i] && (i === 0 || !r.flags[i - 1])) raised++;
    }
    expect(raised).toBeLessThanOrEqual(1);
    expect(flagged / n).toBeLessThan(0.06);
  });

  test("[DET-E2] a spike is caught and explained (signal, expected, sigmas, since)", () => {
    const v = clean.slice();
    const j = col("P_J1");
    v[START * m + j] += 8;
    const r = caught(v, START, START, "P_J1");
    expect(r.first).toBe(START);
    const f = r.findings[START].find((x) => x.signal === "P_J1")!;
    expect(Math.abs(f.sigmas)).toBeGreaterThan(1);
    expect(f.since).toBe(testWall[START]);
    expect(r.flags[START]).toBe(1);
  });

  test("[DET-E3] a slow drift is caught", () => {
    const v = clean.slice();
    const j = col("P_J2");
    for (let i = START; i < n; i++) v[i * m + j] += 0.05 * (i - START);
    const r = caught(v, START, n - 1, "P_J2");
    expect(r.first).toBeGreaterThan(START - 1);
    expect(r.first).toBeLessThan(START + 72);
  });

  test("[DET-E4] a stuck (frozen) level is caught", () => {
    const v = clean.slice();
    const j = col("L_T2");
    const frozen = v[START * m + j];
    for (let i = START; i < START + 72; i++) v[i * m + j] = frozen;
    const r = caught(v, START, START + 71, "L_T2");
    expect(r.first).toBeGreaterThanOrEqual(START);
    expect(r.first).toBeLessThan(START + 48);
  });

  test("[DET-E5] a replayed level (normal-looking alone) is caught by the cross-signal relations", () => {
    const v = clean.slice();
    const j = col("L_T1");
    // replay yesterday's level over 48 hours while pumps keep reporting the truth
    for (let i = START; i < START + 48; i++) v[i * m + j] = clean[(i - 30) * m + j];
    const r = caught(v, START, START + 47, "L_T1");
    expect(r.first).toBeGreaterThanOrEqual(START);
    expect(r.first).toBeLessThan(START + 24);
    // no per-signal component alone sees it at the first detection: it is a relation or control rule
    const f = r.findings[r.first].find((x) => x.signal === "L_T1")!;
    expect(["rel", "delta", "pca", "state"]).toContain(f.component);
  });

  test("[DET-E6] spoofed consistent readings (pump status forced on, flows zero) are caught", () => {
    const v = clean.slice();
    const s = col("S_PU1");
    const fl = col("F_PU1");
    for (let i = START; i < START + 24; i++) {
      v[i * m + s] = 1;
      v[i * m + fl] = 0;
    }
    const r = run(v);
    let hit = -1;
    for (let i = START; i < START + 24; i++)
      if (r.findings[i].some((f) => f.signal === "S_PU1" || f.signal === "F_PU1")) {
        hit = i;
        break;
      }
    expect(hit).toBeGreaterThanOrEqual(START);
    expect(hit).toBeLessThan(START + 12);
  });

  test("[DET-E7] deterministic: the same input gives the same scores; the model survives JSON", () => {
    const a = run(clean);
    const det = new Detector(JSON.parse(JSON.stringify(model)));
    for (let i = 0; i < n; i++) expect(det.step(testWall[i], clean.subarray(i * m, (i + 1) * m)).flag).toBe(a.flags[i]);
  });

  test("[DET-E8] hysteresis replay equals the online flag (differential on random scores)", () => {
    const rng = streamFor(99);
    for (let trial = 0; trial < 200; trial++) {
      const len = 1 + rng.int(60);
      const sc = Array.from({ length: len }, () => rng.next() * 2);
      const on = 0.5 + rng.next();
      const hold = rng.int(5);
      // oracle: raise when > on, clear after more than `hold` consecutive readings <= below `on`
      const want: number[] = [];
      let f = 0;
      let below = 0;
      for (const s of sc) {
        if (!f && s > on) {
          f = 1;
          below = 0;
        } else if (f && s < on) {
          below++;
          if (below > hold) f = 0;
        } else if (f) below = 0;
        want.push(f);
      }
      expect(Array.from(hysteresis(sc, on, on, hold))).toEqual(want);
    }
  });

  test("[DET-E9] measurement resolution is read from the values", () => {
    expect(resolutionOf(2.98)).toBe(0.01);
    expect(resolutionOf(1)).toBe(1);
    expect(resolutionOf(98.9984436)).toBe(0);
  });
});
