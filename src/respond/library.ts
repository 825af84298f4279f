/**
 * Built-in CACAO 2.0 playbooks, one per built-in scenario (src/simulate/library.ts), written for a city's
 * incident team ([PBK-5]). Like the scenarios, they bind to any model by function, never by id: agents by
 * the sectors people answer for, role keywords or the overall lead; steps by asset kinds, layers and
 * sectors. Each is built as plain CACAO JSON and passes the same validation as an imported file.
 */
import { createHash } from "node:crypto";
import type { AssetKind } from "../model/primitives.ts";
import type { Selector } from "../simulate/scenario.ts";
import { type AgentBinding, RAMPART_EXTENSION, RAMPART_EXTENSION_DEFINITION, type StepBinding } from "./binding.ts";
import type { Playbook } from "./cacao.ts";

/** A deterministic UUID (version 5 layout) from a name, so built-in ids never change. */
export function uuidFrom(name: string): string {
  const h = createHash("sha256").update(`rampart-playbook:${name}`).digest("hex");
  const variant = ((Number.parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

type Agent = { name: string; bind: AgentBinding };
type StepSpec = {
  name: string;
  description: string;
  command: string;
  agent: keyof typeof AGENTS | string;
  accountable?: string;
  consulted?: string[];
  informed?: string[];
  targets?: Selector | Selector[];
  phase: NonNullable<StepBinding["phase"]>;
};

const AGENTS: Record<string, Agent> = {
  lead: { name: "Incident commander (the city's overall resilience lead)", bind: { overall: true } },
  security: { name: "Security lead (CISO or security operations)", bind: { keywords: ["security", "ciso"] } },
  it: { name: "City IT operations", bind: { sectors: ["government"] } },
};
const ops = (label: string, sectors: NonNullable<AgentBinding["sectors"]>): Agent => ({
  name: `${label} operations (people answering for ${sectors.join(", ")} services)`,
  bind: { sectors },
});

const CREATED = "2026-12-01T00:00:00.000Z";
const IDENTITY = RAMPART_EXTENSION_DEFINITION.created_by;
const IT_HOSTS: AssetKind[] = ["workstation", "server", "domain-controller", "database", "application"];
const OT_ADJACENT: AssetKind[] = ["hmi", "historian", "engineering-workstation", "scada-server"];

function build(
  scenario: string,
  name: string,
  description: string,
  agents: Record<string, Agent>,
  steps: StepSpec[],
): Playbook {
  const all = { ...AGENTS, ...agents };
  const agentId = (k: string) => `group--${uuidFrom(`${scenario}/agent/${k}`)}`;
  const used = new Set<string>();
  for (const s of steps)
    for (const k of [s.agent, s.accountable, ...(s.consulted ?? []), ...(s.informed ?? [])]) if (k) used.add(k);
  const start = `start--${uuidFrom(`${scenario}/start`)}`;
  const end = `end--${uuidFrom(`${scenario}/end`)}`;
  const ids = steps.map((s, i) => `action--${uuidFrom(`${scenario}/step/${i}/${s.name}`)}`);
  const workflow: Playbook["workflow"] = { [start]: { type: "start", name: "Start", on_completion: ids[0] ?? end } };
  steps.forEach((s, i) => {
    const ext: StepBinding = { phase: s.phase };
    if (s.accountable) ext.accountable = agentId(s.accountable);
    if (s.consulted) ext.consulted = s.consulted.map(agentId);
    if (s.informed) ext.informed = s.informed.map(agentId);
    if (s.targets) ext.targets = s.targets;
    workflow[ids[i]] = {
      type: "action",
      name: s.name,
      description: s.description,
      commands: [{ type: "manual", command: s.command }],
      agent: agentId(s.agent),
      on_completion: ids[i + 1] ?? end,
      step_extensions: { [RAMPART_EXTENSION]: ext },
    };
  });
  workflow[end] = { type: "end", name: "End" };
  return {
    type: "playbook",
    spec_version: "cacao-2.0",
    id: `playbook--${uuidFrom(scenario)}`,
    name,
    description,
    playbook_types: ["mitigation", "remediation"],
    playbook_activities: ["restrict-access", "eliminate-risk", "restore-capabilities"],
    created_by: IDENTITY,
    created: CREATED,
    modified: CREATED,
    labels: [`rampart-scenario:${scenario}`],
    workflow_start: start,
    workflow,
    agent_definitions: Object.fromEntries(
      [...used]
        .sort()
        .map((k) => [
          agentId(k),
          { type: "group", name: all[k].name, agent_target_extensions: { [RAMPART_EXTENSION]: all[k].bind } },
        ]),
    ),
    extension_definitions: { [RAMPART_EXTENSION]: RAMPART_EXTENSION_DEFINITION },
  };
}

const REVIEW = (what: string): StepSpec => ({
  name: "Close out: lessons and evidence",
  description: `Hold the after-action review of the ${what}: what was seen first, what slowed containment and recovery, which findings and controls to act on. Attach the timeline and evidence hashes to the case.`,
  command:
    "Book the review within a week; collect the case timeline, evidence list and the people involved; record actions with owners and dates.",
  agent: "lead",
  consulted: ["security"],
  phase: "review",
});

export const BUILT_IN_PLAYBOOKS: Record<string, Playbook> = {
  ransomware: build(
    "ransomware",
    "Ransomware in city systems",
    "Respond to ransomware that started with a phished workstation and may have reached hosts next to the control systems: cut it off, keep essential services on manual where they can be, rebuild from clean backups, restore in order of what the city needs most.",
    { ot: ops("Control room", ["power", "water", "wastewater", "emergency", "health"]) },
    [
      {
        name: "Isolate infected hosts",
        description:
          "Take the infected and suspect hosts off the network (switch port or EDR isolation), and shut the conduits between the IT zones and the OT zones until they are checked.",
        command:
          "Isolate every host showing encryption or the attacker's tools; block the IT-to-OT conduits at their firewalls; disable accounts used by the attacker; keep a note of each action with its time.",
        agent: "security",
        accountable: "lead",
        informed: ["ot", "it"],
        targets: { kind: IT_HOSTS },
        phase: "contain",
      },
      {
        name: "Switch essential services to manual operation",
        description:
          "Where a control room depends on an encrypted HMI, historian or engineering workstation, move to the service's fallback (manual operation, local control) before its ride-through runs out.",
        command:
          "For each service at risk, start its fallback procedure; confirm local control at each site by phone or radio; log the time each fallback started.",
        agent: "ot",
        accountable: "lead",
        consulted: ["security"],
        targets: { kind: OT_ADJACENT },
        phase: "contain",
      },
      {
        name: "Find how they got in and remove every foothold",
        description:
          "Trace the phishing mail and the accounts and tools the attacker used; reset credentials, remove persistence, and check the domain controllers before anything is reconnected.",
        command:
          "Search mail for the lure and block its senders and links; reset passwords of touched accounts (and the KRBTGT key twice); remove scheduled tasks, services and remote tools left behind.",
        agent: "security",
        accountable: "lead",
        consulted: ["it"],
        targets: { kind: ["domain-controller", "workstation"] },
        phase: "eradicate",
      },
      {
        name: "Rebuild and restore from clean backups",
        description:
          "Rebuild encrypted servers and OT-adjacent hosts from known-good images and restore data from backups taken before the intrusion, most critical services first.",
        command:
          "Check each backup is from before the first sign of compromise and scans clean; rebuild, patch, restore; mark each asset restored in the case as it comes back.",
        agent: "it",
        accountable: "lead",
        consulted: ["ot"],
        targets: { kind: [...IT_HOSTS, ...OT_ADJACENT] },
        phase: "recover",
      },
      REVIEW("ransomware incident"),
    ],
  ),
  "grid-attack": build(
    "grid-attack",
    "Attack on the electricity grid's control",
    "Respond to an attacker operating the power SCADA to open breakers, wiping HMIs and bricking gateways: take control back, restore supply by hand, rebuild the control system, and keep the public informed.",
    { power: ops("Grid", ["power"]) },
    [
      {
        name: "Take SCADA off the network and go to manual",
        description:
          "Disconnect the power control centre from the corporate network and remote access; send crews to substations to operate breakers locally.",
        command:
          "Open the conduits from IT and vendor access into the power zones; dispatch crews to each affected substation; keep a log of every breaker operated by hand.",
        agent: "power",
        accountable: "lead",
        consulted: ["security"],
        targets: { sector: ["power"], kind: ["scada-server", "hmi", "engineering-workstation", "vpn", "gateway"] },
        phase: "contain",
      },
      {
        name: "Restore supply by hand",
        description:
          "Close breakers locally to bring feeders back, hospitals, water pumping and emergency services first; keep substations staffed until remote control is trusted again.",
        command:
          "Re-energise feeders in the agreed priority order; confirm supply at critical sites by phone; record each feeder's restore time.",
        agent: "power",
        accountable: "lead",
        informed: ["security"],
        targets: { sector: ["power"], kind: ["ied", "rtu", "plc", "actuator"] },
        phase: "contain",
      },
      {
        name: "Clear the attacker from IT and the control system",
        description:
          "Find the foothold in IT, the accounts used on the SCADA and any firmware changes; remove them before anything is reconnected.",
        command:
          "Reset every account used on SCADA and in IT; compare field device firmware with known-good versions; remove implants and remote tools.",
        agent: "security",
        accountable: "lead",
        consulted: ["power"],
        targets: { kind: IT_HOSTS },
        phase: "eradicate",
      },
      {
        name: "Rebuild HMIs and replace gateways",
        description:
          "Reinstall wiped HMIs and engineering workstations from clean images; replace bricked serial-to-Ethernet gateways from spares; bring remote control back one substation at a time.",
        command:
          "Rebuild, test with the protection engineers, reconnect; mark each asset restored in the case when remote control is verified.",
        agent: "power",
        accountable: "lead",
        targets: { sector: ["power"], kind: ["hmi", "engineering-workstation", "gateway", "scada-server"] },
        phase: "recover",
      },
      REVIEW("grid incident"),
    ],
  ),
  "traffic-signals": build(
    "traffic-signals",
    "Traffic signal controllers compromised",
    "Respond to an attacker changing or darkening traffic signals through the traffic control centre: make junctions safe, cut the attacker off, restore signal plans from known-good copies.",
    { traffic: ops("Traffic", ["traffic", "transport"]) },
    [
      {
        name: "Make junctions safe",
        description:
          "Put affected signals into flashing or a fixed safe plan, and ask the police to direct traffic at the busiest junctions; warn the public.",
        command:
          "Switch affected controllers to local fixed-time or flashing; request police at the priority junctions; publish a travel warning.",
        agent: "traffic",
        accountable: "lead",
        informed: ["security"],
        targets: { kind: ["traffic-controller"] },
        phase: "contain",
      },
      {
        name: "Cut the traffic centre off",
        description:
          "Disconnect the traffic management system from the internet and the corporate network; close any exposed controller interfaces.",
        command:
          "Block exposed controller and centre addresses at the edge; disable remote access accounts; keep logs for the investigation.",
        agent: "security",
        accountable: "lead",
        consulted: ["traffic"],
        targets: { sector: ["traffic"], kind: ["server", "application", "workstation", "gateway", "router"] },
        phase: "contain",
      },
      {
        name: "Remove the attacker's access",
        description:
          "Find how the centre was reached (exposed device, stolen credentials) and close it; reset every credential on controllers and the centre.",
        command: "Change controller and centre passwords; patch or replace the exposed entry; check for altered plans.",
        agent: "security",
        accountable: "lead",
        targets: { sector: ["traffic"] },
        phase: "eradicate",
      },
      {
        name: "Restore signal plans",
        description:
          "Load signal timing plans from known-good copies and bring controllers back under central control one corridor at a time.",
        command: "Restore each controller's plan, verify on site or by camera, mark it restored in the case.",
        agent: "traffic",
        accountable: "lead",
        targets: { kind: ["traffic-controller"] },
        phase: "recover",
      },
      REVIEW("traffic signal incident"),
    ],
  ),
  "water-manipulation": build(
    "water-manipulation",
    "Pump and valve commands through the water SCADA",
    "Respond to an attacker sending commands to pumps and valves of the water or wastewater system: keep water safe and flowing on manual, cut remote control, verify setpoints and water quality, restore.",
    { water: ops("Water", ["water", "wastewater"]) },
    [
      {
        name: "Take plants to local manual control",
        description:
          "Operators take pumps and valves to local manual control and check tank levels, pressures and dosing against safe limits.",
        command:
          "Switch PLCs to local/manual at each affected site; check chemical dosing and tank levels by hand; increase sampling of water quality.",
        agent: "water",
        accountable: "lead",
        informed: ["security"],
        targets: { sector: ["water", "wastewater"], kind: ["plc", "rtu", "actuator"] },
        phase: "contain",
      },
      {
        name: "Cut remote access to the water SCADA",
        description:
          "Disconnect the water SCADA from IT, vendors and the internet; disable the accounts and sessions that sent the commands.",
        command: "Close the conduits into the water control zones; end vendor sessions; disable suspect accounts.",
        agent: "security",
        accountable: "lead",
        consulted: ["water"],
        targets: {
          sector: ["water", "wastewater"],
          kind: ["scada-server", "hmi", "engineering-workstation", "vpn", "gateway"],
        },
        phase: "contain",
      },
      {
        name: "Verify logic, setpoints and water quality",
        description:
          "Compare PLC logic and setpoints with the known-good copies and remove the attacker's changes; confirm water quality with the laboratory before normal supply advice is given.",
        command:
          "Download and compare each PLC program; restore known-good logic; get laboratory results; decide on public advice with the health authority.",
        agent: "water",
        accountable: "lead",
        consulted: ["security"],
        targets: { sector: ["water", "wastewater"], kind: ["plc", "rtu"] },
        phase: "eradicate",
      },
      {
        name: "Return to remote operation",
        description:
          "Bring remote control back site by site once logic and access are clean; mark each asset restored.",
        command: "Reconnect one site at a time with monitoring on; mark the assets restored in the case.",
        agent: "water",
        accountable: "lead",
        targets: { sector: ["water", "wastewater"], kind: ["scada-server", "hmi", "plc", "rtu"] },
        phase: "recover",
      },
      REVIEW("water control incident"),
    ],
  ),
  "sensor-poisoning": build(
    "sensor-poisoning",
    "False sensor readings",
    "Respond to sensors reporting false values so that operators or automatic control act on them: stop automatic actions on untrusted readings, verify by hand, replace or recalibrate, restore trust.",
    { field: ops("Operations", ["power", "water", "wastewater", "environment", "traffic"]) },
    [
      {
        name: "Stop acting on untrusted readings",
        description:
          "Put the control loops that use the suspect sensors into manual and tell the control rooms which readings not to trust.",
        command: "List the suspect sensors; put dependent loops in manual; post the list in the control rooms.",
        agent: "field",
        accountable: "lead",
        informed: ["security"],
        targets: { kind: ["sensor", "smart-meter"] },
        phase: "contain",
      },
      {
        name: "Close the path to the sensors",
        description: "Block the gateways and radios the attacker used to reach the field network.",
        command: "Restrict gateway and radio access to the control centre only; rotate keys; check for rogue devices.",
        agent: "security",
        accountable: "lead",
        targets: { kind: ["gateway", "router", "radio"] },
        phase: "eradicate",
      },
      {
        name: "Verify and recalibrate sensors",
        description:
          "Check each suspect sensor against a hand measurement; recalibrate or replace it; return its loop to automatic when it agrees.",
        command: "Measure on site; recalibrate or swap; mark each sensor restored in the case.",
        agent: "field",
        accountable: "lead",
        targets: { kind: ["sensor", "smart-meter"] },
        phase: "recover",
      },
      REVIEW("false readings incident"),
    ],
  ),
  "supply-chain": build(
    "supply-chain",
    "Attack through a vendor's remote access",
    "Respond to an attacker who came in through a supplier's remote access: cut every vendor path, find what was touched, rebuild and let the vendor back only with strong controls.",
    { ot: ops("Control room", ["power", "water", "wastewater", "traffic", "emergency", "health"]) },
    [
      {
        name: "Cut every vendor remote access",
        description: "Disable vendor VPN accounts and always-on links until each vendor confirms it is clean.",
        command:
          "Disable vendor accounts and tunnels; block vendor source addresses; tell vendors why and what is needed.",
        agent: "security",
        accountable: "lead",
        informed: ["ot", "it"],
        targets: { kind: ["vpn", "gateway", "router"] },
        phase: "contain",
      },
      {
        name: "Keep services running by hand",
        description: "Move services whose controllers were stopped to their fallback operation.",
        command: "Start the fallback procedures of the affected services; log start times.",
        agent: "ot",
        accountable: "lead",
        targets: { kind: ["plc", "rtu", "ied", "traffic-controller", "actuator"] },
        phase: "contain",
      },
      {
        name: "Find and remove what the attacker touched",
        description: "Review the vendor sessions' logs, find every host and device reached, remove tools and changes.",
        command: "Collect session logs; list touched hosts; clean or isolate each; compare device configurations.",
        agent: "security",
        accountable: "lead",
        consulted: ["ot"],
        targets: { kind: [...IT_HOSTS, ...OT_ADJACENT] },
        phase: "eradicate",
      },
      {
        name: "Rebuild and reconnect under control",
        description:
          "Rebuild encrypted hosts, restart stopped devices with verified configuration, and allow vendor access again only with MFA and on request.",
        command: "Rebuild and verify; re-enable vendor access with MFA and session approval; mark assets restored.",
        agent: "it",
        accountable: "lead",
        consulted: ["ot", "security"],
        targets: { kind: [...IT_HOSTS, ...OT_ADJACENT, "plc", "rtu", "gateway"] },
        phase: "recover",
      },
      REVIEW("supply-chain incident"),
    ],
  ),
  "ddos-citizen-services": build(
    "ddos-citizen-services",
    "DDoS on citizen services",
    "Respond to a flood of traffic against the city's public services: keep emergency lines and essential information reachable, filter the attack with the providers, restore the services.",
    { public: ops("Citizen services", ["government", "health", "transport", "emergency", "finance", "other"]) },
    [
      {
        name: "Keep emergency contact and information reachable",
        description:
          "Make sure emergency numbers and essential public information stay reachable by other channels while the portals are down.",
        command: "Publish updates on social media and radio; confirm emergency lines are unaffected.",
        agent: "lead",
        informed: ["public"],
        phase: "contain",
      },
      {
        name: "Filter the attack with the providers",
        description:
          "Turn on upstream scrubbing or a content delivery network's protection; rate-limit the exposed services.",
        command:
          "Call the internet provider's security desk; enable DDoS protection; add rate limits; keep the traffic graphs.",
        agent: "security",
        accountable: "lead",
        consulted: ["it"],
        targets: { exposed: true },
        phase: "eradicate",
      },
      {
        name: "Bring the services back",
        description: "Restore the portals and payment services behind the protection; confirm they hold under load.",
        command: "Restart services behind the filters; watch error rates; mark each asset restored in the case.",
        agent: "it",
        accountable: "lead",
        targets: { exposed: true },
        phase: "recover",
      },
      REVIEW("DDoS incident"),
    ],
  ),
};

export const BUILT_IN_PLAYBOOK_IDS = Object.keys(BUILT_IN_PLAYBOOKS);

/** The file text of a built-in playbook (what `playbook export` writes; issues are located in it). */
export function builtInText(scenario: string): string | undefined {
  const pb = BUILT_IN_PLAYBOOKS[scenario];
  return pb ? `${JSON.stringify(pb, null, 2)}\n` : undefined;
}
