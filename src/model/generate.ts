/**
 * A generator of synthetic but realistically structured cities, for scale tests and benchmarks.
 * The same options give the same city. Structure: services by sector, each with a control centre
 * (redundant SCADA servers, HMIs, historian), a DMZ and field stations (PLC/RTU, sensors, actuators) in
 * Purdue-style zones; corporate IT with domain controllers; power and telecom that need each other
 * (a dependency cycle, held up by buffers); vendors with remote access; candidate controls.
 */
import yaml from "js-yaml";
import type { RawModel } from "./load.ts";
import { type Rng, streamFor } from "./rng.ts";

export type GenerateOptions = { assets: number; seed: number };

type Raw = Record<string, unknown>;

const SECTORS: { sector: string; name: string; kind: string; fieldKinds: string[]; protocols: string[] }[] = [
  {
    sector: "power",
    name: "Electricity distribution",
    kind: "rtu",
    fieldKinds: ["ied", "sensor"],
    protocols: ["dnp3", "iec104"],
  },
  {
    sector: "telecom",
    name: "Municipal telecom network",
    kind: "router",
    fieldKinds: ["switch", "radio"],
    protocols: ["snmp", "ssh"],
  },
  {
    sector: "water",
    name: "Drinking water supply",
    kind: "plc",
    fieldKinds: ["sensor", "actuator"],
    protocols: ["modbus", "dnp3"],
  },
  {
    sector: "wastewater",
    name: "Wastewater treatment",
    kind: "plc",
    fieldKinds: ["sensor", "actuator"],
    protocols: ["modbus"],
  },
  {
    sector: "traffic",
    name: "Traffic signals",
    kind: "traffic-controller",
    fieldKinds: ["camera", "sensor"],
    protocols: ["ntcip"],
  },
  {
    sector: "emergency",
    name: "Emergency dispatch",
    kind: "radio",
    fieldKinds: ["workstation", "radio"],
    protocols: ["https", "p25"],
  },
  {
    sector: "health",
    name: "Hospital services",
    kind: "server",
    fieldKinds: ["workstation", "sensor"],
    protocols: ["hl7", "https"],
  },
  {
    sector: "transport",
    name: "Public transit",
    kind: "plc",
    fieldKinds: ["sensor", "camera"],
    protocols: ["modbus", "https"],
  },
  {
    sector: "port",
    name: "Port operations",
    kind: "plc",
    fieldKinds: ["sensor", "actuator"],
    protocols: ["profinet", "opc-ua"],
  },
  {
    sector: "lighting",
    name: "Street lighting",
    kind: "gateway",
    fieldKinds: ["actuator", "sensor"],
    protocols: ["lorawan", "mqtt"],
  },
  {
    sector: "government",
    name: "Citizen portal and payments",
    kind: "application",
    fieldKinds: ["server", "database"],
    protocols: ["https"],
  },
  {
    sector: "environment",
    name: "Air quality monitoring",
    kind: "gateway",
    fieldKinds: ["sensor", "sensor"],
    protocols: ["mqtt"],
  },
];

const IMPACT = ["low", "moderate", "high"];

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)];
}

function dur(hours: number): string {
  return `${Math.max(1, Math.round(hours))}h`;
}

export function generateRaw(opts: GenerateOptions): RawModel {
  const rng = streamFor(opts.seed, 0);
  const total = Math.max(60, Math.floor(opts.assets));
  const nServices = Math.min(400, 12 + Math.floor(total / 2000));
  const population = Math.max(100_000, Math.round(total * 40));
  const districts: Raw[] = [];
  const nDistricts = 8;
  for (let d = 0; d < nDistricts; d++)
    districts.push({
      id: `district-${d + 1}`,
      name: `District ${d + 1}`,
      population: Math.round(population / nDistricts),
    });

  const zones: Raw[] = [
    { id: "corp-it", name: "Corporate IT", level: 4, sl: { target: 2, achieved: 2 } },
    { id: "city-dmz", name: "City DMZ", level: 4, sl: { target: 2, achieved: 1 } },
  ];
  const conduits: Raw[] = [
    {
      id: "internet-to-dmz",
      from: "internet",
      to: "city-dmz",
      protocols: ["https"],
      via: "fw-edge-1",
      encrypted: true,
    },
    { id: "dmz-to-corp", from: "city-dmz", to: "corp-it", protocols: ["https"], via: "fw-edge-1", encrypted: true },
  ];
  const assets: Raw[] = [];
  const services: Raw[] = [];
  const vendors: Raw[] = [];
  const controls: Raw[] = [];
  const add = (a: Raw) => {
    assets.push(a);
    return a.id as string;
  };

  // Corporate IT core: the edge firewall, redundant domain controllers and core switches.
  add({
    id: "fw-edge-1",
    name: "Edge firewall 1",
    kind: "firewall",
    layer: "network",
    zone: "city-dmz",
    software: [{ product: "FortiOS", vendor: "Fortinet", version: "7.2.4" }],
    auth: "mfa",
    monitored: true,
  });
  const coreSwitches = [
    add({ id: "core-sw-1", name: "Core switch 1", kind: "switch", layer: "network", zone: "corp-it", monitored: true }),
    add({ id: "core-sw-2", name: "Core switch 2", kind: "switch", layer: "network", zone: "corp-it", monitored: true }),
  ];
  const dcs = [1, 2].map((i) =>
    add({
      id: `dc-${i}`,
      name: `Domain controller ${i}`,
      kind: "domain-controller",
      layer: "it",
      zone: "corp-it",
      software: [{ product: "Windows Server", vendor: "Microsoft", version: "2019" }],
      auth: "password",
      monitored: true,
      backup: { every: "24h", offline: i === 1, tested: "2026-02-01", restore: "6h" },
      rebuild: "3d",
      requires: [{ any: coreSwitches }, { service: "electricity-1", buffer: "4h" }],
    }),
  );

  // Services: the first ones are the sectors in order; more services repeat sectors.
  const perService = Math.floor((total - assets.length) / nServices);
  type Plan = { id: string; sector: (typeof SECTORS)[number]; index: number };
  const plans: Plan[] = [];
  for (let s = 0; s < nServices; s++) {
    const sector = SECTORS[s % SECTORS.length];
    const round = Math.floor(s / SECTORS.length) + 1;
    plans.push({ id: `${sector.sector}-${round}`, sector, index: s });
  }
  for (const p of plans) {
    const { sector } = p;
    const budget = p.index === plans.length - 1 ? total - assets.length : perService;
    const ctl = `${p.id}-control`;
    const dmz = `${p.id}-dmz`;
    zones.push({
      id: ctl,
      name: `${sector.name} ${p.id} control centre`,
      level: 3,
      sl: { target: 3, achieved: 1 + rng.int(3) },
    });
    zones.push({ id: dmz, name: `${sector.name} ${p.id} industrial DMZ`, level: 3.5 });
    const vendorId = `vendor-${p.index % Math.max(3, Math.floor(nServices / 3))}`;
    const fw = add({
      id: `${p.id}-fw`,
      name: `${p.id} OT firewall`,
      kind: "firewall",
      layer: "network",
      zone: dmz,
      monitored: true,
      auth: "mfa",
    });
    conduits.push({
      id: `${p.id}-corp-to-dmz`,
      from: "corp-it",
      to: dmz,
      protocols: ["https"],
      via: fw,
      encrypted: true,
      auth: "certificate",
    });
    conduits.push({
      id: `${p.id}-dmz-to-control`,
      from: dmz,
      to: ctl,
      protocols: ["opc-ua"],
      via: fw,
      encrypted: true,
      auth: "certificate",
    });
    if (rng.next() < 0.15)
      conduits.push({ id: `${p.id}-flat`, from: "corp-it", to: ctl, protocols: ["modbus", "rdp"], via: fw });
    const sw = [
      add({ id: `${p.id}-sw-a`, name: `${p.id} control switch A`, kind: "switch", layer: "network", zone: ctl }),
      add({ id: `${p.id}-sw-b`, name: `${p.id} control switch B`, kind: "switch", layer: "network", zone: ctl }),
    ];
    const ups = add({
      id: `${p.id}-ups`,
      name: `${p.id} control centre UPS`,
      kind: "other",
      layer: "ot",
      zone: ctl,
      requires: [{ service: "electricity-1", buffer: dur(2 + rng.int(6)) }],
    });
    const scada = [1, 2].map((i) =>
      add({
        id: `${p.id}-scada-${i}`,
        name: `${p.id} SCADA server ${i}`,
        kind: "scada-server",
        layer: "ot",
        zone: ctl,
        vendor: vendorId,
        software: [
          {
            product: pick(rng, ["WinCC", "Citect SCADA", "FactoryTalk View", "iFIX"]),
            vendor: pick(rng, ["Siemens", "Schneider Electric", "Rockwell Automation", "GE"]),
            version: `${1 + rng.int(8)}.${rng.int(10)}`,
          },
        ],
        auth: pick(rng, ["password", "password", "mfa", "default"]),
        protocols: sector.protocols,
        monitored: rng.next() < 0.7,
        backup: {
          every: "24h",
          offline: rng.next() < 0.5,
          ...(rng.next() < 0.6 ? { tested: "2026-01-15" } : {}),
          restore: dur(4 + rng.int(20)),
        },
        rebuild: `${2 + rng.int(6)}d`,
        requires: [{ any: sw }, { asset: ups }, { any: dcs, buffer: "24h", degrade: 0.8 }],
      }),
    );
    const hmi = add({
      id: `${p.id}-hmi-1`,
      name: `${p.id} operator HMI`,
      kind: "hmi",
      layer: "ot",
      zone: ctl,
      software: [{ product: "Windows", vendor: "Microsoft", version: rng.next() < 0.2 ? "7" : "10" }],
      end_of_life: rng.next() < 0.2,
      auth: "password",
      requires: [{ any: scada }],
    });
    add({
      id: `${p.id}-historian`,
      name: `${p.id} historian`,
      kind: "historian",
      layer: "ot",
      zone: dmz,
      requires: [{ any: scada }, { asset: fw }],
    });
    add({
      id: `${p.id}-ews`,
      name: `${p.id} engineering workstation`,
      kind: "engineering-workstation",
      layer: "ot",
      zone: ctl,
      auth: "password",
      requires: [{ any: sw }],
    });
    // Field stations fill the rest of the budget.
    let left = budget - 9;
    const stations: string[] = [];
    let st = 0;
    let fieldZone = "";
    while (left > 0) {
      if (st % 40 === 0) {
        fieldZone = `${p.id}-field-${st / 40 + 1}`;
        zones.push({
          id: fieldZone,
          name: `${p.id} field network ${st / 40 + 1}`,
          level: 1 + rng.int(2),
          sl: { target: 2, achieved: rng.int(3) },
        });
        conduits.push({
          id: `${fieldZone}-uplink`,
          from: ctl,
          to: fieldZone,
          protocols: sector.protocols,
          via: fw,
          encrypted: rng.next() < 0.3,
        });
      }
      st++;
      const sid = `${p.id}-st${st}`;
      const size = Math.min(left, 2 + rng.int(6));
      const gw = add({
        id: `${sid}-gw`,
        name: `${sid} gateway`,
        kind: "gateway",
        layer: "network",
        zone: fieldZone,
        auth: pick(rng, ["password", "default", "certificate"]),
        exposed: rng.next() < 0.01,
        protocols: sector.protocols,
        requires: [{ asset: `${p.id}-sw-${st % 2 ? "a" : "b"}` }],
      });
      left--;
      if (left <= 0) {
        stations.push(gw);
        break;
      }
      const ctrl = add({
        id: `${sid}-ctl`,
        name: `${sid} controller`,
        kind: sector.kind,
        layer: sector.sector === "government" ? "cloud" : "ot",
        zone: fieldZone,
        vendor: vendorId,
        software: [
          {
            product: pick(rng, ["SIMATIC S7-1500", "Modicon M580", "ControlLogix", "SEL-3530 RTAC"]),
            version: `${1 + rng.int(4)}.${rng.int(9)}`,
          },
        ],
        auth: pick(rng, ["none", "default", "password"]),
        protocols: sector.protocols,
        monitored: rng.next() < 0.3,
        rebuild: `${1 + rng.int(3)}d`,
        requires: [
          { asset: gw },
          ...(sector.sector === "power" ? [] : [{ service: "electricity-1", buffer: dur(1 + rng.int(24)) }]),
        ],
      });
      left--;
      const devices: string[] = [];
      for (let f = 0; f < size - 2 && left > 0; f++, left--) {
        devices.push(
          add({
            id: `${sid}-dev${f + 1}`,
            name: `${sid} device ${f + 1}`,
            kind: sector.fieldKinds[f % 2],
            layer: sector.sector === "lighting" || sector.sector === "environment" ? "iot" : "ot",
            zone: fieldZone,
            protocols: sector.protocols,
          }),
        );
      }
      // the controller needs its field devices: most of them, or it runs degraded
      if (devices.length > 0)
        (assets[assets.length - 1 - devices.length].requires as Raw[]).push({
          k: Math.max(1, devices.length - 1),
          of: devices,
          degrade: 0.5,
        });
      stations.push(ctrl);
    }
    const pop = Math.round(population * (0.3 + 0.7 * rng.next()));
    const k = Math.max(1, Math.ceil(stations.length * 0.8));
    const requires: Raw[] = [
      { any: scada, degrade: 0.6 },
      { asset: hmi, degrade: 0.7 },
      { asset: `${p.id}-historian`, degrade: 0.95 },
      { asset: `${p.id}-ews`, degrade: 0.9 },
    ];
    if (sector.sector === "government") requires.push({ asset: "fw-edge-1" });
    if (stations.length > 0) requires.push({ k, of: stations, degrade: 0.3 });
    if (sector.sector === "power") requires.push({ service: "telecom-1", buffer: "8h", degrade: 0.9 });
    else requires.push({ service: "electricity-1", buffer: dur(2 + rng.int(12)) });
    if (sector.sector === "emergency" || sector.sector === "transport")
      requires.push({ service: "telecom-1", buffer: "1h" });
    const hasFallback = ["water", "traffic", "emergency", "health", "power"].includes(sector.sector);
    services.push({
      id: p.id === "power-1" ? "electricity-1" : p.id,
      name: `${sector.name}${p.index >= SECTORS.length ? ` ${Math.floor(p.index / SECTORS.length) + 1}` : ""}`,
      sector: sector.sector,
      population: pop,
      impact: {
        confidentiality: pick(rng, IMPACT),
        integrity: pick(rng, ["moderate", "high"]),
        availability: pick(rng, ["moderate", "high", "high"]),
      },
      objectives: {
        rto: dur(4 + rng.int(44)),
        rpo: dur(1 + rng.int(24)),
        mtd: dur(24 + rng.int(96)),
        restore: [{ level: 0.9, within: dur(12 + rng.int(36)) }],
      },
      ...(hasFallback
        ? { fallback: { level: 0.3 + 0.1 * rng.int(4), after: dur(1 + rng.int(6)), lasts: `${2 + rng.int(5)}d` } }
        : {}),
      requires,
    });
  }
  // power-1 is called electricity-1: fix its zone and asset names stay as generated.
  for (let v = 0; v < Math.max(3, Math.floor(nServices / 3)); v++) {
    const reach = plans.filter((p) => p.index % Math.max(3, Math.floor(nServices / 3)) === v).slice(0, 3);
    vendors.push({
      id: `vendor-${v}`,
      name: `${pick(rng, ["Acme", "Nordic", "Harbor", "Delta", "Union"])} ${pick(rng, ["Automation", "Controls", "Systems", "Integration"])} ${v}`,
      remote_access: reach.map((p, i) => ({
        to: `${p.id}-control`,
        via: `${p.id}-fw`,
        mfa: rng.next() < 0.5,
        always_on: i === 0 && rng.next() < 0.5,
      })),
    });
  }
  vendors.forEach((v, i) => {
    const ra = v.remote_access as Raw[];
    if (ra.length > 0 && i < 10)
      controls.push({
        id: `mfa-${v.id}`,
        name: `MFA and on-demand access for ${v.name}`,
        status: "candidate",
        cost: { capex: 20000 + 5000 * ra.length, opex: 4000 },
        frameworks: ["CSF:PR.AA-03", "CAF:B2.a", "62443:SR1.13"],
        patch: ra.map((_, j) => ({
          target: `vendors.${v.id}.remote_access[${j}]`,
          set: { mfa: true, always_on: false },
        })),
      });
  });
  for (const c of conduits.filter((c) => String(c.id).endsWith("-flat")).slice(0, 5))
    controls.push({
      id: `remove-${c.id}`,
      name: `Remove flat conduit ${c.id}`,
      status: "candidate",
      cost: { capex: 40000, opex: 2000 },
      frameworks: ["CSF:PR.IR-01", "62443:SR5.1"],
      patch: [{ target: `conduits.${c.id}`, remove: true }],
    });
  return {
    rampart: 1,
    city: { name: `Generated city ${opts.seed}`, population, currency: "EUR", timezone: "UTC" },
    districts,
    services,
    assets,
    zones,
    conduits,
    vendors,
    crews: [
      { id: "it-crew", count: 3, layers: ["it", "network", "cloud"] },
      { id: "ot-crew", count: 4, layers: ["ot", "iot"] },
    ],
    controls,
    people: [
      { id: "cro", name: "Chief Resilience Officer", role: "CRO", responsible: ["all"], backup: "ciso" },
      { id: "ciso", name: "Chief Information Security Officer", role: "CISO", responsible: ["all"], backup: "cro" },
    ],
  };
}

/** The generated city as YAML files: a file per top-level list, assets split by sector. */
export function generateFiles(opts: GenerateOptions): { path: string; text: string }[] {
  const raw = generateRaw(opts) as Record<string, unknown>;
  const header = "# Generated by `rampart generate`; same options, same city.\nrampart: 1\n";
  const dump = (o: Raw) => header + yaml.dump(o, { lineWidth: 200, noRefs: true, flowLevel: 3 });
  const files: { path: string; text: string }[] = [];
  files.push({ path: "city.yaml", text: dump({ city: raw.city, districts: raw.districts }) });
  for (const k of ["services", "zones", "conduits", "vendors", "crews", "controls", "people"])
    files.push({ path: `${k}.yaml`, text: dump({ [k]: raw[k] }) });
  const bySector = new Map<string, Raw[]>();
  for (const a of raw.assets as Raw[]) {
    const key = String(a.id).split("-")[0];
    const list = bySector.get(key) ?? [];
    list.push(a);
    bySector.set(key, list);
  }
  for (const [k, list] of bySector) files.push({ path: `assets/${k}.yaml`, text: dump({ assets: list }) });
  return files;
}
