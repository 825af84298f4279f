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
