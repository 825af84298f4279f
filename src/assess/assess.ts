/**
 * `assess(index, options)`: the whole assessment of a validated model. Pure and deterministic: the assessment
 * date and the catalogues come in as options; `clock` (optional) only times the phases.
 */
import type { CityIndex } from "../model/graph.ts";
import { type Actor, mergeActors, modelActors } from "./actors.ts";
import { attackPaths, buildAttackGraph, controlFixes } from "./attack.ts";
import { indexKev, KEV_SNAPSHOT, type KevCatalogue, kevProductName, kevReleaseDate, matchKev } from "./catalogue.ts";
import { categorize, categorizeArrays, supportSets } from "./categorize.ts";
import { criticality } from "./criticality.ts";
import { acceptanceFor, calibrate, controlEdits, groupFindings, groupIdOf, locate, mergeKevClasses } from "./groups.ts";
import { bySeverity, internetReachable, KEV_BROAD_FAMILY, type RuleContext, runRules } from "./rules.ts";
import type { AcceptedRisk, AssessReport, ReportWarning } from "./types.ts";

/** A KEV catalogue older than this many days on `today` draws a warning ([KEV-3]). */
export const KEV_MAX_AGE_DAYS = 30;

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
  /** Accepted risks ([FND-3]): findings they cover are marked accepted until they expire, then raised again. */
  accepted?: readonly AcceptedRisk[];
  /**
   * Today's date (YYYY-MM-DD), from the caller's clock, to age the KEV catalogue ([KEV-3]); default `asOf`.
   */
  today?: string;
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
    consequence: (a) => crit.weighted[a],
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

  for (const f of findings) {
    const where = locate(index, f);
    f.zones = where.zones;
    f.owners = where.owners;
    f.group = groupIdOf(f);
  }
  mergeKevClasses(index, findings, KEV_BROAD_FAMILY);
  if (opts.accepted?.length)
    for (const f of findings) {
      const acc = acceptanceFor(f, opts.accepted, opts.asOf);
      if (acc) f.acceptance = acc;
    }
  const onPath = new Set<string>();
  for (const p of atk.paths) {
    onPath.add(p.target);
    onPath.add(p.entry);
    for (const st of p.steps) {
      onPath.add(st.asset);
      for (const x of st.through) onPath.add(x);
    }
  }
  for (const c of atk.chokepoints) for (const id of c.ids) onPath.add(id);
  const gctx = { index, cat, reach: internetReachable({ index }), onPath, edits: controlEdits(index) };
  calibrate(gctx, findings);
  findings.sort(bySeverity);
  const groups = groupFindings(gctx, findings);
  const warnings: ReportWarning[] = [];
  const zoneAssets = new Int32Array(index.zoneCount);
  for (let a = 0; a < index.assetCount; a++) zoneAssets[index.assetZone[a]]++;
  const released = kevReleaseDate(kevCat);
  const today = opts.today ?? opts.asOf;
  if (!released)
    warnings.push({
      code: "kev-undated",
      message:
        "the KEV catalogue has no release date: refresh it with a newer one (CISA's known_exploited_vulnerabilities.json)",
    });
  else {
    const age = Math.floor((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${released}T00:00:00Z`)) / 86_400_000);
    if (age > KEV_MAX_AGE_DAYS)
      warnings.push({
        code: "kev-stale",
        message: `the KEV catalogue (${kevCat.catalogVersion || released}, released ${released}) is ${age} days old on ${today}; refresh it with a newer one (CISA's known_exploited_vulnerabilities.json)`,
      });
  }
  lap("groups");

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
    kevReleased: released,
    warnings,
    categorization: categorize(index, cat),
    criticality: crit.list,
    pairs: crit.pairs,
    findings,
    groups,
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
    names: displayNames(model),
    zones: model.zones.map((z) => ({
      id: z.id,
      name: z.name ?? z.id,
      assets: zoneAssets[index.zoneOf.get(z.id) ?? -1] ?? 0,
      target: z.sl?.target ?? null,
      achieved: z.sl?.achieved ?? null,
    })),
    timings,
  };
}

/** Display names by id, for reports that name things rather than cite ids. */
export function displayNames(model: CityIndex["model"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of model.assets) out[a.id] = a.name;
  for (const s of model.services) out[s.id] = s.name;
  for (const z of model.zones) if (z.name) out[z.id] = z.name;
  for (const v of model.vendors) {
    out[v.id] = v.name;
    v.remote_access.forEach((ra, i) => {
      out[`vendors.${v.id}.remote_access[${i}]`] =
        `${v.name} remote access to ${model.zones.find((z) => z.id === ra.to)?.name ?? ra.to}`;
    });
  }
  for (const p of model.people) out[p.id] = p.name;
  return out;
}
