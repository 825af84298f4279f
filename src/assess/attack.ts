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
const E_STEP = 1; // zone -> asset (lateral)
const E_EXPOSED = 2; // internet zone -> exposed asset
const E_ENTRY = 3; // source -> internet zone / hub / vendor access

type EntryEdge = "internet" | "phishing" | "physical" | "insider" | "vendor";

export type AttackGraph = {
  index: CityIndex;
  g: Digraph;
  edgeKind: Uint8Array;
  /** For step edges: the asset; for entry edges: an index into entryOf. */
  edgeRef: Int32Array;
  /** Fixed probability for E_FIXED edges (conduits: their crossing probability). */
  fixedProb: Float64Array;
  entryOf: { kind: EntryEdge; vendor?: string; access?: number; baseProb: number }[];
  weakness: Weakness[];
  monitored: Uint8Array;
  /** Node layout. */
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
  crownJewels: number[];
};

const INSIDER_KINDS = new Set(["workstation", "hmi", "engineering-workstation"]);

export function buildAttackGraph(index: CityIndex, kevAssets: Uint8Array, crownJewels: number[]): AttackGraph {
  const model = index.model;
  const A = index.assetCount;
  const Z = index.zoneCount;
  const C = model.conduits.length;
  const access: { vendor: string; i: number; zone: number; mfa: boolean; always_on: boolean }[] = [];
  for (const v of model.vendors)
    v.remote_access.forEach((r, i) => {
      const z = index.zoneOf.get(r.to);
      if (z !== undefined) access.push({ vendor: v.id, i, zone: z, mfa: r.mfa, always_on: r.always_on });
    });
  const zoneBase = A; // in(Z) = zoneBase + z, reach(Z) = zoneBase + Z + z
  const reachBase = A + Z;
  const conduitBase = A + 2 * Z;
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
  const weakness: Weakness[] = new Array(A);
  const monitored = new Uint8Array(A);
  const entryAsset = new Uint8Array(A);
  for (let a = 0; a < A; a++) {
    const asset = model.assets[a];
    weakness[a] = weaknessOf(asset, kevAssets[a] === 1);
    monitored[a] = asset.monitored ? 1 : 0;
    edge(a, zoneBase + index.assetZone[a], E_FIXED, -1, 1);
    edge(reachBase + index.assetZone[a], a, E_STEP, a, 0);
    if (asset.exposed) edge(reachBase + index.internetZone, a, E_EXPOSED, a, 0);
    if (asset.kind === "workstation" && asset.layer === "it") {
      entryAsset[a] |= 1;
      edge(hubPhish, a, E_FIXED, -1, 1);
    }
    if (FIELD_KINDS.has(asset.kind) && (asset.layer === "ot" || asset.layer === "iot")) {
      entryAsset[a] |= 2;
      edge(hubPhysical, a, E_FIXED, -1, 1);
    }
    if (INSIDER_KINDS.has(asset.kind)) {
      entryAsset[a] |= 4;
      edge(hubInsider, a, E_FIXED, -1, 1);
    }
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
  // buildDigraph reorders edges by source: carry kind/ref/fixed along with the same stable order
  const order = new Int32Array(from.length);
  {
    const fill = g.start.slice(0, n);
    for (let e = 0; e < from.length; e++) order[e] = fill[from[e]]++;
  }
  const edgeKind = new Uint8Array(from.length);
  const edgeRef = new Int32Array(from.length);
  const fixedProb = new Float64Array(from.length);
  for (let e = 0; e < from.length; e++) {
    edgeKind[order[e]] = kind[e];
    edgeRef[order[e]] = ref[e];
    fixedProb[order[e]] = fixed[e];
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
    crownJewels,
  };
}

/** The graph with one actor's probabilities. */
export function actorGraph(ag: AttackGraph, actor: Actor): Digraph {
  const { g, edgeKind, edgeRef, fixedProb, weakness, monitored, entryOf } = ag;
  const prob = new Float64Array(g.to.length);
  const model = ag.index.model;
  const allowed = actor.vendors ? new Set(actor.vendors) : undefined;
  // per-asset step probability, computed once
  const stepP = new Float64Array(weakness.length);
  for (let a = 0; a < weakness.length; a++) stepP[a] = stepProbability(weakness[a], actor.skill, monitored[a] === 1);
  for (let e = 0; e < prob.length; e++) {
    switch (edgeKind[e]) {
      case E_FIXED:
        prob[e] = fixedProb[e];
        break;
      case E_STEP:
      case E_EXPOSED:
        prob[e] = stepP[edgeRef[e]];
        break;
      default: {
        const en = entryOf[edgeRef[e]];
        const w = actor.entries[en.kind] ?? 0;
        prob[e] = en.kind === "vendor" && allowed && !allowed.has(en.vendor as string) ? 0 : w * en.baseProb;
      }
    }
  }
  void model;
  return { n: g.n, start: g.start, to: g.to, prob };
}

/** Which nodes an actor may not have cut: its entry assets (and, in minVertexCut, the targets). */
function cuttableFor(ag: AttackGraph, actors: Actor[]): Uint8Array {
  const c = new Uint8Array(ag.g.n);
  const A = ag.index.assetCount;
  let mask = 0;
  for (const a of actors) {
    if ((a.entries.phishing ?? 0) > 0) mask |= 1;
    if ((a.entries.physical ?? 0) > 0) mask |= 2;
    if ((a.entries.insider ?? 0) > 0) mask |= 4;
  }
  for (let a = 0; a < A; a++) c[a] = ag.entryAsset[a] & mask ? 0 : 1;
  for (let v = ag.conduitBase; v < ag.source; v++) c[v] = 1;
  return c;
}

/** The element name of an attack-graph node: asset id, conduit id or vendor access path. */
export function elementName(ag: AttackGraph, v: number): string {
  if (v < ag.index.assetCount) return ag.index.nodeId[v];
  if (v >= ag.conduitBase && v < ag.accessBase) return ag.index.model.conduits[v - ag.conduitBase].id;
  if (v >= ag.accessBase && v < ag.source) return ag.accessName[v - ag.accessBase];
  if (v >= ag.zoneBase && v < ag.reachBase) return `in zone ${ag.index.zoneId[v - ag.zoneBase]}`;
  if (v >= ag.reachBase && v < ag.conduitBase) return `reach zone ${ag.index.zoneId[v - ag.reachBase]}`;
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

/** Turns a node path (source first) into the report's steps. */
function describePath(ag: AttackGraph, actor: Actor, dg: Digraph, tree: PathTree, nodes: number[]): AttackPath {
  const A = ag.index.assetCount;
  let entry = "internet";
  let entryKind = "internet";
  const steps: PathStep[] = [];
  let through: string[] = [];
  let pAcc = 1;
  for (let i = 1; i < nodes.length; i++) {
    const v = nodes[i];
    const e = tree.predEdge[v];
    pAcc *= dg.prob[e];
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
    if (v >= A) continue;
    const u = nodes[i - 1];
    const w = ag.weakness[v];
    let tech: string;
    let weak = w.label;
    if (u === ag.hubPhish || u === ag.hubPhysical || u === ag.hubInsider) {
      tech = ENTRY_TECHNIQUE[entryKind];
      weak =
        entryKind === "phishing"
          ? "phishing of an IT user"
          : entryKind === "physical"
            ? "physical access"
            : "legitimate access";
    } else if (ag.edgeKind[e] === E_EXPOSED) {
      tech = w.internet;
      weak = `exposed to the internet, ${w.label}`;
    } else if (steps.length === 0 && entryKind === "vendor") {
      tech = "T0822";
      weak = `vendor remote access, then ${w.label}`;
    } else tech = w.lateral;
    steps.push({ asset: ag.index.nodeId[v], ...technique(tech), probability: round(pAcc), weakness: weak, through });
    through = [];
    pAcc = 1;
  }
  const target = nodes[nodes.length - 1];
  return {
    actor: actor.id,
    entry,
    target: ag.index.nodeId[target],
    probability: round(tree.best[target]),
    steps,
    services: [],
  };
}

export type AttackResult = {
  paths: AttackPath[];
  /** Node lists of the reported paths, parallel to `paths`. */
  pathNodes: number[][];
  chokepoints: ChokePoint[];
  perActor: { id: string; reached: number; best: number }[];
};

export type ControlFixes = Map<string, string[]>;

/**
 * Paths and cuts for every actor. `maxPathsPerActor` bounds the reported paths (most likely first; 0 = all).
 * `rank(target)` breaks ties between equally likely targets (higher first, e.g. the target's criticality).
 */
export function attackPaths(
  ag: AttackGraph,
  actors: Actor[],
  fixes: ControlFixes,
  opts: { maxPathsPerActor?: number; rank?: (assetNode: number) => number } = {},
): AttackResult {
  const maxPaths = opts.maxPathsPerActor ?? 25;
  const rank = opts.rank ?? (() => 0);
  const paths: AttackPath[] = [];
  const pathNodes: number[][] = [];
  const chokepoints: ChokePoint[] = [];
  const perActor: AttackResult["perActor"] = [];
  const jewels = ag.crownJewels;
  const cutFor = (actorIds: string[], dg: Digraph, cuttable: Uint8Array, label: string) => {
    const cut = minVertexCut(dg, cuttable, [ag.source], jewels);
    const mine = pathNodes.map((p, i) => ({ p, i })).filter(({ i }) => actorIds.includes(paths[i].actor));
    const uncuttable = cut.direct.map((t, k) => ({
      target: ag.index.nodeId[t],
      entry: entryName(ag, cut.directEntry[k]),
    }));
    const sets = [cut.sourceSide];
    if (cut.sinkSide.join() !== cut.sourceSide.join()) sets.push(cut.sinkSide);
    for (const set of sets) {
      if (set.length === 0 && uncuttable.length === 0) continue;
      const inSet = new Set(set);
      const pathsCut = mine.filter(({ p }) => p.some((v) => inSet.has(v))).length;
      const ids = set.map((v) => elementName(ag, v));
      const controls: Record<string, string[]> = {};
      for (const id of ids) {
        const c = fixes.get(id);
        if (c?.length) controls[id] = c;
      }
      chokepoints.push({ actor: label, ids, pathsCut, controls, uncuttable });
    }
  };
  const graphs: Digraph[] = [];
  for (const actor of actors) {
    const dg = actorGraph(ag, actor);
    graphs.push(dg);
    const tree = mostLikelyPaths(dg, [ag.source]);
    const reached = jewels.filter((t) => tree.best[t] > 0);
    reached.sort((x, y) => tree.best[y] - tree.best[x] || rank(y) - rank(x) || x - y);
    perActor.push({ id: actor.id, reached: reached.length, best: reached.length ? round(tree.best[reached[0]]) : 0 });
    const keep = maxPaths > 0 ? reached.slice(0, maxPaths) : reached;
    for (const t of keep) {
      const nodes = pathTo(tree, t);
      paths.push(describePath(ag, actor, dg, tree, nodes));
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
    // drop the insider and physical hubs of actors that also have them
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
  chokepoints.sort((a, b) => b.pathsCut - a.pathsCut || a.ids.length - b.ids.length || (a.actor < b.actor ? -1 : 1));
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
