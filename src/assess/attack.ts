/**
 * Attack paths and choke points ([NET-1], [NET-2], [CHK-1]).
 *
 * The attack graph has a node per asset ("the attacker holds it"), two per zone ("in Z": the attacker holds a
 * foothold in Z; "reach Z": the attacker can send packets to Z's assets), a node per conduit and per vendor
 * remote access, and a source with hubs for phishing, physical and insider entries. Edges:
 *   asset -> in(its zone) (1)               holding an asset is a foothold in its zone
 *   in(Z) -> reach(Z) (1)                   [NET-1] every asset in Z
 *   in(Z) -> conduit -> reach(Z') (p)       [NET-1] every asset of a zone a conduit leads to from Z (one hop:
 *                                           going further needs a foothold in Z')
 *   reach(Z) -> asset in Z (p step)         taking a reachable asset: weaknessOf(asset), actor's skill
 *   reach(internet) -> exposed asset        [NET-1] exposed: true
 *   source -> in(internet)                  the internet entry: the attacker's own machines
 *   source -> vendor access -> in(Z)        [NET-2] a foothold in the zone the access reaches
 *   source -> hub -> entry assets           phishing (IT workstations), physical (field devices), insider
 * Most likely path per (actor, crown jewel) = max product of probabilities (Dijkstra on -log p). Choke points =
 * minimum vertex cut between the actor's source and all crown jewels; cuttable: assets, conduits, vendor accesses;
 * the actor's entry assets and the crown jewels are not.
 */
import type { CityIndex } from "../model/graph.ts";
import type { Actor } from "./actors.ts";
import { TECHNIQUES } from "./catalogue.ts";
import { buildDigraph, type Digraph, minVertexCut, mostLikelyPaths, type PathTree, pathTo } from "./flow.ts";
import type { AttackPath, ChokePoint, PathStep } from "./types.ts";
import {
  conduitProbability,
  FIELD_KINDS,
  stepProbability,
  vendorAccessProbability,
  type Weakness,
  weaknessOf,
} from "./weakness.ts";

const E_FIXED = 0;
const E_STEP = 1; // reach(zone) or reach(internet) -> asset group: the group's best step for the actor
const E_ENTRY = 3; // source -> internet / hub / vendor access

type EntryEdge = "internet" | "phishing" | "physical" | "insider" | "vendor";

/**
 * Assets are contracted into groups: within one zone, assets with the same exposure, entry kinds and crown-jewel
 * status have the same neighbours ([NET-1] gives them to the zone, not to the asset), so they are parallel
 * routes from reach(Z) to in(Z). A group's step probability is the best of its members' (for the actor's skill);
 * cutting a group means fixing all its members (capacity = member count). Crown jewels are scored one by one
 * from the tree of the contracted graph. Exact: the most likely path to in(Z) always takes Z's best member.
 */
export type AttackGraph = {
  index: CityIndex;
  g: Digraph;
  edgeKind: Uint8Array;
  /** For step edges: the group; for entry edges: an index into entryOf. */
  edgeRef: Int32Array;
  fixedProb: Float64Array;
  entryOf: { kind: EntryEdge; vendor?: string; access?: number; baseProb: number }[];
  weakness: Weakness[];
  monitored: Uint8Array;
  /** Node layout: groups first, then in(Z), reach(Z), conduits, vendor accesses, source, hubs. */
  groupCount: number;
  zoneBase: number;
  reachBase: number;
  conduitBase: number;
  accessBase: number;
  source: number;
  hubPhish: number;
  hubPhysical: number;
  hubInsider: number;
  accessName: string[];
  /** Per asset: 1 phishing target, 2 field device, 4 insider asset. */
  entryAsset: Uint8Array;
  /** Per asset: its group. Per group: members (CSR), entry bits, whether exposed, whether crown jewels. */
  groupOf: Int32Array;
  groupStart: Int32Array;
  groupMembers: Int32Array;
  groupBits: Uint8Array;
  groupExposed: Uint8Array;
  groupJewel: Uint8Array;
  /** Per group: the best member by base probability among unmonitored / monitored members (-1 if none). */
  bestUnmon: Int32Array;
  bestMon: Int32Array;
  crownJewels: number[];
  isJewel: Uint8Array;
};

const INSIDER_KINDS = new Set(["workstation", "hmi", "engineering-workstation"]);

export function buildAttackGraph(index: CityIndex, kevAssets: Uint8Array, crownJewels: number[]): AttackGraph {
  const model = index.model;
  const A = index.assetCount;
  const Z = index.zoneCount;
  const C = model.conduits.length;
  const weakness: Weakness[] = new Array(A);
  const monitored = new Uint8Array(A);
  const entryAsset = new Uint8Array(A);
  const isJewel = new Uint8Array(A);
  for (const j of crownJewels) isJewel[j] = 1;
  // groups by (zone, entry bits, exposed, jewel)
  const groupOf = new Int32Array(A);
  const key = new Map<number, number>();
  const gZone: number[] = [];
  const gBits: number[] = [];
  const gExp: number[] = [];
  const gJewel: number[] = [];
  for (let a = 0; a < A; a++) {
    const asset = model.assets[a];
    weakness[a] = weaknessOf(asset, kevAssets[a] === 1);
    monitored[a] = asset.monitored ? 1 : 0;
    let bits = 0;
    if (asset.kind === "workstation" && asset.layer === "it") bits |= 1;
    if (FIELD_KINDS.has(asset.kind) && (asset.layer === "ot" || asset.layer === "iot")) bits |= 2;
    if (INSIDER_KINDS.has(asset.kind)) bits |= 4;
    entryAsset[a] = bits;
    const z = index.assetZone[a];
    const k = ((z * 8 + bits) * 2 + (asset.exposed ? 1 : 0)) * 2 + isJewel[a];
    let g = key.get(k);
    if (g === undefined) {
      g = gZone.length;
      key.set(k, g);
      gZone.push(z);
      gBits.push(bits);
      gExp.push(asset.exposed ? 1 : 0);
      gJewel.push(isJewel[a]);
    }
    groupOf[a] = g;
  }
  const G = gZone.length;
  const groupStart = new Int32Array(G + 1);
  for (let a = 0; a < A; a++) groupStart[groupOf[a] + 1]++;
  for (let g = 0; g < G; g++) groupStart[g + 1] += groupStart[g];
  const groupMembers = new Int32Array(A);
  {
    const fill = groupStart.slice(0, G);
    for (let a = 0; a < A; a++) groupMembers[fill[groupOf[a]]++] = a;
  }
  const bestUnmon = new Int32Array(G).fill(-1);
  const bestMon = new Int32Array(G).fill(-1);
  for (let a = 0; a < A; a++) {
    const g = groupOf[a];
    const best = monitored[a] ? bestMon : bestUnmon;
    if (best[g] < 0 || weakness[a].base > weakness[best[g]].base) best[g] = a;
  }

  const access: { vendor: string; i: number; zone: number; mfa: boolean; always_on: boolean }[] = [];
  for (const v of model.vendors)
    v.remote_access.forEach((r, i) => {
      const z = index.zoneOf.get(r.to);
      if (z !== undefined) access.push({ vendor: v.id, i, zone: z, mfa: r.mfa, always_on: r.always_on });
    });
  const zoneBase = G; // in(Z) = zoneBase + z
  const reachBase = G + Z; // reach(Z) = reachBase + z
  const conduitBase = G + 2 * Z;
  const accessBase = conduitBase + C;
  const source = accessBase + access.length;
  const hubPhish = source + 1;
  const hubPhysical = source + 2;
  const hubInsider = source + 3;
  const n = source + 4;

  const from: number[] = [];
  const to: number[] = [];
  const kind: number[] = [];
  const ref: number[] = [];
  const fixed: number[] = [];
  const edge = (u: number, v: number, k: number, r: number, p: number) => {
    from.push(u);
    to.push(v);
    kind.push(k);
    ref.push(r);
    fixed.push(p);
  };
  for (let g = 0; g < G; g++) {
    edge(g, zoneBase + gZone[g], E_FIXED, -1, 1);
    edge(reachBase + gZone[g], g, E_STEP, g, 0);
    if (gExp[g]) edge(reachBase + index.internetZone, g, E_STEP, g, 0);
    if (gBits[g] & 1) edge(hubPhish, g, E_FIXED, -1, 1);
    if (gBits[g] & 2) edge(hubPhysical, g, E_FIXED, -1, 1);
    if (gBits[g] & 4) edge(hubInsider, g, E_FIXED, -1, 1);
  }
  for (let z = 0; z < Z; z++) {
    edge(zoneBase + z, reachBase + z, E_FIXED, -1, 1);
    for (let k = index.zoneOutStart[z]; k < index.zoneOutStart[z + 1]; k++) {
      const c = index.zoneOutConduit[k];
      edge(zoneBase + z, conduitBase + c, E_FIXED, -1, 1);
      edge(conduitBase + c, reachBase + index.zoneOut[k], E_FIXED, -1, conduitProbability(model.conduits[c]));
    }
  }
  const entryOf: AttackGraph["entryOf"] = [];
  const entry = (v: number, e: AttackGraph["entryOf"][number]) => {
    edge(source, v, E_ENTRY, entryOf.length, 0);
    entryOf.push(e);
  };
  entry(zoneBase + index.internetZone, { kind: "internet", baseProb: 1 });
  entry(hubPhish, { kind: "phishing", baseProb: 1 });
  entry(hubPhysical, { kind: "physical", baseProb: 1 });
  entry(hubInsider, { kind: "insider", baseProb: 1 });
  const accessName: string[] = [];
  access.forEach((r, k) => {
    accessName.push(`vendors.${r.vendor}.remote_access[${r.i}]`);
    entry(accessBase + k, { kind: "vendor", vendor: r.vendor, access: k, baseProb: vendorAccessProbability(r) });
    edge(accessBase + k, zoneBase + r.zone, E_FIXED, -1, 1);
  });
  const g = buildDigraph(n, from, to, fixed);
  // buildDigraph orders edges by source, stably: carry kind/ref/fixed along
  const edgeKind = new Uint8Array(from.length);
  const edgeRef = new Int32Array(from.length);
  const fixedProb = new Float64Array(from.length);
  {
    const fill = g.start.slice(0, n);
    for (let e = 0; e < from.length; e++) {
      const k = fill[from[e]]++;
      edgeKind[k] = kind[e];
      edgeRef[k] = ref[e];
      fixedProb[k] = fixed[e];
    }
  }
  return {
    index,
    g,
    edgeKind,
    edgeRef,
    fixedProb,
    entryOf,
    weakness,
    monitored,
    groupCount: G,
    zoneBase,
    reachBase,
    conduitBase,
    accessBase,
    source,
    hubPhish,
    hubPhysical,
    hubInsider,
    accessName,
    entryAsset,
    groupOf,
    groupStart,
    groupMembers,
    groupBits: Uint8Array.from(gBits),
    groupExposed: Uint8Array.from(gExp),
    groupJewel: Uint8Array.from(gJewel),
    bestUnmon,
    bestMon,
    crownJewels,
    isJewel,
  };
}

/** The member a group's step uses for this actor (the most likely to fall), and its probability. */
function groupBest(ag: AttackGraph, g: number, skill: number): { asset: number; p: number } {
  const u = ag.bestUnmon[g];
  const m = ag.bestMon[g];
  const pu = u >= 0 ? stepProbability(ag.weakness[u], skill, false) : -1;
  const pm = m >= 0 ? stepProbability(ag.weakness[m], skill, true) : -1;
  return pu >= pm ? { asset: u, p: pu } : { asset: m, p: pm };
}

/** The graph with one actor's probabilities. */
export function actorGraph(ag: AttackGraph, actor: Actor): Digraph {
  const { g, edgeKind, edgeRef, fixedProb, entryOf } = ag;
  const prob = new Float64Array(g.to.length);
  const allowed = actor.vendors ? new Set(actor.vendors) : undefined;
  const stepP = new Float64Array(ag.groupCount);
  for (let k = 0; k < ag.groupCount; k++) stepP[k] = groupBest(ag, k, actor.skill).p;
  for (let e = 0; e < prob.length; e++) {
    switch (edgeKind[e]) {
      case E_FIXED:
        prob[e] = fixedProb[e];
        break;
      case E_STEP:
        prob[e] = stepP[edgeRef[e]];
        break;
      default: {
        const en = entryOf[edgeRef[e]];
        const w = actor.entries[en.kind] ?? 0;
        prob[e] = en.kind === "vendor" && allowed && !allowed.has(en.vendor as string) ? 0 : w * en.baseProb;
      }
    }
  }
  return { n: g.n, start: g.start, to: g.to, prob };
}

/** Which nodes may be cut for these actors (not their entry assets), and what cutting each costs. */
function cuttableFor(ag: AttackGraph, actors: Actor[]): { cuttable: Uint8Array; capacity: Int32Array } {
  const c = new Uint8Array(ag.g.n);
  const cap = new Int32Array(ag.g.n).fill(1);
  let mask = 0;
  for (const a of actors) {
    if ((a.entries.phishing ?? 0) > 0) mask |= 1;
    if ((a.entries.physical ?? 0) > 0) mask |= 2;
    if ((a.entries.insider ?? 0) > 0) mask |= 4;
  }
  for (let k = 0; k < ag.groupCount; k++) {
    c[k] = ag.groupBits[k] & mask || ag.groupJewel[k] ? 0 : 1;
    cap[k] = ag.groupStart[k + 1] - ag.groupStart[k];
  }
  for (let v = ag.conduitBase; v < ag.source; v++) c[v] = 1;
  return { cuttable: c, capacity: cap };
}

/** The element names of an attack-graph node: the asset ids of a group, a conduit id or a vendor access path. */
export function elementNames(ag: AttackGraph, v: number): string[] {
  if (v < ag.groupCount) {
    const out: string[] = [];
    for (let i = ag.groupStart[v]; i < ag.groupStart[v + 1]; i++) out.push(ag.index.nodeId[ag.groupMembers[i]]);
    return out;
  }
  return [elementName(ag, v)];
}

/** The element name of a non-group attack-graph node: conduit id, vendor access path or zone. */
export function elementName(ag: AttackGraph, v: number): string {
  if (v >= ag.conduitBase && v < ag.accessBase) return ag.index.model.conduits[v - ag.conduitBase].id;
  if (v >= ag.accessBase && v < ag.source) return ag.accessName[v - ag.accessBase];
  if (v >= ag.zoneBase && v < ag.reachBase) return `in zone ${ag.index.zoneId[v - ag.zoneBase]}`;
  if (v >= ag.reachBase && v < ag.conduitBase) return `reach zone ${ag.index.zoneId[v - ag.reachBase]}`;
  if (v < ag.groupCount) return `group ${v}`;
  return "entry";
}

/** The entry a path starts with, from the node right after the source. */
function entryName(ag: AttackGraph, v: number): string {
  if (v === ag.hubPhish) return "phishing";
  if (v === ag.hubPhysical) return "physical";
  if (v === ag.hubInsider) return "insider";
  if (v >= ag.accessBase && v < ag.source) return ag.accessName[v - ag.accessBase];
  return "internet";
}

const ENTRY_TECHNIQUE: Record<string, string> = {
  phishing: "T0865",
  physical: "T0864",
  insider: "T0859",
  vendor: "T0822",
};

function technique(id: string): { technique: string; techniqueName: string } {
  return { technique: id, techniqueName: TECHNIQUES.get(id)?.name ?? id };
}

/** Turns a contracted node path (source first, the target's group last) into the report's steps. */
function describePath(
  ag: AttackGraph,
  actor: Actor,
  dg: Digraph,
  tree: PathTree,
  nodes: number[],
  target: number,
  targetP: number,
  probability: number,
  consequence: number,
): AttackPath {
  let entry = "internet";
  let entryKind = "internet";
  const steps: PathStep[] = [];
  let through: string[] = [];
  let pAcc = 1;
  for (let i = 1; i < nodes.length; i++) {
    const v = nodes[i];
    const last = i === nodes.length - 1;
    pAcc *= last ? targetP : dg.prob[tree.predEdge[v]];
    if (i === 1) {
      if (v === ag.hubPhish) entryKind = entry = "phishing";
      else if (v === ag.hubPhysical) entryKind = entry = "physical";
      else if (v === ag.hubInsider) entryKind = entry = "insider";
      else if (v >= ag.accessBase && v < ag.source) {
        entryKind = "vendor";
        entry = ag.accessName[v - ag.accessBase];
        through.push(entry);
      }
      continue;
    }
    if (v >= ag.conduitBase && v < ag.accessBase) through.push(ag.index.model.conduits[v - ag.conduitBase].id);
    if (v >= ag.groupCount) continue;
    const u = nodes[i - 1];
    const fromHub = u === ag.hubPhish || u === ag.hubPhysical || u === ag.hubInsider;
    const a = last ? target : fromHub ? ag.groupMembers[ag.groupStart[v]] : groupBest(ag, v, actor.skill).asset;
    const w = ag.weakness[a];
    let tech: string;
    let weak = w.label;
    if (fromHub) {
      tech = ENTRY_TECHNIQUE[entryKind];
      weak =
        entryKind === "phishing"
          ? "phishing of an IT user"
          : entryKind === "physical"
            ? "physical access"
            : "legitimate access";
    } else if (u === ag.reachBase + ag.index.internetZone && ag.index.model.assets[a].exposed) {
      tech = w.internet;
      weak = `exposed to the internet, ${w.label}`;
    } else if (steps.length === 0 && entryKind === "vendor") {
      tech = "T0822";
      weak = `vendor remote access, then ${w.label}`;
    } else tech = w.lateral;
    steps.push({ asset: ag.index.nodeId[a], ...technique(tech), probability: round(pAcc), weakness: weak, through });
    through = [];
    pAcc = 1;
  }
  return {
    actor: actor.id,
    entry,
    target: ag.index.nodeId[target],
    probability: round(probability),
    consequence: round(consequence),
    risk: round(probability * consequence),
    steps,
    services: [],
  };
}

export type AttackResult = {
  paths: AttackPath[];
  /** Contracted node lists of the reported paths, parallel to `paths`. */
  pathNodes: number[][];
  chokepoints: ChokePoint[];
  perActor: { id: string; reached: number; best: number }[];
};

export type ControlFixes = Map<string, string[]>;

/**
 * Paths and cuts for every actor. `maxPathsPerActor` bounds the reported paths (0 = all), highest risk first:
 * probability x `consequence(target)` ([RNK-3]; without `consequence`, most likely first). `rank(target)` breaks
 * ties (higher first, e.g. the target's criticality).
 */
export function attackPaths(
  ag: AttackGraph,
  actors: Actor[],
  fixes: ControlFixes,
  opts: {
    maxPathsPerActor?: number;
    rank?: (assetNode: number) => number;
    consequence?: (assetNode: number) => number;
  } = {},
): AttackResult {
  const maxPaths = opts.maxPathsPerActor ?? 25;
  const rank = opts.rank ?? (() => 0);
  const cons = opts.consequence ?? (() => 0);
  const paths: AttackPath[] = [];
  const pathNodes: number[][] = [];
  const chokepoints: ChokePoint[] = [];
  const perActor: AttackResult["perActor"] = [];
  const jewels = ag.crownJewels;
  const jewelGroups = [...new Set(jewels.map((j) => ag.groupOf[j]))].sort((a, b) => a - b);
  const internetReach = ag.reachBase + ag.index.internetZone;
  const cutFor = (
    actorIds: string[],
    dg: Digraph,
    cut: { cuttable: Uint8Array; capacity: Int32Array },
    label: string,
  ) => {
    const r = minVertexCut(dg, cut.cuttable, [ag.source], jewelGroups, cut.capacity);
    const mine = pathNodes.map((p, i) => ({ p, i })).filter(({ i }) => actorIds.includes(paths[i].actor));
    const uncuttable: ChokePoint["uncuttable"] = [];
    r.direct.forEach((gr, k) => {
      const entry = entryName(ag, r.directEntry[k]);
      for (let i = ag.groupStart[gr]; i < ag.groupStart[gr + 1]; i++)
        uncuttable.push({ target: ag.index.nodeId[ag.groupMembers[i]], entry });
    });
    // the cut nearest the entry points, and the one nearest the crown jewels when it is another set
    const sides: { side: "entry" | "target"; set: number[] }[] = [{ side: "entry", set: r.sourceSide }];
    if (r.sinkSide.join() !== r.sourceSide.join()) sides.push({ side: "target", set: r.sinkSide });
    let entryIds: string[] | undefined;
    for (const { side, set } of sides) {
      if (set.length === 0 && uncuttable.length === 0) continue;
      const inSet = new Set(set);
      const pathsCut = mine.filter(({ p }) => p.some((v) => inSet.has(v))).length;
      const ids = set.flatMap((v) => elementNames(ag, v));
      const controls: Record<string, string[]> = {};
      for (const id of ids) {
        const c = fixes.get(id);
        if (c?.length) controls[id] = c;
      }
      const cp: ChokePoint = { actor: label, side, ids, pathsCut, controls, uncuttable };
      if (side === "entry") entryIds = ids;
      else if (entryIds) {
        const a = new Set(entryIds);
        const b = new Set(ids);
        cp.vsEntry = { dropped: entryIds.filter((x) => !b.has(x)), added: ids.filter((x) => !a.has(x)) };
        if (cp.vsEntry.dropped.length === 0 && cp.vsEntry.added.length === 0) continue; // same elements
      }
      chokepoints.push(cp);
    }
  };
  const graphs: Digraph[] = [];
  // per crown jewel, computed once for every actor: consequence, tie-break rank, exposure, entry hubs
  const consJ = Float64Array.from(jewels, (a) => cons(a));
  const rankJ = Float64Array.from(jewels, (a) => rank(a));
  const exposedJ = Uint8Array.from(jewels, (a) => (ag.index.model.assets[a].exposed ? 1 : 0));
  const hubs = [
    [1, ag.hubPhish],
    [2, ag.hubPhysical],
    [4, ag.hubInsider],
  ] as const;
  const risk = new Float64Array(jewels.length);
  const best = new Float64Array(jewels.length);
  const predOf = new Int32Array(jewels.length);
  const pStep = new Float64Array(jewels.length);
  for (const actor of actors) {
    const dg = actorGraph(ag, actor);
    graphs.push(dg);
    const tree = mostLikelyPaths(dg, [ag.source]);
    const hubOn = (bit: number) =>
      bit === 1
        ? (actor.entries.phishing ?? 0) > 0
        : bit === 2
          ? (actor.entries.physical ?? 0) > 0
          : (actor.entries.insider ?? 0) > 0;
    // score each crown jewel from its in-edges: its zone, the internet if exposed, the entry hubs
    const reached: number[] = [];
    const hubLive = hubs.map(([bit]) => hubOn(bit));
    const tb = tree.best;
    for (let k = 0; k < jewels.length; k++) {
      const a = jewels[k];
      const p = stepProbability(ag.weakness[a], actor.skill, ag.monitored[a] === 1);
      let b = tb[ag.reachBase + ag.index.assetZone[a]] * p;
      let pred = ag.reachBase + ag.index.assetZone[a];
      let ps = p;
      if (exposedJ[k] === 1 && tb[internetReach] * p > b) {
        b = tb[internetReach] * p;
        pred = internetReach;
      }
      const ea = ag.entryAsset[a];
      for (let h = 0; h < 3; h++) {
        const hub = hubs[h][1];
        if (ea & hubs[h][0] && hubLive[h] && tb[hub] > b) {
          b = tb[hub];
          pred = hub;
          ps = 1;
        }
      }
      best[k] = b;
      predOf[k] = pred;
      pStep[k] = ps;
      risk[k] = b * consJ[k];
      if (b > 0) reached.push(k);
    }
    let top = 0;
    for (const k of reached) if (best[k] > top) top = best[k];
    reached.sort((x, y) => risk[y] - risk[x] || best[y] - best[x] || rankJ[y] - rankJ[x] || jewels[x] - jewels[y]);
    perActor.push({ id: actor.id, reached: reached.length, best: round(top) });
    const keep = maxPaths > 0 ? reached.slice(0, maxPaths) : reached;
    for (const k of keep) {
      const a = jewels[k];
      const nodes = [...pathTo(tree, predOf[k]), ag.groupOf[a]];
      paths.push(describePath(ag, actor, dg, tree, nodes, a, pStep[k], best[k], consJ[k]));
      pathNodes.push(nodes);
    }
    cutFor([actor.id], dg, cuttableFor(ag, [actor]), actor.id);
  }
  // one cut that stops every remote actor at once (internet, phishing, vendor entries). Insider and physical
  // entries stand inside the zones: no network choke point stops them (personnel and physical controls do).
  const remote = actors
    .map((a, i) => ({ a, i }))
    .filter(({ a }) => (a.entries.internet ?? 0) > 0 || (a.entries.phishing ?? 0) > 0 || (a.entries.vendor ?? 0) > 0);
  if (remote.length > 1) {
    const prob = new Float64Array(ag.g.to.length);
    const only = remote.map(({ a }) => ({
      ...a,
      entries: { internet: a.entries.internet, phishing: a.entries.phishing, vendor: a.entries.vendor },
    }));
    for (const { i } of remote) {
      const dg = graphs[i];
      for (let e = 0; e < prob.length; e++) if (dg.prob[e] > prob[e]) prob[e] = dg.prob[e];
    }
    for (let e = ag.g.start[ag.source]; e < ag.g.start[ag.source + 1]; e++) {
      const v = ag.g.to[e];
      if (v === ag.hubInsider || v === ag.hubPhysical) prob[e] = 0;
    }
    cutFor(
      remote.map(({ a }) => a.id),
      { n: ag.g.n, start: ag.g.start, to: ag.g.to, prob },
      cuttableFor(ag, only),
      "all-remote",
    );
  }
  // ranked by paths cut, then size; an actor's two cuts stay together, the entry side first
  const lead = new Map<string, ChokePoint>();
  for (const c of chokepoints) {
    const l = lead.get(c.actor);
    if (!l || c.pathsCut > l.pathsCut || (c.pathsCut === l.pathsCut && c.ids.length < l.ids.length))
      lead.set(c.actor, c);
  }
  chokepoints.sort((a, b) => {
    const la = lead.get(a.actor) as ChokePoint;
    const lb = lead.get(b.actor) as ChokePoint;
    return (
      lb.pathsCut - la.pathsCut ||
      la.ids.length - lb.ids.length ||
      (a.actor < b.actor ? -1 : a.actor > b.actor ? 1 : 0) ||
      (a.side === b.side ? 0 : a.side === "entry" ? -1 : 1)
    );
  });
  return { paths, pathNodes, chokepoints, perActor };
}

/**
 * Which candidate or planned controls fix which elements: a control fixes an element if one of its patch
 * operations targets it (removes or changes it): `assets.X...` fixes asset X, `conduits.C...` conduit C,
 * `vendors.V.remote_access[i]` that access and `vendors.V` every access of V.
 */
export function controlFixes(index: CityIndex): ControlFixes {
  const out: ControlFixes = new Map();
  const add = (el: string, c: string) => {
    const l = out.get(el) ?? [];
    if (!l.includes(c)) l.push(c);
    out.set(el, l);
  };
  for (const c of index.model.controls) {
    if (c.status === "implemented") continue;
    for (const op of c.patch) {
      if ("add" in op) continue;
      const m = /^(assets|conduits|vendors)\.([a-z0-9][a-z0-9-]*)(.*)$/.exec(op.target);
      if (!m) continue;
      if (m[1] !== "vendors") add(m[2], c.id);
      else {
        const ra = /^\.remote_access\[(\d+)\]/.exec(m[3]);
        if (ra) add(`vendors.${m[2]}.remote_access[${ra[1]}]`, c.id);
        else if (m[3] === "" || m[3].startsWith(".remote_access")) {
          const v = index.model.vendors.find((x) => x.id === m[2]);
          v?.remote_access.forEach((_, i) => {
            add(`vendors.${m[2]}.remote_access[${i}]`, c.id);
          });
        }
      }
    }
  }
  return out;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
