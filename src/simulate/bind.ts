/**
 * Binding a scenario to a model: ids become node numbers, selectors become asset lists and masks, weaknesses
 * become probabilities, crews become pools, objectives become flat arrays. Unknown ids are located errors.
 */

import type { ContainmentPolicy } from "../contracts/simulation.ts";
import { buildIndex, type CityIndex } from "../model/graph.ts";
import { formatPath, nearest } from "../model/issues.ts";
import type { CityModel } from "../model/model.ts";
import {
  type AssetKind,
  type Distribution,
  FIELD_DEVICE_KINDS,
  LAYERS,
  NETWORK_DEVICE_KINDS,
  SECTORS,
} from "../model/primitives.ts";
import { bindActions, type CAction } from "./actions.ts";
import { type Action, DEFAULTS, type Scenario, type ScenarioIssue, type Selector, type Targets } from "./scenario.ts";
import { stepChance, vendorChance } from "./weakness.ts";

export const OBJ_RTO = 0;
export const OBJ_MTD = 1;
export const OBJ_RESTORE = 2;
export const OBJ_RPO = 3;
export const OBJ_KINDS = ["rto", "mtd", "restore", "rpo"] as const;

/** Default response crews when the model has none (docs/simulate.md "Defaults"): teams per layer. */
export const DEFAULT_CREWS: Record<string, number> = { it: 4, ot: 2, network: 2, iot: 1, cloud: 1 };

/** Default rebuild time (median hours; p90 = 2.5 x median) by asset kind, when the asset has no `rebuild`. */
export const DEFAULT_REBUILD: Partial<Record<AssetKind, number>> & { other: number } = {
  workstation: 4,
  "engineering-workstation": 24,
  hmi: 24,
  "domain-controller": 24,
  historian: 48,
  server: 48,
  database: 48,
  application: 48,
  "scada-server": 72,
  "cloud-service": 24,
  saas: 24,
  other: 48,
};
/** Physical devices: a destroyed one is replaced from spares (median hours; p90 = 3 x median). */
export const SPARE_KINDS: ReadonlySet<string> = new Set([...FIELD_DEVICE_KINDS, ...NETWORK_DEVICE_KINDS]);
export const DEFAULT_SPARE = 72;
/**
 * Verify and restore a manipulated asset (median hours; lognormal, p90 = 3 x median): re-flash controller
 * logic from a known-good copy and test it, recalibrate a sensor, check a server's configuration and set
 * points against the last known-good one. Kinds not listed: `other`.
 */
export const DEFAULT_VERIFY: Partial<Record<AssetKind, number>> & { other: number } = {
  plc: 6,
  rtu: 6,
  ied: 6,
  actuator: 6,
  "traffic-controller": 6,
  gateway: 6,
  sensor: 4,
  "smart-meter": 4,
  camera: 4,
  hmi: 12,
  "scada-server": 12,
  "engineering-workstation": 12,
  historian: 12,
  other: 8,
};

export type CStep = {
  index: number;
  label: string;
  action: Action;
  on: "held" | "reachable";
  /** Matching assets, ascending. */
  list: Int32Array;
  mask: Uint8Array;
  time: Distribution;
  max: number;
  level: number;
  for?: Distribution;
  restore?: Distribution;
  probability?: number;
};

export type CEntry = {
  via: "phishing" | "exposed" | "vendor" | "insider";
  /** Candidate footholds (assets), ascending; for vendor: unused. */
  list: Int32Array;
  /** Vendor accesses: zone reached, the via asset (-1 if none), probability, label. */
  access: { zone: number; via: number; p: number; label: string }[];
  attempts: number;
  time: Distribution;
  probability?: number;
};

export type Compiled = {
  index: CityIndex;
  model: CityModel;
  scenario: Scenario;
  horizon: number;
  events: { at: Distribution; nodes: Int32Array; cap: number; for?: Distribution; label: string }[];
  /** Defenders' actions at fixed times [SCN-5]. */
  actions: CAction[];
  /** True when the scenario has no attack and every event time is fixed ([SCN-3]). */
  deterministic: boolean;
  attack?: { entry?: CEntry; steps: CStep[] };
  monitored: Uint8Array;
  /** Per asset: success probability of a lateral step, a command from a held neighbour, an internet step, phishing. */
  pLateral: Float64Array;
  pCommand: Float64Array;
  pExposed: Float64Array;
  pPhish: Float64Array;
  exposed: Uint8Array;
  backupUsable: Uint8Array;
  backupRestore: Float64Array;
  backupEvery: Float64Array;
  /** Per asset: rebuild hours from the model, NaN = use the default distribution. */
  rebuild: Float64Array;
  defaultRebuild: Distribution[];
  /** Per asset: crew time to verify and restore it after a manipulation (recovery.manipulate or DEFAULT_VERIFY). */
  verify: Distribution[];
  /**
   * Requirements owned by assets that list an asset in another zone (ascending): the only ones an isolation
   * can cut (docs/simulate.md "Containment and isolation").
   */
  crossReq: Int32Array;
  /** Per asset: 1 if it is in the OT layer (its zone is isolated at containment if it is held). */
  otLayer: Uint8Array;
  isSpare: Uint8Array;
  pool: Int32Array;
  poolSize: Int32Array;
  poolName: string[];
  /** Per asset: sum of the populations of the services at risk ([DEP-3] dependents); NaN until needed. */
  priority: Float64Array;
  /** Per asset: the services that need it through assets alone (CSR), for data loss ([DEP-8] rpo). */
  assetSvcStart: Int32Array;
  assetSvc: Int32Array;
  /** Objectives, flat: service slot (0..serviceCount-1), kind, target hours, level (restore). */
  objSvc: Int32Array;
  objKind: Uint8Array;
  objTarget: Float64Array;
  objLevel: Float64Array;
  objStart: Int32Array;
  /** Time grid of the level quantile curves (hours). */
  grid: Float64Array;
  /** The attacker's objective [SCN-4]: reached when a target service's level falls below `below`. */
  objective?: { description: string; below: number };
  /** Per service slot: 1 if it is a target of the objective. */
  objectiveSvc: Uint8Array;
  /** The containment policy in force: the scenario's fields over the model's `city.containment` over DEFAULTS. */
  containment: ContainmentPolicy;
  warnings: string[];
};

/** Per node: 1 if some flagged service needs it, directly or transitively (requirements followed backwards). */
function neededBy(index: CityIndex, svcFlag: Uint8Array): Uint8Array {
  const A = index.assetCount;
  const seen = new Uint8Array(index.nodeCount);
  const stack: number[] = [];
  for (let j = 0; j < svcFlag.length; j++)
    if (svcFlag[j]) {
      seen[A + j] = 1;
      stack.push(A + j);
    }
  while (stack.length) {
    const n = stack.pop() as number;
    for (let r = index.reqStart[n]; r < index.reqStart[n + 1]; r++)
      for (let p = index.memberStart[r]; p < index.memberStart[r + 1]; p++) {
        const m = index.members[p];
        if (seen[m] === 0) {
          seen[m] = 1;
          stack.push(m);
        }
      }
  }
  return seen;
}

/** [CNT-1] each field: the scenario's, else the model's `city.containment`, else the documented default. */
export function containmentPolicy(model: CityModel, scenario: Scenario): ContainmentPolicy {
  const m = model.city.containment ?? {};
  const s = scenario.containment;
  return {
    scope: s.scope ?? m.scope ?? DEFAULTS.scope,
    zoneThreshold: s.zoneThreshold ?? m.zoneThreshold ?? DEFAULTS.zoneThreshold,
    delay: s.delay ?? m.delay ?? DEFAULTS.containmentDelay,
    hostIsolation: s.isolation ?? m.hostIsolation ?? DEFAULTS.hostIsolation,
    zoneIsolation: s.isolation ?? m.zoneIsolation ?? DEFAULTS.isolation,
    impact: s.impact ?? m.impact ?? DEFAULTS.isolationImpact,
    decidedBy: m.decidedBy ?? DEFAULTS.decidedBy,
  };
}

export type BindResult = { ok: true; compiled: Compiled } | { ok: false; issues: ScenarioIssue[] };

export const GRID_POINTS = 121;

/** The curve grid: GRID_POINTS points from 0 to the horizon inclusive, evenly spaced. */
export function curveGrid(horizon: number): Float64Array {
  const g = new Float64Array(GRID_POINTS);
  for (let i = 0; i < GRID_POINTS; i++) g[i] = (horizon * i) / (GRID_POINTS - 1);
  return g;
}

/** What selecting assets needs: each asset's sectors and services (through assets alone), and `select`. */
export type AssetSelector = {
  /** Per asset: bit i set when a service of SECTORS[i] needs it through assets alone. */
  sectorBits: Uint32Array;
  /** Services (slots) each asset serves through assets alone, CSR. */
  assetSvcStart: Int32Array;
  assetSvc: Int32Array;
  /** The assets a selector (or a list of them: any matches) picks; unknown ids are reported through `err`. */
  select: (targets: Targets, path: (string | number)[]) => { list: Int32Array; mask: Uint8Array };
};

/**
 * Selectors bound to a model, as scenarios bind them: fields ANDed, values of one field ORed, a list of
 * selectors ORed; unknown asset, zone and vendor ids are errors at their path (with a guess). Shared by
 * scenarios and by playbooks (src/respond).
 */
export function assetSelector(
  model: CityModel,
  index: CityIndex,
  err: (path: (string | number)[], code: string, message: string) => void,
): AssetSelector {
  const A = index.assetCount;
  const assets = model.assets;
  // sectors and services of each asset through assets alone
  const sectorBits = new Uint32Array(A);
  const svcLists: number[][] = Array.from({ length: A }, () => []);
  {
    const seen = new Int32Array(A).fill(-1);
    for (let j = 0; j < index.serviceCount; j++) {
      const s = A + j;
      const bit = 1 << SECTORS.indexOf(model.services[j].sector);
      const stack: number[] = [];
      const push = (owner: number) => {
        for (let r = index.reqStart[owner]; r < index.reqStart[owner + 1]; r++)
          for (let m = index.memberStart[r]; m < index.memberStart[r + 1]; m++) {
            const a = index.members[m];
            if (a < A && seen[a] !== j) {
              seen[a] = j;
              stack.push(a);
            }
          }
      };
      push(s);
      while (stack.length) {
        const a = stack.pop() as number;
        sectorBits[a] |= bit;
        svcLists[a].push(j);
        push(a);
      }
    }
  }
  const assetSvcStart = new Int32Array(A + 1);
  for (let a = 0; a < A; a++) assetSvcStart[a + 1] = assetSvcStart[a] + svcLists[a].length;
  const assetSvc = new Int32Array(assetSvcStart[A]);
  for (let a = 0; a < A; a++) assetSvc.set(svcLists[a], assetSvcStart[a]);

  const vendorIds = new Set(model.vendors.map((v) => v.id as string));
  const select = (targets: Targets, path: (string | number)[]): { list: Int32Array; mask: Uint8Array } => {
    const mask = new Uint8Array(A);
    const sels = Array.isArray(targets) ? targets : [targets];
    sels.forEach((sel, i) => {
      selectOne(sel, Array.isArray(targets) ? [...path, i] : path, mask);
    });
    const list: number[] = [];
    for (let a = 0; a < A; a++) if (mask[a]) list.push(a);
    return { list: Int32Array.from(list), mask };
  };
  const selectOne = (sel: Selector, path: (string | number)[], mask: Uint8Array): void => {
    const idSet = sel.assets ? new Set<number>() : undefined;
    sel.assets?.forEach((id, j) => {
      const n = index.nodeOf.get(id);
      if (n === undefined || n >= A) {
        const guess = nearest(id, index.nodeId.slice(0, A));
        err(
          [...path, "assets", j],
          n === undefined ? "unknown-ref" : "wrong-kind-ref",
          n === undefined
            ? `unknown asset "${id}"${guess ? `; did you mean ${guess}?` : ""}`
            : `${id} is a service; an asset was expected`,
        );
      } else idSet?.add(n);
    });
    const zoneSet = sel.zone ? new Set<number>() : undefined;
    sel.zone?.forEach((id, j) => {
      const z = index.zoneOf.get(id);
      if (z === undefined) {
        const guess = nearest(id, index.zoneId);
        err([...path, "zone", j], "unknown-ref", `unknown zone "${id}"${guess ? `; did you mean ${guess}?` : ""}`);
      } else zoneSet?.add(z);
    });
    sel.vendor?.forEach((id, j) => {
      if (!vendorIds.has(id)) {
        const guess = nearest(id, vendorIds);
        err([...path, "vendor", j], "unknown-ref", `unknown vendor "${id}"${guess ? `; did you mean ${guess}?` : ""}`);
      }
    });
    let sectorMask = 0;
    for (const s of sel.sector ?? []) sectorMask |= 1 << SECTORS.indexOf(s);
    for (let a = 0; a < A; a++) {
      const x = assets[a];
      if (idSet && !idSet.has(a)) continue;
      if (sel.kind && !sel.kind.includes(x.kind)) continue;
      if (sel.layer && !sel.layer.includes(x.layer)) continue;
      if (zoneSet && !zoneSet.has(index.assetZone[a])) continue;
      if (sel.sector && (sectorBits[a] & sectorMask) === 0) continue;
      if (sel.exposed !== undefined && x.exposed !== sel.exposed) continue;
      if (sel.monitored !== undefined && x.monitored !== sel.monitored) continue;
      if (sel.vendor && (x.vendor === undefined || !sel.vendor.includes(x.vendor))) continue;
      mask[a] = 1;
    }
  };

  return { sectorBits, assetSvcStart, assetSvc, select };
}

export function bindScenario(
  model: CityModel,
  scenario: Scenario,
  opts: { index?: CityIndex; horizon?: number } = {},
): BindResult {
  const index = opts.index ?? buildIndex(model);
  const issues: ScenarioIssue[] = [];
  const warnings: string[] = [];
  const err = (path: (string | number)[], code: string, message: string) =>
    issues.push({ severity: "error", code, ...scenario.where(path), path: formatPath(path), message });
  const A = index.assetCount;
  const assets = model.assets;
  const horizon = opts.horizon ?? scenario.horizon;

  // explicit events
  const events: Compiled["events"] = [];
  let deterministic = !scenario.attack;
  scenario.events.forEach((e, i) => {
    const nodes: number[] = [];
    e.nodes.forEach((id, j) => {
      const n = index.nodeOf.get(id);
      if (n === undefined) {
        const guess = nearest(id, index.nodeId);
        err(
          ["events", i, e.field, j],
          "unknown-ref",
          `unknown asset or service "${id}"${guess ? `; did you mean ${guess}?` : ""}`,
        );
      } else nodes.push(n);
    });
    if (e.at.kind !== "fixed" || (e.for && e.for.kind !== "fixed")) deterministic = false;
    events.push({ at: e.at, nodes: Int32Array.from(nodes), cap: e.cap, for: e.for, label: `event ${i + 1}` });
  });

  const selector = assetSelector(model, index, err);
  const { sectorBits, assetSvcStart, assetSvc, select } = selector;
  const narrows = (targets: Targets) =>
    (Array.isArray(targets) ? targets : [targets]).some((t) => t.zone || t.kind || t.layer || t.sector || t.assets);
  const vendorsOf = (targets: Targets) => {
    const v = (Array.isArray(targets) ? targets : [targets]).flatMap((t) => t.vendor ?? []);
    return v.length ? v : undefined;
  };

  let attack: Compiled["attack"];
  if (scenario.attack) {
    const e = scenario.attack.entry;
    let entry: CEntry | undefined;
    if (e) {
      const sel = select(e.targets, ["attack", "entry", "targets"]);
      const access: CEntry["access"] = [];
      let list = sel.list;
      if (e.via === "exposed") list = list.filter((a) => assets[a].exposed);
      if (e.via === "vendor") {
        const onlyVendors = vendorsOf(e.targets);
        const narrowed = narrows(e.targets);
        for (const v of model.vendors) {
          if (onlyVendors && !onlyVendors.includes(v.id)) continue;
          v.remote_access.forEach((ra, k) => {
            const zone = index.zoneOf.get(ra.to) as number;
            // the access reaches a zone the selector allows (when it names zones or kinds: any selected asset there)
            if (narrowed && !sel.list.some((a) => index.assetZone[a] === zone)) return;
            const via = ra.via !== undefined ? (index.nodeOf.get(ra.via) ?? -1) : -1;
            access.push({
              zone,
              via: via < A ? via : -1,
              p: vendorChance(ra).probability,
              label: `vendors.${v.id}.remote_access[${k}]`,
            });
          });
        }
        if (access.length === 0)
          warnings.push(`scenario ${scenario.id}: no vendor remote access matches the entry: the attack cannot start`);
      } else if (list.length === 0)
        warnings.push(`scenario ${scenario.id}: no asset matches the ${e.via} entry: the attack cannot start`);
      entry = {
        via: e.via,
        list,
        access,
        attempts: e.attempts ?? { phishing: 20, exposed: 5, vendor: 5, insider: 1 }[e.via],
        time: e.time ?? { kind: "lognormal", median: 24, p90: 120 },
        probability: e.probability,
      };
    }
    const steps: CStep[] = scenario.attack.steps.map((st, i) => {
      const s = select(st.targets, ["attack", "steps", i, "targets"]);
      if (s.list.length === 0)
        warnings.push(`scenario ${scenario.id}: step ${st.id ?? i + 1} (${st.action}) matches no asset`);
      return {
        index: i,
        label: st.id ?? `${st.action}-${i + 1}`,
        action: st.action,
        on: st.on,
        list: s.list,
        mask: s.mask,
        time:
          st.time ??
          (st.action === "compromise"
            ? ({ kind: "lognormal", median: 4, p90: 24 } as Distribution)
            : ({ kind: "lognormal", median: 0.5, p90: 2 } as Distribution)),
        max: st.max ?? Number.MAX_SAFE_INTEGER,
        level: st.level ?? (st.action === "manipulate" ? 0.5 : 0),
        for: st.for,
        restore: st.restore,
        probability: st.probability,
      };
    });
    attack = { entry, steps };
  }

  // the attacker's objective [SCN-4]: its target services, and whether any effect step can reach them
  const objective = scenario.objective;
  const objectiveSvc = new Uint8Array(index.serviceCount);
  if (objective) {
    objective.services?.forEach((id, i) => {
      const n = index.nodeOf.get(id);
      if (n === undefined || n < A) {
        const guess = nearest(
          id,
          model.services.map((x) => x.id),
        );
        err(
          ["objective", "services", i],
          "unknown-service",
          `unknown service "${id}"${guess ? `; did you mean ${guess}?` : ""}`,
        );
      } else objectiveSvc[n - A] = 1;
    });
    if (!objective.services)
      model.services.forEach((x, j) => {
        if (!objective.sectors || objective.sectors.includes(x.sector)) objectiveSvc[j] = 1;
      });
    if (!objectiveSvc.includes(1))
      warnings.push(
        `scenario ${scenario.id} binds weakly: its objective (${objective.description}) names no service of this model`,
      );
    else if (attack) {
      const needed = neededBy(index, objectiveSvc);
      const effects = attack.steps.filter((st) => st.action !== "compromise");
      if (effects.length > 0 && !effects.some((st) => st.list.some((a) => needed[a] === 1)))
        warnings.push(
          `scenario ${scenario.id} binds weakly: no effect step targets an asset that its target services need (objective: ${objective.description})`,
        );
    }
  }

  if (issues.length) return { ok: false, issues };

  // per-asset weaknesses and recovery
  const monitored = new Uint8Array(A);
  const exposed = new Uint8Array(A);
  const pLateral = new Float64Array(A);
  const pCommand = new Float64Array(A);
  const pExposed = new Float64Array(A);
  const pPhish = new Float64Array(A);
  const backupUsable = new Uint8Array(A);
  const backupRestore = new Float64Array(A);
  const backupEvery = new Float64Array(A);
  const rebuild = new Float64Array(A).fill(Number.NaN);
  const isSpare = new Uint8Array(A);
  const defaultRebuild: Distribution[] = [];
  const verify: Distribution[] = [];
  const crossReq: number[] = [];
  for (let a = 0; a < A; a++) {
    for (let r = index.reqStart[a]; r < index.reqStart[a + 1]; r++) {
      let crosses = false;
      for (let m = index.memberStart[r]; m < index.memberStart[r + 1] && !crosses; m++) {
        const b = index.members[m];
        crosses = b < A && index.assetZone[b] !== index.assetZone[a];
      }
      if (crosses) crossReq.push(r);
    }
    const x = assets[a];
    monitored[a] = x.monitored ? 1 : 0;
    exposed[a] = x.exposed ? 1 : 0;
    pLateral[a] = stepChance(x, "lateral").probability;
    pCommand[a] = stepChance(x, "command").probability;
    pExposed[a] = stepChance(x, "exposed").probability;
    pPhish[a] = stepChance(x, "phishing").probability;
    if (x.backup) {
      backupUsable[a] = x.backup.offline && x.backup.tested !== undefined ? 1 : 0;
      backupRestore[a] = x.backup.restore;
      backupEvery[a] = x.backup.every;
    }
    if (x.rebuild !== undefined) rebuild[a] = x.rebuild;
    isSpare[a] = SPARE_KINDS.has(x.kind) ? 1 : 0;
    const med = isSpare[a] ? DEFAULT_SPARE : (DEFAULT_REBUILD[x.kind] ?? DEFAULT_REBUILD.other);
    const given = isSpare[a] ? scenario.recovery.spare : scenario.recovery.rebuild;
    defaultRebuild.push(given ?? { kind: "lognormal", median: med, p90: med * (isSpare[a] ? 3 : 2.5) });
    const vm = DEFAULT_VERIFY[x.kind] ?? DEFAULT_VERIFY.other;
    verify.push(scenario.recovery.manipulate ?? { kind: "lognormal", median: vm, p90: vm * 3 });
  }

  // crews
  const poolName: string[] = [];
  const poolSizes: number[] = [];
  const pool = new Int32Array(A);
  if (model.crews.length === 0) {
    for (const l of LAYERS) {
      poolName.push(`default-${l}`);
      poolSizes.push(DEFAULT_CREWS[l]);
    }
    for (let a = 0; a < A; a++) pool[a] = LAYERS.indexOf(assets[a].layer);
  } else {
    for (const c of model.crews) {
      poolName.push(c.id);
      poolSizes.push(c.count);
    }
    let general = -1;
    for (let a = 0; a < A; a++) {
      const x = assets[a];
      let found = -1;
      for (let c = 0; c < model.crews.length && found < 0; c++) {
        const cr = model.crews[c];
        if (cr.layers && !cr.layers.includes(x.layer)) continue;
        if (cr.sectors && !cr.sectors.some((s) => (sectorBits[a] & (1 << SECTORS.indexOf(s))) !== 0)) continue;
        found = c;
      }
      if (found < 0) {
        if (general < 0) {
          general = poolName.length;
          poolName.push("general");
          poolSizes.push(1);
        }
        found = general;
      }
      pool[a] = found;
    }
  }

  // defenders' actions [SCN-5]: they name crews, so they are bound after them
  const actions = bindActions(scenario.actions, index, poolName, (a) => assets[a].backup !== undefined, err);
  if (issues.length) return { ok: false, issues };

  // objectives
  const objSvc: number[] = [];
  const objKind: number[] = [];
  const objTarget: number[] = [];
  const objLevel: number[] = [];
  const objStart = new Int32Array(index.serviceCount + 1);
  model.services.forEach((s, j) => {
    objStart[j] = objSvc.length;
    const o = s.objectives;
    if (!o) return;
    const add = (k: number, t: number, l = 0) => {
      objSvc.push(j);
      objKind.push(k);
      objTarget.push(t);
      objLevel.push(l);
    };
    if (o.rto !== undefined) add(OBJ_RTO, o.rto);
    if (o.mtd !== undefined) add(OBJ_MTD, o.mtd);
    for (const r of o.restore ?? []) add(OBJ_RESTORE, r.within, r.level);
    if (o.rpo !== undefined) add(OBJ_RPO, o.rpo);
  });
  objStart[index.serviceCount] = objSvc.length;

  return {
    ok: true,
    compiled: {
      index,
      model,
      scenario,
      horizon,
      events,
      actions,
      deterministic,
      attack,
      monitored,
      pLateral,
      pCommand,
      pExposed,
      pPhish,
      exposed,
      backupUsable,
      backupRestore,
      backupEvery,
      rebuild,
      defaultRebuild,
      verify,
      crossReq: Int32Array.from(crossReq),
      otLayer: Uint8Array.from(assets, (x) => (x.layer === "ot" ? 1 : 0)),
      isSpare,
      pool,
      poolSize: Int32Array.from(poolSizes),
      poolName,
      priority: new Float64Array(A).fill(Number.NaN),
      assetSvcStart,
      assetSvc,
      objSvc: Int32Array.from(objSvc),
      objKind: Uint8Array.from(objKind),
      objTarget: Float64Array.from(objTarget),
      objLevel: Float64Array.from(objLevel),
      objStart,
      grid: curveGrid(horizon),
      containment: containmentPolicy(model, scenario),
      objective: objective ? { description: objective.description, below: objective.below ?? 1 } : undefined,
      objectiveSvc,
      warnings,
    },
  };
}
