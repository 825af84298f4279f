/**
 * Detector state as data ([PRT-4]): a router captured at any point, written through JSON and restored into
 * a fresh router built from the same detectors, goes on exactly as the uninterrupted one (differential test
 * against the obvious oracle: never stopping), for streaming and trained detectors, with rows still open.
 */
import { describe, expect, test } from "vitest";
import { train } from "../../src/detect/engine.ts";
import { type LiveVerdict, Router, type RouterAlert, type RouterSnapshot } from "../../src/detect/ingest.ts";
import { capture, restore, SnapshotError } from "../../src/detect/snapshot.ts";
import { StreamDetector } from "../../src/detect/stream.ts";
import { synthNetwork } from "../../src/detect/synth.ts";
import { streamFor } from "../../src/model/rng.ts";

describe("detector snapshots", () => {
  test("[PRT-4] a streaming detector restored at a random point scores as the uninterrupted one (30 seeds)", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const rng = streamFor(seed);
      const opts = { learn: 10 + rng.int(40), suppress: 1 + rng.int(10) };
      const n = 400;
      const xs = Array.from(
        { length: n },
        (_, i) => Math.sin(i / (3 + rng.int(5))) * 10 + rng.next() * 3 + (rng.int(50) === 0 ? 30 : 0),
      );
      const oracle = new StreamDetector(opts);
      const want = xs.map((x) => oracle.step(x));
      const cut = rng.int(n);
      const a = new StreamDetector(opts);
      const got = xs.slice(0, cut).map((x) => a.step(x));
      const b = new StreamDetector(opts);
      restore(b, JSON.parse(JSON.stringify(capture(a))));
      for (const x of xs.slice(cut)) got.push(b.step(x));
      expect(got).toEqual(want);
    }
  });

  test("[PRT-4] a router with trained and streaming detectors, restored with its open rows, judges as one that never stopped", () => {
    const syn = synthNetwork(streamFor(2), 24 * 7 * 3, 1, 1);
    const model = train(syn.signals, [{ wall: syn.wall, values: syn.values }]);
    const live = synthNetwork(streamFor(9), 120, 1, 1);
    const m = live.signals.length;
    // readings in arrival order: the trained asset's row, then a streaming signal of another asset
    const readings: { asset: string; signal: string; t: number; v: number }[] = [];
    for (let i = 0; i < 120; i++) {
      for (let j = 0; j < m; j++)
        readings.push({
          asset: "plant",
          signal: live.signals[j],
          t: live.wall[i],
          v: live.values[i * m + j] + (i === 90 && j === 0 ? 5 : 0),
        });
      readings.push({ asset: "meter", signal: "flow", t: live.wall[i], v: Math.cos(i / 5) * 4 + (i === 100 ? 20 : 0) });
    }
    const models = new Map([["plant", model]]);
    const opts = { learn: 24, suppress: 4 };
    const run = (r: Router, from: number, to: number, out: LiveVerdict[], alerts: RouterAlert[]) => {
      for (let k = from; k < to; k++) r.push({ site: "s", ...readings[k] }, out, alerts);
    };
    const oracleOut: LiveVerdict[] = [];
    const oracleAlerts: RouterAlert[] = [];
    const oracle = new Router(models, opts);
    run(oracle, 0, readings.length, oracleOut, oracleAlerts);
    oracle.flush(oracleOut, oracleAlerts);
    expect(oracleAlerts.length).toBeGreaterThan(0);
    const rng = streamFor(4);
    for (let trial = 0; trial < 12; trial++) {
      const cut = 1 + rng.int(readings.length - 1);
      const out: LiveVerdict[] = [];
      const alerts: RouterAlert[] = [];
      const a = new Router(models, opts);
      run(a, 0, cut, out, alerts);
      const snap = JSON.parse(JSON.stringify(a.snapshot())) as RouterSnapshot;
      const open = JSON.parse(JSON.stringify(a.openRows()));
      const b = new Router(models, opts);
      b.restore(snap);
      b.reopen(open, alerts);
      run(b, cut, readings.length, out, alerts);
      b.flush(out, alerts);
      expect(out).toEqual(oracleOut);
      expect(alerts.map((x) => [x.asset, x.t, x.score])).toEqual(oracleAlerts.map((x) => [x.asset, x.t, x.score]));
    }
  });

  test("[PRT-4] a snapshot of another shape is refused naming the field", () => {
    const a = new StreamDetector({ learn: 10, scales: [1, 16] });
    const b = new StreamDetector({ learn: 10, scales: [1] });
    expect(() => restore(b, capture(a))).toThrow(SnapshotError);
    try {
      restore(b, capture(a));
    } catch (e) {
      expect((e as Error).message).toMatch(/cores|rings|sums/);
    }
  });
});
