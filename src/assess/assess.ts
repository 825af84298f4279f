/**
 * `assess(index, options)`: the whole assessment of a validated model. Pure and deterministic: the assessment
 * date and the catalogues come in as options; `clock` (optional) only times the phases.
 */
import type { CityIndex } from "../model/graph.ts";
import { type Actor, mergeActors, modelActors } from "./actors.ts";
import { attackPaths, buildAttackGraph, controlFixes } from "./attack.ts";
import { indexKev, KEV_SNAPSHOT, type KevCatalogue, kevProductName, matchKev } from "./catalogue.ts";
import { categorize, categorizeArrays, supportSets } from "./categorize.ts";
import { criticality } from "./criticality.ts";
import { type RuleContext, runRules } from "./rules.ts";
import type { AssessReport } from "./types.ts";

export type AssessOptions = {
  /** The assessment date (YYYY-MM-DD): restore tests older than 12 months before it are stale. */
  asOf: string;
  /** A KEV catalogue newer than the shipped snapshot. */
  kev?: KevCatalogue;
  /** Actors added to (or replacing) the built-in library, after the model's own (`x-actors`). */
  actors?: Actor[];
  /** Paths reported per actor, most likely first (default 25; 0 = every crown jewel). */
  maxPathsPerActor?: number;
  /** Worst pairs reported (default 100). */
  maxPairs?: number;
  /** A monotonic clock in milliseconds, only to time the phases. */
  clock?: () => number;
};

export function assess(index: CityIndex, opts: AssessOptions): AssessReport {
  const clock = opts.clock ?? (() => 0);
  const timings: Record<string, number> = {};
  let t0 = clock();
  const lap = (name: string) => {
    const t = clock();
    timings[name] = Math.round((t - t0) * 10) / 10;
    t0 = t;
  };
  const model = index.model;
  const cat = categorizeArrays(index);
  const sup = supportSets(index);
  const own = supportSets(index, true);
  lap("categorize");

  const kevCat = opts.kev ?? KEV_SNAPSHOT;
  const kevIdx = indexKev(kevCat);
  const kev: RuleContext["kev"] = new Map();
  const kevAssets = new Uint8Array(index.assetCount);
  model.assets.forEach((a, i) => {
    for (const sw of a.software) {
      const entries = matchKev(kevIdx, sw);
      if (entries.length === 0) continue;
      const l = kev.get(i) ?? [];
      l.push({
        product: `${sw.vendor ? `${sw.vendor} ` : ""}${sw.product}${sw.version ? ` ${sw.version}` : ""}`,
        kevProducts: [...new Set(entries.map(kevProductName))],
        entries,
      });
      kev.set(i, l);
      kevAssets[i] = 1;
    }
  });
  lap("kev");

  const crit = criticality(index, { maxPairs: opts.maxPairs });
  lap("criticality");

  const findings = runRules({ index, cat, sup, own, kev, asOf: opts.asOf, crit });
  lap("findings");

  // crown jewels: OT assets a high-integrity or high-availability service needs
  const jewels: number[] = [];
  for (let a = 0; a < index.assetCount; a++)
    if (model.assets[a].layer === "ot" && (cat.integ[a] === 2 || cat.avail[a] === 2)) jewels.push(a);
  const actors = mergeActors(modelActors(model.extensions), opts.actors ?? []);
  const ag = buildAttackGraph(index, kevAssets, jewels);
  const atk = attackPaths(ag, actors, controlFixes(index), {
    maxPathsPerActor: opts.maxPathsPerActor,
    rank: (a) => crit.loss[a],
  });
  for (const p of atk.paths) {
    const t = index.nodeOf.get(p.target) as number;
    const svcs: string[] = [];
    for (let w = 0; w < sup.width; w++) {
      let x = sup.words[t * sup.width + w];
      while (x !== 0) {
        const b = 31 - Math.clz32(x & -x);
        const s = index.assetCount + w * 32 + b;
        if (cat.integ[s] === 2 || cat.avail[s] === 2) svcs.push(index.nodeId[s]);
        x &= x - 1;
      }
    }
    p.services = svcs;
  }
  lap("paths");

  return {
    model: {
      name: model.city.name,
      assets: index.assetCount,
      services: index.serviceCount,
      zones: model.zones.length,
      conduits: model.conduits.length,
      vendors: model.vendors.length,
    },
    asOf: opts.asOf,
    kevCatalogue: kevCat.catalogVersion,
    categorization: categorize(index, cat),
    criticality: crit.list,
    pairs: crit.pairs,
    findings,
    actors: actors.map((a) => {
      const s = atk.perActor.find((x) => x.id === a.id);
      return {
        id: a.id,
        name: a.name,
        skill: a.skill,
        entries: Object.entries(a.entries)
          .filter(([, v]) => (v ?? 0) > 0)
          .map(([k]) => k),
        source: a.source,
        crownJewelsReached: s?.reached ?? 0,
        bestProbability: s?.best ?? 0,
      };
    }),
    crownJewels: jewels.map((a) => index.nodeId[a]),
    paths: atk.paths,
    chokepoints: atk.chokepoints,
    timings,
  };
}
