import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { parsePayload, parseTopic, parseTvFast } from "../../src/detect/ingest.ts";
import { AlertStore } from "../../src/detect/io/store.ts";
import { AnomalyLikelihood, normalTail, StreamDetector } from "../../src/detect/stream.ts";
import { streamFor } from "../../src/model/rng.ts";

const dir = mkdtempSync(join(tmpdir(), "rampart-detect-stream-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("streaming detector", () => {
  test("[DET-S1] normal tail matches known values", () => {
    expect(normalTail(0)).toBeCloseTo(0.5, 7);
    expect(normalTail(1.959964)).toBeCloseTo(0.025, 6);
    expect(normalTail(-1.959964)).toBeCloseTo(0.975, 6);
    expect(normalTail(4.264891)).toBeCloseTo(1e-5, 6);
  });

  // slow obvious oracle: keep every raw score, recompute the averages and the Gaussian from scratch
  function likelihoodOracle(raw: number[], H: number, A: number, minSd: number): number[] {
    const avgs: number[] = [];
    const out: number[] = [];
    for (let i = 0; i < raw.length; i++) {
      const w = raw.slice(Math.max(0, i - A + 1), i + 1);
      const avg = w.reduce((a, b) => a + b, 0) / w.length;
      const h = avgs.slice(Math.max(0, avgs.length - H));
      if (h.length >= 10) {
        const m = h.reduce((a, b) => a + b, 0) / h.length;
        const v = h.reduce((a, b) => a + (b - m) * (b - m), 0) / h.length;
        out.push(1 - normalTail((avg - m) / Math.max(Math.sqrt(v), minSd)));
      } else out.push(0.5);
      avgs.push(avg);
    }
    return out;
  }

  test("[DET-S2] differential: anomaly likelihood (rings, running sums) equals the slow oracle", () => {
    const rng = streamFor(77);
    for (let trial = 0; trial < 60; trial++) {
      const H = 10 + rng.int(40);
      const A = 1 + rng.int(12);
      const n = 20 + rng.int(200);
      const raw = Array.from({ length: n }, () => (rng.next() < 0.1 ? 1 : rng.next() * 0.2));
      const L = new AnomalyLikelihood(H, A, 0.03);
      const fast = raw.map((r) => L.push(r));
      const slow = likelihoodOracle(raw, H, A, 0.03);
      for (let i = 0; i < n; i++) expect(fast[i], `trial ${trial} i ${i}`).toBeCloseTo(slow[i], 6);
    }
  });

  test("[DET-S3] learns silently, flags a level shift once, then damps; deterministic", () => {
    const run = () => {
      const d = new StreamDetector({ learn: 300, suppress: 100 });
      const rng = streamFor(5);
      const out: number[] = [];
      for (let i = 0; i < 1500; i++) {
        const base = 10 + 3 * Math.sin((2 * Math.PI * i) / 48) + rng.next() * 0.5;
        out.push(d.step(i >= 1000 ? base + 40 : base));
      }
      return out;
    };
    const a = run();
    expect(a).toEqual(run());
    expect(Math.max(...a.slice(0, 300))).toBe(0);
    expect(a[1000]).toBe(1); // spatial: far outside the seen range
    expect(Math.max(...a.slice(1001, 1100))).toBeLessThan(0.05); // damped: one event, one detection
    expect(a.slice(300, 1000).filter((x) => x >= 0.5).length).toBeLessThanOrEqual(2);
  });
});

describe("lean ingestion", () => {
  const SEG = /^[A-Za-z0-9_.:-]{1,128}$/;
  function topicOracle(topic: string) {
    const p = topic.split("/");
    if (p.length !== 4 || p[0] !== "rampart") return null;
    if (!p.slice(1).every((s) => SEG.test(s))) return null;
    return { site: p[1], asset: p[2], signal: p[3] };
  }

  test("[DET-M4] differential: indexOf topic parser equals the split/regex oracle on random topics", () => {
    const rng = streamFor(31);
    const alphabet = "rampt/abc-_.:9Z /#é+";
    for (let k = 0; k < 5000; k++) {
      let t = rng.next() < 0.7 ? "rampart/" : "";
      const len = rng.int(20);
      for (let i = 0; i < len; i++) t += alphabet[rng.int(alphabet.length)];
      if (rng.next() < 0.3) t = `rampart/s${k}/a-${k % 7}/F_PU${k % 11}`;
      const got = parseTopic(t);
      const want = topicOracle(t);
      if (want) expect(got, t).toEqual(want);
      else expect(got, t).toMatchObject({ code: "MQTT_TOPIC", topic: t });
    }
  });

  test("[DET-M5] differential: fast payload path agrees with parsePayload or declines", () => {
    const rng = streamFor(32);
    const pieces = [
      '{"t":',
      '{"v":',
      '"v":',
      '"t":',
      ",",
      " ",
      "1e12",
      "1700000000000",
      "-3.25",
      "7",
      "1e-3",
      "0x10",
      '"x"',
      "}",
      "NaN",
      ".",
    ];
    const tv = new Float64Array(2);
    let fast = 0;
    for (let k = 0; k < 20000; k++) {
      let s: string;
      if (rng.next() < 0.3) s = `{"t":${1e12 + rng.int(1e9)},"v":${(rng.next() * 200 - 100).toFixed(rng.int(6))}}`;
      else {
        s = "";
        const n = 1 + rng.int(8);
        for (let i = 0; i < n; i++) s += pieces[rng.int(pieces.length)];
      }
      if (parseTvFast(s, tv)) {
        fast++;
        expect(parsePayload(s, "x"), s).toEqual({ t: tv[0], v: tv[1] });
      }
    }
    expect(fast).toBeGreaterThan(5000);
  });

  test("[DET-M6] store writes every buffered reading (multi-row statements plus remainder)", () => {
    const st = new AlertStore(join(dir, "s.sqlite"), true, 300);
    for (let i = 0; i < 1000; i++) st.verdict("s", "a", `x${i % 3}`, i, i / 2, 0.1, i % 2 === 0 ? 1 : 0);
    st.flush();
    expect(st.readingsStored).toBe(1000);
    expect(st.count("readings")).toBe(1000);
    st.close();
  });
});
