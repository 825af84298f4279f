/**
 * KEV classes ([FND-5]) and names in the text report, on Harborview: families of network boundary devices and of
 * OT products share one group each, every family and host still listed; pairs and choke points are named.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { assess } from "../../src/assess/assess.ts";
import { filterFindings } from "../../src/assess/groups.ts";
import { textReport } from "../../src/assess/report-text.ts";
import type { AssessReport } from "../../src/assess/types.ts";
import { buildIndex } from "../../src/model/graph.ts";
import { loadModel } from "../../src/model/load.ts";

let r: AssessReport;
beforeAll(async () => {
  const loaded = await loadModel("examples/harborview");
  if (!loaded.ok) throw new Error("harborview does not load");
  r = assess(buildIndex(loaded.model), { asOf: "2026-06-01" });
});

describe("[FND-5] KEV classes", () => {
  test("[FND-5][FND-1] boundary-device and OT families share a group each; every family and host is listed", () => {
    expect(r.groups.length).toBeLessThanOrEqual(26);
    const net = r.groups.find((g) => g.id === "kev:network-devices");
    const ot = r.groups.find((g) => g.id === "kev:ot-products");
    expect(net?.families?.map((f) => f.family).sort()).toEqual(
      [
        "Cisco IOS XR",
        "Citrix NetScaler ADC and NetScaler Gateway",
        "Fortinet FortiOS",
        "Ivanti Connect Secure, Policy Secure, and ZTA Gateways",
        "Palo Alto Networks PAN-OS",
      ].sort(),
    );
    expect(ot?.families?.map((f) => f.family)).toContain("Siemens SIMATIC CP");
    // nothing hidden: each KEV finding sits in exactly one group, its family's hosts are the group's targets
    for (const g of [net, ot]) {
      if (!g) throw new Error("class group missing");
      const hosts = g.families?.flatMap((f) => f.targets) ?? [];
      expect([...hosts].sort()).toEqual([...g.targets].sort());
      for (const i of g.findings) expect(r.findings[i].group).toBe(g.id);
    }
    // a platform family (Windows, 152 entries) keeps its own group
    expect(r.groups.some((g) => g.id === "kev:Microsoft Windows")).toBe(true);
    const kev = r.findings.filter((f) => f.rule === "kev").length;
    expect(r.groups.filter((g) => g.rules.includes("kev")).reduce((a, g) => a + g.findings.length, 0)).toBe(kev);
  });

  test("[FND-5][FND-4] a filter naming a family still finds its findings inside the class group", () => {
    const out = filterFindings(r.findings, r.groups, { rule: ["kev:Fortinet FortiOS"] });
    expect(out.findings.length).toBe(4);
    expect(out.groups.map((g) => g.id)).toEqual(["kev:network-devices"]);
  });

  test("[RNK-2] the text report names the assets of the worst pairs and the choke points", () => {
    const text = textReport(r);
    const pairs = text.split("Worst pairs")[1].split("\n").slice(1, 3).join("\n");
    const p = r.pairs[0];
    expect(pairs).toContain(`${r.names?.[p.ids[0]]} + `);
    const chokes = text.split("Choke points")[1];
    const c = r.chokepoints.find((x) => x.ids.some((id) => r.names?.[id]));
    if (!c) throw new Error("no named choke point");
    const id = c.ids.find((x) => r.names?.[x]) as string;
    expect(chokes).toContain(`${r.names?.[id]} (${id})`);
  });
});

describe("zones in the HTML report", () => {
  test("the report lists every zone with its SL-T and SL-A, and the HTML shows the gap", async () => {
    const { htmlReport } = await import("../../src/assess/report-html.ts");
    const loaded = await loadModel("examples/harborview");
    if (!loaded.ok) throw new Error("harborview does not load");
    expect(r.zones?.length).toBe(loaded.model.zones.length);
    const gap = loaded.model.zones.find((z) => z.sl?.target !== undefined && (z.sl.achieved ?? 0) < z.sl.target);
    if (!gap?.sl?.target) throw new Error("Harborview has no zone below its target");
    const row = r.zones?.find((z) => z.id === gap.id);
    expect(row?.target).toBe(gap.sl.target);
    expect(row?.assets).toBe(loaded.model.assets.filter((a) => a.zone === gap.id).length);
    const html = htmlReport(r);
    expect(html).toMatch(new RegExp(`<tr data-zone="${gap.id}">.*?<td class="n"><b>\\d</b></td></tr>`));
  });
});
