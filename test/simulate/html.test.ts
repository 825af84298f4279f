/**
 * The HTML report of `rampart simulate --html` leads with what a city council needs: a summary, resilience curves
 * per service, a compact objectives matrix (one row per service), then a representative run in which something
 * happened. Skips with a one-line reason while Harborview does not load.
 */
import { describe, expect, test } from "vitest";
import { loadModel } from "../../src/model/load.ts";
import { renderHtml } from "../../src/simulate/html.ts";
import { simulate } from "../../src/simulate/index.ts";
import { BUILT_IN } from "../../src/simulate/library.ts";
import type { Merged } from "../../src/simulate/run.ts";
import { parseScenarioObject } from "../../src/simulate/scenario.ts";
import { representativeRun } from "../../src/simulate/stats.ts";

function merged(totals: number[]): Merged {
  return {
    runs: totals.length,
    services: 1,
    objectives: 0,
    personHours: Float64Array.from(totals),
    phNoContain: Float64Array.from(totals),
    phDirect: Float64Array.from(totals),
    peakLoss: new Float64Array(totals.length),
    severe: new Float64Array(totals.length),
    effectApplied: new Uint8Array(totals.length),
    downtime: new Float64Array(totals.length),
    firstLoss: new Float64Array(totals.length),
    met: new Uint8Array(0),
    attackSucceeded: new Uint8Array(totals.length),
    compromised: new Int32Array(totals.length),
    detectedAt: new Float64Array(totals.length),
    endTime: new Float64Array(totals.length),
    hist: new Map(),
  };
}

test("[HTML] the representative run is the median among runs that lost something, else the plain median", () => {
  // most runs lose nothing: the plain median (run 2, 0 person-hours) would show an empty timeline
  expect(representativeRun(merged([0, 0, 0, 0, 50, 10, 30]))).toBe(6);
  expect(representativeRun(merged([0, 0, 0]))).toBe(1);
  expect(representativeRun(merged([5, 1, 3]))).toBe(2);
});

const loaded = await loadModel("examples/harborview");
const reason = loaded.ok ? "" : `examples/harborview does not load (${loaded.issues[0]?.message})`;
const hasControl = loaded.ok && loaded.model.controls.some((c) => c.id === "ctl-immutable-backups");

describe.skipIf(!loaded.ok || !hasControl)(`Harborview HTML${reason ? `: skipped, ${reason}` : ""}`, () => {
  test("[HTML] summary first, then curves with RTO/MTD marks, a matrix row per service, then a run where something failed", async () => {
    const p = parseScenarioObject(BUILT_IN.ransomware, "<test>");
    if (!p.ok) throw new Error(p.issues[0].message);
    const r = await simulate(loaded.ok ? loaded : (undefined as never), p.scenario, {
      runs: 120,
      seed: 1,
      workers: 1,
      with: [],
      compare: [["ctl-immutable-backups"]],
      trace: true,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const html = renderHtml(r.report, r.sets, r.representative);
    const at = (s: string) => {
      const i = html.indexOf(s);
      expect(i, s).toBeGreaterThan(0);
      return i;
    };
    const order = [
      at("<h2>Summary"),
      at("Services most at risk"),
      at("<h2>Resilience curves"),
      at("<h2>Objectives met"),
      at("<h2>A representative run"),
    ];
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // the summary names person-hours quantiles, attack success and what the defence buys
    const summary = html.slice(order[0], order[2]);
    expect(summary).toMatch(/P10 \/ P50 \/ P90/);
    expect(summary).toMatch(/the attack reached its objective/);
    expect(summary).toMatch(/\+ ctl-immutable-backups/);
    // one small multiple per affected service, with RTO and MTD marks
    const affected = r.report.services.filter((s) => s.personHours.mean > 0);
    const curves = html.slice(order[2], order[3]);
    expect(curves.match(/<svg [^>]*class="curve"/g)?.length).toBe(affected.length);
    expect(curves).toMatch(/>RTO</);
    expect(curves).toMatch(/>MTD</);
    // the matrix: one row per service with objectives, not one per objective
    const matrix = html.slice(order[3], order[4]);
    const withObjectives = r.report.services.filter((s) => s.objectives.length).length;
    expect(matrix.match(/<th class="svc">/g)?.length).toBe(withObjectives);
    // the representative run shows failures, with their causes next to the levels they changed
    const run = html.slice(order[4]);
    expect(run).not.toMatch(/No service lost any level/);
    // what made the levels drop: an encryption, or the isolation at containment (docs/simulate.md "Containment and isolation")
    expect(run).toMatch(/class="kind"[^>]*>(encrypt|isolated)</);
    expect(run).toMatch(/class="down"/);
    // svg text is readable: no font below 11px
    for (const m of html.matchAll(/font-size:(\d+(?:\.\d+)?)px/g)) expect(Number(m[1])).toBeGreaterThanOrEqual(11);
  });
});
