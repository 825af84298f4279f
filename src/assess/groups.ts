/**
 * Findings a team can work through: where each finding sits (zones, owners), accepted risks, and the grouping of
 * findings by root cause and by the fix that closes them, ranked by consequence ([FND-1]-[FND-4],
 * docs/specs/findings.md). Pure: the assessment date comes in.
 */
import type { CityIndex } from "../model/graph.ts";
import type { CategoryArrays } from "./categorize.ts";
import type { Acceptance, AcceptedRisk, Finding, FindingGroup, Severity } from "./types.ts";

/** A root cause and the fix that closes it: the rules it gathers, its title and its remediation, said once. */
export type Theme = { id: string; title: string; rules: string[]; remediation: string };

export const THEMES: readonly Theme[] = [
  {
    id: "vendor-access",
    title: "Vendor remote access without MFA or always on",
    rules: ["vendor-no-mfa", "vendor-always-on"],
    remediation:
      "Broker every vendor session through a jump host the city controls: MFA, enabled on request for a limited time, recorded.",
  },
  {
    id: "internet-exposure",
    title: "OT, IoT and remote access reachable straight from the internet",
    rules: ["exposed-ot", "exposed-remote-no-mfa"],
    remediation:
      "Remove direct internet exposure; remote access only through a DMZ jump host with MFA (or certificates).",
  },
  {
    id: "weak-auth",
    title: "Devices with default credentials or no authentication",
    rules: ["weak-auth"],
    remediation:
      "Set unique credentials kept in a vault and rotated; put an authenticating gateway in front of devices that have none.",
  },
  {
    id: "conduits",
    title: "Conduits that bypass the DMZ or carry cleartext OT protocols across zones",
    rules: ["no-dmz", "cleartext-crossing"],
    remediation:
      "Route IT-to-OT flows through the industrial DMZ with brokered connections; encrypt and authenticate what crosses zones.",
  },
  {
    id: "fallback",
    title: "Services that cannot be restored within their maximum tolerable downtime and have no fallback",
    rules: ["mtd-no-fallback"],
    remediation:
      "Provide a manual or degraded fallback, or cut the restore time (offline images, spare hardware, standby systems).",
  },
  {
    id: "end-of-life",
    title: "End-of-life software without security fixes",
    rules: ["end-of-life"],
    remediation: "Replace or upgrade; until then isolate it, remove internet exposure and watch it closely.",
  },
  {
    id: "redundancy",
    title: "Single points of failure and redundancy defeated by a shared dependency",
    rules: ["spof", "common-cause"],
    remediation: "Add a redundant path that shares nothing with the one in place (feed, switch, site), or a fallback.",
  },
  {
    id: "backups",
    title: "Backups missing, online only, or less frequent than the RPO",
    rules: ["no-backup", "backup-online", "backup-over-rpo"],
    remediation:
      "Keep an immutable or offline copy of every stateful system, taken at least as often as its services' RPO.",
  },
  {
    id: "restore",
    title: "Restores never tested, not tested this year, or slower than the RTO",
    rules: ["restore-untested", "restore-stale", "restore-over-rto"],
    remediation: "Test and time each restore at least yearly; shorten those slower than the RTO (images, standby).",
  },
  {
    id: "monitoring",
    title: "Assets high-availability services need that security monitoring does not see",
    rules: ["unmonitored-critical"],
    remediation: "Send their logs and network traffic to security monitoring, with alerts someone answers.",
  },
  {
    id: "sl-gap",
    title: "Zones below their IEC 62443 target security level",
    rules: ["sl-gap"],
    remediation:
      "Apply the missing IEC 62443-3-3 requirements to each zone's assets and conduits, or accept the gap formally.",
  },
  {
    id: "vendor-concentration",
    title: "One vendor maintains or reaches several high-availability services",
    rules: ["vendor-concentration"],
    remediation: "Separate each vendor's accounts and accesses per service and plan for the vendor being compromised.",
  },
  {
    id: "ownership",
    title: "Critical services without a responsible person or a backup person",
    rules: ["no-owner", "no-deputy"],
    remediation: "Name a responsible person and a backup for every critical service.",
  },
];

const THEME_OF = new Map<string, Theme>(THEMES.flatMap((t) => t.rules.map((r) => [r, t])));

const TIER: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1 };
const EXPOSURE_RANK = { internet: 2, reachable: 1, internal: 0 } as const;
/** Themes about recovering from an outage of any cause (fault, weather or attack): exposure does not discount them. */
const RESILIENCE = new Set(["fallback", "redundancy", "backups", "restore", "ownership"]);

/** The group id of a finding: its theme, or `kev:<family>` for a KEV match, or the rule id itself. */
export function groupIdOf(f: Pick<Finding, "rule" | "kev">): string {
  if (f.rule === "kev" && f.kev) return `kev:${f.kev.family}`;
  return THEME_OF.get(f.rule)?.id ?? f.rule;
}

/** [FND-5] KEV classes: product families whose every host is of one kind of device share one group and one fix. */
export const KEV_CLASSES = [
  {
    id: "kev:network-devices",
    label: "Network boundary devices (firewalls, VPN gateways, routers)",
    remediation:
      "Patch or mitigate per vendor guidance, first the devices the internet reaches; take their management interfaces off the internet and watch them for compromise (they are the first target of intrusions).",
  },
  {
    id: "kev:ot-products",
    label: "OT products (PLCs, SCADA and engineering systems)",
    remediation:
      "Patch per the vendor's ICS advisory in a maintenance window agreed with operations; until then keep the hosts off the internet and behind the zone's conduits, and watch them.",
  },
] as const;

/**
 * [FND-5] Reassigns KEV findings of a product family (not a platform family: fewer than `broad` entries) to a
 * class group when every host of the family in the model is a network boundary device (kind vpn, firewall,
 * router, gateway) or every one is in the OT layer. Returns the families gathered per class group.
 */
export function mergeKevClasses(index: CityIndex, findings: Finding[], broad: number): Map<string, string[]> {
  const BOUNDARY = new Set(["vpn", "firewall", "router", "gateway"]);
  const fam = new Map<string, { network: boolean; ot: boolean; broad: boolean }>();
  for (const f of findings) {
    if (f.rule !== "kev" || !f.kev) continue;
    const n = index.nodeOf.get(f.targets[0]);
    const a = n !== undefined && n < index.assetCount ? index.model.assets[n] : undefined;
    const e = fam.get(f.kev.family) ?? { network: true, ot: true, broad: false };
    e.network &&= a !== undefined && BOUNDARY.has(a.kind);
    e.ot &&= a !== undefined && a.layer === "ot";
    e.broad ||= f.kev.count >= broad;
    fam.set(f.kev.family, e);
  }
  const classOf = new Map<string, string>();
  for (const [family, e] of fam)
    if (!e.broad && (e.network || e.ot)) classOf.set(family, e.network ? KEV_CLASSES[0].id : KEV_CLASSES[1].id);
  const out = new Map<string, string[]>();
  for (const f of findings) {
    const c = f.rule === "kev" && f.kev ? classOf.get(f.kev.family) : undefined;
    if (!c || !f.kev) continue;
    f.group = c;
    const l = out.get(c) ?? [];
    if (!l.includes(f.kev.family)) l.push(f.kev.family);
    out.set(c, l);
  }
  return out;
}

/** Where the finding sits: zones of its targets, and the people who answer for the services at risk ([FND-4]). */
export function locate(
  index: CityIndex,
  f: Pick<Finding, "targets" | "services">,
): {
  zones: string[];
  owners: string[];
} {
  const { model } = index;
  const owners = ownersFor(index, f.services);
  // the common case: one asset
  if (f.targets.length === 1) {
    const n = index.nodeOf.get(f.targets[0]);
    if (n !== undefined && n < index.assetCount) return { zones: [model.assets[n].zone], owners };
  }
  const zones = new Set<string>();
  for (const t of f.targets) {
    const n = index.nodeOf.get(t);
    if (n !== undefined && n < index.assetCount) {
      zones.add(model.assets[n].zone);
      continue;
    }
    if (index.zoneOf.has(t) && t !== "internet") {
      zones.add(t);
      continue;
    }
    const ra = /^vendors\.([a-z0-9-]+)\.remote_access\[(\d+)\]$/.exec(t);
    if (ra) {
      const to = model.vendors.find((v) => v.id === ra[1])?.remote_access[Number(ra[2])]?.to;
      if (to) zones.add(to);
      continue;
    }
    const c = conduitById(index).get(t);
    if (c) {
      for (const z of [c.from, c.to]) if (z !== "internet") zones.add(z);
    }
  }
  return { zones: [...zones].sort(), owners };
}

/** The people who answer for the services: each one's named people, else those responsible for all. */
function ownersFor(index: CityIndex, services: readonly string[]): string[] {
  if (services.length === 0) return [];
  const named = ownersOf(index);
  let leads = leadCache.get(index);
  if (!leads) {
    leads = index.model.people.filter((p) => p.responsible.includes("all")).map((p) => p.id);
    leadCache.set(index, leads);
  }
  if (services.length === 1) {
    let one = oneCache.get(index);
    if (!one) {
      one = new Map();
      oneCache.set(index, one);
    }
    let o = one.get(services[0]);
    if (!o) {
      const l = named.get(services[0]);
      o = [...new Set(l?.length ? l : leads)].sort();
      one.set(services[0], o);
    }
    return o.slice();
  }
  const owners = new Set<string>();
  for (const s of services) {
    const l = named.get(s);
    for (const p of l?.length ? l : leads) owners.add(p);
  }
  return [...owners].sort();
}
const leadCache = new WeakMap<CityIndex, string[]>();
const oneCache = new WeakMap<CityIndex, Map<string, string[]>>();

const conduitCache = new WeakMap<CityIndex, Map<string, { from: string; to: string }>>();
function conduitById(index: CityIndex): Map<string, { from: string; to: string }> {
  let m = conduitCache.get(index);
  if (!m) {
    m = new Map(index.model.conduits.map((c) => [c.id, { from: c.from, to: c.to }]));
    conduitCache.set(index, m);
  }
  return m;
}
const phishCache = new WeakMap<CityIndex, Set<string>>();
/** Zones holding IT workstations: a phishing e-mail gives a foothold there. */
function phishable(index: CityIndex): Set<string> {
  let m = phishCache.get(index);
  if (!m) {
    m = new Set(index.model.assets.filter((a) => a.kind === "workstation" && a.layer === "it").map((a) => a.zone));
    phishCache.set(index, m);
  }
  return m;
}
const ownerCache = new WeakMap<CityIndex, Map<string, string[]>>();
function ownersOf(index: CityIndex): Map<string, string[]> {
  let m = ownerCache.get(index);
  if (!m) {
    m = new Map();
    for (const p of index.model.people)
      for (const s of p.responsible) {
        if (s === "all") continue;
        const l = m.get(s) ?? [];
        l.push(p.id);
        m.set(s, l);
      }
    ownerCache.set(index, m);
  }
  return m;
}

/**
 * [FND-3] The acceptance that covers a finding, if any: an accepted risk names the finding's rule or group and
 * (optionally) its first target. It holds through its `expires` day; after it the finding is raised again with a
 * note. When several cover one finding the one that expires last counts.
 */
export function acceptanceFor(f: Finding, accepted: readonly AcceptedRisk[], asOf: string): Acceptance | undefined {
  let best: AcceptedRisk | undefined;
  for (const a of accepted) {
    if (a.rule !== f.rule && a.rule !== f.group && !(f.kev && a.rule === `kev:${f.kev.family}`)) continue;
    if (a.target !== undefined && a.target !== f.targets[0]) continue;
    if (!best || a.expires > best.expires) best = a;
  }
  if (!best) return undefined;
  const base = {
    owner: best.owner,
    justification: best.justification,
    expires: best.expires,
    ...(best.id ? { id: best.id } : {}),
  };
  if (asOf <= best.expires) return { status: "accepted", ...base };
  return {
    status: "expired",
    ...base,
    note: `raised again: the risk acceptance by ${best.owner} expired on ${best.expires}`,
  };
}

export type GroupContext = {
  /** Per element: the controls that edit it (controlEdits). */
  edits: ReturnType<typeof controlEdits>;
  index: CityIndex;
  cat: CategoryArrays;
  /** Per asset: 1 when the internet reaches it ([NET-1] from the internet zone or an exposed asset's zone). */
  reach: Uint8Array;
  /** Node ids (assets) some reported attack path takes or targets. */
  onPath: ReadonlySet<string>;
};

/** The fields a rule reads on its first target: a control that sets one of them (or removes the target) may close it. */
const RULE_FIELDS: Record<string, readonly string[]> = {
  "weak-auth": ["auth"],
  "exposed-ot": ["exposed", "zone", "layer"],
  "exposed-remote-no-mfa": ["exposed", "auth", "protocols", "kind"],
  "end-of-life": ["end_of_life", "software"],
  kev: ["software"],
  "cleartext-crossing": ["protocols", "encrypted", "from", "to"],
  "no-dmz": ["from", "to", "direction"],
  "sl-gap": ["sl"],
  "vendor-no-mfa": ["mfa", "to"],
  "vendor-always-on": ["always_on", "to"],
  "unmonitored-critical": ["monitored"],
  "no-backup": ["backup"],
  "backup-online": ["backup"],
  "backup-over-rpo": ["backup"],
  "restore-untested": ["backup"],
  "restore-stale": ["backup"],
  "restore-over-rto": ["backup"],
  "mtd-no-fallback": ["fallback", "objectives", "backup", "rebuild"],
  spof: ["requires"],
  "common-cause": ["requires"],
  "vendor-concentration": ["remote_access", "vendor"],
};

/**
 * [FND-1] Per element (asset, conduit, zone, vendor access, service): the candidate or planned controls that
 * remove it or set a field, with the fields they set.
 */
export function controlEdits(index: CityIndex): Map<string, { control: string; fields: Set<string> | "remove" }[]> {
  const out = new Map<string, { control: string; fields: Set<string> | "remove" }[]>();
  const add = (el: string, control: string, fields: Set<string> | "remove") => {
    const l = out.get(el) ?? [];
    l.push({ control, fields });
    out.set(el, l);
  };
  for (const c of index.model.controls) {
    if (c.status === "implemented") continue;
    for (const op of c.patch) {
      if ("add" in op) continue;
      const m = /^(assets|conduits|zones|services|vendors)\.([a-z0-9][a-z0-9-]*)(.*)$/.exec(op.target);
      if (!m) continue;
      const fields = "remove" in op ? "remove" : new Set(Object.keys(op.set));
      if (m[1] !== "vendors") add(m[2], c.id, fields);
      else {
        const ra = /^\.remote_access\[(\d+)\]$/.exec(m[3]);
        if (ra) add(`vendors.${m[2]}.remote_access[${ra[1]}]`, c.id, fields);
        else if (m[3] === "") add(m[2], c.id, fields);
      }
    }
  }
  return out;
}

/** The controls that may close a finding: they remove its first target or set a field its rule reads. */
function closingControls(edits: ReturnType<typeof controlEdits>, f: Pick<Finding, "rule" | "targets">): string[] {
  const fields = RULE_FIELDS[f.rule];
  const out: string[] = [];
  for (const e of edits.get(f.targets[0]) ?? [])
    if (e.fields === "remove" || !fields || fields.some((x) => (e.fields as Set<string>).has(x))) out.push(e.control);
  return out;
}

/** How far the internet reaches a finding's targets. */
function exposureOf(ctx: GroupContext, f: Finding): FindingGroup["exposure"] {
  const { index } = ctx;
  let best: FindingGroup["exposure"] = f.kev?.internetReachable ? "reachable" : "internal";
  for (const t of f.targets) {
    const n = index.nodeOf.get(t);
    if (n !== undefined && n < index.assetCount) {
      if (index.model.assets[n].exposed) return "internet";
      if (ctx.reach[n]) best = "reachable";
      continue;
    }
    const c = conduitById(index).get(t);
    if (c && (c.from === "internet" || c.to === "internet")) return "internet";
    if (c && phishable(index).has(c.from)) best = "reachable"; // from a user network: one phishing e-mail away
    if (t === "internet") return "internet";
    if (/^vendors\./.test(t)) return "internet"; // a vendor's access comes in over the internet
  }
  return best;
}

/** A high-impact service at risk must serve at least this share of the city for a finding to stay critical. */
export const CRITICAL_SHARE = 0.2;

/**
 * [FND-2] Recalibrates severities from consequence: a finding a rule rates critical stays critical only when
 * (a) an attacker can get at it (the internet reaches a target, it is a vendor's access, or a reported attack path
 * passes through a target) or it is about recovering from an outage of any cause, and (b) a high-impact service
 * (availability or integrity high) serving at least a fifth of the city is at risk. Otherwise it becomes high.
 */
export function calibrate(ctx: GroupContext, findings: Finding[]): void {
  const { index, cat } = ctx;
  const cityPop = index.model.city.population;
  for (const f of findings) {
    if (f.severity !== "critical") continue;
    const theme = groupIdOf(f);
    const reachable =
      RESILIENCE.has(theme) || exposureOf(ctx, f) === "internet" || f.targets.some((t) => ctx.onPath.has(t));
    let people = 0;
    for (const s of f.services) {
      const n = index.nodeOf.get(s);
      if (n === undefined || n < index.assetCount) continue;
      if (cat.avail[n] === 2 || cat.integ[n] === 2)
        people = Math.max(people, index.model.services[n - index.assetCount].population);
    }
    if (!reachable || people < CRITICAL_SHARE * cityPop) f.severity = "high";
  }
}

/**
 * [FND-1] [FND-2] Groups findings by root cause and fix, ranks the groups by consequence. A group's severity is
 * the highest among its open findings (a group whose findings are all accepted keeps its highest severity but
 * ranks after every open group). Rank: severity, then exposure (internet, reachable, internal), then whether an
 * attack path goes through a target, then the people served by the high-impact services at risk, then the number
 * of targets.
 */
export function groupFindings(ctx: GroupContext, findings: Finding[]): FindingGroup[] {
  const { index, cat } = ctx;
  const byId = new Map<string, number[]>();
  findings.forEach((f, i) => {
    const l = byId.get(f.group);
    if (l) l.push(i);
    else byId.set(f.group, [i]);
  });
  const pop = new Map<string, { pop: number; j: number }>(
    index.model.services.map((s, j) => [s.id, { pop: s.population, j }]),
  );
  const highOf = new Map<string, boolean>(
    index.model.services.map((sv, j) => {
      const n = index.assetCount + j;
      return [sv.id, cat.avail[n] === 2 || cat.integ[n] === 2];
    }),
  );
  const high = (s: string) => highOf.get(s) === true;
  const cityPop = index.model.city.population;
  const out: (FindingGroup & { rank: number[] })[] = [];
  for (const [id, idx] of byId) {
    const fs = idx.map((i) => findings[i]);
    const open = fs.filter((f) => f.acceptance?.status !== "accepted");
    const sevFrom = open.length ? open : fs;
    let sev: Severity = "low";
    for (const f of sevFrom) if (TIER[f.severity] > TIER[sev]) sev = f.severity;
    let exposure: FindingGroup["exposure"] = "internal";
    let reached = false;
    for (const f of sevFrom) {
      if (f.severity !== sev) continue;
      if (exposure !== "internet") {
        const e = exposureOf(ctx, f);
        if (EXPOSURE_RANK[e] > EXPOSURE_RANK[exposure]) exposure = e;
      }
      if (!reached && f.targets.some((t) => ctx.onPath.has(t))) reached = true;
      if (exposure === "internet" && reached) break; // nothing further can change either
    }
    const targets = [...new Set(fs.map((f) => f.targets[0]))];
    const svc = new Set<string>();
    for (const f of fs) for (const s of f.services) svc.add(s);
    const services = [...svc].sort(
      (a, b) =>
        Number(high(b)) - Number(high(a)) || (pop.get(b)?.pop ?? 0) - (pop.get(a)?.pop ?? 0) || (a < b ? -1 : 1),
    );
    // consequence: the largest population a high-impact service at risk serves, and how many such services
    let people = 0;
    let highCount = 0;
    for (const f of sevFrom) {
      if (f.severity !== sev) continue;
      let n = 0;
      for (const s of f.services)
        if (high(s)) {
          n++;
          people = Math.max(people, pop.get(s)?.pop ?? 0);
        }
      highCount = Math.max(highCount, n);
    }
    const share = cityPop > 0 ? people / cityPop : 0;
    const consequence = share >= 0.5 ? 3 : share >= 0.2 ? 2 : people > 0 ? 1 : 0;
    // likelihood: the internet reaches it (2); reachable from an exposed zone or a phishing foothold, or on an
    // attack path or choke point (1, 2 with both); resilience themes 2 (an outage of any cause triggers them);
    // `fallback` 3 (once a restore is needed the MTD is breached for certain)
    const likelihood =
      id === "fallback"
        ? 3
        : RESILIENCE.has(id)
          ? 2
          : Math.min(2, EXPOSURE_RANK[exposure] + (reached && exposure !== "internet" ? 1 : 0));
    const points = likelihood + consequence;
    const zoneSet = new Set<string>();
    const ownerSet = new Set<string>();
    for (const f of fs) {
      for (const z of f.zones) zoneSet.add(z);
      for (const o of f.owners) ownerSet.add(o);
    }
    const zones = [...zoneSet].sort();
    const owners = [...ownerSet].sort();
    const controls = new Set<string>();
    for (const f of fs) for (const c of closingControls(ctx.edits, f)) controls.add(c);
    const theme = THEMES.find((t) => t.id === id);
    const first = fs[0];
    let title = theme?.title ?? first.rule;
    let remediation = theme?.remediation ?? first.remediation;
    let note: string | undefined;
    const cls = KEV_CLASSES.find((k) => k.id === id);
    let families: { family: string; targets: string[] }[] | undefined;
    if (cls) {
      const byFam = new Map<string, Set<string>>();
      for (const f of fs) if (f.kev) byFam.set(f.kev.family, (byFam.get(f.kev.family) ?? new Set()).add(f.targets[0]));
      families = [...byFam].map(([family, t]) => ({ family, targets: [...t] }));
      const cves = new Set(fs.flatMap((f) => f.kev?.cves ?? []));
      title = `${cls.label}: ${cves.size} known exploited vulnerabilit${cves.size === 1 ? "y" : "ies"} (CISA KEV) in ${families.length} product${families.length === 1 ? "" : "s"} on ${targets.length} host${targets.length === 1 ? "" : "s"}`;
      remediation = cls.remediation;
      note = `${families.map((x) => `${x.family} (${x.targets.join(", ")})`).join("; ")}. KEV names no fixed versions, so whether the installed version is affected is unknown: check each host's version against its CVEs (newest first).`;
    } else if (first.kev) {
      const fam = first.kev.family;
      const cves = new Set(fs.flatMap((f) => f.kev?.cves ?? []));
      const rw = Math.max(...fs.map((f) => f.kev?.ransomware ?? 0));
      title = `${fam}: ${cves.size} known exploited vulnerabilit${cves.size === 1 ? "y" : "ies"} (CISA KEV) on ${targets.length} host${targets.length === 1 ? "" : "s"}`;
      remediation = `Patch or mitigate per vendor guidance, first the hosts the internet reaches${rw ? ` and the ${rw} CVE${rw === 1 ? "" : "s"} used by ransomware` : ""}.`;
      note = `KEV names no fixed versions, so whether the installed version is affected is unknown: check each host's version against the ${cves.size} CVE${cves.size === 1 ? "" : "s"} (newest first).`;
    }
    const rules = [...new Set(fs.map((f) => f.rule))];
    out.push({
      id,
      title,
      severity: sev,
      score: 0,
      exposure,
      rules,
      findings: idx,
      open: open.length,
      accepted: fs.length - open.length,
      reraised: fs.filter((f) => f.acceptance?.status === "expired").length,
      targets,
      services,
      zones,
      owners,
      remediation,
      ...(note ? { note } : {}),
      controls: [...controls].sort(),
      ...(families ? { families } : {}),
      rank: [open.length ? 1 : 0, TIER[sev], points, highCount, targets.length],
    });
  }
  const order = (a: { rank: number[]; id: string }, b: { rank: number[]; id: string }) => {
    for (let k = 0; k < a.rank.length; k++) if (a.rank[k] !== b.rank[k]) return b.rank[k] - a.rank[k];
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
  out.sort(order);
  // a group whose targets all sit in groups ranked above it adds no new place to fix: it ranks after the groups of
  // its severity that do (the same hosts found by three rules are one problem on the first page, not three)
  const seen = new Set<string>();
  for (const g of out) {
    const novel = g.targets.some((t) => !seen.has(t));
    for (const t of g.targets) seen.add(t);
    g.rank.splice(2, 0, novel ? 1 : 0);
  }
  out.sort(order);
  const n = out.length;
  return out.map(({ rank, ...g }, i) => ({ ...g, score: n - i }));
}

export type FindingFilter = {
  severity?: Severity[];
  /** Rule ids or group ids. */
  rule?: string[];
  service?: string[];
  zone?: string[];
  owner?: string[];
  /** Leave out findings under a current acceptance. */
  open?: boolean;
};

const any = (want: string[] | undefined, have: readonly string[]) =>
  !want?.length || want.some((w) => have.includes(w));

/** [FND-4] Whether a finding passes the filter: every given criterion holds (any value within one criterion). */
export function matchesFilter(f: Finding, q: FindingFilter): boolean {
  if (q.severity?.length && !q.severity.includes(f.severity)) return false;
  if (
    q.rule?.length &&
    !q.rule.includes(f.rule) &&
    !q.rule.includes(f.group) &&
    !(f.kev && q.rule.includes(`kev:${f.kev.family}`))
  )
    return false;
  if (!any(q.service, f.services)) return false;
  if (!any(q.zone, f.zones)) return false;
  if (!any(q.owner, f.owners)) return false;
  if (q.open && f.acceptance?.status === "accepted") return false;
  return true;
}

/**
 * [FND-4] The report's findings and groups narrowed by a filter. Findings keep their order; each group keeps its
 * rank and is recounted over the findings that pass (its severity the highest among those still open).
 */
export function filterFindings(
  findings: readonly Finding[],
  groups: readonly FindingGroup[],
  q: FindingFilter,
): { findings: Finding[]; groups: FindingGroup[] } {
  const keep = findings.map((f) => matchesFilter(f, q));
  const newIndex = new Int32Array(findings.length).fill(-1);
  const kept: Finding[] = [];
  findings.forEach((f, i) => {
    if (keep[i]) {
      newIndex[i] = kept.length;
      kept.push(f);
    }
  });
  const gs: FindingGroup[] = [];
  for (const g of groups) {
    const idx = g.findings.filter((i) => keep[i]);
    if (idx.length === 0) continue;
    const fs = idx.map((i) => findings[i]);
    const open = fs.filter((f) => f.acceptance?.status !== "accepted");
    let sev: Severity = "low";
    for (const f of open.length ? open : fs) if (TIER[f.severity] > TIER[sev]) sev = f.severity;
    const svc = new Set(fs.flatMap((f) => f.services));
    const targets = new Set(fs.map((f) => f.targets[0]));
    gs.push({
      ...g,
      severity: sev,
      findings: idx.map((i) => newIndex[i]),
      open: open.length,
      accepted: fs.length - open.length,
      reraised: fs.filter((f) => f.acceptance?.status === "expired").length,
      targets: g.targets.filter((t) => targets.has(t)),
      services: g.services.filter((s) => svc.has(s)),
      zones: [...new Set(fs.flatMap((f) => f.zones))].sort(),
      owners: [...new Set(fs.flatMap((f) => f.owners))].sort(),
    });
  }
  // recounted groups keep their rank within a severity; open groups first, then by severity
  const pos = new Map(gs.map((g, i) => [g.id, i]));
  gs.sort(
    (a, b) =>
      Number(b.open > 0) - Number(a.open > 0) ||
      TIER[b.severity] - TIER[a.severity] ||
      (pos.get(a.id) as number) - (pos.get(b.id) as number),
  );
  return { findings: kept, groups: gs };
}
