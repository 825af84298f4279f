/**
 * The built-in scenario library. Each binds to any model by asset kinds, layers, zones' reachability and
 * service sectors (never by ids), so it runs on any city; steps that match nothing in a model do nothing.
 * Written as the same plain objects a scenario YAML file holds, and parsed by the same schema.
 */

const IT_HOSTS = ["workstation", "server", "domain-controller", "database", "application"];
/** Who reads mail: user workstations, and in a model without them, IT-layer hosts. */
const USERS = [{ kind: ["workstation"] }, { layer: ["it"], kind: ["workstation", "server", "application"] }];
const OT_ADJACENT = ["hmi", "historian", "engineering-workstation"];

export const BUILT_IN: Record<string, unknown> = {
  ransomware: {
    id: "ransomware",
    name: "Ransomware through phishing",
    description:
      "A phishing mail gives a foothold on an IT workstation; the attacker spreads through IT, reaches OT-adjacent hosts (HMIs, historians, engineering workstations) through the conduits, then encrypts servers and those hosts.",
    objective: { description: "disrupt the city: some service loses level" },
    attack: {
      entry: { via: "phishing", targets: USERS, attempts: 20 },
      steps: [
        {
          id: "spread-it",
          action: "compromise",
          targets: { kind: IT_HOSTS },
          max: 100,
          time: { lognormal: { median: "12h", p90: "3d" } },
        },
        {
          id: "reach-ot-adjacent",
          action: "compromise",
          targets: { kind: [...OT_ADJACENT, "scada-server"] },
          max: 40,
          time: { lognormal: { median: "12h", p90: "3d" } },
        },
        {
          id: "encrypt",
          action: "encrypt",
          targets: { kind: [...IT_HOSTS, ...OT_ADJACENT, "scada-server"] },
          time: { uniform: ["0h", "2h"] },
        },
      ],
    },
  },
  "grid-attack": {
    id: "grid-attack",
    name: "Grid attack in the style of Ukraine 2015",
    description:
      "Spear-phishing into IT, months of reconnaissance compressed into days, then the SCADA of the power sector is hijacked to open breakers (field devices denied until crews close them by hand), HMIs are wiped, serial-to-Ethernet gateways are bricked, and the call centre is flooded.",
    objective: { description: "cut electricity: a power service loses level", sectors: ["power"] },
    attack: {
      entry: { via: "phishing", targets: USERS, attempts: 30 },
      steps: [
        {
          id: "spread-it",
          action: "compromise",
          targets: { kind: IT_HOSTS },
          max: 50,
          time: { lognormal: { median: "1d", p90: "4d" } },
        },
        {
          id: "take-scada",
          action: "compromise",
          targets: { sector: ["power"], kind: ["scada-server", "hmi", "engineering-workstation", "historian", "vpn"] },
          time: { lognormal: { median: "2d", p90: "7d" } },
        },
        {
          id: "open-breakers",
          action: "deny",
          on: "reachable",
          targets: { sector: ["power"], kind: ["rtu", "ied", "plc", "actuator"] },
          time: { uniform: ["0h", "1h"] },
          restore: { lognormal: { median: "4h", p90: "12h" } },
        },
        {
          id: "brick-gateways",
          action: "destroy",
          on: "reachable",
          targets: { sector: ["power"], kind: ["gateway"] },
          time: { uniform: ["0h", "1h"] },
        },
        {
          id: "wipe-hmis",
          action: "destroy",
          targets: { sector: ["power"], kind: ["hmi", "scada-server", "engineering-workstation"] },
          time: { uniform: ["0h", "30m"] },
        },
        {
          id: "flood-call-centre",
          action: "deny",
          on: "reachable",
          probability: 0.9,
          targets: { sector: ["power", "emergency", "government"], exposed: true },
          time: "0h",
          for: { lognormal: { median: "6h", p90: "1d" } },
        },
      ],
    },
  },
  "traffic-signals": {
    id: "traffic-signals",
    name: "Traffic signal controllers compromised",
    description:
      "From an exposed system (the traffic centre's own, else any), the attacker works through the network to the traffic management servers and the signal controllers, and switches the signals off (dark or flashing).",
    objective: { description: "dark or wrong signals: a traffic service loses level", sectors: ["traffic"] },
    attack: {
      entry: { via: "exposed", targets: [{ sector: ["traffic"] }, {}], attempts: 10 },
      steps: [
        {
          id: "pivot",
          action: "compromise",
          targets: { kind: IT_HOSTS },
          max: 20,
          time: { lognormal: { median: "12h", p90: "3d" } },
        },
        {
          id: "take-traffic-centre",
          action: "compromise",
          targets: {
            sector: ["traffic"],
            kind: ["server", "application", "database", "workstation", "gateway", "router", "traffic-controller"],
          },
          max: 500,
          time: { lognormal: { median: "12h", p90: "3d" } },
        },
        {
          id: "signals-dark",
          action: "deny",
          on: "reachable",
          targets: { kind: ["traffic-controller"] },
          time: { uniform: ["0h", "1h"] },
          restore: { lognormal: { median: "3h", p90: "12h" } },
        },
      ],
    },
  },
  "water-manipulation": {
    id: "water-manipulation",
    name: "Pump and valve commands through the water SCADA",
    description:
      "From a foothold in IT or through exposed remote access, the attacker reaches the water SCADA and sends pump and valve commands: the service runs degraded until the manipulation is detected.",
    objective: {
      description: "unsafe or interrupted water: a water or wastewater service loses level",
      sectors: ["water", "wastewater"],
    },
    attack: {
      entry: { via: "phishing", targets: USERS, attempts: 20 },
      steps: [
        {
          id: "spread-it",
          action: "compromise",
          targets: { kind: IT_HOSTS },
          max: 30,
          time: { lognormal: { median: "12h", p90: "3d" } },
        },
        {
          id: "take-scada",
          action: "compromise",
          targets: {
            sector: ["water", "wastewater"],
            kind: ["scada-server", "hmi", "engineering-workstation", "historian", "vpn", "gateway"],
          },
          time: { lognormal: { median: "1d", p90: "5d" } },
        },
        {
          id: "commands",
          action: "manipulate",
          on: "reachable",
          level: 0.3,
          targets: { sector: ["water", "wastewater"], kind: ["plc", "rtu", "actuator"] },
          time: { uniform: ["0h", "2h"] },
        },
      ],
    },
  },
  "sensor-poisoning": {
    id: "sensor-poisoning",
    name: "False sensor readings",
    description:
      "Sensors reachable from a foothold send false readings: the services that rely on them run at a reduced level (integrity loss) until detected.",
    objective: { description: "services run on false readings: some service loses level" },
    attack: {
      entry: { via: "exposed", targets: { layer: ["iot", "ot", "network"] }, attempts: 10 },
      steps: [
        {
          id: "reach-field",
          action: "compromise",
          targets: { kind: ["gateway", "sensor", "router", "radio"] },
          max: 100,
          time: { lognormal: { median: "6h", p90: "2d" } },
        },
        {
          id: "poison",
          action: "manipulate",
          on: "reachable",
          level: 0.6,
          targets: { kind: ["sensor", "smart-meter"] },
          time: { uniform: ["0h", "6h"] },
        },
      ],
    },
  },
  "supply-chain": {
    id: "supply-chain",
    name: "Through a vendor's remote access",
    description:
      "The attacker holds a vendor and uses its remote access into the city's zones [NET-2], spreads there and encrypts or disables what it reaches.",
    objective: { description: "disrupt the city through a vendor: some service loses level" },
    attack: {
      entry: { via: "vendor", attempts: 5, time: { lognormal: { median: "1d", p90: "1w" } } },
      steps: [
        { id: "spread", action: "compromise", targets: {}, max: 100, time: { lognormal: { median: "6h", p90: "2d" } } },
        {
          id: "encrypt-hosts",
          action: "encrypt",
          targets: { kind: [...IT_HOSTS, ...OT_ADJACENT, "scada-server"] },
          time: { uniform: ["0h", "2h"] },
        },
        {
          id: "stop-devices",
          action: "deny",
          targets: { kind: ["plc", "rtu", "ied", "traffic-controller", "gateway", "actuator"] },
          time: { uniform: ["0h", "2h"] },
        },
      ],
    },
  },
  "ddos-citizen-services": {
    id: "ddos-citizen-services",
    name: "DDoS on citizen services",
    description:
      "A volumetric denial of service on everything the city exposes to the internet for citizens; it stops by itself when the attackers move on or mitigation kicks in.",
    objective: {
      description:
        "citizen-facing services unreachable: a government, health, transport, emergency, finance or other service loses level",
      sectors: ["government", "health", "transport", "emergency", "finance", "other"],
    },
    attack: {
      steps: [
        {
          id: "flood",
          action: "deny",
          on: "reachable",
          probability: 0.85,
          targets: { exposed: true, sector: ["government", "health", "transport", "emergency", "finance", "other"] },
          time: { uniform: ["0h", "1h"] },
          for: { lognormal: { median: "8h", p90: "2d" } },
        },
      ],
    },
    detection: { monitored: { probability: 1, delay: "15m" }, unmonitored: { probability: 1, delay: "1h" } },
  },
};

export const BUILT_IN_IDS = Object.keys(BUILT_IN);
