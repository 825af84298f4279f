/**
 * Harborview: every built-in scenario runs, and defences change outcomes the way a city engineer expects.
 * Skips with a one-line reason while the example does not load.
 */
import { describe, expect, test } from "vitest";
import { loadModel } from "../../src/model/load.ts";
import { renderHtml } from "../../src/simulate/html.ts";
import { simulate } from "../../src/simulate/index.ts";
import { BUILT_IN, BUILT_IN_IDS } from "../../src/simulate/library.ts";
import { parseScenarioObject } from "../../src/simulate/scenario.ts";
import { renderText } from "../../src/simulate/text.ts";

const loaded = await loadModel("examples/harborview");
const reason = loaded.ok ? "" : `examples/harborview does not load (${loaded.issues[0]?.message})`;
const hasControls =
  loaded.ok &&
  ["ctl-immutable-backups", "ctl-vendor-access-mfa"].every((id) => loaded.model.controls.some((c) => c.id === id));

function scenario(raw: unknown) {
  const p = parseScenarioObject(raw, "<test>");
  if (!p.ok) throw new Error(p.issues[0].message);
  return p.scenario;
}

describe.skipIf(!loaded.ok)(`Harborview${reason ? `: skipped, ${reason}` : ""}`, () => {
  const model = loaded.ok ? loaded : (undefined as never);

  test.each(BUILT_IN_IDS)("built-in %s runs on Harborview and hurts some service", async (id) => {
    const r = await simulate(model, scenario(BUILT_IN[id]), { runs: 200, seed: 11, workers: 1, with: [], compare: [] });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.report.totals.personHours.mean).toBeGreaterThan(0);
    expect(r.report.totals.attackSuccessProbability).toBeGreaterThan(0);
  });

  test.skipIf(!hasControls)(
    "[CTL-1] offline tested (immutable) backups cut ransomware person-hours, same seeds side by side",
    async () => {
      const r = await simulate(model, scenario(BUILT_IN.ransomware), {
        runs: 400,
        seed: 3,
        workers: 1,
        with: [],
        compare: [["ctl-immutable-backups"]],
      });
      if (!r.ok) throw new Error("failed");
      const c = r.report.compare[0];
      // the attack succeeds as often (backups do not stop it) but recovery is faster
      expect(c.totals.attackSuccessProbability).toBeCloseTo(r.report.totals.attackSuccessProbability, 1);
      expect(c.totals.personHours.diff.ci95[1]).toBeLessThan(0);
      expect(c.totals.personHours.mean).toBeLessThan(0.8 * r.report.totals.personHours.mean);
    },
  );

  test.skipIf(!hasControls)(
    "[CTL-1][NET-2] MFA on the integrator's vendor access cuts supply-chain success through it",
    async () => {
      const viaIntegrator = {
        ...(BUILT_IN["supply-chain"] as Record<string, unknown>),
        id: "supply-chain-integrator",
        attack: {
          ...((BUILT_IN["supply-chain"] as { attack: Record<string, unknown> }).attack as Record<string, unknown>),
          entry: {
            via: "vendor",
            attempts: 5,
            targets: { vendor: ["tidewater-controls"] },
            time: { lognormal: { median: "1d", p90: "1w" } },
          },
        },
      };
      const r = await simulate(model, scenario(viaIntegrator), {
        runs: 400,
        seed: 4,
        workers: 1,
        with: [],
        compare: [["ctl-vendor-access-mfa"]],
      });
      if (!r.ok) throw new Error("failed");
      const base = r.report.totals.attackSuccessProbability;
      const c = r.report.compare[0];
      expect(base).toBeGreaterThan(0.3);
      expect(c.totals.attackSuccessProbability).toBeLessThan(0.8 * base);
      expect(c.totals.attackSuccessDiff.ci95[1]).toBeLessThan(0);
      expect(c.totals.personHours.diff.mean).toBeLessThan(0);
    },
  );
});

describe.skipIf(!loaded.ok)(`Harborview council figures${reason ? `: skipped, ${reason}` : ""}`, () => {
  const model = loaded.ok ? loaded : (undefined as never);
  const run = (id: string) =>
    simulate(model, scenario(BUILT_IN[id]), { runs: 200, seed: 1, workers: 1, with: [], compare: [], trace: true });

  test("[CON-2][CON-3][ATT-1] ransomware: the first page names weighted loss, people without each essential service, the chance of meeting objectives and the containment share", async () => {
    const r = await run("ransomware");
    if (!r.ok) throw new Error("simulate failed");
    const t = r.report.totals;
    expect(t.weightedLoss.mean).toBeGreaterThan(t.personHours.mean);
    // our own isolation costs a visible share, but the attack's effects are not hidden behind it
    expect(t.attribution.containmentShare).toBeGreaterThan(0.05);
    expect(t.attribution.containmentShare).toBeLessThan(0.6);
    const text = renderText(r.report, true);
    const first = text.split("\n").slice(0, 20).join("\n");
    expect(first).toMatch(/^weighted loss \(essential-service weight x person-hours\): mean [\d,]+/m);
    expect(first).toMatch(/our containment \d+ %/);
    expect(first).toMatch(/chance of meeting every objective: \d+\.\d %/);
    for (const id of ["hospitals", "emergency-dispatch", "water-supply", "electricity"])
      expect(first).toMatch(new RegExp(`^  ${id} +w +\\d+ +[\\d,]+ / +[\\d,]+ people`, "m"));
    const html = renderHtml(r.report, r.sets, r.representative);
    const summary = html.slice(html.indexOf("<h2>Summary</h2>"), html.indexOf("<h2>Resilience curves</h2>"));
    expect(summary).toContain("weighted loss (mean)");
    expect(summary).toContain("of the loss: our own containment");
    expect(summary).toContain("of runs: every objective met");
    expect(summary).toContain("people without it at the worst moment");
    expect(summary).toContain("Acute hospital care");
  }, 60_000);

  test("[CON-1][ATT-1] grid-attack: electricity ranks at or near the top of what the attack itself costs", async () => {
    const r = await run("grid-attack");
    if (!r.ok) throw new Error("simulate failed");
    const byAttack = [...r.report.services]
      .map((s) => ({ id: s.id, loss: s.weight * (s.attribution.attack + s.attribution.cascade) }))
      .sort((a, b) => b.loss - a.loss)
      .map((s) => s.id);
    // top quarter of Harborview's 19 services, and above the portal, whose loss is mostly our own isolation
    expect(byAttack.indexOf("electricity")).toBeLessThan(5);
    expect(byAttack.indexOf("electricity")).toBeLessThan(byAttack.indexOf("citizen-portal"));
    const byWeighted = [...r.report.services]
      .sort((a, b) => b.weightedLoss.mean - a.weightedLoss.mean)
      .map((s) => s.id);
    expect(byWeighted.indexOf("electricity")).toBeLessThan(6);
    expect(r.report.objective?.services).toEqual(["electricity", "smart-metering"]);
  }, 60_000);
});
