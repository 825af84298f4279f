/**
 * Statistics over runs (docs/simulate.md "Metrics"): nearest-rank quantiles, means summed in run order,
 * Wilson intervals for probabilities, paired differences with normal 95 % intervals for defence sets, and
 * the level quantile curves read exactly from the per-grid-point level histograms.
 */

import type {
  Attribution,
  CompareOut,
  CurvePoint,
  ObjectiveOut,
  RootCause,
  ServiceOut,
  SetOut,
  Stat,
} from "../contracts/simulation.ts";
import { isEssential, serviceWeight } from "../model/consequence.ts";
import type { Compiled } from "./bind.ts";
import { OBJ_KINDS } from "./bind.ts";
import type { Merged } from "./run.ts";

export type { CompareOut, CurvePoint, ObjectiveOut, ServiceOut, SetOut, Stat };

const round = (x: number, d = 3) => {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** d;
  const v = Math.round(x * f) / f;
  return Object.is(v, -0) ? 0 : v;
};

/** Nearest-rank quantile of sorted values: the smallest value with at least ceil(q n) values at or below it. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const k = Math.min(n, Math.max(1, Math.ceil(q * n)));
  return sorted[k - 1];
}

export function stat(values: Float64Array): Stat {
  const n = values.length;
  if (n === 0) return { mean: 0, p10: 0, p50: 0, p90: 0 };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const sorted = Float64Array.from(values).sort();
  return {
    mean: round(sum / n),
    p10: round(quantileSorted(sorted, 0.1)),
    p50: round(quantileSorted(sorted, 0.5)),
    p90: round(quantileSorted(sorted, 0.9)),
  };
}

/** Wilson score interval (95 %) for k successes in n. */
export function wilson(k: number, n: number): [number, number] {
  if (n === 0) return [0, 1];
  const z = 1.959963984540054;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [round(Math.max(0, c - h), 4), round(Math.min(1, c + h), 4)];
}

/** Mean of paired differences b - a with a normal 95 % interval. */
export function pairedDiff(a: Float64Array, b: Float64Array, digits = 3): { mean: number; ci95: [number, number] } {
  const n = a.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += b[i] - a[i];
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = b[i] - a[i] - mean;
    ss += d * d;
  }
  const sd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  const h = (1.959963984540054 * sd) / Math.sqrt(n);
  return { mean: round(mean, digits), ci95: [round(mean - h, digits), round(mean + h, digits)] };
}

export function column(m: Merged, arr: Float64Array, s: number, width: number): Float64Array {
  const out = new Float64Array(m.runs);
  for (let r = 0; r < m.runs; r++) out[r] = arr[r * width + s];
  return out;
}

export function totals(m: Merged): Float64Array {
  const out = new Float64Array(m.runs);
  for (let r = 0; r < m.runs; r++) {
    let t = 0;
    for (let s = 0; s < m.services; s++) t += m.personHours[r * m.services + s];
    out[r] = t;
  }
  return out;
}

function metColumn(m: Merged, o: number): Float64Array {
  const out = new Float64Array(m.runs);
  for (let r = 0; r < m.runs; r++) out[r] = m.met[r * m.objectives + o];
  return out;
}

/**
 * The run to show as a timeline: the median total person-hours (nearest rank; ties: the lowest run number) among
 * the runs where some service lost level, else among all runs. When most runs lose nothing (an attack that usually
 * fails) the plain median is a run where nothing happens, which says nothing about what failed and why.
 */
export function representativeRun(m: Merged): number {
  const t = totals(m);
  let order = Array.from(t.keys()).filter((r) => t[r] > 0);
  if (order.length === 0) order = Array.from(t.keys());
  order.sort((a, b) => t[a] - t[b] || a - b);
  return order[Math.min(order.length, Math.max(1, Math.ceil(0.5 * order.length))) - 1] ?? 0;
}

function curve(c: Compiled, m: Merged, s: number): CurvePoint[] {
  const G = c.grid.length;
  const out: CurvePoint[] = [];
  for (let g = 0; g < G; g++) {
    const cell = m.hist.get(s * G + g);
    const q = (p: number) => {
      if (!cell) return 1;
      const k = Math.max(1, Math.ceil(p * m.runs));
      const levels = [...cell.keys()].sort((a, b) => a - b);
      let acc = 0;
      for (const lv of levels) {
        acc += cell.get(lv) as number;
        if (acc >= k) return lv;
      }
      return 1;
    };
    out.push({ t: round(c.grid[g]), p10: round(q(0.1), 6), p50: round(q(0.5), 6), p90: round(q(0.9), 6) });
  }
  return out;
}

function objectivesOf(c: Compiled, m: Merged, s: number): ObjectiveOut[] {
  const out: ObjectiveOut[] = [];
  for (let o = c.objStart[s]; o < c.objStart[s + 1]; o++) {
    let k = 0;
    for (let r = 0; r < m.runs; r++) k += m.met[r * m.objectives + o];
    const entry: ObjectiveOut = {
      kind: OBJ_KINDS[c.objKind[o]],
      target: round(c.objTarget[o]),
      probabilityMet: round(k / m.runs, 4),
      ci95: wilson(k, m.runs),
    };
    if (OBJ_KINDS[c.objKind[o]] === "restore") entry.level = c.objLevel[o];
    out.push(entry);
  }
  return out;
}

/** Mean person-hours by cause for service s [ATT-1] (unrounded). */
function attributionOf(m: Merged, s: number): Attribution {
  const S = m.services;
  let attack = 0;
  let cascade = 0;
  let containment = 0;
  for (let r = 0; r < m.runs; r++) {
    const i = r * S + s;
    attack += m.phDirect[i];
    cascade += m.phNoContain[i] - m.phDirect[i];
    containment += m.personHours[i] - m.phNoContain[i];
  }
  const n = Math.max(1, m.runs);
  return { attack: attack / n, cascade: cascade / n, containment: containment / n };
}

function roundAttr(a: Attribution): Attribution & { containmentShare: number } {
  const total = a.attack + a.cascade + a.containment;
  return {
    attack: round(a.attack),
    cascade: round(a.cascade),
    containment: round(a.containment),
    containmentShare: total > 0 ? round(a.containment / total, 4) : 0,
  };
}

/** Per run: weighted loss [CON-2] (src/model/consequence.ts weightedLoss, per run). */
export function weightedTotals(c: Compiled, m: Merged): Float64Array {
  const out = new Float64Array(m.runs);
  const w = c.model.services.map(serviceWeight);
  for (let r = 0; r < m.runs; r++) {
    let t = 0;
    for (let s = 0; s < m.services; s++) t += w[s] * m.personHours[r * m.services + s];
    out[r] = t;
  }
  return out;
}

/** Per service slot: the other services it needs, directly or through chains of requirements (assets, services). */
export function upstreamServices(c: Compiled): number[][] {
  const ix = c.index;
  const A = ix.assetCount;
  const out: number[][] = [];
  const seen = new Int32Array(ix.nodeCount).fill(-1);
  for (let s = 0; s < ix.serviceCount; s++) {
    const up: number[] = [];
    const stack = [A + s];
    seen[A + s] = s;
    while (stack.length) {
      const v = stack.pop() as number;
      for (let r = ix.reqStart[v]; r < ix.reqStart[v + 1]; r++)
        for (let p = ix.memberStart[r]; p < ix.memberStart[r + 1]; p++) {
          const x = ix.members[p];
          if (seen[x] === s) continue;
          seen[x] = s;
          if (x >= A) up.push(x - A);
          stack.push(x);
        }
    }
    out.push(up.sort((a, b) => a - b));
  }
  return out;
}

/**
 * [RNK-4] Loss credited to the service whose failure caused it. Per run, a service keeps its own attack loss
 * ([ATT-1] attack part); its cascade part goes to the services it needs (directly or transitively) that lost level
 * by the attack themselves in that run (attack part > 0), in proportion to the level-hours each lost that way
 * (attack person-hours / population: how long and how deep its own outage was, whatever its size). Weighted by
 * the weight of the service where the loss happens ([CON-2]). Containment is credited to no service. Means over
 * runs, ranked by the total credited.
 */
export function rootCauses(c: Compiled, m: Merged): RootCause[] {
  const S = m.services;
  const svcs = c.model.services;
  const w = svcs.map(serviceWeight);
  const up = upstreamServices(c);
  const own = new Float64Array(S);
  const down = new Float64Array(S * S); // down[u * S + t]: t's cascade credited to u
  const share = new Float64Array(S);
  for (let r = 0; r < m.runs; r++) {
    const b = r * S;
    for (let t = 0; t < S; t++) {
      own[t] += w[t] * m.phDirect[b + t];
      const cascade = m.phNoContain[b + t] - m.phDirect[b + t];
      if (!(cascade > 0)) continue;
      let sum = 0;
      for (const u of up[t]) {
        const pop = svcs[u].population;
        share[u] = m.phDirect[b + u] > 0 && pop > 0 ? m.phDirect[b + u] / pop : 0;
        sum += share[u];
      }
      if (sum > 0) for (const u of up[t]) down[u * S + t] += (w[t] * cascade * share[u]) / sum;
      else own[t] += w[t] * cascade; // no upstream service lost level by the attack: the loss stays where it is
    }
  }
  const n = Math.max(1, m.runs);
  const out: RootCause[] = [];
  for (let u = 0; u < S; u++) {
    let d = 0;
    const from: { id: string; weightedLoss: number }[] = [];
    for (let t = 0; t < S; t++) {
      const x = down[u * S + t] / n;
      if (x > 0) {
        d += x;
        from.push({ id: svcs[t].id, weightedLoss: round(x) });
      }
    }
    const o = own[u] / n;
    if (!(o + d > 0)) continue;
    from.sort((a, b) => b.weightedLoss - a.weightedLoss || (a.id < b.id ? -1 : 1));
    out.push({
      id: svcs[u].id,
      name: svcs[u].name,
      weightedLoss: round(o + d),
      own: round(o),
      downstream: round(d),
      services: from,
    });
  }
  return out.sort((a, b) => b.weightedLoss - a.weightedLoss || (a.id < b.id ? -1 : 1));
}

export function summarize(c: Compiled, m: Merged, controls: string[]): SetOut {
  const services: ServiceOut[] = [];
  const S = m.services;
  const total: Attribution = { attack: 0, cascade: 0, containment: 0 };
  const wtotal: Attribution = { attack: 0, cascade: 0, containment: 0 };
  for (let s = 0; s < S; s++) {
    const svc = c.model.services[s];
    const w = serviceWeight(svc);
    const first = column(m, m.firstLoss, s, S)
      .filter((x) => !Number.isNaN(x))
      .sort();
    const ph = column(m, m.personHours, s, S);
    const attr = attributionOf(m, s);
    for (const k of ["attack", "cascade", "containment"] as const) {
      total[k] += attr[k];
      wtotal[k] += w * attr[k];
    }
    const peak = column(m, m.peakLoss, s, S).map((x) => x * svc.population);
    let allMet = 0;
    const o0 = c.objStart[s];
    const o1 = c.objStart[s + 1];
    for (let r = 0; r < m.runs; r++) {
      let ok = 1;
      for (let o = o0; o < o1; o++) ok &= m.met[r * m.objectives + o];
      allMet += ok;
    }
    services.push({
      id: svc.id,
      name: svc.name,
      sector: svc.sector,
      population: svc.population,
      weight: w,
      essential: isEssential(svc),
      personHours: stat(ph),
      weightedLoss: stat(ph.map((x) => w * x)),
      attribution: {
        attack: round(attr.attack),
        cascade: round(attr.cascade),
        containment: round(attr.containment),
      },
      peoplePeak: stat(peak),
      severeHours: stat(column(m, m.severe, s, S)),
      objectivesMetProbability: o1 > o0 ? round(allMet / m.runs, 4) : null,
      downtimeHours: stat(column(m, m.downtime, s, S)),
      firstLossHours: {
        probability: round(first.length / m.runs, 4),
        p10: first.length ? round(quantileSorted(first, 0.1)) : null,
        p50: first.length ? round(quantileSorted(first, 0.5)) : null,
        p90: first.length ? round(quantileSorted(first, 0.9)) : null,
      },
      objectives: objectivesOf(c, m, s),
      curve: curve(c, m, s),
    });
  }
  let succ = 0;
  let eff = 0;
  let det = 0;
  let comp = 0;
  let allMet = 0;
  for (let r = 0; r < m.runs; r++) {
    succ += m.attackSucceeded[r];
    eff += m.effectApplied[r];
    if (!Number.isNaN(m.detectedAt[r])) det++;
    comp += m.compromised[r];
    let ok = 1;
    for (let o = 0; o < m.objectives; o++) ok &= m.met[r * m.objectives + o];
    allMet += ok;
  }
  return {
    controls,
    totals: {
      personHours: stat(totals(m)),
      weightedLoss: stat(weightedTotals(c, m)),
      attribution: roundAttr(total),
      weightedAttribution: roundAttr(wtotal),
      attackSuccessProbability: round(succ / m.runs, 4),
      effectAppliedProbability: round(eff / m.runs, 4),
      detectedProbability: round(det / m.runs, 4),
      compromisedMean: round(comp / m.runs),
      objectivesMetProbability: m.objectives ? round(allMet / m.runs, 4) : null,
    },
    services,
    rootCauses: rootCauses(c, m),
  };
}

/** A defence set against the baseline, run for run on the same seeds. */
export function compareSets(
  c: Compiled,
  base: Merged,
  other: Merged,
  otherC: Compiled,
  controls: string[],
): CompareOut {
  const S = base.services;
  const tb = totals(base);
  const to = totals(other);
  const sb = Float64Array.from(base.attackSucceeded);
  const so = Float64Array.from(other.attackSucceeded);
  let succ = 0;
  for (let r = 0; r < other.runs; r++) succ += other.attackSucceeded[r];
  const services: CompareOut["services"] = [];
  for (let s = 0; s < S; s++) {
    // a control may add or remove services: match them by id
    const s2 = otherC.model.services.findIndex((x) => x.id === c.model.services[s].id);
    if (s2 < 0) continue;
    const a = column(base, base.personHours, s, S);
    const b = column(other, other.personHours, s2, other.services);
    const sameObjectives = c.objStart[s + 1] - c.objStart[s] === otherC.objStart[s2 + 1] - otherC.objStart[s2];
    const objs = objectivesOf(otherC, other, s2).map((o, i) => ({
      ...o,
      diff: sameObjectives
        ? pairedDiff(metColumn(base, c.objStart[s] + i), metColumn(other, otherC.objStart[s2] + i), 4)
        : { mean: Number.NaN, ci95: [Number.NaN, Number.NaN] as [number, number] },
    }));
    let mean = 0;
    for (let r = 0; r < b.length; r++) mean += b[r];
    services.push({
      id: c.model.services[s].id,
      personHours: { mean: round(mean / other.runs), diff: pairedDiff(a, b) },
      objectives: objs,
    });
  }
  return {
    controls,
    totals: {
      personHours: { ...stat(to), diff: pairedDiff(tb, to) },
      weightedLoss: (() => {
        const wb = weightedTotals(c, base);
        const wo = weightedTotals(otherC, other);
        return { ...stat(wo), diff: pairedDiff(wb, wo) };
      })(),
      attackSuccessProbability: round(succ / other.runs, 4),
      attackSuccessDiff: pairedDiff(sb, so, 4),
    },
    services,
  };
}
