import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  ATTACK_ICS,
  CAF,
  CSF,
  indexKev,
  KEV_SNAPSHOT,
  kevReleaseDate,
  matchKev,
  normalizeName,
  TACTICS,
  TECHNIQUES,
} from "../../src/assess/catalogue.ts";

const DATA = join(process.cwd(), "..", "shared", "data");

describe("shipped catalogues", () => {
  test("ATT&CK for ICS: techniques with ids, names and known tactics, and MITRE's copyright line", () => {
    expect(TECHNIQUES.size).toBeGreaterThan(80);
    for (const t of TECHNIQUES.values()) {
      expect(t.id).toMatch(/^T\d{4}(\.\d{3})?$/);
      expect(t.name.length).toBeGreaterThan(2);
      for (const ta of t.tactics) expect(TACTICS.has(ta)).toBe(true);
    }
    expect(ATTACK_ICS.copyright).toMatch(/The MITRE Corporation/);
    // the techniques the attack graph uses
    for (const id of ["T0883", "T0819", "T0822", "T0812", "T0859", "T0866", "T0886", "T0865", "T0864"])
      expect(TECHNIQUES.has(id), id).toBe(true);
  });

  test("CSF 2.0 has the 106 current subcategories, CAF 4.0 the 41 contributing outcomes", () => {
    expect(CSF.size).toBe(106);
    expect(CSF.has("PR.AA-05")).toBe(true);
    expect(CSF.has("PR.AC-01")).toBe(false); // a CSF 1.1 id, withdrawn
    expect(CAF.size).toBe(41);
    expect(CAF.get("B5.c")).toBe("Backups");
  });

  test("KEV snapshot: facts only (no descriptions), sorted, >1000 entries", () => {
    expect(KEV_SNAPSHOT.vulnerabilities.length).toBeGreaterThan(1000);
    expect(Object.keys(KEV_SNAPSHOT.vulnerabilities[0]).sort()).toEqual(
      ["cveID", "dateAdded", "knownRansomwareCampaignUse", "product", "vendorProject"].sort(),
    );
  });

  test("KEV matching: normalized vendor and product; product words as a prefix; CPE understood", () => {
    expect(normalizeName("Siemens AG")).toBe("siemens");
    expect(normalizeName("Microsoft Corporation")).toBe("microsoft");
    const idx = indexKev({
      catalogVersion: "t",
      vulnerabilities: [
        {
          cveID: "CVE-1",
          vendorProject: "Microsoft",
          product: "Windows",
          dateAdded: "",
          knownRansomwareCampaignUse: "Known",
        },
        {
          cveID: "CVE-2",
          vendorProject: "Acme",
          product: "SCADA Server",
          dateAdded: "",
          knownRansomwareCampaignUse: "Unknown",
        },
      ],
    });
    expect(matchKev(idx, { product: "Windows Server 2019", vendor: "Microsoft Corp." }).map((e) => e.cveID)).toEqual([
      "CVE-1",
    ]);
    expect(matchKev(idx, { product: "Windowsill", vendor: "Microsoft" })).toEqual([]);
    expect(matchKev(idx, { product: "Windows", vendor: "Other" })).toEqual([]);
    expect(matchKev(idx, { product: "scada-server", vendor: "ACME Inc" }).map((e) => e.cveID)).toEqual(["CVE-2"]);
    expect(
      matchKev(idx, { product: "x", cpe: "cpe:2.3:a:acme:scada_server:5.2:*:*:*:*:*:*:*" }).map((e) => e.cveID),
    ).toEqual(["CVE-2"]);
    // without a vendor only an exact, multi-word product matches
    expect(matchKev(idx, { product: "SCADA Server" }).map((e) => e.cveID)).toEqual(["CVE-2"]);
    expect(matchKev(idx, { product: "Windows" })).toEqual([]);
  });
});

describe("[kev] matching is by product family, not by a shared first word", () => {
  const e = (cveID: string, vendorProject: string, product: string, dateAdded = "2024-01-01", rw = "Unknown") => ({
    cveID,
    vendorProject,
    product,
    dateAdded,
    knownRansomwareCampaignUse: rw,
  });
  const idx = indexKev({
    catalogVersion: "t",
    vulnerabilities: [
      e("CVE-2002-0367", "Microsoft", "Windows", "2022-03-03", "Known"),
      e("CVE-2025-0001", "Microsoft", "Windows ", "2025-06-10"),
      e("CVE-2021-26855", "Microsoft", "Exchange Server", "2021-11-03", "Known"),
      e("CVE-2020-0688", "Microsoft", "Exchange", "2021-11-03"),
      e("CVE-2008-0001", "Microsoft", "SQL Server"),
      e("CVE-2014-0114", "Apache", "Struts 1"),
      e("CVE-2023-3519", "Citrix", "NetScaler ADC and NetScaler Gateway"),
      e("CVE-2024-1709", "Trihedral", "VTScada (formerly VTS)"),
      e("CVE-2018-13379", "Fortinet", "FortiOS"),
    ],
  });
  const ids = (sw: { product: string; vendor?: string; version?: string }) => matchKev(idx, sw).map((x) => x.cveID);
  const WINDOWS = ["CVE-2025-0001", "CVE-2002-0367"];

  test("KEV Windows is the family of Windows Server 2019, Windows 10 and Windows 7 Embedded SP1", () => {
    expect(ids({ product: "Windows Server 2019", vendor: "Microsoft", version: "1809 (17763.6054)" })).toEqual(WINDOWS);
    expect(ids({ product: "Windows 10 Enterprise LTSC 2021", vendor: "Microsoft", version: "21H2" })).toEqual(WINDOWS);
    expect(ids({ product: "Windows 10 IoT Enterprise LTSC 2021", vendor: "Microsoft" })).toEqual(WINDOWS);
    expect(ids({ product: "Windows 7 Embedded", vendor: "Microsoft", version: "SP1" })).toEqual(WINDOWS);
    expect(ids({ product: "Windows", vendor: "Microsoft" })).toEqual(WINDOWS);
  });

  test("a product that only starts with or contains a KEV product word does not match it", () => {
    expect(ids({ product: "Windows Server Update Services", vendor: "Microsoft", version: "2019" })).toEqual([]);
    expect(ids({ product: "SQL Server 2019", vendor: "Microsoft", version: "15.0.4375" })).toEqual(["CVE-2008-0001"]);
    // Exchange has its own KEV entries (under "Exchange Server" and "Exchange"); Windows' are not among them
    expect(ids({ product: "Exchange Server", vendor: "Microsoft", version: "2016 CU23" })).toEqual([
      "CVE-2021-26855",
      "CVE-2020-0688",
    ]);
    expect(ids({ product: "Exchange Online", vendor: "Microsoft" })).toEqual([]);
    expect(ids({ product: "Windowsill", vendor: "Microsoft" })).toEqual([]);
    expect(ids({ product: "Windows Admin Center", vendor: "Microsoft" })).toEqual([]);
  });

  test("a version in the KEV product must lead the software's; joint names, remarks and vendor prefixes", () => {
    expect(ids({ product: "Struts", vendor: "Apache", version: "1.3.10" })).toEqual(["CVE-2014-0114"]);
    expect(ids({ product: "Struts 1", vendor: "Apache" })).toEqual(["CVE-2014-0114"]);
    expect(ids({ product: "Struts", vendor: "Apache", version: "2.5.30" })).toEqual([]);
    expect(ids({ product: "NetScaler Gateway", vendor: "Citrix", version: "13.1" })).toEqual(["CVE-2023-3519"]);
    expect(ids({ product: "VTScada", vendor: "Trihedral", version: "12.1.38" })).toEqual(["CVE-2024-1709"]);
    expect(ids({ product: "VTScada Thin Client", vendor: "Trihedral" })).toEqual([]);
    expect(ids({ product: "Fortinet FortiOS", vendor: "Fortinet", version: "7.2.6" })).toEqual(["CVE-2018-13379"]);
  });

  test("on the shipped snapshot: WSUS matches nothing, SQL Server and Exchange only their own entries", () => {
    const snap = indexKev(KEV_SNAPSHOT);
    expect(matchKev(snap, { product: "Windows Server Update Services", vendor: "Microsoft" })).toEqual([]);
    for (const product of ["SQL Server 2017", "Exchange Server"]) {
      const m = matchKev(snap, { product, vendor: "Microsoft" });
      expect(m.length).toBeGreaterThan(0);
      for (const x of m) expect(x.product, product).not.toMatch(/^Windows/);
    }
    const win = matchKev(snap, { product: "Windows Server 2019", vendor: "Microsoft" });
    expect(win.length).toBeGreaterThan(100);
    for (const x of win) expect(x.product.trim()).toBe("Windows");
    // newest first, one entry per CVE
    for (let i = 1; i < win.length; i++) expect(win[i - 1].dateAdded >= win[i].dateAdded).toBe(true);
    expect(new Set(win.map((x) => x.cveID)).size).toBe(win.length);
  });
});

describe.skipIf(!existsSync(join(DATA, "attack-ics")))("build-catalogues (needs ../shared/data)", () => {
  test("the script reproduces the committed catalogues from the reference data", () => {
    const out = mkdtempSync(join(tmpdir(), "rampart-cat-"));
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", "scripts/build-catalogues.ts", "--data", DATA, "--out", out],
      {
        encoding: "utf8",
        timeout: 120_000,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    for (const f of ["attack-ics.json", "kev.json", "csf.json", "caf.json"])
      expect(readFileSync(join(out, f), "utf8"), f).toBe(readFileSync(join("src/assess/catalogue", f), "utf8"));
  });
});

describe("KEV aliases and catalogue age", () => {
  const cat = {
    catalogVersion: "2025.08.25",
    vulnerabilities: [
      {
        cveID: "CVE-2019-18988",
        vendorProject: "TeamViewer",
        product: "Desktop",
        dateAdded: "2021-11-03",
        knownRansomwareCampaignUse: "Unknown",
      },
      {
        cveID: "CVE-2019-11510",
        vendorProject: "Pulse Secure",
        product: "Pulse Connect Secure",
        dateAdded: "2021-11-03",
        knownRansomwareCampaignUse: "Known",
      },
      {
        cveID: "CVE-2024-21887",
        vendorProject: "Ivanti",
        product: "Connect Secure and Policy Secure",
        dateAdded: "2024-01-10",
        knownRansomwareCampaignUse: "Known",
      },
    ],
  };
  const idx = indexKev(cat);
  test("[KEV-2] a product alias: TeamViewer is KEV's TeamViewer Desktop; an unrelated product is not", () => {
    expect(matchKev(idx, { product: "TeamViewer", vendor: "TeamViewer" }).map((e) => e.cveID)).toEqual([
      "CVE-2019-18988",
    ]);
    expect(matchKev(idx, { product: "TeamViewer Desktop", vendor: "TeamViewer GmbH" }).length).toBe(1);
    expect(matchKev(idx, { product: "Desktop Manager", vendor: "TeamViewer" })).toEqual([]);
  });
  test("[KEV-2] a vendor alias: Ivanti's Connect Secure also matches entries filed under Pulse Secure", () => {
    const ids = matchKev(idx, { product: "Connect Secure", vendor: "Ivanti" }).map((e) => e.cveID);
    expect(ids).toEqual(["CVE-2024-21887"]);
    const pulse = matchKev(idx, { product: "Pulse Connect Secure", vendor: "Ivanti" }).map((e) => e.cveID);
    expect(pulse).toContain("CVE-2019-11510");
  });
  test("[KEV-3] the release date: dateReleased, else a dated catalogVersion, else the newest dateAdded", () => {
    expect(kevReleaseDate({ ...cat, dateReleased: "2025-08-26T17:04:19Z" })).toBe("2025-08-26");
    expect(kevReleaseDate(cat)).toBe("2025-08-25");
    expect(kevReleaseDate({ ...cat, catalogVersion: "x" })).toBe("2024-01-10");
    expect(kevReleaseDate({ catalogVersion: "x", vulnerabilities: [] })).toBe("");
    expect(kevReleaseDate(KEV_SNAPSHOT)).toBe("2025-08-25");
  });
});
