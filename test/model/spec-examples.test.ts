/** The examples of the model contract (spec §2, §7) load as written, with the entities they refer to. */
import { expect, test } from "vitest";
import { loadModelFromSources } from "../../src/model/load.ts";

const MODEL = `rampart: 1
city: { name: Spec City, population: 600000 }
zones:
  - { id: water-control, name: Water control, level: 3, sl: { target: 3, achieved: 2 } }
  - { id: corp, level: 4 }
vendors:
  - id: acme-automation
    name: Acme Automation
    remote_access: [ { to: water-control, via: vpn-ot, mfa: false, always_on: true } ]
conduits:
  - { id: it-to-ot, from: corp, to: water-control, protocols: [modbus], via: fw-1, direction: one-way }
services:
  - id: electricity
    name: Electricity
    sector: power
    population: 600000
    impact: { confidentiality: low, integrity: high, availability: high }
  - id: water-supply
    name: Drinking water supply
    sector: water
    population: 540000
    impact: { confidentiality: low, integrity: high, availability: high }
    objectives: { rto: 12h, rpo: 1h, mtd: 48h, restore: [ { level: 0.9, within: 24h } ] }
    fallback: { level: 0.5, after: 2h, lasts: 3d }     # manual operation, see [DEP-6]
    requires:
      - all: [water-scada, pump-station-north]
      - { service: electricity, buffer: 12h }           # storage tanks ride through 12 h without power
assets:
  - id: water-scada
    name: Water SCADA server
    kind: scada-server
    layer: ot
    zone: water-control
    vendor: acme-automation
    software: [ { product: Acme SCADA, vendor: Acme, version: "5.2" } ]
    auth: password
    protocols: [modbus, dnp3, https]
    monitored: true
    backup: { every: 24h, offline: true, tested: 2026-03-01, restore: 8h }
    rebuild: 5d
    requires:
      - any: [core-switch-1, core-switch-2]
      - asset: domain-controller-1
      - { service: electricity, buffer: 4h }            # UPS
  - { id: pump-station-north, name: Pump station north PLC, kind: plc, layer: ot, zone: water-control }
  - { id: core-switch-1, name: Core switch 1, kind: switch, layer: network, zone: water-control }
  - { id: core-switch-2, name: Core switch 2, kind: switch, layer: network, zone: water-control }
  - { id: domain-controller-1, name: DC 1, kind: domain-controller, layer: it, zone: corp }
  - { id: fw-1, name: Firewall, kind: firewall, layer: network, zone: corp }
  - { id: vpn-ot, name: OT VPN, kind: vpn, layer: network, zone: water-control }
controls:
  - id: vendor-mfa
    name: MFA on vendor access
    status: candidate
    cost: { capex: 15000, opex: 3000 }
    frameworks: ["CSF:PR.AA-03", "CAF:B2.a", "62443:SR1.2"]
    patch:
      - { target: "vendors.acme-automation.remote_access[0]", set: { mfa: true } }
      - { target: conduits.it-to-ot, remove: true }
      - { target: conduits, add: [ { id: it-to-dmz, from: corp, to: water-control, via: fw-1 } ] }
crews:
  - { id: ot-team, count: 2, layers: [ot], sectors: [water] }
people:
  - { id: cro, name: Chief Resilience Officer, role: CRO, responsible: [all], backup: ciso }
  - { id: ciso, name: CISO, role: CISO, responsible: [water-supply], backup: cro }
`;

test("the spec's service, asset, requirement and control examples load unchanged (spec §2, §3, [CTL-1])", () => {
  const r = loadModelFromSources([{ file: "spec.yaml", text: MODEL }]);
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.line}:${i.column} ${i.message}`).join("\n"));
  const water = r.model.services.find((s) => s.id === "water-supply");
  expect(water?.objectives?.rto).toBe(12);
  expect(water?.objectives?.mtd).toBe(48);
  expect(water?.fallback).toEqual({ level: 0.5, after: 2, lasts: 72 });
  expect(water?.requires[1]).toEqual({
    kind: "all",
    k: 1,
    members: ["electricity"],
    memberKind: "service",
    buffer: 12,
    degrade: 0,
  });
  const scada = r.model.assets.find((a) => a.id === "water-scada");
  expect(scada?.backup).toEqual({ every: 24, offline: true, tested: "2026-03-01", restore: 8 });
  expect(scada?.requires[0]).toMatchObject({ kind: "any", k: 1, members: ["core-switch-1", "core-switch-2"] });
  expect(scada?.exposed).toBe(false);
  expect(r.model.services.find((s) => s.id === "electricity")?.requires).toEqual([]);
});
