/** The command line and the API assess a model identically ([CLI-1]); known extensions come from the loader. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { loadModelFromSources } from "../../src/model/load.ts";
import { loadEngines } from "../../src/server/engines.ts";
import { finished, testServer } from "../server/helpers.ts";

const MODEL = `rampart: 1
city: { name: Paritytown, population: 8000 }
zones:
  - { id: it, level: 4 }
  - { id: ot, level: 1 }
conduits:
  - { id: it-ot, from: it, to: ot, protocols: [modbus] }
vendors:
  - { id: acme, name: Acme, remote_access: [ { to: ot } ] }
assets:
  - { id: web, name: Web, kind: server, layer: it, zone: it, exposed: true, auth: default }
  - { id: plc-1, name: PLC, kind: plc, layer: ot, zone: ot, auth: none }
  - { id: plc-2, name: PLC 2, kind: plc, layer: ot, zone: ot, auth: password }
services:
  - id: water
    name: Water
    sector: water
    population: 8000
    impact: { confidentiality: low, integrity: high, availability: high }
    requires: [ { any: [plc-1, plc-2] } ]
x-actors:
  - { id: drone-pilot, name: Drone pilot, skill: 0.3, entries: { physical: 1 } }
  - { id: ransomware, name: Local ransomware crew, skill: 0.4, entries: { internet: 1 } }
x-notes: the user's own extension, ignored
`;

const dir = mkdtempSync(join(tmpdir(), "rampart-parity-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("[CLI-1] the same model gives byte-identical assessment JSON through the CLI and through the API", async () => {
  const file = join(dir, "city.yaml");
  writeFileSync(file, MODEL);
  const cli = spawnSync(process.execPath, ["bin/rampart", "assess", file, "--json", "--as-of", "2026-06-01"], {
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(cli.status, cli.stderr).toBe(0);
  const s = await testServer({ engines: await loadEngines() });
  try {
    expect(
      (await s.req(s.as.analyst, "POST", "/api/models", { id: "parity", files: [{ file: "city.yaml", text: MODEL }] }))
        .status,
    ).toBe(201);
    const run = await s.req(s.as.analyst, "POST", "/api/models/parity/versions/latest/assessments", {
      asOf: "2026-06-01",
    });
    expect(run.status).toBe(202);
    const got = await finished(s, s.as.viewer, String(run.json.id));
    expect(got.json.info.status).toBe("done");
    // the stored report is JSON.stringify(report): compare it byte for byte with the CLI's, re-serialized compactly
    const api = got.text.slice(got.text.indexOf(',"result":') + 10, -1);
    const fromCli = JSON.stringify(JSON.parse(cli.stdout));
    expect(api.length).toBeGreaterThan(1000);
    expect(api).toBe(fromCli);
    const actors = JSON.parse(api).actors as { id: string; source: string; name: string }[];
    expect(actors.find((a) => a.id === "drone-pilot")?.source).toBe("model");
    expect(actors.find((a) => a.id === "ransomware")).toMatchObject({ source: "model", name: "Local ransomware crew" });
  } finally {
    await s.close();
  }
});

test("[CLI-1] the loader returns x-actors as a validated extension, located when wrong; other x- keys are ignored", () => {
  const ok = loadModelFromSources([{ file: "city.yaml", text: MODEL }]);
  expect(ok.ok).toBe(true);
  if (ok.ok) expect(ok.model.extensions?.actors.map((a) => a.id)).toEqual(["drone-pilot", "ransomware"]);
  const bad = loadModelFromSources([
    {
      file: "city.yaml",
      text: MODEL.replace("skill: 0.3, entries: { physical: 1 }", "skill: 3, entries: { physical: 1 }"),
    },
  ]);
  expect(bad.ok).toBe(false);
  if (!bad.ok) {
    expect(bad.issues).toHaveLength(1);
    expect(bad.issues[0]).toMatchObject({ file: "city.yaml", line: 22, path: "x-actors[0].skill" });
  }
  const none = loadModelFromSources([{ file: "c.yaml", text: MODEL.slice(0, MODEL.indexOf("x-actors")) }]);
  expect(none.ok && none.model.extensions).toBe(undefined);
});
