/** Finding groups, accepted risks and filters: differential tests against obvious oracles on random cities. */
import { describe, expect, test } from "vitest";
import { parseAcceptedRisks } from "../../src/assess/accepted.ts";
import { assess } from "../../src/assess/assess.ts";
import { type FindingFilter, filterFindings, groupIdOf, matchesFilter } from "../../src/assess/groups.ts";
import { type AcceptedRisk, type Finding, SEVERITIES, type Severity } from "../../src/assess/types.ts";
import { buildIndex } from "../../src/model/graph.ts";
import type { CityModel } from "../../src/model/model.ts";
import { type Rng, streamFor } from "../../src/model/rng.ts";
import { pick, randomModel } from "../helpers/random-model.ts";

const AS_OF = "2026-06-01";
const TIER: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1 };

/** A random city with weaknesses sprinkled on its assets, vendors and people. */
function weakCity(seed: number): CityModel {
  const m = randomModel(seed, { maxAssets: 14, maxServices: 5 });
  const rng = streamFor(seed, 11);
  const kinds = ["plc", "server", "scada-server", "workstation", "vpn", "hmi"] as const;
  for (const a of m.assets) {
    const x = a as unknown as Record<string, unknown>;
    x.kind = pick(rng, kinds);
    x.layer = pick(rng, ["ot", "it", "iot"]);
    if (rng.next() < 0.3) x.auth = pick(rng, ["none", "default", "password"]);
    if (rng.next() < 0.2) x.exposed = true;
    x.monitored = rng.next() < 0.5;
    if (rng.next() < 0.4) x.backup = { every: 24, offline: rng.next() < 0.5, restore: 1 + rng.int(48) };
    if (rng.next() < 0.2) x.end_of_life = true;
    if (rng.next() < 0.3) x.software = [{ product: "Windows Server 2019", vendor: "Microsoft" }];
  }
  for (const s of m.services) {
    const x = s as unknown as Record<string, unknown>;
    x.impact = {
      confidentiality: pick(rng, ["low", "moderate", "high"]),
      integrity: pick(rng, ["low", "moderate", "high"]),
      availability: pick(rng, ["low", "moderate", "high"]),
    };
  }
  m.people.push({
    id: "p1",
    name: "P One",
    role: "lead",
    responsible: m.services.filter(() => rng.next() < 0.5).map((s) => s.id),
  } as never);
  return m;
}

function randomAccepted(rng: Rng, findings: Finding[]): AcceptedRisk[] {
  const out: AcceptedRisk[] = [];
  for (let k = 0; k < 1 + rng.int(4) && findings.length; k++) {
    const f = pick(rng, findings);
    const expires = pick(rng, ["2026-01-01", "2026-06-01", "2026-06-02", "2027-01-01"]);
    out.push({
      rule: rng.next() < 0.5 ? f.rule : f.group,
      ...(rng.next() < 0.7 ? { target: f.targets[0] } : {}),
      owner: "p1",
      justification: "test",
      expires,
    });
  }
  return out;
}

describe("finding groups, accepted risks and filters (random cities)", () => {
  test("[FND-1] [FND-3] every finding in exactly one group; group counts and severity match the oracle; acceptance by date", () => {
    let grouped = 0;
    let accepted = 0;
    let expired = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const m = weakCity(seed);
      const idx = buildIndex(m);
      const first = assess(idx, { asOf: AS_OF });
      const acc = randomAccepted(streamFor(seed, 3), first.findings);
      const r = assess(idx, { asOf: AS_OF, accepted: acc });
      // partition
      const count = new Int32Array(r.findings.length);
      for (const g of r.groups) for (const i of g.findings) count[i]++;
      expect(
        [...count].every((c) => c === 1),
        `seed ${seed}`,
      ).toBe(true);
      for (const f of r.findings) {
        expect(f.group).toBe(groupIdOf(f));
        // oracle acceptance: the latest-expiring acceptance naming the rule or group (and first target if given)
        const cover = acc
          .filter(
            (a) => (a.rule === f.rule || a.rule === f.group) && (a.target === undefined || a.target === f.targets[0]),
          )
          .sort((a, b) => (a.expires < b.expires ? 1 : -1))[0];
        if (!cover) expect(f.acceptance, `seed ${seed}`).toBeUndefined();
        else {
          const want = AS_OF <= cover.expires ? "accepted" : "expired";
          expect(f.acceptance?.status, `seed ${seed}`).toBe(want);
          if (want === "expired") {
            expect(f.acceptance?.note).toMatch(/raised again/);
            expired++;
          } else accepted++;
        }
      }
      for (const g of r.groups) {
        const fs = g.findings.map((i) => r.findings[i]);
        const open = fs.filter((f) => f.acceptance?.status !== "accepted");
        expect(g.open).toBe(open.length);
        expect(g.accepted).toBe(fs.length - open.length);
        const sev = Math.max(...(open.length ? open : fs).map((f) => TIER[f.severity]));
        expect(TIER[g.severity], `seed ${seed} ${g.id}`).toBe(sev);
        expect(new Set(g.targets)).toEqual(new Set(fs.map((f) => f.targets[0])));
        grouped++;
      }
      // fully accepted groups rank after every group with open findings
      const firstClosed = r.groups.findIndex((g) => g.open === 0);
      if (firstClosed >= 0) for (const g of r.groups.slice(firstClosed)) expect(g.open).toBe(0);
    }
    expect(grouped).toBeGreaterThan(100);
    expect(accepted).toBeGreaterThan(5);
    expect(expired).toBeGreaterThan(2);
  });

  test("[FND-4] filters keep exactly the findings the brute-force predicate keeps, and recount their groups", () => {
    for (let seed = 1; seed <= 50; seed++) {
      const m = weakCity(seed);
      const r = assess(buildIndex(m), { asOf: AS_OF });
      const rng = streamFor(seed, 5);
      const q: FindingFilter = {};
      if (rng.next() < 0.5) q.severity = SEVERITIES.filter(() => rng.next() < 0.5);
      if (rng.next() < 0.4 && r.findings.length) q.rule = [pick(rng, r.findings).rule];
      if (rng.next() < 0.4) q.service = [pick(rng, m.services).id];
      if (rng.next() < 0.4 && m.zones.length) q.zone = [pick(rng, m.zones).id];
      if (rng.next() < 0.3) q.owner = ["p1"];
      const got = filterFindings(r.findings, r.groups, q);
      const want = r.findings.filter((f) => {
        if (q.severity?.length && !q.severity.includes(f.severity)) return false;
        if (q.rule?.length && !q.rule.includes(f.rule)) return false;
        if (q.service?.length && !f.services.some((s) => q.service?.includes(s))) return false;
        if (q.zone?.length && !f.zones.some((s) => q.zone?.includes(s))) return false;
        if (q.owner?.length && !f.owners.some((s) => q.owner?.includes(s))) return false;
        return true;
      });
      expect(got.findings).toEqual(want);
      for (const f of r.findings) expect(matchesFilter(f, q)).toBe(want.includes(f));
      const count = new Int32Array(got.findings.length);
      for (const g of got.groups) {
        expect(g.findings.length).toBeGreaterThan(0);
        for (const i of g.findings) {
          count[i]++;
          expect(got.findings[i].group).toBe(g.id);
        }
      }
      expect([...count].every((c) => c === 1)).toBe(true);
    }
  });

  test("[FND-4] owners are the people named for the services at risk; zones the targets' zones", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const m = weakCity(seed);
      const r = assess(buildIndex(m), { asOf: AS_OF });
      const p1 = new Set(m.people[0].responsible as string[]);
      for (const f of r.findings) {
        expect(f.owners.includes("p1")).toBe(f.services.some((s) => p1.has(s)));
        for (const t of f.targets) {
          const a = m.assets.find((x) => x.id === t);
          if (a && a.zone !== "internet") expect(f.zones).toContain(a.zone);
        }
      }
    }
  });

  test("[FND-3] accepted-risk files: errors name the entry and field; dates are real dates", () => {
    const ok = parseAcceptedRisks([
      { rule: "kev", target: "a1", owner: "x", justification: "y", expires: "2027-01-31" },
    ]);
    expect(ok.issues).toEqual([]);
    expect(ok.risks[0]).toMatchObject({ rule: "kev", target: "a1", expires: "2027-01-31" });
    const bad = parseAcceptedRisks({
      accepted: [{ rule: "kev", owner: "x", expires: "2027-02-30", colour: 1 }, "nope"],
    });
    expect(bad.risks).toEqual([]);
    expect(bad.issues.map((i) => i.path).sort()).toEqual(
      ["accepted[0].colour", "accepted[0].expires", "accepted[0].justification", "accepted[1]"].sort(),
    );
    expect(parseAcceptedRisks("x").issues[0].message).toMatch(/expected a list/);
  });

  test("[KEV-3] the catalogue's age is counted on the injected date: warn past 30 days, not before", () => {
    const idx = buildIndex(weakCity(3));
    const kev = { catalogVersion: "2026.05.20", vulnerabilities: [] };
    expect(assess(idx, { asOf: AS_OF, kev, today: "2026-06-19" }).warnings).toEqual([]);
    const w = assess(idx, { asOf: AS_OF, kev, today: "2026-06-20" }).warnings;
    expect(w.map((x) => x.code)).toEqual(["kev-stale"]);
    expect(w[0].message).toMatch(/31 days old on 2026-06-20; refresh it with a newer one/);
    // without `today` the assessment date counts
    expect(assess(idx, { asOf: "2026-05-21", kev }).warnings).toEqual([]);
    expect(assess(idx, { asOf: AS_OF, kev: { catalogVersion: "x", vulnerabilities: [] } }).warnings[0].code).toBe(
      "kev-undated",
    );
  });
});
