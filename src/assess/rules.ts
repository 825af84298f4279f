/**
 * The findings rule engine. Each rule reads the model (through the index and the precomputed categorization,
 * support sets, KEV matches and criticality) and emits findings: rule id, severity, targets, services at risk,
 * one sentence, a remediation and framework mappings (NIST CSF 2.0, NCSC CAF 4.0, IEC 62443-3-3).
 */
import type { CityIndex } from "../model/graph.ts";
import type { Asset } from "../model/model.ts";
import { type KevEntry, ransomwareUsed } from "./catalogue.ts";
import { type CategoryArrays, type Support, supportedServices } from "./categorize.ts";
import type { CriticalityResult } from "./criticality.ts";
import type { Finding, Frameworks, Severity } from "./types.ts";
import { REMOTE_PROTOCOLS } from "./weakness.ts";

export type RuleContext = {
  index: CityIndex;
  cat: CategoryArrays;
  /** Services supported through any chain. */
  sup: Support;
  /** Services supported through chains of assets alone (the service's own systems). */
  own: Support;
  /**
   * Per asset: the KEV entries each of its software products matches (newest first), with the product as the
   * model names it and the KEV products matched ("Microsoft Windows").
   */
  kev: Map<number, { product: string; kevProducts: string[]; entries: KevEntry[] }[]>;
  /** The assessment date, YYYY-MM-DD. */
  asOf: string;
  crit?: CriticalityResult;
};

export type Rule = {
  id: string;
  title: string;
  frameworks: Frameworks;
  run(ctx: RuleContext, emit: (f: Emitted) => void): void;
};

/** What a rule says about one finding; the engine adds the rule, frameworks, zones, owners and group. */
export type Emitted = Omit<Finding, "rule" | "frameworks" | "zones" | "owners" | "group" | "acceptance">;

/** Kinds that stand at a boundary: whoever takes one gets a foothold in its zone. */
const GATEWAY_KINDS = new Set(["vpn", "firewall", "router", "gateway"]);

/** A KEV family with this many entries or more is a platform (an OS): a match says little about one host. */
export const KEV_BROAD_FAMILY = 50;

const fw = (csf: string[], caf: string[], iec62443: string[]): Frameworks => ({ csf, caf, iec62443 });

/** OT protocols without built-in security. */
export const CLEARTEXT_OT = new Set([
  "modbus",
  "dnp3",
  "iec104",
  "iec61850",
  "bacnet",
  "ntcip",
  "profinet",
  "s7",
  "s7comm",
  "ocit-o",
  "iec-104",
  "fins",
  "melsec",
  "umas",
  "ethernet-ip",
  "enip",
  "cip",
  "opc-da",
  "goose",
  "mms",
  "hart",
  "lonworks",
  "knx",
  "mqtt",
  "snmp",
  "telnet",
  "ftp",
]);

/** Asset kinds that hold state worth backing up. */
const STATEFUL = new Set([
  "server",
  "scada-server",
  "historian",
  "database",
  "domain-controller",
  "application",
  "engineering-workstation",
  "hmi",
]);

/** Asset kinds whose backups hold business or process data (the RPO applies to them, not to device configs). */
const DATA_KINDS = new Set(["server", "scada-server", "historian", "database", "application", "cloud-service", "saas"]);

const H = 2;

function svcIds(ctx: RuleContext, nodes: Iterable<number>, sup: Support = ctx.sup): string[] {
  const words = new Uint32Array(sup.width);
  for (const n of nodes) for (let w = 0; w < sup.width; w++) words[w] |= sup.words[n * sup.width + w];
  const out: string[] = [];
  const A = ctx.index.assetCount;
  for (let w = 0; w < sup.width; w++) {
    let x = words[w];
    while (x !== 0) {
      const b = 31 - Math.clz32(x & -x);
      out.push(ctx.index.nodeId[A + w * 32 + b]);
      x &= x - 1;
    }
  }
  return out;
}

function zoneAssets(ctx: RuleContext, z: number): number[] {
  const out: number[] = [];
  for (let i = ctx.index.zoneAssetStart[z]; i < ctx.index.zoneAssetStart[z + 1]; i++) out.push(ctx.index.zoneAssets[i]);
  return out;
}

/**
 * What a foothold in zone z exposes ([NET-1]): the assets of z and of every zone a conduit leads to from z. Used as
 * the services at risk of entry points (internet-facing remote access, vendor access).
 */
function footprint(ctx: RuleContext, z: number): number[] {
  const out = zoneAssets(ctx, z);
  for (let k = ctx.index.zoneOutStart[z]; k < ctx.index.zoneOutStart[z + 1]; k++)
    out.push(...zoneAssets(ctx, ctx.index.zoneOut[k]));
  return out;
}

function zoneLevel(ctx: RuleContext, id: string): number {
  const z = ctx.index.zoneOf.get(id);
  return z === undefined ? Number.NaN : ctx.index.zoneLevel[z];
}

/** True when the zone holds OT or is at Purdue level 3 or lower. */
function isOtZone(ctx: RuleContext, z: number): boolean {
  if (ctx.index.zoneLevel[z] <= 3) return true;
  for (const a of zoneAssets(ctx, z)) if (ctx.index.model.assets[a].layer === "ot") return true;
  return false;
}

const fmtH = (h: number) => (h >= 48 && h % 24 === 0 ? `${h / 24} d` : `${Math.round(h * 10) / 10} h`);

function daysBetween(a: string, b: string): number {
  return (Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000;
}

/**
 * Per asset: 1 when the internet reaches it ([NET-1] read from the internet): it is exposed, or its zone is an
 * exposed zone (the internet, or a zone holding an exposed asset) or one conduit from one, in its direction.
 */
export function internetReachable(ctx: Pick<RuleContext, "index">): Uint8Array {
  const { index } = ctx;
  const Z = index.zoneCount;
  const exposedZone = new Uint8Array(Z);
  if (index.internetZone >= 0) exposedZone[index.internetZone] = 1;
  index.model.assets.forEach((a, i) => {
    if (a.exposed) exposedZone[index.assetZone[i]] = 1;
  });
  const reached = new Uint8Array(Z);
  for (let z = 0; z < Z; z++) {
    if (!exposedZone[z]) continue;
    reached[z] = 1;
    for (let k = index.zoneOutStart[z]; k < index.zoneOutStart[z + 1]; k++) reached[index.zoneOut[k]] = 1;
  }
  const out = new Uint8Array(index.assetCount);
  index.model.assets.forEach((a, i) => {
    if (a.exposed || reached[index.assetZone[i]]) out[i] = 1;
  });
  return out;
}

const ot = (a: Asset) => a.layer === "ot" || a.layer === "iot";

export const RULES: Rule[] = [
  {
    id: "weak-auth",
    title: "No or default authentication",
    frameworks: fw(["PR.AA-01", "PR.AA-03"], ["B2.a"], ["SR 1.1", "SR 1.2", "SR 1.5"]),
    run(ctx, emit) {
      ctx.index.model.assets.forEach((a, i) => {
        if (a.auth !== "none" && a.auth !== "default") return;
        const sev: Severity = a.exposed ? "critical" : ot(a) || ctx.cat.integ[i] === H ? "high" : "medium";
        emit({
          severity: sev,
          targets: [a.id],
          services: svcIds(ctx, [i]),
          message: `${a.id} (${a.kind}) ${a.auth === "none" ? "accepts connections without authentication" : "still uses its default credentials"}${a.exposed ? " and is exposed to the internet" : ""}.`,
          remediation:
            a.auth === "none"
              ? "Enable authentication on the device or put an authenticating gateway in front of it."
              : "Change the default credentials, store them in a vault and rotate them.",
        });
      });
    },
  },
  {
    id: "exposed-ot",
    title: "OT or IoT asset exposed to the internet",
    frameworks: fw(["PR.IR-01", "ID.AM-03"], ["B4.a", "B2.a"], ["SR 1.13", "SR 5.1", "SR 5.2"]),
    run(ctx, emit) {
      ctx.index.model.assets.forEach((a, i) => {
        if (!a.exposed || !ot(a)) return;
        emit({
          severity: a.layer === "ot" ? "critical" : "high",
          targets: [a.id],
          services: svcIds(ctx, [i]),
          message: `${a.layer.toUpperCase()} asset ${a.id} (${a.kind}) is reachable from the internet.`,
          remediation: "Remove the internet exposure; if remote access is needed, go through a DMZ jump host with MFA.",
        });
      });
    },
  },
  {
    id: "exposed-remote-no-mfa",
    title: "Internet-facing remote access without MFA",
    frameworks: fw(["PR.AA-03", "PR.IR-01"], ["B2.a"], ["SR 1.13", "SR 1.1"]),
    run(ctx, emit) {
      ctx.index.model.assets.forEach((a, i) => {
        if (!a.exposed || ot(a)) return;
        const remote = a.kind === "vpn" || a.protocols.some((p) => REMOTE_PROTOCOLS.has(p));
        if (!remote || a.auth === "mfa" || a.auth === "certificate" || a.auth === undefined) return;
        if (a.auth === "none" || a.auth === "default") return; // weak-auth reports it, critical
        emit({
          severity: "high",
          targets: [a.id],
          services: svcIds(ctx, [i, ...footprint(ctx, ctx.index.assetZone[i])]),
          message: `${a.id} offers remote access from the internet (${a.kind === "vpn" ? "VPN" : a.protocols.filter((p) => REMOTE_PROTOCOLS.has(p)).join(", ")}) with a password only.`,
          remediation: "Require MFA (or certificates) for every internet-facing remote access.",
        });
      });
    },
  },
  {
    id: "end-of-life",
    title: "End-of-life software",
    frameworks: fw(["ID.AM-08", "PR.PS-02"], ["B4.d", "A3.a"], ["SR 7.8"]),
    run(ctx, emit) {
      ctx.index.model.assets.forEach((a, i) => {
        if (!a.end_of_life) return;
        const critical = ctx.cat.avail[i] === H || ctx.cat.integ[i] === H;
        emit({
          severity: a.exposed ? "critical" : critical ? "high" : "medium",
          targets: [a.id],
          services: svcIds(ctx, [i]),
          message: `${a.id} runs end-of-life software${a.software.length ? ` (${a.software.map((s) => `${s.product}${s.version ? ` ${s.version}` : ""}`).join(", ")})` : ""} that no longer receives security fixes.`,
          remediation: "Plan its replacement or upgrade; until then isolate it and watch it closely.",
        });
      });
    },
  },
  {
    id: "kev",
    title: "Software in the CISA Known Exploited Vulnerabilities catalogue",
    frameworks: fw(["ID.RA-01", "ID.RA-08", "PR.PS-02"], ["B4.d"], ["SR 7.8"]),
    run(ctx, emit) {
      const reach = internetReachable(ctx);
      for (const [i, matches] of [...ctx.kev].sort((x, y) => x[0] - y[0])) {
        const a = ctx.index.model.assets[i];
        for (const { product, kevProducts, entries } of matches) {
          // entries come newest first (matchKev)
          const rw = entries.filter(ransomwareUsed).map((e) => e.cveID);
          const n = entries.length;
          const shown = entries.slice(0, 3).map((e) => `${e.cveID}${e.dateAdded ? ` (added ${e.dateAdded})` : ""}`);
          const where = a.exposed
            ? "it is exposed to the internet"
            : reach[i]
              ? "it is reachable from an internet-exposed zone"
              : "";
          // [KEV-4] critical only where the internet meets a specific product; a platform family (an OS with
          // decades of entries) says little about one host, so it is high at most; reachable or used by
          // ransomware (outside a platform family) is high; the rest medium.
          const broad = n >= KEV_BROAD_FAMILY;
          const severity: Severity =
            a.exposed && !broad ? "critical" : a.exposed || reach[i] || (rw.length && !broad) ? "high" : "medium";
          emit({
            severity,
            targets: [a.id],
            // a gateway (VPN, firewall, router) puts at risk what a foothold behind it reaches
            services: svcIds(ctx, GATEWAY_KINDS.has(a.kind) ? [i, ...footprint(ctx, ctx.index.assetZone[i])] : [i]),
            message: `${a.id} runs ${product}: CISA KEV lists ${n} known exploited vulnerabilit${n === 1 ? "y" : "ies"} in ${kevProducts.join(", ")}, newest ${shown.join(", ")}${n > 3 ? ", ..." : ""}; ${rw.length ? `${rw.length} known to be used in ransomware campaigns` : "none known to be used by ransomware"}${where ? `; ${where}` : ""}.`,
            remediation: `Check the installed version against each of the ${n} CVE${n === 1 ? "" : "s"} (newest first${rw.length ? `; first those used by ransomware: ${rw.slice(0, 5).join(", ")}${rw.length > 5 ? ", ..." : ""}` : ""}) and patch or mitigate per vendor guidance.`,
            kev: {
              software: product,
              family: kevProducts.reduce((x, y) => (y.length < x.length ? y : x)),
              kevProducts,
              count: n,
              ransomware: rw.length,
              internetReachable: a.exposed || reach[i] === 1,
              cves: entries.map((e) => e.cveID),
            },
          });
        }
      }
    },
  },
  {
    id: "cleartext-crossing",
    title: "Cleartext OT protocol crossing a zone boundary",
    frameworks: fw(["PR.DS-02", "PR.IR-01"], ["B3.b"], ["SR 3.1", "SR 4.1"]),
    run(ctx, emit) {
      ctx.index.model.conduits.forEach((c) => {
        if (c.encrypted || c.from === c.to) return;
        const clear = c.protocols.filter((p) => CLEARTEXT_OT.has(p));
        if (clear.length === 0) return;
        const lf = zoneLevel(ctx, c.from);
        const lt = zoneLevel(ctx, c.to);
        const lo = Number.isNaN(lf) || (!Number.isNaN(lt) && lt < lf) ? c.to : c.from;
        const hi = Math.max(Number.isNaN(lf) ? 0 : lf, Number.isNaN(lt) ? 0 : lt);
        const low = Math.min(Number.isNaN(lf) ? 5 : lf, Number.isNaN(lt) ? 5 : lt);
        const z = ctx.index.zoneOf.get(lo) as number;
        emit({
          severity: hi >= 3.5 && low <= 2 ? "high" : "medium",
          targets: [c.id, c.from, c.to],
          services: svcIds(ctx, zoneAssets(ctx, z)),
          message: `Conduit ${c.id} carries ${clear.join(", ")} unencrypted between zones ${c.from} and ${c.to}.`,
          remediation:
            "Encrypt and authenticate the traffic (VPN tunnel, TLS or the protocol's secure variant) or keep it inside one zone.",
        });
      });
    },
  },
  {
    id: "no-dmz",
    title: "Conduit from level 4 or higher straight into level 2 or lower",
    frameworks: fw(["PR.IR-01"], ["B4.a", "B5.b"], ["SR 5.1", "SR 5.2"]),
    run(ctx, emit) {
      ctx.index.model.conduits.forEach((c) => {
        const lf = zoneLevel(ctx, c.from);
        const lt = zoneLevel(ctx, c.to);
        let hiZ: string | undefined;
        let loZ: string | undefined;
        if (lf >= 4 && lt <= 2) [hiZ, loZ] = [c.from, c.to];
        else if (c.direction === "both" && lt >= 4 && lf <= 2) [hiZ, loZ] = [c.to, c.from];
        if (!hiZ || !loZ) return;
        const z = ctx.index.zoneOf.get(loZ) as number;
        const services = svcIds(ctx, zoneAssets(ctx, z));
        // [FND-2] flat: nothing enforces the flow and nothing authenticates it, into a zone high-integrity
        // services stand on: one compromised office PC reaches the process
        const flat =
          !c.via &&
          (c.auth === undefined || c.auth === "none") &&
          services.some((s) => ctx.cat.integ[ctx.index.nodeOf.get(s) as number] === H);
        emit({
          severity: hiZ === "internet" || flat ? "critical" : "high",
          targets: [c.id, hiZ, loZ],
          services,
          message: `Conduit ${c.id} connects ${hiZ} (level ${zoneLevel(ctx, hiZ)}) straight to ${loZ} (level ${zoneLevel(ctx, loZ)}) with no DMZ in between.`,
          remediation:
            "Route the flow through an industrial DMZ (level 3.5) with brokered, inspected connections; block direct routes.",
        });
      });
    },
  },
  {
    id: "sl-gap",
    title: "Zone security level achieved below target",
    frameworks: fw(["ID.RA-05", "PR.IR-01"], ["A2.a", "B4.a"], ["SR 5.1", "SR 5.2"]),
    run(ctx, emit) {
      ctx.index.model.zones.forEach((z) => {
        const t = z.sl?.target;
        const a = z.sl?.achieved;
        if (t === undefined || a === undefined || a >= t) return;
        const zi = ctx.index.zoneOf.get(z.id) as number;
        emit({
          severity: t - a >= 2 ? "high" : "medium",
          targets: [z.id],
          services: svcIds(ctx, zoneAssets(ctx, zi)),
          message: `Zone ${z.id} achieves security level ${a} against a target of ${t}.`,
          remediation: `Close the gap to SL ${t}: apply the missing IEC 62443-3-3 requirements to the zone's assets and conduits, or accept the risk formally.`,
        });
      });
    },
  },
  {
    id: "vendor-no-mfa",
    title: "Vendor remote access without MFA",
    frameworks: fw(["PR.AA-03", "GV.SC-05"], ["A4.a", "B2.a"], ["SR 1.13", "SR 1.1"]),
    run(ctx, emit) {
      for (const v of ctx.index.model.vendors)
        v.remote_access.forEach((r, i) => {
          if (r.mfa) return;
          const z = ctx.index.zoneOf.get(r.to) as number;
          const intoOt = isOtZone(ctx, z);
          emit({
            severity: intoOt ? (r.always_on ? "critical" : "high") : "medium",
            targets: [`vendors.${v.id}.remote_access[${i}]`, v.id, r.to],
            services: svcIds(ctx, footprint(ctx, z)),
            message: `Vendor ${v.id} reaches zone ${r.to}${r.via ? ` through ${r.via}` : ""} without MFA${r.always_on ? ", and the access is always on" : ""}.`,
            remediation: "Require MFA for the vendor's remote access, through a jump host the city controls.",
          });
        });
    },
  },
  {
    id: "vendor-always-on",
    title: "Vendor remote access always on",
    frameworks: fw(["PR.AA-05", "GV.SC-05"], ["A4.a", "B2.c"], ["SR 1.13", "SR 2.6"]),
    run(ctx, emit) {
      for (const v of ctx.index.model.vendors)
        v.remote_access.forEach((r, i) => {
          if (!r.always_on) return;
          const z = ctx.index.zoneOf.get(r.to) as number;
          emit({
            severity: isOtZone(ctx, z) ? "high" : "medium",
            targets: [`vendors.${v.id}.remote_access[${i}]`, v.id, r.to],
            services: svcIds(ctx, footprint(ctx, z)),
            message: `Vendor ${v.id}'s remote access to zone ${r.to} is always on.`,
            remediation: "Enable vendor access on request only, for a limited time, with the session recorded.",
          });
        });
    },
  },
  {
    id: "unmonitored-critical",
    title: "Unmonitored asset needed by a high-availability service",
    frameworks: fw(["DE.CM-01", "DE.CM-09"], ["C1.a"], ["SR 6.2"]),
    run(ctx, emit) {
      ctx.index.model.assets.forEach((a, i) => {
        if (a.monitored || ctx.cat.avail[i] !== H) return;
        // high when its loss alone lowers a service (not covered by redundancy) and it is OT or exposed
        const alone = (ctx.crit?.loss[i] ?? 1) > 0;
        emit({
          severity: alone && (a.layer === "ot" || a.exposed) ? "high" : "medium",
          targets: [a.id],
          services: svcIds(ctx, [i]).filter((s) => ctx.cat.avail[ctx.index.nodeOf.get(s) as number] === H),
          message: `${a.id} (${a.kind}) is not monitored although a high-availability service needs it.`,
          remediation: "Send its logs and network traffic to security monitoring, with alerts someone answers.",
        });
      });
    },
  },
  ...backupRules(),
  {
    id: "vendor-concentration",
    title: "One vendor maintains or reaches several high-availability services",
    frameworks: fw(["GV.SC-04", "GV.SC-07"], ["A4.a"], ["SR 1.13"]),
    run(ctx, emit) {
      const { model } = ctx.index;
      const A = ctx.index.assetCount;
      for (const v of model.vendors) {
        const nodes: number[] = [];
        model.assets.forEach((a, i) => {
          if (a.vendor === v.id) nodes.push(i);
        });
        for (const r of v.remote_access) {
          const z = ctx.index.zoneOf.get(r.to);
          if (z !== undefined) nodes.push(...zoneAssets(ctx, z));
        }
        const svcs = svcIds(ctx, nodes, ctx.own).filter((s) => ctx.cat.avail[ctx.index.nodeOf.get(s) as number] === H);
        if (svcs.length < 2) continue;
        const weakAccess = v.remote_access.some((r) => !r.mfa || r.always_on);
        void A;
        emit({
          severity: svcs.length >= 3 || weakAccess ? "high" : "medium",
          targets: [v.id],
          services: svcs,
          message: `Vendor ${v.id} maintains or reaches the systems of ${svcs.length} high-availability services (${svcs.slice(0, 4).join(", ")}${svcs.length > 4 ? ", ..." : ""}): one compromise hits them all.`,
          remediation:
            "Separate the vendor's accounts and accesses per service, require MFA and on-request sessions, and plan for the vendor being compromised.",
        });
      }
    },
  },
  {
    id: "mtd-no-fallback",
    title: "Maximum tolerable downtime shorter than the slowest restore, no fallback",
    frameworks: fw(["PR.IR-03", "ID.IM-04"], ["B5.a", "B5.b", "D1.a"], ["SR 7.4"]),
    run(ctx, emit) {
      const { model, assetCount } = ctx.index;
      const slowest = new Float64Array(model.services.length);
      // every own system whose restore takes that slowest time (a redundant pair restores no faster than one)
      const slowestBy: number[][] = model.services.map(() => []);
      model.assets.forEach((a, i) => {
        const r = a.backup?.restore ?? a.rebuild;
        if (r === undefined) return;
        for (const j of supportedServices(ctx.own, i))
          if (r > slowest[j]) {
            slowest[j] = r;
            slowestBy[j] = [i];
          } else if (r === slowest[j] && slowestBy[j].length) slowestBy[j].push(i);
      });
      model.services.forEach((s, j) => {
        const mtd = s.objectives?.mtd;
        if (mtd === undefined || s.fallback || slowestBy[j].length === 0 || slowest[j] <= mtd) return;
        const ids = slowestBy[j].map((i) => model.assets[i].id);
        emit({
          severity: ctx.cat.avail[assetCount + j] === H ? "critical" : "high",
          targets: [s.id, ...ids],
          services: svcIds(ctx, [assetCount + j]),
          message: `${s.id} tolerates ${fmtH(mtd)} of downtime but restoring ${ids.slice(0, 4).join(", ")}${ids.length > 4 ? ` and ${ids.length - 4} more` : ""} takes ${fmtH(slowest[j])}, and the service has no fallback.`,
          remediation:
            "Provide a manual or degraded fallback, or cut the restore time (offline backups, spare hardware, standby systems).",
        });
      });
    },
  },
  {
    id: "no-owner",
    title: "Critical service with no responsible person",
    frameworks: fw(["GV.RR-02"], ["A1.b"], []),
    run(ctx, emit) {
      const { model, assetCount } = ctx.index;
      const leads = model.people.filter((p) => p.responsible.includes("all"));
      model.services.forEach((s, j) => {
        if (!criticalService(ctx, assetCount + j)) return;
        if (leads.length > 0 || model.people.some((p) => p.responsible.includes(s.id))) return;
        emit({
          severity: "high",
          targets: [s.id],
          services: svcIds(ctx, [assetCount + j]),
          message: `No one is responsible for ${s.id}, a critical service.`,
          remediation: "Name a responsible person (and a backup) for the service in the model's people.",
        });
      });
    },
  },
  {
    id: "no-deputy",
    title: "Critical service with no backup person",
    frameworks: fw(["GV.RR-02", "GV.RR-03"], ["A1.b"], []),
    run(ctx, emit) {
      const { model, assetCount } = ctx.index;
      model.services.forEach((s, j) => {
        if (!criticalService(ctx, assetCount + j)) return;
        // the people named for this service answer for it; overall leads ([all]) only when no one is named
        const named = model.people.filter((p) => p.responsible.includes(s.id));
        const resp = named.length ? named : model.people.filter((p) => p.responsible.includes("all"));
        if (resp.length === 0 || resp.length >= 2 || resp.some((p) => p.backup !== undefined)) return;
        emit({
          severity: "medium",
          targets: [s.id, resp[0].id],
          services: svcIds(ctx, [assetCount + j]),
          message: `Only ${resp[0].id} answers for ${s.id}, a critical service, and has no backup person.`,
          remediation: "Name a backup person who can decide for the service when the responsible person is away.",
        });
      });
    },
  },
  {
    id: "spof",
    title: "Single point of failure",
    frameworks: fw(["PR.IR-03", "ID.RA-04"], ["B5.b"], ["SR 7.4"]),
    run(ctx, emit) {
      const crit = ctx.crit;
      if (!crit) return;
      const reach = internetReachable(ctx);
      for (const c of crit.list) {
        if (!c.spof) continue;
        const dead = c.services.filter((s) => c.levels[s] === 0);
        const high = dead.some((s) => ctx.cat.avail[ctx.index.nodeOf.get(s) as number] === H);
        const a = ctx.index.nodeOf.get(c.id) as number;
        // [FND-2] a single point of failure of a high-availability service is critical when the internet reaches
        // it (an attacker can take it, not only a fault); otherwise high
        emit({
          severity: high && reach[a] ? "critical" : "high",
          targets: [c.id],
          services: dead,
          message: `Losing ${c.id} alone stops ${dead.slice(0, 4).join(", ")}${dead.length > 4 ? ", ..." : ""} completely (${Math.round(c.personHoursPerDay).toLocaleString("en")} person-hours per day once buffers run out).`,
          remediation:
            "Add a redundant path (a second device, feed or link that does not share this one), or a fallback.",
        });
      }
    },
  },
  {
    id: "common-cause",
    title: "Redundancy defeated by a shared dependency",
    frameworks: fw(["PR.IR-03", "ID.RA-04"], ["B5.b"], ["SR 7.4"]),
    run(ctx, emit) {
      const crit = ctx.crit;
      if (!crit) return;
      for (const cc of crit.commonCauses) {
        const n = ctx.index.nodeOf.get(cc.asset) as number;
        const owner = ctx.index.nodeOf.get(cc.owner) as number;
        const high = ctx.cat.avail[owner] === H;
        emit({
          severity: high ? "high" : "medium",
          targets: [cc.asset, cc.owner, ...cc.members],
          services: svcIds(ctx, [owner]),
          message: `${cc.owner} needs ${cc.k} of ${cc.groupSize} redundant members, but ${cc.members.length} of them (${cc.members.slice(0, 4).join(", ")}${cc.members.length > 4 ? ", ..." : ""}) all depend on ${cc.asset}.`,
          remediation: `Give the redundant members independent dependencies (separate power feeds, switches, sites) instead of ${cc.asset}.`,
        });
        void n;
      }
    },
  },
];

function criticalService(ctx: RuleContext, node: number): boolean {
  return ctx.cat.avail[node] === H || ctx.cat.integ[node] === H;
}

function backupRules(): Rule[] {
  const B = fw(["PR.DS-11"], ["B5.c"], ["SR 7.3"]);
  const T = fw(["PR.DS-11", "RC.RP-03"], ["B5.c", "D1.c"], ["SR 7.4"]);
  const needsBackup = (ctx: RuleContext, a: Asset, i: number) => STATEFUL.has(a.kind) && ctx.cat.avail[i] >= 1;
  const sev = (ctx: RuleContext, i: number, hi: Severity, lo: Severity) => (ctx.cat.avail[i] === H ? hi : lo);
  /** The smallest objective among the services the asset's data belongs to (own systems), with its service. */
  const minObjective = (ctx: RuleContext, i: number, key: "rto" | "rpo") => {
    let best = Number.POSITIVE_INFINITY;
    let by = "";
    for (const j of supportedServices(ctx.own, i)) {
      const v = ctx.index.model.services[j].objectives?.[key];
      if (v !== undefined && v < best) {
        best = v;
        by = ctx.index.model.services[j].id;
      }
    }
    return { value: best, service: by };
  };
  return [
    {
      id: "no-backup",
      title: "No backup",
      frameworks: B,
      run(ctx, emit) {
        ctx.index.model.assets.forEach((a, i) => {
          if (a.backup || !needsBackup(ctx, a, i)) return;
          emit({
            severity: sev(ctx, i, "high", "medium"),
            targets: [a.id],
            services: svcIds(ctx, [i]),
            message: `${a.id} (${a.kind}) has no backup${a.rebuild ? `; rebuilding it takes ${fmtH(a.rebuild)}` : ""}.`,
            remediation: "Back it up on a schedule that meets the services' RPO, with an offline copy.",
          });
        });
      },
    },
    {
      id: "backup-online",
      title: "Backup not offline",
      frameworks: B,
      run(ctx, emit) {
        ctx.index.model.assets.forEach((a, i) => {
          if (!a.backup || a.backup.offline) return;
          emit({
            severity: sev(ctx, i, "high", "medium"),
            targets: [a.id],
            services: svcIds(ctx, [i]),
            message: `${a.id}'s backup is online only: ransomware that reaches it can destroy the backup too.`,
            remediation: "Keep at least one copy offline or immutable (air-gapped, WORM or offline media).",
          });
        });
      },
    },
    {
      id: "restore-untested",
      title: "Restore never tested",
      frameworks: T,
      run(ctx, emit) {
        ctx.index.model.assets.forEach((a, i) => {
          if (!a.backup || a.backup.tested !== undefined) return;
          emit({
            severity: sev(ctx, i, "high", "medium"),
            targets: [a.id],
            services: svcIds(ctx, [i]),
            message: `${a.id}'s backup has never been restored in a test.`,
            remediation: "Run a restore test, time it, and record the date in the model.",
          });
        });
      },
    },
    {
      id: "restore-stale",
      title: "Restore not tested in the last 12 months",
      frameworks: T,
      run(ctx, emit) {
        ctx.index.model.assets.forEach((a, i) => {
          const t = a.backup?.tested;
          if (t === undefined) return;
          const days = daysBetween(t, ctx.asOf);
          if (!(days > 365)) return;
          emit({
            severity: sev(ctx, i, "medium", "low"),
            targets: [a.id],
            services: svcIds(ctx, [i]),
            message: `${a.id}'s last restore test was on ${t}, more than 12 months before ${ctx.asOf}.`,
            remediation: "Test the restore at least once a year and after major changes.",
          });
        });
      },
    },
    {
      id: "restore-over-rto",
      title: "Restore time longer than the service's RTO",
      frameworks: fw(["PR.IR-03", "ID.IM-04"], ["B5.a", "D1.b"], ["SR 7.4"]),
      run(ctx, emit) {
        ctx.index.model.assets.forEach((a, i) => {
          if (!a.backup) return;
          const { value, service } = minObjective(ctx, i, "rto");
          if (!(a.backup.restore > value)) return;
          emit({
            severity: sev(ctx, i, "high", "medium"),
            targets: [a.id, service],
            services: svcIds(ctx, [i], ctx.own),
            message: `Restoring ${a.id} takes ${fmtH(a.backup.restore)}, longer than the ${fmtH(value)} RTO of ${service}.`,
            remediation: "Shorten the restore (faster media, images, standby system) or agree a realistic RTO.",
          });
        });
      },
    },
    {
      id: "backup-over-rpo",
      title: "Backup interval longer than the service's RPO",
      frameworks: B,
      run(ctx, emit) {
        ctx.index.model.assets.forEach((a, i) => {
          if (!a.backup || !DATA_KINDS.has(a.kind)) return;
          const { value, service } = minObjective(ctx, i, "rpo");
          if (!(a.backup.every > value)) return;
          emit({
            severity: sev(ctx, i, "medium", "low"),
            targets: [a.id, service],
            services: svcIds(ctx, [i], ctx.own),
            message: `${a.id} is backed up every ${fmtH(a.backup.every)}, but ${service} can lose at most ${fmtH(value)} of data (RPO).`,
            remediation: "Back up (or replicate) at least as often as the RPO.",
          });
        });
      },
    },
  ];
}

const SEV_ORDER: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/** Findings order: severity, then more services at risk first, then rule, then first target. */
export function bySeverity(a: Finding, b: Finding): number {
  return (
    SEV_ORDER[a.severity] - SEV_ORDER[b.severity] ||
    b.services.length - a.services.length ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) ||
    (a.targets[0] < b.targets[0] ? -1 : a.targets[0] > b.targets[0] ? 1 : 0)
  );
}

/** Runs every rule; findings sorted by severity, then rule, then first target. */
export function runRules(ctx: RuleContext, rules: Rule[] = RULES): Finding[] {
  const out: Finding[] = [];
  for (const r of rules)
    r.run(ctx, (f) =>
      out.push({
        rule: r.id,
        severity: f.severity,
        targets: f.targets,
        services: f.services,
        frameworks: r.frameworks,
        message: f.message,
        remediation: f.remediation,
        ...(f.kev ? { kev: f.kev } : {}),
        zones: [],
        owners: [],
        group: "",
      }),
    );
  out.sort(bySeverity);
  return out;
}
