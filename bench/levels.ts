/**
 * Benchmark of the graph index and the levels engine on a 100,000-asset city. One JSON line per figure:
 *   levels.index        buildIndex time (median of 5 after one warm-up run)
 *   levels.initial      new LevelsEngine + a full recompute from the caps (recomputeAll)
 *   levels.incremental  mean setCap(asset, 0) with buffers full (a simulation step), rollback between
 *   levels.criticality  mean setCap(asset, 0) with every buffer exhausted ([CRI-1]), rollback between
 *   levels.repair       mean setCap(asset, 1) after the asset went down (dependent closure recomputed)
 *   levels.rollback     mean rollback after one asset down with buffers exhausted
 * The city comes from src/model/generate.ts (validated like any model) when it works, else from a synthetic
 * builder below with the same shape (services with redundant SCADA, field stations in any/k-of-n groups,
 * power and telecom needing each other through buffers).
 */
import { buildIndex, type CityIndex } from "../src/model/graph.ts";
import { LevelsEngine } from "../src/model/levels.ts";
import { validateRaw } from "../src/model/load.ts";
import type { Asset, CityModel, Requirement, Zone } from "../src/model/model.ts";
import { type Rng, streamFor } from "../src/model/rng.ts";

const ASSETS = 100_000;
const SEED = 42;
const SAMPLES = 1_000;

function line(o: Record<string, unknown>): void {
  console.log(JSON.stringify(o));
}

async function generated(): Promise<CityModel | undefined> {
  try {
    const mod: Record<string, unknown> = await import("../src/model/generate.ts");
    const gen = mod.generateRaw;
    if (typeof gen !== "function") return undefined;
    const raw = gen({ assets: ASSETS, seed: SEED });
    let errors = 0;
    const model = validateRaw(raw, () => errors++, { checkControls: false });
    return errors === 0 ? model : undefined;
  } catch {
    return undefined;
  }
}

/** A synthetic city of `total` assets shaped like the generator's. */
export function syntheticCity(total: number, seed: number): CityModel {
  const rng: Rng = streamFor(seed, 1);
  const assets: Asset[] = [];
  const zones: Zone[] = [{ id: "corp" as Zone["id"] }];
  const r = (kind: Requirement["kind"], members: string[], o: Partial<Requirement> = {}): Requirement => ({
    kind,
    k: kind === "all" ? members.length : kind === "any" ? 1 : (o.k ?? 1),
    members,
    degrade: o.degrade ?? 0,
    ...(o.buffer !== undefined ? { buffer: o.buffer } : {}),
  });
  const add = (id: string, zone: string, requires: Requirement[] = []) => {
    assets.push({
      id: id as Asset["id"],
      name: id,
      kind: "other",
      layer: "ot",
      zone,
      software: [],
      protocols: [],
      exposed: false,
      monitored: false,
      end_of_life: false,
      requires,
    });
    return id;
  };
  const core = [add("core-1", "corp"), add("core-2", "corp")];
  const dcs = [1, 2].map((i) => add(`dc-${i}`, "corp", [r("any", core), r("all", ["power"], { buffer: 4 })]));
  const nServices = 60;
  const services: CityModel["services"] = [];
  const per = Math.floor((total - assets.length) / nServices);
  for (let s = 0; s < nServices; s++) {
    const id = s === 0 ? "power" : s === 1 ? "telecom" : `svc-${s}`;
    const zone = `${id}-ctl`;
    zones.push({ id: zone as Zone["id"] });
    const budget = s === nServices - 1 ? total - assets.length : per;
    const start = assets.length;
    const sw = [add(`${id}-sw-a`, zone), add(`${id}-sw-b`, zone)];
    const ups = add(`${id}-ups`, zone, [r("all", ["power"], { buffer: 2 + rng.int(6) })]);
    const scada = [1, 2].map((i) =>
      add(`${id}-scada-${i}`, zone, [r("any", sw), r("all", [ups]), r("any", dcs, { buffer: 24, degrade: 0.8 })]),
    );
    const hmi = add(`${id}-hmi`, zone, [r("any", scada)]);
    const stations: string[] = [];
    let st = 0;
    while (assets.length - start < budget) {
      st++;
      const sid = `${id}-st${st}`;
      const gw = add(`${sid}-gw`, zone, [r("all", [sw[st % 2]])]);
      if (assets.length - start >= budget) break;
      const ctlReqs = [r("all", [gw])];
      if (s !== 0) ctlReqs.push(r("all", ["power"], { buffer: 1 + rng.int(24) }));
      const ctl = add(`${sid}-ctl`, zone, ctlReqs);
      const devices: string[] = [];
      const size = 2 + rng.int(6);
      for (let f = 0; f < size && assets.length - start < budget; f++) devices.push(add(`${sid}-dev${f}`, zone));
      if (devices.length > 0) ctlReqs.push(r("k", devices, { k: Math.max(1, devices.length - 1), degrade: 0.5 }));
      stations.push(ctl);
    }
    const requires: Requirement[] = [r("any", scada, { degrade: 0.6 }), r("all", [hmi], { degrade: 0.7 })];
    requires.push(r("k", stations, { k: Math.max(1, Math.ceil(stations.length * 0.8)), degrade: 0.3 }));
    if (s === 0) requires.push(r("all", ["telecom"], { buffer: 8, degrade: 0.9 }));
    else requires.push(r("all", ["power"], { buffer: 2 + rng.int(12) }));
    services.push({
      id: id as CityModel["services"][number]["id"],
      name: id,
      sector: s === 0 ? "power" : s === 1 ? "telecom" : "other",
      population: 10_000 + rng.int(500_000),
      impact: { confidentiality: "low", integrity: "moderate", availability: "high" },
      requires,
      ...(s % 3 === 0 ? { fallback: { level: 0.5, after: 2, lasts: 48 } } : {}),
    });
  }
  zones.push({ id: "internet" as Zone["id"], name: "Internet", level: 5 });
  return {
    city: { name: "Synthetic", population: 4_000_000, currency: "EUR", timezone: "UTC" },
    districts: [],
    services,
    assets,
    zones,
    conduits: [],
    vendors: [],
    crews: [],
    controls: [],
    people: [],
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function round(x: number, digits = 4): number {
  return Number(x.toFixed(digits));
}

type Sample = { mean: number; p99: number; max: number; meanChanged: number };

/** Times `op(asset)` for SAMPLES random assets, rolling back to `mark` after each. */
function sample(
  ix: CityIndex,
  e: LevelsEngine,
  prepare: (a: number) => void,
  op: (a: number) => void,
  stream: number,
): Sample {
  const rng = streamFor(SEED, stream);
  const mark = e.checkpoint();
  const times: number[] = [];
  let changed = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const a = rng.int(ix.assetCount);
    prepare(a);
    const t0 = performance.now();
    op(a);
    times.push(performance.now() - t0);
    changed += e.changedCount;
    e.rollback(mark);
  }
  times.sort((x, y) => x - y);
  const mean = times.reduce((s, x) => s + x, 0) / times.length;
  return {
    mean,
    p99: times[Math.floor(times.length * 0.99)],
    max: times[times.length - 1],
    meanChanged: changed / SAMPLES,
  };
}

export async function run(): Promise<void> {
  let model = await generated();
  const source = model ? "generate" : "synthetic";
  if (!model) model = syntheticCity(ASSETS, SEED);
  const base = { assets: model.assets.length, services: model.services.length, city: source };

  // wall time, and process CPU time (all threads, GC included): the latter moves less on a busy machine
  const timed = <T>(f: () => T): { value: T; ms: number; cpuMs: number } => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const value = f();
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    return { value, ms, cpuMs: (c.user + c.system) / 1000 };
  };
  buildIndex(model); // warm-up
  const runs = [0, 1, 2, 3, 4].map(() => timed(() => buildIndex(model)));
  const ix = runs[runs.length - 1].value;
  line({
    bench: "levels.index",
    value: round(median(runs.map((r) => r.ms)), 2),
    unit: "ms",
    ...base,
    cpuMs: round(median(runs.map((r) => r.cpuMs)), 2),
    min: round(Math.min(...runs.map((r) => r.ms)), 2),
    requirements: ix.reqCount,
    members: ix.members.length,
    runs: runs.length,
  });

  const ctor = timed(() => new LevelsEngine(ix));
  const e = ctor.value;
  const full = timed(() => e.recomputeAll());
  line({
    bench: "levels.initial",
    value: round(ctor.ms + full.ms, 2),
    unit: "ms",
    ...base,
    cpuMs: round(ctor.cpuMs + full.cpuMs, 2),
    construct: round(ctor.ms, 2),
    recomputeAll: round(full.ms, 2),
  });

  const down = (a: number) => e.setCap(a, 0);
  const nothing = () => {};
  const warm = sample(ix, e, nothing, down, 1); // JIT warm-up
  void warm;
  const inc = sample(ix, e, nothing, down, 2);
  line({
    bench: "levels.incremental",
    value: round(inc.mean),
    unit: "ms",
    ...base,
    buffers: "full",
    samples: SAMPLES,
    p99: round(inc.p99),
    max: round(inc.max),
    meanChanged: round(inc.meanChanged, 1),
  });

  e.exhaustAllBuffers();
  const crit = sample(ix, e, nothing, down, 3);
  line({
    bench: "levels.criticality",
    value: round(crit.mean),
    unit: "ms",
    ...base,
    buffers: "exhausted",
    samples: SAMPLES,
    p99: round(crit.p99),
    max: round(crit.max),
    meanChanged: round(crit.meanChanged, 1),
  });

  const rep = sample(ix, e, down, (a) => e.setCap(a, 1), 4);
  line({
    bench: "levels.repair",
    value: round(rep.mean),
    unit: "ms",
    ...base,
    buffers: "exhausted",
    samples: SAMPLES,
    p99: round(rep.p99),
    max: round(rep.max),
  });

  // rollback cost: down, then time the rollback itself
  const rng = streamFor(SEED, 5);
  const mark = e.checkpoint();
  let total = 0;
  for (let i = 0; i < SAMPLES; i++) {
    e.setCap(rng.int(ix.assetCount), 0);
    const t = performance.now();
    e.rollback(mark);
    total += performance.now() - t;
  }
  line({
    bench: "levels.rollback",
    value: round(total / SAMPLES),
    unit: "ms",
    ...base,
    buffers: "exhausted",
    samples: SAMPLES,
  });
}
