/** CACAO 2.0 playbooks: schema validation with located errors, binding to a model, built-ins ([PBK-1]..[PBK-5]). */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { generateRaw } from "../../src/model/generate.ts";
import { buildIndex } from "../../src/model/graph.ts";
import { loadModel, loadModelFromSources } from "../../src/model/load.ts";
import type { CityModel } from "../../src/model/model.ts";
import { bindPlaybook, RAMPART_EXTENSION, workflowOrder } from "../../src/respond/binding.ts";
import { parsePlaybook, pointerOffsets } from "../../src/respond/cacao.ts";
import { CACAO_SCHEMA_DIR } from "../../src/respond/io/schemas.ts";
import { BUILT_IN_PLAYBOOK_IDS, BUILT_IN_PLAYBOOKS, builtInText } from "../../src/respond/library.ts";
import { BUILT_IN_IDS } from "../../src/simulate/library.ts";

const SHARED = join(import.meta.dirname, "..", "..", "..", "shared", "data", "cacao", "schemas");
let harborview: CityModel;
beforeAll(async () => {
  const r = await loadModel("examples/harborview");
  if (!r.ok) throw new Error("harborview does not load");
  harborview = r.model;
});

const U = (n: number) => `6b2a0b6e-4f39-4f4b-9d7e-${String(n).padStart(12, "0")}`;
/** A small valid playbook: start -> one action by one agent -> end. */
function small(agent: Record<string, unknown> = { type: "group", name: "Chief Resilience Officer" }) {
  return {
    type: "playbook",
    spec_version: "cacao-2.0",
    id: `playbook--${U(1)}`,
    name: "Small",
    created_by: `identity--${U(2)}`,
    created: "2026-01-01T00:00:00.000Z",
    modified: "2026-01-01T00:00:00.000Z",
    workflow_start: `start--${U(3)}`,
    workflow: {
      [`start--${U(3)}`]: { type: "start", on_completion: `action--${U(4)}` },
      [`action--${U(4)}`]: {
        type: "action",
        name: "Call the lead",
        commands: [{ type: "manual", command: "Phone the lead" }],
        agent: `group--${U(5)}`,
        on_completion: `end--${U(6)}`,
      },
      [`end--${U(6)}`]: { type: "end" },
    },
    agent_definitions: { [`group--${U(5)}`]: agent },
  };
}
const text = (o: unknown) => `${JSON.stringify(o, null, 2)}\n`;

describe("CACAO validation", () => {
  test("[PBK-1] the schemas Rampart validates with are the OASIS files in ../shared/data/cacao", () => {
    if (!existsSync(SHARED)) {
      console.log(`skip: ${SHARED} is absent`);
      return;
    }
    const walk = (d: string): string[] =>
      readdirSync(d).flatMap((f) =>
        statSync(join(d, f)).isDirectory() ? walk(join(d, f)).map((x) => `${f}/${x}`) : [f],
      );
    const files = walk(SHARED).sort();
    expect(files.length).toBeGreaterThan(40);
    expect(
      walk(CACAO_SCHEMA_DIR)
        .filter((f) => f !== "LICENSE")
        .sort(),
    ).toEqual(files);
    for (const f of files)
      expect(readFileSync(join(CACAO_SCHEMA_DIR, f), "utf8"), f).toBe(readFileSync(join(SHARED, f), "utf8"));
  });

  test("[PBK-1] a valid playbook passes", () => {
    const r = parsePlaybook(text(small()), "small.json");
    expect(r.ok).toBe(true);
  });

  test("[PBK-2] malformed JSON: the error has the file, line and column", () => {
    const t = '{\n  "type": "playbook",\n  "name": oops\n}\n';
    const r = parsePlaybook(t, "bad.json");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues[0]).toMatchObject({ file: "bad.json", line: 3, code: "json-syntax" });
    expect(r.issues[0].message).toMatch(/not valid JSON/);
  });

  test("[PBK-2] schema errors are located by JSON pointer and line:col, each readable", () => {
    const pb = small() as Record<string, unknown>;
    delete pb.name;
    pb.spec_version = "cacao-1.0";
    const wf = pb.workflow as Record<string, Record<string, unknown>>;
    wf[`action--${U(4)}`].agent = "not-an-identifier";
    wf[`action--${U(4)}`].delay = 0;
    const t = text(pb);
    const r = parsePlaybook(t, "bad.json");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const by = (path: string) => r.issues.find((i) => i.path === path);
    expect(by("")?.message).toBe('expected property "name"');
    const spec = by("/spec_version");
    expect(spec?.message).toMatch(/cacao-2.0/);
    expect(spec?.line).toBe(t.split("\n").findIndex((l) => l.includes('"spec_version"')) + 1);
    expect(spec?.column).toBe(t.split("\n")[(spec?.line ?? 1) - 1].indexOf('"cacao-1.0"') + 1);
    expect(by(`/workflow/action--${U(4)}/agent`)?.message).toMatch(/identifier/);
    const delay = by(`/workflow/action--${U(4)}/delay`);
    expect(delay?.message).toBe("must be >= 1");
    expect(delay?.line).toBe(t.split("\n").findIndex((l) => l.includes('"delay"')) + 1);
  });

  test("[PBK-1] workflow references: an unknown next step and an undefined agent are located errors", () => {
    const pb = small();
    const wf = pb.workflow as Record<string, Record<string, unknown>>;
    wf[`action--${U(4)}`].on_completion = `end--${U(9)}`;
    wf[`action--${U(4)}`].agent = `group--${U(8)}`;
    const r = parsePlaybook(text(pb), "refs.json");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => [i.path, i.code])).toEqual([
      [`/workflow/action--${U(4)}/agent`, "unknown-agent"],
      [`/workflow/action--${U(4)}/on_completion`, "unknown-step"],
    ]);
  });

  test("[PBK-2] the pointer scanner finds every value of a document", () => {
    const t = '{"a": [1, {"b~/c": "x"}], "d": {}}';
    const { value, key } = pointerOffsets(t);
    expect(value.get("/a/1/b~0~1c")).toBe(t.indexOf('"x"'));
    expect(key.get("/d")).toBe(t.indexOf('"d"'));
    expect(value.get("/a/0")).toBe(t.indexOf("1"));
  });
});

describe("binding", () => {
  test("[PBK-3] an agent binds by its name as a role; an unknown role is a located error with a guess", () => {
    const ok = text(small());
    const p = parsePlaybook(ok, "ok.json");
    if (!p.ok) throw new Error("invalid");
    const b = bindPlaybook(p.playbook, harborview, buildIndex(harborview), { text: ok, file: "ok.json" });
    expect(b.ok && b.steps.map((s) => s.raci.responsible)).toEqual(["maeve-donnelly"]);

    const bad = text(small({ type: "group", name: "Chief Resilience Oficer" }));
    const q = parsePlaybook(bad, "bad.json");
    if (!q.ok) throw new Error("invalid");
    const r = bindPlaybook(q.playbook, harborview, buildIndex(harborview), { text: bad, file: "bad.json" });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues[0]).toMatchObject({ code: "unknown-role", path: `/agent_definitions/group--${U(5)}/name` });
    expect(r.issues[0].message).toMatch(
      /no person in the model has the role "Chief Resilience Oficer".*did you mean "Chief Resilience Officer"/,
    );
    expect(r.issues[0].line).toBe(bad.split("\n").findIndex((l) => l.includes("Oficer")) + 1);
  });

  test("[PBK-4] a step's asset selector binds as a scenario's does: an unknown asset is named at its path", () => {
    const pb = small();
    const wf = pb.workflow as Record<string, Record<string, unknown>>;
    wf[`action--${U(4)}`].step_extensions = {
      [RAMPART_EXTENSION]: { targets: { assets: ["wtr-scada-a", "wtr-scada-z"] } },
    };
    const t = text({
      ...pb,
      extension_definitions: {
        [RAMPART_EXTENSION]: {
          type: "extension-definition",
          name: "x",
          created_by: `identity--${U(2)}`,
          schema: "s",
          version: "1",
        },
      },
    });
    const p = parsePlaybook(t, "s.json");
    if (!p.ok) throw new Error(JSON.stringify(p.issues));
    const r = bindPlaybook(p.playbook, harborview, buildIndex(harborview), { text: t, file: "s.json" });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues[0].path).toBe(`/workflow/action--${U(4)}/step_extensions/${RAMPART_EXTENSION}/targets/assets/1`);
    expect(r.issues[0].message).toMatch(/unknown asset "wtr-scada-z"; did you mean wtr-scada-a/);
  });

  test("[PBK-5] every built-in scenario has a built-in playbook; each is valid CACAO 2.0 and binds to Harborview and to a generated city", () => {
    expect(BUILT_IN_PLAYBOOK_IDS.sort()).toEqual([...BUILT_IN_IDS].sort());
    const g = loadModelFromSources([
      { file: "g.yaml", text: JSON.stringify({ rampart: 1, ...generateRaw({ assets: 300, seed: 3 }) }) },
    ]);
    if (!g.ok) throw new Error("generated city does not load");
    const generated = g.model;
    for (const id of BUILT_IN_PLAYBOOK_IDS) {
      const t = builtInText(id) as string;
      const p = parsePlaybook(t, `${id}.json`);
      expect(p.ok ? [] : p.issues, id).toEqual([]);
      if (!p.ok) continue;
      for (const model of [harborview, generated]) {
        const b = bindPlaybook(p.playbook, model, buildIndex(model), { text: t, file: `${id}.json` });
        expect(b.ok ? [] : b.issues, `${id} on ${model.city.name}`).toEqual([]);
        if (!b.ok) continue;
        expect(b.steps.length).toBeGreaterThanOrEqual(4);
        for (const s of b.steps) {
          expect(model.people.some((x) => x.id === s.raci.responsible)).toBe(true);
          expect(model.people.some((x) => x.id === s.raci.accountable)).toBe(true);
        }
        // most steps act on assets of the city
        expect(b.steps.filter((s) => s.assets.length > 0).length).toBeGreaterThanOrEqual(model === harborview ? 2 : 1);
      }
      expect(workflowOrder(BUILT_IN_PLAYBOOKS[id]).length).toBe(b2(BUILT_IN_PLAYBOOKS[id]));
    }
  });

  test("[PBK-4] in Harborview the water playbook puts the water engineer on the plants and the CISO on remote access", () => {
    const t = builtInText("water-manipulation") as string;
    const p = parsePlaybook(t, "w.json");
    if (!p.ok) throw new Error("invalid");
    const b = bindPlaybook(p.playbook, harborview, buildIndex(harborview), { text: t, file: "w.json" });
    if (!b.ok) throw new Error(JSON.stringify(b.issues));
    expect(b.steps[0]).toMatchObject({
      phase: "contain",
      raci: { responsible: "padraig-nolan", accountable: "maeve-donnelly" },
    });
    expect(
      b.steps[0].assets.every((a) =>
        harborview.assets.find((x: { id: string }) => x.id === a)?.kind.match(/plc|rtu|actuator/),
      ),
    ).toBe(true);
    expect(harborview.people.find((x: { id: string }) => x.id === b.steps[1].raci.responsible)?.role).toMatch(
      /Security/,
    );
  });
});

/** Every step of a linear built-in is reached: start, the actions, end. */
function b2(pb: (typeof BUILT_IN_PLAYBOOKS)[string]): number {
  return Object.keys(pb.workflow).length;
}
