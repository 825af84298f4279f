import { describe, expect, test } from "vitest";
import { assess } from "../../src/assess/assess.ts";
import { CAF, CSF, IEC62443 } from "../../src/assess/catalogue.ts";
import { RULES } from "../../src/assess/rules.ts";
import type { Finding } from "../../src/assess/types.ts";
import { buildIndex } from "../../src/model/graph.ts";
import { makeModel } from "./helpers.ts";

type Raw = Record<string, unknown>;
const AS_OF = "2026-06-01";

/** A small city with no mistakes: every rule stays quiet on it. */
function base(): Raw {
  const backup = { every: "1h", offline: true, tested: "2026-03-01", restore: "2h" };
  return {
    zones: [
      { id: "it", level: 4, sl: { target: 2, achieved: 2 } },
      { id: "dmz", level: 3.5 },
      { id: "ot", level: 2, sl: { target: 2, achieved: 2 } },
    ],
    conduits: [
      { id: "it-dmz", from: "it", to: "dmz", protocols: ["https"], encrypted: true, via: "fw" },
      { id: "dmz-ot", from: "dmz", to: "ot", protocols: ["opc-ua"], encrypted: true, via: "fw" },
    ],
    assets: [
      { id: "fw", name: "Firewall", kind: "firewall", layer: "network", zone: "dmz", auth: "mfa", monitored: true },
      { id: "feed-1", name: "Feed 1", kind: "other", layer: "ot", zone: "ot", monitored: true },
      { id: "feed-2", name: "Feed 2", kind: "other", layer: "ot", zone: "ot", monitored: true },
      ...[1, 2].map((i) => ({
        id: `scada-${i}`,
        name: `SCADA ${i}`,
        kind: "scada-server",
        layer: "ot",
        zone: "ot",
        vendor: "acme",
        auth: "mfa",
        monitored: true,
        backup: { ...backup },
        requires: [{ asset: `feed-${i}` }],
      })),
      ...[1, 2].map((i) => ({
        id: `plc-${i}`,
        name: `PLC ${i}`,
        kind: "plc",
        layer: "ot",
        zone: "ot",
        auth: "certificate",
        monitored: true,
        requires: [{ asset: `feed-${i}` }],
      })),
    ],
    services: [
      {
        id: "water",
        name: "Water",
        sector: "water",
        population: 1000,
        impact: { confidentiality: "low", integrity: "high", availability: "high" },
        objectives: { rto: "12h", rpo: "2h", mtd: "48h" },
        requires: [{ any: ["scada-1", "scada-2"] }, { any: ["plc-1", "plc-2"] }],
      },
    ],
    vendors: [{ id: "acme", name: "Acme", remote_access: [{ to: "dmz", via: "fw", mfa: true, always_on: false }] }],
    people: [
      { id: "alice", name: "Alice", role: "Water lead", responsible: ["water"], backup: "bob" },
      { id: "bob", name: "Bob", role: "Deputy" },
    ],
  };
}

type Mut = (m: Raw) => void;
const A = (m: Raw, id: string) => (m.assets as Raw[]).find((a) => a.id === id) as Raw;
const S = (m: Raw, id: string) => (m.services as Raw[]).find((a) => a.id === id) as Raw;
const C = (m: Raw, id: string) => (m.conduits as Raw[]).find((a) => a.id === id) as Raw;
const Z = (m: Raw, id: string) => (m.zones as Raw[]).find((a) => a.id === id) as Raw;
const RA = (m: Raw) => ((m.vendors as Raw[])[0].remote_access as Raw[])[0];
const backupOf = (m: Raw, id: string) => A(m, id).backup as Raw;

function findings(mut?: Mut): Finding[] {
  const m = structuredClone(base());
  mut?.(m);
  return assess(buildIndex(makeModel(m)), { asOf: AS_OF }).findings;
}

/** For each rule: a change that makes it fire (with the target expected), and a close change that must not. */
const CASES: { rule: string; fires: Mut; target: string; quiet: Mut }[] = [
  {
    rule: "weak-auth",
    fires: (m) => {
      A(m, "plc-1").auth = "default";
    },
    target: "plc-1",
    quiet: (m) => {
      A(m, "plc-1").auth = "password";
    },
  },
  {
    rule: "exposed-ot",
    fires: (m) => {
      A(m, "plc-1").exposed = true;
    },
    target: "plc-1",
    quiet: (m) => {
      A(m, "fw").exposed = true;
    },
  },
  {
    rule: "exposed-remote-no-mfa",
    fires: (m) =>
      (m.assets as Raw[]).push({
        id: "vpn",
        name: "VPN",
        kind: "vpn",
        layer: "network",
        zone: "dmz",
        exposed: true,
        auth: "password",
        monitored: true,
      }),
    target: "vpn",
    quiet: (m) =>
      (m.assets as Raw[]).push({
        id: "vpn",
        name: "VPN",
        kind: "vpn",
        layer: "network",
        zone: "it",
        exposed: true,
        auth: "mfa",
        monitored: true,
      }),
  },
  {
    rule: "end-of-life",
    fires: (m) => {
      A(m, "scada-1").end_of_life = true;
    },
    target: "scada-1",
    quiet: (m) => {
      A(m, "scada-1").end_of_life = false;
    },
  },
  {
    rule: "kev",
    fires: (m) => {
      A(m, "scada-1").software = [{ product: "Windows Server", vendor: "Microsoft Corporation", version: "2012" }];
    },
    target: "scada-1",
    quiet: (m) => {
      A(m, "scada-1").software = [{ product: "Acme SCADA", vendor: "Acme", version: "5.2" }];
    },
  },
  {
    rule: "cleartext-crossing",
    fires: (m) => void Object.assign(C(m, "dmz-ot"), { protocols: ["modbus"], encrypted: false }),
    target: "dmz-ot",
    quiet: (m) => void Object.assign(C(m, "dmz-ot"), { protocols: ["modbus"], encrypted: true }),
  },
  {
    rule: "no-dmz",
    fires: (m) =>
      (m.conduits as Raw[]).push({ id: "it-ot", from: "it", to: "ot", protocols: ["https"], encrypted: true }),
    target: "it-ot",
    // one-way from the plant out to IT (a data diode) is not a way in
    quiet: (m) =>
      (m.conduits as Raw[]).push({
        id: "ot-it",
        from: "ot",
        to: "it",
        protocols: ["https"],
        encrypted: true,
        direction: "one-way",
      }),
  },
  {
    rule: "sl-gap",
    fires: (m) => {
      Z(m, "ot").sl = { target: 3, achieved: 1 };
    },
    target: "ot",
    quiet: (m) => {
      Z(m, "ot").sl = { target: 2, achieved: 3 };
    },
  },
  {
    rule: "vendor-no-mfa",
    fires: (m) => {
      RA(m).mfa = false;
    },
    target: "vendors.acme.remote_access[0]",
    quiet: (m) => {
      RA(m).always_on = false;
    },
  },
  {
    rule: "vendor-always-on",
    fires: (m) => {
      RA(m).always_on = true;
    },
    target: "vendors.acme.remote_access[0]",
    quiet: (m) => {
      RA(m).mfa = true;
    },
  },
  {
    rule: "unmonitored-critical",
    fires: (m) => {
      A(m, "scada-1").monitored = false;
    },
    target: "scada-1",
    quiet: (m) => {
      // unmonitored but only a low-availability service needs it
      (m.assets as Raw[]).push({ id: "kiosk", name: "Kiosk", kind: "server", layer: "it", zone: "it" });
      (m.services as Raw[]).push({
        id: "info",
        name: "Info",
        sector: "other",
        population: 10,
        impact: { confidentiality: "low", integrity: "low", availability: "low" },
        requires: [{ asset: "kiosk" }],
      });
      (m.people as Raw[])[0].responsible = ["water", "info"];
    },
  },
  {
    rule: "no-backup",
    fires: (m) => void delete A(m, "scada-1").backup,
    target: "scada-1",
    quiet: (m) => void delete A(m, "plc-1").backup,
  },
  {
    rule: "backup-online",
    fires: (m) => {
      backupOf(m, "scada-1").offline = false;
    },
    target: "scada-1",
    quiet: (m) => {
      backupOf(m, "scada-1").offline = true;
    },
  },
  {
    rule: "restore-untested",
    fires: (m) => void delete backupOf(m, "scada-1").tested,
    target: "scada-1",
    quiet: (m) => {
      backupOf(m, "scada-1").tested = "2025-07-01";
    },
  },
  {
    rule: "restore-stale",
    fires: (m) => {
      backupOf(m, "scada-1").tested = "2025-05-01";
    },
    target: "scada-1",
    quiet: (m) => {
      backupOf(m, "scada-1").tested = "2025-06-02";
    },
  },
  {
    rule: "restore-over-rto",
    fires: (m) => {
      backupOf(m, "scada-1").restore = "13h";
    },
    target: "scada-1",
    quiet: (m) => {
      backupOf(m, "scada-1").restore = "12h";
    },
  },
  {
    rule: "backup-over-rpo",
    fires: (m) => {
      backupOf(m, "scada-1").every = "3h";
    },
    target: "scada-1",
    quiet: (m) => {
      backupOf(m, "scada-1").every = "2h";
    },
  },
  {
    rule: "vendor-concentration",
    fires: (m) => {
      (m.assets as Raw[]).push({
        id: "pump",
        name: "Pump",
        kind: "plc",
        layer: "ot",
        zone: "ot",
        vendor: "acme",
        auth: "certificate",
        monitored: true,
      });
      (m.services as Raw[]).push({
        ...S(m, "water"),
        id: "sewage",
        name: "Sewage",
        requires: [{ asset: "pump", degrade: 0.5 }],
      });
      (m.people as Raw[])[0].responsible = ["water", "sewage"];
    },
    target: "acme",
    quiet: (m) => {
      (m.assets as Raw[]).push({
        id: "pump",
        name: "Pump",
        kind: "plc",
        layer: "ot",
        zone: "ot",
        auth: "certificate",
        monitored: true,
      });
      (m.services as Raw[]).push({
        ...S(m, "water"),
        id: "sewage",
        name: "Sewage",
        requires: [{ asset: "pump", degrade: 0.5 }],
      });
      (m.people as Raw[])[0].responsible = ["water", "sewage"];
    },
  },
  {
    rule: "mtd-no-fallback",
    fires: (m) => {
      S(m, "water").objectives = { rto: "1h", rpo: "2h", mtd: "1h" };
    },
    target: "water",
    quiet: (m) => {
      S(m, "water").objectives = { rto: "1h", rpo: "2h", mtd: "1h" };
      S(m, "water").fallback = { level: 0.5, after: "0h" };
    },
  },
  {
    rule: "no-owner",
    fires: (m) => {
      m.people = [];
    },
    target: "water",
    quiet: (m) => {
      m.people = [
        { id: "lead", name: "Lead", role: "CRO", responsible: ["all"], backup: "dep" },
        { id: "dep", name: "Dep", role: "x" },
      ];
    },
  },
  {
    rule: "no-deputy",
    fires: (m) => void delete (m.people as Raw[])[0].backup,
    target: "water",
    quiet: (m) => {
      (m.people as Raw[])[1].responsible = ["water"];
    },
  },
  {
    rule: "spof",
    fires: (m) => (S(m, "water").requires as Raw[]).push({ asset: "plc-1" }),
    target: "plc-1",
    quiet: (m) => (S(m, "water").requires as Raw[]).push({ asset: "plc-1", degrade: 0.5 }),
  },
  {
    rule: "common-cause",
    fires: (m) => {
      A(m, "scada-2").requires = [{ asset: "feed-1" }];
    },
    target: "feed-1",
    quiet: (m) => {
      A(m, "scada-2").requires = [{ asset: "feed-2" }];
    },
  },
];

describe("findings rules", () => {
  test("the clean base city has no findings", () => {
    expect(findings()).toEqual([]);
  });

  test("every rule has a test case", () => {
    expect(CASES.map((c) => c.rule).sort()).toEqual(RULES.map((r) => r.id).sort());
  });

  for (const c of CASES) {
    test(`[${c.rule}] fires`, () => {
      const f = findings(c.fires).filter((x) => x.rule === c.rule);
      expect(f.length).toBeGreaterThan(0);
      expect(f.some((x) => x.targets.includes(c.target))).toBe(true);
      expect(f[0].message.length).toBeGreaterThan(10);
      expect(f[0].message.trim().endsWith(".")).toBe(true);
      expect(f[0].remediation.length).toBeGreaterThan(10);
      if (!["no-owner", "no-deputy", "vendor-concentration"].includes(c.rule) || f[0].services.length)
        expect(f[0].services.length).toBeGreaterThan(0);
    });
    test(`[${c.rule}] does not fire`, () => {
      expect(findings(c.quiet).filter((x) => x.rule === c.rule)).toEqual([]);
    });
  }

  test("[weak-auth] [FND-2] severity: exposed is critical when a service of a fifth of the city is at risk, OT is high", () => {
    const f = findings((m) => {
      S(m, "water").population = 100000;
      A(m, "plc-1").auth = "none";
      A(m, "plc-2").auth = "none";
      A(m, "plc-2").exposed = true;
    }).filter((x) => x.rule === "weak-auth");
    expect(f.find((x) => x.targets[0] === "plc-2")!.severity).toBe("critical");
    expect(f.find((x) => x.targets[0] === "plc-1")!.severity).toBe("high");
    // the same device behind a service of 1% of the city stays high: the consequence does not make it critical
    const small = findings((m) => {
      A(m, "plc-2").auth = "none";
      A(m, "plc-2").exposed = true;
    }).find((x) => x.rule === "weak-auth")!;
    expect(small.severity).toBe("high");
  });

  test("[KEV-4] the version check is said once, by the group; each finding names its CVEs", () => {
    const m = structuredClone(base());
    A(m, "scada-1").software = [{ product: "Windows", vendor: "Microsoft" }];
    A(m, "scada-2").software = [{ product: "Windows 10", vendor: "Microsoft" }];
    const r = assess(buildIndex(makeModel(m)), { asOf: AS_OF });
    const fs = r.findings.filter((x) => x.rule === "kev");
    expect(fs).toHaveLength(2);
    for (const f of fs) {
      expect(f.message).not.toMatch(/check the installed version/);
      expect(f.message).toMatch(/CVE-\d{4}-\d+/);
      expect(f.group).toBe("kev:Microsoft Windows");
    }
    const g = r.groups.filter((x) => x.id === "kev:Microsoft Windows");
    expect(g).toHaveLength(1);
    expect(g[0].targets).toEqual(["scada-1", "scada-2"]);
    expect(g[0].note).toMatch(/check each host's version against the \d+ CVEs/);
  });

  test("[kev] [KEV-4] one finding per (asset, product): count, newest first, ransomware use; critical only when the asset itself is exposed; high when reachable or ransomware-used; else medium", () => {
    const kevCat = (rw: string) => ({
      catalogVersion: "t",
      vulnerabilities: [
        {
          cveID: "CVE-2010-0001",
          vendorProject: "Microsoft",
          product: "Windows",
          dateAdded: "2022-01-10",
          knownRansomwareCampaignUse: rw,
        },
        {
          cveID: "CVE-2024-0002",
          vendorProject: "Microsoft",
          product: "Windows",
          dateAdded: "2024-05-01",
          knownRansomwareCampaignUse: "Unknown",
        },
        {
          cveID: "CVE-2023-0003",
          vendorProject: "Microsoft",
          product: "Windows",
          dateAdded: "2023-02-01",
          knownRansomwareCampaignUse: "Unknown",
        },
      ],
    });
    const run = (rw: string, mut?: Mut) => {
      const m = structuredClone(base());
      A(m, "scada-1").software = [
        { product: "Windows Server 2019", vendor: "Microsoft", version: "1809" },
        { product: "Windows Server Update Services", vendor: "Microsoft", version: "2019" },
      ];
      mut?.(m);
      return assess(buildIndex(makeModel(m)), { asOf: AS_OF, kev: kevCat(rw) }).findings.filter(
        (f) => f.rule === "kev",
      );
    };
    const quiet = run("Unknown");
    expect(quiet).toHaveLength(1); // WSUS is not Windows
    const f = quiet[0];
    expect(f.targets).toEqual(["scada-1"]);
    expect(f.severity).toBe("medium");
    expect(f.message).toMatch(/3 known exploited vulnerabilities in Microsoft Windows/);
    expect(f.message).toMatch(/newest CVE-2024-0002 \(added 2024-05-01\), CVE-2023-0003 .*, CVE-2010-0001/);
    expect(f.message).toMatch(/none known to be used by ransomware/);
    expect(f.kev).toMatchObject({ count: 3, ransomware: 0, internetReachable: false });
    expect(f.kev!.cves).toEqual(["CVE-2024-0002", "CVE-2023-0003", "CVE-2010-0001"]);
    // a ransomware-used entry makes it high
    const rw = run("Known")[0];
    expect(rw.severity).toBe("high");
    expect(rw.message).toMatch(/1 known to be used in ransomware campaigns/);
    // reachable from an exposed zone: the firewall in the DMZ is exposed, and a conduit leads from the DMZ to OT
    const reach = run("Unknown", (m) => {
      A(m, "fw").exposed = true;
    })[0];
    expect(reach.severity).toBe("high");
    expect(reach.message).toMatch(/reachable from an internet-exposed zone/);
    // a conduit straight from the internet into the zone is the same
    const direct = run("Unknown", (m) => {
      (m.conduits as Raw[]).push({ id: "inet-ot", from: "internet", to: "ot", protocols: ["https"], encrypted: true });
    })[0];
    expect(direct.severity).toBe("high");
    // the vulnerable product itself facing the internet is critical
    const exposed = run("Unknown", (m) => {
      A(m, "scada-1").exposed = true;
      S(m, "water").population = 100000;
    })[0];
    expect(exposed.severity).toBe("critical");
    expect(exposed.message).toMatch(/it is exposed to the internet/);
  });

  test("[mtd-no-fallback] names every own system whose restore takes the slowest time, not just the first", () => {
    const f = findings((m) => {
      (S(m, "water").objectives as Raw).mtd = "1h";
    }).find((x) => x.rule === "mtd-no-fallback")!;
    expect(f.targets).toEqual(["water", "scada-1", "scada-2"]);
    expect(f.message).toMatch(/restoring scada-1, scada-2 takes 2 h/);
  });

  test("every framework id a rule cites exists in the catalogues", () => {
    for (const r of RULES) {
      for (const id of r.frameworks.csf) expect(CSF.has(id), `${r.id} ${id}`).toBe(true);
      for (const id of r.frameworks.caf) expect(CAF.has(id), `${r.id} ${id}`).toBe(true);
      for (const id of r.frameworks.iec62443) expect(IEC62443.has(id), `${r.id} ${id}`).toBe(true);
      expect(r.frameworks.csf.length + r.frameworks.caf.length).toBeGreaterThan(0);
    }
  });
});

test("[no-deputy] a named owner without a backup fires even when an overall lead has one", () => {
  const f = findings((m) => {
    m.people = [
      { id: "padraig", name: "P", role: "Lead engineer", responsible: ["water"] },
      { id: "cro", name: "C", role: "CRO", responsible: ["all"], backup: "dep" },
      { id: "dep", name: "D", role: "Deputy" },
    ];
  }).filter((x) => x.rule === "no-deputy");
  expect(f.map((x) => x.targets)).toEqual([["water", "padraig"]]);
});
