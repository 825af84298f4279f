/**
 * What an incident costs so far ([CASE-3]..[CASE-5], docs/specs/respond.md): from the case's log of assets
 * marked down and restored, the services at risk now, the person-hours lost so far and the severity.
 *
 * No second cascade: the log becomes a scenario of explicit events ([SCN-1], one `down` event per outage,
 * ending when the asset was restored or now) and the simulator's event-driven engine integrates it exactly
 * over the levels engine, with buffers and fallbacks as in every simulation ([DEP-1]..[DEP-7], [SCN-3]).
 * Services at risk come from the levels engine with the assets down now and every buffer run out; the loss
 * is weighted by src/model/consequence.ts. Pure: the caller passes `now`; no clock, no I/O.
 */
import type { z } from "zod";
import type { CaseImpact, CaseSeverity, ServiceImpact as ServiceImpactSchema } from "../contracts/cases.ts";
import { isEssential, serviceWeight, weightedLoss } from "../model/consequence.ts";
import { buildIndex, type CityIndex } from "../model/graph.ts";
import { LevelsEngine } from "../model/levels.ts";
import type { CityModel } from "../model/model.ts";
import { streamFor } from "../model/rng.ts";
import { bindScenario } from "../simulate/bind.ts";
import { RunSink, Simulator } from "../simulate/engine.ts";
import { parseScenarioObject } from "../simulate/scenario.ts";

/** One line of a case's asset log: the asset went down, or was restored, at `at` (ISO 8601). */
export type AssetChange = { at: string; asset: string; state: "down" | "restored" };

export type { CaseImpact, CaseSeverity };
export type ServiceImpact = z.infer<typeof ServiceImpactSchema>;
export const SEVERITIES: readonly CaseSeverity[] = ["low", "medium", "high", "critical"];

/** [CASE-5] Severity thresholds on the share of the city's weighted population being lost. */
export const SEVERITY_SHARE = { critical: 0.2, high: 0.05 } as const;

/** Which assets are down after the log (in time order; a later line overrides an earlier one). */
export function downNow(changes: readonly AssetChange[]): string[] {
  const state = new Map<string, boolean>();
  for (const c of sortChanges(changes)) state.set(c.asset, c.state === "down");
  return [...state]
    .filter(([, d]) => d)
    .map(([a]) => a)
    .sort();
}

function sortChanges(changes: readonly AssetChange[]): AssetChange[] {
  return changes
    .map((c, i) => ({ c, i, t: Date.parse(c.at) }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map((x) => x.c);
}

/** Outages per asset: [from, to) in ms; `to` = now for an asset still down. Overlaps cannot occur. */
export function outages(changes: readonly AssetChange[], nowMs: number): { asset: string; from: number; to: number }[] {
  const open = new Map<string, number>();
  const out: { asset: string; from: number; to: number }[] = [];
  for (const c of sortChanges(changes)) {
    const t = Math.min(Date.parse(c.at), nowMs);
    if (c.state === "down") {
      if (!open.has(c.asset)) open.set(c.asset, t);
    } else {
      const from = open.get(c.asset);
      if (from !== undefined) {
        out.push({ asset: c.asset, from, to: t });
        open.delete(c.asset);
      }
    }
  }
  for (const [asset, from] of open) out.push({ asset, from, to: nowMs });
  return out;
}

export type ImpactResult = { ok: true; impact: CaseImpact } | { ok: false; unknown: string[] };

/**
 * [CASE-3] [CASE-4] [CASE-5] The impact of a case at `now` (ISO 8601). Unknown asset ids (the model changed)
 * are returned, not thrown.
 */
export function caseImpact(
  model: CityModel,
  changes: readonly AssetChange[],
  now: string,
  index: CityIndex = buildIndex(model),
): ImpactResult {
  const unknown = [...new Set(changes.map((c) => c.asset))].filter((a) => {
    const n = index.nodeOf.get(a);
    return n === undefined || n >= index.assetCount;
  });
  if (unknown.length) return { ok: false, unknown: unknown.sort() };
  const nowMs = Date.parse(now);
  const S = index.serviceCount;
  const A = index.assetCount;
  const ph = new Float64Array(S);
  const spans = outages(changes, nowMs).filter((o) => o.to - o.from >= 1000);
  const t0 = spans.length ? Math.min(...spans.map((o) => o.from)) : nowMs;
  if (spans.length) {
    // [CASE-4] the log as explicit events, whole seconds from the first outage
    const sec = (ms: number) => Math.round(ms / 1000);
    const events = spans.map((o) => ({
      at: `${sec(o.from - t0)}s`,
      down: [o.asset],
      for: `${Math.max(1, sec(o.to - t0) - sec(o.from - t0))}s`,
    }));
    const end = Math.max(...spans.map((o) => sec(o.to - t0))) / 3600;
    const parsed = parseScenarioObject({ id: "case", name: "case", events }, "<case>");
    if (!parsed.ok) throw new Error(`case log did not form a scenario: ${parsed.issues[0]?.message}`);
    const bound = bindScenario(model, parsed.scenario, { index, horizon: Math.max(720, end + 1) });
    if (!bound.ok) throw new Error(`case log did not bind: ${bound.issues[0]?.message}`);
    const sink = new RunSink(1, S, bound.compiled.objSvc.length);
    new Simulator(bound.compiled, new LevelsEngine(index)).run(streamFor(0, 0), sink, 0);
    ph.set(sink.personHours.subarray(0, S));
  }
  // [CASE-3] at risk now: what is down stays down, every buffer runs out, no fallback
  const down = downNow(changes.filter((c) => Date.parse(c.at) <= nowMs));
  const L = new LevelsEngine(index);
  L.exhaustAllBuffers();
  for (const a of down) L.setCap(index.nodeOf.get(a) as number, 0);
  const services: ServiceImpact[] = [];
  let rate = 0;
  let total = 0;
  let severe = 0; // 2: an essential service at 0; 1: an essential service below 1
  for (let s = 0; s < S; s++) {
    const svc = model.services[s];
    const w = serviceWeight(svc);
    const pop = index.population[A + s];
    total += w * pop;
    const level = L.level[A + s];
    rate += w * (1 - level) * pop;
    const essential = isEssential(svc);
    if (essential && level < 1) severe = Math.max(severe, level <= 0 ? 2 : 1);
    if (level < 1 || ph[s] > 0)
      services.push({
        id: svc.id,
        name: svc.name,
        worstLevel: level,
        personHours: ph[s],
        weightedLoss: w * ph[s],
        essential,
      });
  }
  services.sort((a, b) => b.weightedLoss - a.weightedLoss || a.worstLevel - b.worstLevel || (a.id < b.id ? -1 : 1));
  const share = total > 0 ? rate / total : 0;
  let severity: CaseSeverity = "low";
  if (share >= SEVERITY_SHARE.critical || severe === 2) severity = "critical";
  else if (share >= SEVERITY_SHARE.high || severe === 1) severity = "high";
  else if (share > 0) severity = "medium";
  let phTotal = 0;
  for (let s = 0; s < S; s++) phTotal += ph[s];
  return {
    ok: true,
    impact: {
      down,
      services,
      personHours: phTotal,
      weightedLoss: weightedLoss(model.services, ph),
      lossRate: rate,
      share,
      severity,
      hours: Math.max(0, (nowMs - t0) / 3_600_000),
    },
  };
}
