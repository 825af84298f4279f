import { describe, expect, test } from "vitest";
import { applyFalseAlarm, Detector, type DetectorModel, train } from "../../src/detect/engine.ts";
import { synthNetwork } from "../../src/detect/synth.ts";
import { streamFor } from "../../src/model/rng.ts";

const ROWS = 24 * 7 * 6;
const hist = synthNetwork(streamFor(13), ROWS + 24 * 14);
const m = hist.signals.length;
const base: DetectorModel = train(hist.signals, [
  { wall: hist.wall.slice(0, ROWS), values: hist.values.slice(0, ROWS * m) },
]);
const testWall = hist.wall.slice(ROWS);
const clean = hist.values.slice(ROWS * m);
const n = testWall.length;
const col = (s: string) => hist.signals.indexOf(s);

function peak(model: DetectorModel, values: Float64Array, from: number, to: number, signal: string) {
  const det = new Detector(model);
  let worst = { severity: 0, component: "", flagged: false };
  for (let i = 0; i < n; i++) {
    const v = det.step(testWall[i], values.subarray(i * m, (i + 1) * m));
    if (i < from || i > to) continue;
    if (v.flag) worst.flagged = true;
    for (const f of det.explain(0.01, m))
      if (f.signal === signal && f.severity > worst.severity)
        worst = { severity: f.severity, component: f.component, flagged: worst.flagged };
  }
  return worst;
}

describe("alert feedback", () => {
  test("[DET-A1] an alert marked false stops alarming on the same reading; other signals still alarm", () => {
    // a pressure offset the operator knows is a recalibration (a false alarm)
    const p = col("P_J1");
    const shifted = Float64Array.from(clean);
    for (let i = 100; i < 106; i++) shifted[i * m + p] += 1.2;
    const before = peak(base, shifted, 100, 105, "P_J1");
    expect(before.flagged).toBe(true);
    expect(before.severity).toBeGreaterThan(base.params.on);
    // the user marks the alert false: findings as the alert carried them
    const det = new Detector(base);
    let findings: ReturnType<Detector["explain"]> = [];
    for (let i = 0; i <= 102; i++) {
      det.step(testWall[i], shifted.subarray(i * m, (i + 1) * m));
      if (i >= 100) findings = [...findings, ...det.explain(1, 8)];
    }
    const tuned = applyFalseAlarm(base, { findings });
    expect(tuned.feedback).toBe(1);
    const after = peak(tuned, shifted, 100, 105, "P_J1");
    expect(after.severity).toBeLessThan(before.severity);
    expect(after.flagged).toBe(false);
    // a stuck level on another signal is still caught by the tuned detector
    const L = col("L_T2");
    const frozen = Float64Array.from(clean);
    for (let i = 150; i < 230; i++) frozen[i * m + L] = frozen[150 * m + L];
    expect(peak(tuned, frozen, 150, 240, "L_T2").flagged).toBe(true);
    // one false alarm cannot switch a check off: the sensitivity never drops below the floor
    const many = applyFalseAlarm(base, { findings: [{ signal: "P_J1", component: "season", severity: 1e9 }] });
    expect(Math.min(...many.gain!)).toBeGreaterThanOrEqual(0.25);
    // the model input is not changed (pure)
    expect(base.gain).toBeUndefined();
  });

  test("[DET-D1] adaptation follows a new normal level but not an attack's large deviation", () => {
    const p = col("P_J2");
    // a slow drift to a new operating point (sensor ageing, a changed setpoint) from row 50 on
    const moved = Float64Array.from(clean);
    for (let i = 50; i < n; i++) moved[i * m + p] += Math.min(0.5, 0.0015 * (i - 50));
    const count = (model: DetectorModel, values: Float64Array, from: number) => {
      const det = new Detector(model);
      let flagged = 0;
      for (let i = 0; i < n; i++) {
        const v = det.step(testWall[i], values.subarray(i * m, (i + 1) * m));
        if (i >= from && v.flag) flagged++;
      }
      return flagged;
    };
    const frozen: DetectorModel = { ...base, params: { ...base.params, adaptHours: 0 } };
    const adaptive: DetectorModel = { ...base, params: { ...base.params, adapt: 0.05 } };
    // late in the test period the adaptive detector has accepted the new level
    const late = [count(adaptive, moved, 200), count(frozen, moved, 200)];
    expect(late[0]).toBeLessThan(late[1]);
    // an attack-sized jump is never learned: still flagged at its end
    const attacked = Float64Array.from(clean);
    for (let i = 100; i < 300; i++) attacked[i * m + p] += 6;
    const det = new Detector(adaptive);
    let lastFlag = 0;
    for (let i = 0; i < 300; i++) lastFlag = det.step(testWall[i], attacked.subarray(i * m, (i + 1) * m)).flag;
    expect(lastFlag).toBe(1);
  });

  test("[DET-H2] a relation judged outside its inputs' trained range gets the extrapolation's extra tolerance", () => {
    // push an input of a relation beyond its trained range together with its target (a consistent new state)
    const rel = base.relations.find((r) => r.kind === 0 && r.feats.length > 0)!;
    const f = rel.feats[0] % m;
    const moved = Float64Array.from(clean);
    const span = base.hi[f] - base.lo[f];
    for (let i = 100; i < 110; i++) moved[i * m + f] = base.hi[f] + span;
    const sevOf = (x: number) => {
      const det = new Detector({ ...base, params: { ...base.params, extrapolation: x } });
      let worst = 0;
      for (let i = 0; i < 110; i++) {
        det.step(testWall[i], moved.subarray(i * m, (i + 1) * m));
        if (i >= 100) worst = Math.max(worst, det.severities[rel.target]);
      }
      return worst;
    };
    expect(sevOf(1)).toBeLessThan(sevOf(0));
  });
});
