/** `rampart case` and `rampart playbook` as a user runs them: exit codes, located errors, nothing stored on refusal. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Models } from "../../src/server/models.ts";
import { openStore } from "../../src/store/index.ts";

function rampart(...args: string[]) {
  const r = spawnSync(process.execPath, ["bin/rampart", ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), "rampart-case-cli-"));
const data = join(dir, "data");
beforeAll(async () => {
  const s = await openStore({ dataDir: data });
  await new Models(s, process.cwd()).importPath("harborview", "examples/harborview", "seed", { user: "test" });
  await s.close();
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function auditCount(): Promise<number> {
  const s = await openStore({ dataDir: data });
  try {
    return (await s.listAudit({ limit: 1000 })).length;
  } finally {
    await s.close();
  }
}

describe("rampart playbook", () => {
  test("[PBK-5] list and export need no store; an export validates", { timeout: 120_000 }, () => {
    const none = join(dir, "nothing-here");
    const l = rampart("playbook", "list", "--data", none);
    expect(l.code).toBe(0);
    expect(l.out).toMatch(/^ransomware\s+built-in/m);
    const out = join(dir, "grid.json");
    expect(rampart("playbook", "export", "grid-attack", "--out", out, "--data", none).code).toBe(0);
    expect(existsSync(none)).toBe(false);
    const v = rampart("playbook", "validate", out, "--model", "examples/harborview");
    expect([v.code, v.out.trim()]).toEqual([
      0,
      `${out}: valid CACAO 2.0 playbook (5 steps bound to examples/harborview)`,
    ]);
  });

  test("[PBK-2] a malformed file exits 1 with file:line:col", () => {
    const f = join(dir, "broken.json");
    writeFileSync(f, '{\n  "type": "playbook",\n  "workflow": {,\n}\n');
    const r = rampart("playbook", "validate", f);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${f}:3:16: error: not valid JSON`);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  test("[PBK-3] a playbook naming an unknown role exits 1 at the role's line; import stores nothing", async () => {
    const pb = JSON.parse(readFileSync(join(dir, "grid.json"), "utf8"));
    pb.id = "playbook--0b7e3c1a-2d4f-4a6b-8c9d-0e1f2a3b4c6e";
    const [agent] = Object.keys(pb.agent_definitions);
    pb.agent_definitions[agent] = { type: "group", name: "Grid Wizard" };
    const text = JSON.stringify(pb, null, 2);
    const f = join(dir, "wizard.json");
    writeFileSync(f, text);
    const line = text.split("\n").findIndex((l) => l.includes("Grid Wizard")) + 1;
    const v = rampart("playbook", "validate", f, "--model", "examples/harborview");
    expect(v.code).toBe(1);
    expect(v.err).toMatch(new RegExp(`${f}:${line}:\\d+: error: no person in the model has the role "Grid Wizard"`));
    const before = await auditCount();
    const i = rampart("playbook", "import", f, "--model", "harborview", "--data", data);
    expect(i.code).toBe(1);
    expect(i.err).toMatch(/Grid Wizard/);
    expect(await auditCount()).toBe(before);
  }, 120_000);
});

describe("rampart case", () => {
  test("[CASE-1] [CASE-6] [PBK-7] open, run a playbook, refuse an illegal move, finish and close", async () => {
    const o = rampart(
      "case",
      "open",
      "--data",
      data,
      "--model",
      "harborview",
      "--title",
      "Grid SCADA",
      "--down",
      "pwr-sub-north-rtu",
      "--json",
    );
    expect(o.code).toBe(0);
    const id = JSON.parse(o.out).id as string;
    const p = rampart("case", "playbook", id, "grid-attack", "--data", data);
    expect(p.code).toBe(0);
    const tasks = p.out
      .trim()
      .split("\n")
      .map((l) => l.split("\t")[0]);
    expect(tasks.length).toBe(5);
    const before = await auditCount();
    const bad = rampart("case", "status", id, "closed", "--data", data);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^rampart: <status>: a case that is open can only become contained/);
    const unknown = rampart("case", "down", id, "no-such-asset", "--data", data);
    expect([unknown.code, unknown.err.trim()]).toEqual([
      1,
      'rampart: <assets>: no asset "no-such-asset" in the case\'s model',
    ]);
    const usage = rampart("case", "status", "not-a-uuid", "contained", "--data", data);
    expect(usage.code).toBe(2);
    expect(await auditCount()).toBe(before);
    for (const t of tasks)
      expect(rampart("case", "task", id, t, "done", "--outcome", "ok", "--data", data).code).toBe(0);
    expect(rampart("case", "restore", id, "pwr-sub-north-rtu", "--data", data).code).toBe(0);
    for (const st of ["contained", "eradicated", "recovered", "closed"])
      expect(rampart("case", "status", id, st, "--data", data).code, st).toBe(0);
    const show = rampart("case", "show", id, "--data", data, "--json");
    const d = JSON.parse(show.out);
    expect(d.case.status).toBe("closed");
    expect(d.tasks.every((t: { status: string }) => t.status === "done")).toBe(true);
    expect(rampart("audit", "verify", "--data", data).code).toBe(0);
  }, 300_000);
});
