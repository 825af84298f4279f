/** Harborview, the example city: every planted mistake is found, and nothing absurd is reported. */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { assess } from "../../src/assess/assess.ts";
import { PRODUCT_ALIASES } from "../../src/assess/catalogue.ts";
import { filterFindings } from "../../src/assess/groups.ts";
import { textReport } from "../../src/assess/report-text.ts";
import { RULES } from "../../src/assess/rules.ts";
import { buildIndex } from "../../src/model/graph.ts";
import { loadModel } from "../../src/model/load.ts";

const DIR = "examples/harborview";

describe.skipIf(!existsSync(`${DIR}/vendors.yaml`))("Harborview (examples/harborview)", async () => {
  const loaded = await loadModel(DIR);
  if (!loaded.ok) throw new Error(`Harborview does not load: ${loaded.issues[0]?.message}`);
  const model = loaded.model;
  const r = assess(buildIndex(model), { asOf: "2026-11-22" });
  const has = (rule: string, target: string) => r.findings.some((f) => f.rule === rule && f.targets.includes(target));

  test("planted: the vendor's password-only, always-on VPN into water SCADA [vendor-no-mfa] [vendor-always-on]", () => {
    const i = model.vendors
      .flatMap((v) => v.remote_access.map((ra, k) => ({ v, ra, k })))
      .find(({ ra }) => ra.to === "wtr-control" && !ra.mfa);
    expect(i).toBeDefined();
    const path = `vendors.${i!.v.id}.remote_access[${i!.k}]`;
    expect(has("vendor-no-mfa", path)).toBe(true);
    expect(has("vendor-always-on", path)).toBe(true);
    expect(r.findings.find((f) => f.rule === "vendor-no-mfa" && f.targets.includes(path))!.severity).toBe("critical");
    // and it is a choke point of the compromised-vendor actor
    expect(r.chokepoints.some((c) => c.actor === "vendor" && c.ids.includes(path))).toBe(true);
  });

  test("planted: the flat corporate route into the Ashford plant [no-dmz] [cleartext-crossing]", () => {
    expect(has("no-dmz", "corp-to-ashford-flat")).toBe(true);
    expect(has("cleartext-crossing", "corp-to-ashford-flat")).toBe(true);
  });

  test("planted: the water SCADA lead has no backup person [no-deputy]", () => {
    expect(has("no-deputy", "padraig-nolan")).toBe(true);
  });

  test("every id a finding, path or choke point names exists in the model", () => {
    const ids = new Set<string>([
      ...model.assets.map((a) => a.id),
      ...model.services.map((s) => s.id),
      ...model.zones.map((z) => z.id),
      ...model.conduits.map((c) => c.id),
      ...model.vendors.map((v) => v.id),
      ...model.people.map((p) => p.id),
      ...model.vendors.flatMap((v) => v.remote_access.map((_, i) => `vendors.${v.id}.remote_access[${i}]`)),
    ]);
    for (const f of r.findings)
      for (const t of [...f.targets, ...f.services]) expect(ids.has(t), `${f.rule}: ${t}`).toBe(true);
    for (const p of r.paths) {
      expect(ids.has(p.target)).toBe(true);
      for (const s of p.steps) expect(ids.has(s.asset)).toBe(true);
    }
    for (const c of r.chokepoints) for (const id of c.ids) expect(ids.has(id), id).toBe(true);
  });

  test("nothing absurd: probabilities in (0, 1], criticality sorted, no NaN, SPOFs really stop a service", () => {
    for (const p of r.paths) {
      expect(p.probability).toBeGreaterThan(0);
      expect(p.probability).toBeLessThanOrEqual(1);
      expect(p.steps.length).toBeGreaterThan(0);
    }
    for (let i = 1; i < r.criticality.length; i++)
      expect(r.criticality[i - 1].weightedLossPerDay).toBeGreaterThanOrEqual(r.criticality[i].weightedLossPerDay);
    for (const c of r.criticality) {
      expect(Number.isFinite(c.personHoursPerDay)).toBe(true);
      if (c.spof) expect(Object.values(c.levels)).toContain(0);
    }
    // a person-hours figure above the city's whole population x 24 x services would be absurd
    const cap = model.city.population * 24 * model.services.length;
    expect(Math.max(...r.criticality.map((c) => c.personHoursPerDay))).toBeLessThanOrEqual(cap);
    // backups of device configurations are not held to a data RPO
    for (const f of r.findings.filter((x) => x.rule === "backup-over-rpo")) {
      const a = model.assets.find((x) => x.id === f.targets[0])!;
      expect(["plc", "rtu", "ied", "switch", "firewall", "router"]).not.toContain(a.kind);
    }
  });

  // ---- the README's planted mistakes, read from its "Deliberate weaknesses (planted mistakes)" section ----
  const readme = existsSync(`${DIR}/README.md`) ? readFileSync(`${DIR}/README.md`, "utf8") : "";
  const section = /^## Deliberate weaknesses[^\n]*\n([\s\S]*?)(?=^#{2,3} )/m.exec(readme)?.[1] ?? "";
  const ruleIds = new Set(RULES.map((x) => x.id));
  const modelIds = new Set<string>([
    ...model.assets.map((a) => a.id),
    ...model.services.map((x) => x.id),
    ...model.zones.map((z) => z.id),
    ...model.conduits.map((c) => c.id),
    ...model.vendors.map((v) => v.id),
    ...model.people.map((p) => p.id),
    ...model.vendors.flatMap((v) => v.remote_access.map((_, i) => `vendors.${v.id}.remote_access[${i}]`)),
  ]);
  /** Ids named in backticks ("`a` to `b`" is a numbered range; a code span may hold several ids). */
  const idsIn = (text: string): string[] => {
    const out: string[] = [];
    const spans = [...text.matchAll(/`([^`]+)`(\s+to\s+`([^`]+)`)?/g)];
    for (const m of spans) {
      const a = /^(.*?)(\d+)$/.exec(m[1]);
      const b = m[3] ? /^(.*?)(\d+)$/.exec(m[3]) : null;
      if (a && b && a[1] === b[1])
        for (let k = Number(a[2]); k <= Number(b[2]); k++) out.push(`${a[1]}${String(k).padStart(a[2].length, "0")}`);
      else out.push(...m[1].split(/[\s,[\]:]+/).filter((x) => modelIds.has(x)));
    }
    return out.filter((x) => modelIds.has(x));
  };
  const items = section
    .split(/\n(?=\d+\. \*\*)/)
    .filter((x) => /^\d+\. \*\*/.test(x))
    .map((text) => {
      const n = Number(/^\d+/.exec(text)![0]);
      const brackets = [...text.matchAll(/\[([^\]`]+)\]/g)].flatMap((m) => m[1].split(/,\s*/));
      const rules = brackets.filter((x) => ruleIds.has(x));
      const count = Number(/\[[^\]]*?(\d+) findings\]/.exec(text)?.[1] ?? Number.NaN);
      // the mistake's location: ids outside the sentences that say how to fix it
      const sentences = text.replace(/\s+/g, " ").split(/(?<=\.) (?=[A-Z`])/);
      const ids = [...new Set(sentences.filter((x) => !/^Fix(es)?\b/.test(x)).flatMap(idsIn))];
      return { n, text, rules, critical: brackets.includes("critical"), count, ids };
    });
  /**
   * Ids an item names as context, not as where its rules fire: the rule (any rule) that reports each in its own
   * right, or null when the id is only context.
   */
  const CONTEXT: Record<string, string | null> = {
    "it-ops-pc-water": null, // the office PC the flat conduit serves
    "wtr-awtp-plc-chlor": "weak-auth", // what one phished desktop can reach: it accepts unauthenticated writes
    "hvu-vpn": "exposed-remote-no-mfa", // the appliance the vendor's access goes through
    "heat-ews": null, // where the TeamViewer access (remote_access[1]) lands
    "it-veeam": "kev", // the backup server that makes the IT backups deletable
    "airbus-pss": "vendor-no-mfa", // the TETRA vendor dials in without MFA
  };
  const hit = (rules: string[], id: string) =>
    r.findings.filter((f) => rules.includes(f.rule) && (f.targets.includes(id) || f.services.includes(id)));

  test.skipIf(!readme)("[README] the planted-mistakes section parses: 15 items, each with rules and ids", () => {
    expect(items.map((x) => x.n)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    for (const it of items) {
      expect(it.rules.length, `item ${it.n}`).toBeGreaterThan(0);
      expect(it.ids.length, `item ${it.n}`).toBeGreaterThan(0);
    }
    // ranges are expanded
    expect(items[2].ids).toEqual(expect.arrayContaining(["trf-tc-021", "trf-tc-025", "trf-tc-030"]));
    // ids in code spans and in sentences after the fix are read too; the fix's own ids are not
    expect(items[7].ids).toEqual(expect.arrayContaining(["psap-cad-a", "psap-rcg-2", "psap-ups-1", "psap-cad-db"]));
    expect(items[4].ids).toEqual(expect.arrayContaining(["wtr-awtp-hmi-2", "it-exch-1", "hosp-ct-2"]));
    expect(items[1].ids).toEqual(expect.arrayContaining(["quayside-crane"]));
    expect(items[1].ids).not.toContain("hvu-jump-2");
  });

  test.skipIf(!readme)("[README] every planted mistake is found: each rule fires on the ids the README names", () => {
    for (const it of items) {
      for (const rule of it.rules)
        expect(
          it.ids.some((id) => hit([rule], id).length > 0),
          `item ${it.n}: ${rule} fires on none of ${it.ids.join(", ")}`,
        ).toBe(true);
      for (const id of it.ids) {
        if (id in CONTEXT) {
          const own = CONTEXT[id];
          if (own) expect(hit([own], id).length, `item ${it.n}: ${id} (${own})`).toBeGreaterThan(0);
          continue;
        }
        expect(hit(it.rules, id).length, `item ${it.n}: ${id} not reported by ${it.rules.join(", ")}`).toBeGreaterThan(
          0,
        );
      }
      if (it.critical)
        expect(
          it.ids.some((id) => hit([it.rules[0]], id).some((f) => f.severity === "critical")),
          `item ${it.n}: ${it.rules[0]} critical`,
        ).toBe(true);
      if (!Number.isNaN(it.count)) {
        const most = Math.max(...it.ids.map((id) => hit([it.rules[0]], id).length));
        expect(most, `item ${it.n}: ${it.count} ${it.rules[0]} findings`).toBe(it.count);
      }
    }
  });

  test.skipIf(!readme)("[README] [kev] each KEV product the README names is the one matched on its hosts", () => {
    const kevItem = items.find((x) => x.rules.includes("kev"))!;
    const text = kevItem.text.replace(/\s+/g, " ");
    let checked = 0;
    for (const m of text.matchAll(/([^,:;()]+?) \(([^)]*`[^)]*)\)/g)) {
      const name = m[1].trim().toLowerCase();
      for (const id of idsIn(m[2])) {
        const f = r.findings.filter((x) => x.rule === "kev" && x.targets[0] === id);
        expect(
          f.some((x) => x.kev!.kevProducts.some((p) => p.toLowerCase().includes(name))),
          `${id}: ${name}`,
        ).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(20);
  });

  test("nothing absurd: every KEV match is the software's own product family", () => {
    const norm = (x: string) =>
      x
        .toLowerCase()
        .replace(/\([^)]*\)/g, " ")
        .replace(/[^a-z0-9]+/g, " ")
        .trim()
        .split(" ")
        .filter(Boolean);
    const EDITION = new Set(["server", "enterprise", "ltsc", "ltsb", "iot", "embedded", "professional", "pro", "sp"]);
    const related = (sw: { vendor?: string; product: string }, kev: string) => {
      const v = norm(sw.vendor ?? "");
      let s = norm(sw.product);
      let k = norm(kev);
      if (v.length && k.slice(0, v.length).join() === v.join()) k = k.slice(v.length);
      if (v.length && s.slice(0, v.length).join() === v.join()) s = s.slice(v.length);
      const ks = k.join(" ");
      const ss = s.join(" ");
      if (ss === ks) return true;
      // a documented product alias ([KEV-2]): "TeamViewer Desktop" is what people call TeamViewer
      for (const [key, names] of PRODUCT_ALIASES) {
        const [kv, kp] = key.split("|");
        if (`${kv} ${kp}` === norm(kev).join(" ") && names.includes(norm(sw.product).join(" "))) return true;
      }
      // the KEV product is the family: what follows is versions and editions only
      if (ss.startsWith(`${ks} `)) return s.slice(k.length).every((w) => /\d/.test(w) || EDITION.has(w));
      // a joint KEV name ("FortiOS and FortiProxy") that names the product
      return /\band\b/.test(ks) && ` ${ks} `.includes(` ${ss} `);
    };
    const kevFindings = r.findings.filter((f) => f.rule === "kev");
    expect(kevFindings.length).toBeGreaterThan(0);
    for (const f of kevFindings) {
      const a = model.assets.find((x) => x.id === f.targets[0])!;
      const sw = a.software.find(
        (x) => `${x.vendor ? `${x.vendor} ` : ""}${x.product}${x.version ? ` ${x.version}` : ""}` === f.kev!.software,
      )!;
      expect(sw, f.kev!.software).toBeDefined();
      for (const p of f.kev!.kevProducts) expect(related(sw, p), `${a.id}: ${sw.product} ~ ${p}`).toBe(true);
      expect(f.kev!.cves.length).toBe(f.kev!.count);
    }
    // the review's examples
    const products = (id: string) => kevFindings.filter((f) => f.targets[0] === id).map((f) => f.kev!.software);
    const wsus = model.assets.find((a) => a.software.some((s) => s.product === "Windows Server Update Services"));
    if (wsus) expect(products(wsus.id).join()).not.toMatch(/Update Services/);
    for (const f of kevFindings)
      if (/SQL Server|Exchange Server/.test(f.kev!.software))
        expect(f.kev!.kevProducts.join(), f.kev!.software).not.toMatch(/Windows/);
  });

  test("[FND-1] Harborview's findings fit on one screen as groups; each finding in exactly one group", () => {
    expect(r.findings.length).toBeGreaterThan(700);
    expect(r.groups.length).toBeLessThanOrEqual(35);
    const seen = new Int32Array(r.findings.length);
    for (const g of r.groups) for (const i of g.findings) seen[i]++;
    expect([...seen].every((x) => x === 1)).toBe(true);
    for (const g of r.groups) for (const i of g.findings) expect(r.findings[i].group).toBe(g.id);
    // one KEV group per product family: every Windows host is one group
    const win = r.groups.find((g) => g.id === "kev:Microsoft Windows")!;
    expect(win.targets.length).toBeGreaterThanOrEqual(90);
    expect(r.groups.filter((g) => g.title.startsWith("Microsoft Windows:"))).toHaveLength(1);
    // one group per missing control: every unmonitored asset is one group
    expect(r.groups.filter((g) => g.rules.includes("unmonitored-critical"))).toHaveLength(1);
    // the text report lists every group, one line each
    const text = textReport(r);
    const lines = text.split("\n").filter((l) => /^\s+\d+\. (CRITICAL|HIGH|MEDIUM|LOW) /.test(l));
    expect(lines.length).toBe(r.groups.length);
  });

  test("[FND-2] [README] the first ten groups hold every planted critical mistake", () => {
    const top = new Set(r.groups.slice(0, 10).map((g) => g.id));
    let checked = 0;
    for (const it of items.filter((x) => x.critical)) {
      const groups = new Set(
        it.ids.flatMap((id) => hit([it.rules[0]], id).filter((f) => f.severity === "critical")).map((f) => f.group),
      );
      expect(groups.size, `item ${it.n}`).toBeGreaterThan(0);
      expect(
        [...groups].some((g) => top.has(g)),
        `item ${it.n}: ${[...groups].join(", ")}`,
      ).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(3);
    // the flat IT-to-plant conduit is on the first page too
    expect(top.has(r.findings.find((f) => f.rule === "no-dmz" && f.targets[0] === "corp-to-ashford-flat")!.group)).toBe(
      true,
    );
    // and the first page is all critical, ranked
    for (const g of r.groups.slice(0, 10)) expect(g.severity).toBe("critical");
    for (let i = 1; i < r.groups.length; i++) expect(r.groups[i - 1].score).toBeGreaterThan(r.groups[i].score);
  });

  test("[FND-2] [KEV-4] fewer criticals that say only 'check the version': a platform family is never critical", () => {
    const crit = r.findings.filter((f) => f.severity === "critical");
    expect(crit.length).toBeLessThan(47);
    expect(crit.filter((f) => f.kev?.family === "Microsoft Windows")).toHaveLength(0);
    expect(r.groups.find((g) => g.id === "kev:Microsoft Windows")!.note).toMatch(/check each host's version/);
  });

  test("[KEV-2] the TeamViewer on the heat engineering workstation matches KEV's TeamViewer Desktop", () => {
    const f = r.findings.find(
      (x) => x.rule === "kev" && x.targets[0] === "heat-ews" && /TeamViewer/.test(x.kev!.software),
    );
    expect(f?.kev?.kevProducts).toContain("TeamViewer Desktop");
  });

  test("[KEV-3] the shipped catalogue is more than 30 days old on the assessment date: a warning says so", () => {
    expect(r.warnings.map((w) => w.code)).toContain("kev-stale");
    expect(textReport(r)).toMatch(/warning: the KEV catalogue .* days old/);
  });

  test("[FND-4] filters narrow findings and groups; owners and zones are located", () => {
    const f = r.findings.find((x) => x.rule === "no-deputy")!;
    expect(f.owners).toContain("padraig-nolan");
    const flat = r.findings.find((x) => x.rule === "no-dmz" && x.targets[0] === "corp-to-ashford-flat")!;
    expect(flat.zones).toEqual(["corp-it", "wtr-ashford-wtp"].sort());
    const q = filterFindings(r.findings, r.groups, { zone: ["wtr-ashford-wtp"], severity: ["critical", "high"] });
    expect(q.findings.length).toBeGreaterThan(0);
    for (const x of q.findings) {
      expect(x.zones).toContain("wtr-ashford-wtp");
      expect(["critical", "high"]).toContain(x.severity);
    }
    expect(q.groups.reduce((t, g) => t + g.findings.length, 0)).toBe(q.findings.length);
    for (const g of q.groups) for (const i of g.findings) expect(q.findings[i].group).toBe(g.id);
  });

  test("nothing absurd: no person-hours above population x 24 per day for each service hit", () => {
    const pop = new Map<string, number>(model.services.map((x) => [x.id, x.population]));
    for (const c of r.criticality) {
      const cap = c.services.reduce((t, id) => t + (pop.get(id) ?? 0) * 24, 0);
      expect(c.personHoursPerDay, c.id).toBeLessThanOrEqual(cap + 1e-6);
    }
    const all = model.services.reduce((t, x) => t + x.population * 24, 0);
    for (const p of r.pairs) expect(p.personHoursPerDay, p.ids.join("+")).toBeLessThanOrEqual(all + 1e-6);
  });

  test("nothing absurd: every id in pairs, path entries, uncuttable targets and choke-point controls exists", () => {
    const controls = new Set<string>(model.controls.map((c) => c.id));
    for (const p of r.pairs) for (const id of p.ids) expect(modelIds.has(id), id).toBe(true);
    for (const p of r.paths)
      expect(["internet", "phishing", "physical", "insider"].includes(p.entry) || modelIds.has(p.entry), p.entry).toBe(
        true,
      );
    for (const c of r.chokepoints) {
      for (const u of c.uncuttable) expect(modelIds.has(u.target), u.target).toBe(true);
      for (const [el, cs] of Object.entries(c.controls)) {
        expect(modelIds.has(el), el).toBe(true);
        for (const x of cs) expect(controls.has(x), x).toBe(true);
      }
    }
  });

  test("[CHK-1] an actor's two cuts are labelled and never the same set; the text labels them", () => {
    for (const a of new Set(r.chokepoints.map((c) => c.actor))) {
      const mine = r.chokepoints.filter((c) => c.actor === a);
      expect(mine.map((c) => c.side)).toEqual(mine.length === 2 ? ["entry", "target"] : ["entry"]);
      if (mine.length === 2) expect([...mine[0].ids].sort()).not.toEqual([...mine[1].ids].sort());
    }
    const text = textReport(r);
    expect(text).toMatch(/nearest the entry points/);
    const lines = text.split("\n").filter((l) => /nearest the entry points.*element\(s\), cuts/.test(l));
    expect(lines.length).toBeGreaterThan(0);
    expect(new Set(lines).size).toBe(lines.length);
  });
});
