/** Scenario files: errors located by file:line:col and path, like the model loader. */
import { describe, expect, test } from "vitest";
import { bindScenario } from "../../src/simulate/bind.ts";
import { parseScenarioText } from "../../src/simulate/scenario.ts";
import { asset, HEADER, IMPACT, modelOf } from "./helpers.ts";

const model = modelOf(`${HEADER}
assets:
${asset("pump-plc")}
services:
  - { id: water, name: Water, sector: water, population: 10, ${IMPACT}, requires: [ { asset: pump-plc } ] }
`);

describe("scenario format", () => {
  test("[SCN-1] a bad duration is located at its line and column with the path", () => {
    const r = parseScenarioText("s.yaml", "id: s\nname: S\nevents:\n  - { at: 0h, down: [pump-plc], for: 10 }\n");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues[0]).toMatchObject({ file: "s.yaml", line: 4, path: "events[0].for" });
    expect(r.issues[0].column).toBe(38);
    expect(r.issues[0].message).toMatch(/duration/);
  });

  test("unknown fields are errors, located at the key", () => {
    const r = parseScenarioText("s.yaml", "id: s\nname: S\nevents:\n  - at: 0h\n    dwn: [pump-plc]\n");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.some((i) => i.path === "events[0].dwn" && i.line === 5 && i.column === 5)).toBe(true);
  });

  test("[SCN-1] an unknown id names the nearest one, at file:line:col", () => {
    const p = parseScenarioText("s.yaml", "id: s\nname: S\nevents:\n  - { at: 1h, down: [pump-plk], for: 2h }\n");
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    const b = bindScenario(model, p.scenario);
    expect(b.ok).toBe(false);
    if (b.ok) return;
    expect(b.issues[0]).toMatchObject({ file: "s.yaml", line: 4, column: 22, path: "events[0].down[0]" });
    expect(b.issues[0].message).toContain("did you mean pump-plc?");
  });

  test("[SCN-1] distributions: uniform, triangular and lognormal with median and p90 parse; a wrong order is refused", () => {
    const ok = parseScenarioText(
      "s.yaml",
      "id: s\nname: S\nevents:\n  - { at: { uniform: [0h, 2h] }, down: [pump-plc], for: { lognormal: { median: 4h, p90: 1d } } }\n  - { at: { triangular: [1h, 2h, 6h] }, hit: [water], cap: 0.5, for: 1h }\n",
    );
    expect(ok.ok).toBe(true);
    const bad = parseScenarioText(
      "s.yaml",
      "id: s\nname: S\nevents:\n  - { at: { uniform: [3h, 2h] }, down: [pump-plc] }\n",
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues[0].line).toBe(4);
  });

  test("hit needs a cap below 1; down takes none", () => {
    const r = parseScenarioText("s.yaml", "id: s\nname: S\nevents:\n  - { at: 0h, hit: [water], cap: 1 }\n");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0].path).toBe("events[0].cap");
  });

  test("YAML syntax errors and duplicate keys are located", () => {
    const r = parseScenarioText("s.yaml", "id: s\nid: t\nname: S\n");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toMatchObject({ code: "duplicate-key", line: 2 });
  });
});
