/** Cases and playbooks over the API: role checks, workflow, playbook runs, evidence, bad input ([CASE-*], [PBK-*]). */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { builtInText } from "../../src/respond/library.ts";
import type { SqlStore } from "../../src/store/index.ts";
import { type TestServer, testServer } from "./helpers.ts";

const HARBORVIEW = join(import.meta.dirname, "..", "..", "examples", "harborview");
function files(dir: string): { file: string; text: string }[] {
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((f) =>
      statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : f.endsWith(".yaml") ? [join(d, f)] : [],
    );
  return walk(dir)
    .sort()
    .map((f) => ({ file: relative(dir, f), text: readFileSync(f, "utf8") }));
}

/** Row counts of the case tables and the audit head. */
async function snapshot(store: SqlStore): Promise<string> {
  const out: unknown[] = [];
  for (const t of ["cases", "case_assets", "case_timeline", "case_tasks", "case_evidence", "playbooks", "audit"])
    out.push(Number((await store.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`))?.n));
  out.push(await store.db.get("SELECT seq, hash FROM audit_head"));
  return JSON.stringify(out);
}

let s: TestServer;
let alertId = 0;
beforeAll(async () => {
  s = await testServer();
  const r = await s.req(s.as.analyst, "POST", "/api/models", { id: "harborview", files: files(HARBORVIEW) });
  if (r.status !== 201 && r.status !== 200) throw new Error(`import: ${r.status} ${r.text}`);
  const a = await s.store.addAlert({
    at: new Date().toISOString(),
    source: "detect",
    modelId: "harborview",
    assetId: "wtr-scada-a",
    signal: "flow",
    severity: "critical",
    score: 9,
    message: "flow out of range",
    services: ["water-supply"],
  });
  alertId = a.id;
}, 60_000);
afterAll(async () => {
  await s.close();
});

describe("cases over the API", () => {
  let caseId = "";

  test("[CASE-11] who may open a case: analysts and admins; viewers and operators are refused and nothing is stored", async () => {
    const body = { model: "harborview", title: "Water SCADA alarms", source: { kind: "alert", ref: String(alertId) } };
    const before = await snapshot(s.store);
    for (const role of ["viewer", "operator"] as const) {
      const r = await s.req(s.as[role], "POST", "/api/cases", body);
      expect(r.status).toBe(403);
      expect(r.json.error.message).toContain("case.manage");
    }
    expect(await snapshot(s.store)).toBe(before);
    const r = await s.req(s.as.analyst, "POST", "/api/cases", body);
    expect(r.status).toBe(201);
    caseId = r.json.id as unknown as string;
    // [CASE-1] opened from the alert: its asset is down in the case
    expect(r.json).toMatchObject({ status: "open", assetsDown: 1, source: { kind: "alert", ref: String(alertId) } });
  });

  test("[CASE-1] bad openings name the parameter and store nothing", async () => {
    const before = await snapshot(s.store);
    const bad: [unknown, number, string][] = [
      [{ model: "harborview", title: "x", down: ["no-such-asset"] }, 422, "body.down[0]"],
      [{ model: "harborview", title: "x", source: { kind: "alert", ref: "999999" } }, 404, "body.source.ref"],
      [{ model: "harborview", title: "x", source: { kind: "simulation" } }, 400, "body.source.ref"],
      [{ model: "nowhere", title: "x" }, 404, "path.model"],
      [{ model: "harborview", title: "" }, 400, "body.title"],
    ];
    for (const [body, status, parameter] of bad) {
      const r = await s.req(s.as.analyst, "POST", "/api/cases", body);
      expect([r.status, r.json.error.parameter], JSON.stringify(body)).toEqual([status, parameter]);
    }
    expect(await snapshot(s.store)).toBe(before);
  });

  test("[CASE-3] [CASE-5] the detail: services at risk and severity from the model as assets go down", async () => {
    const down = await s.req(s.as.operator, "POST", `/api/cases/${caseId}/assets`, {
      assets: ["wtr-scada-b"],
      state: "down",
    });
    expect(down.status).toBe(200);
    expect(down.json.assetsDown).toBe(2);
    const d = await s.req(s.as.viewer, "GET", `/api/cases/${caseId}`);
    expect(d.status).toBe(200);
    expect(d.json.impact.down).toEqual(["wtr-scada-a", "wtr-scada-b"]);
    const svc = (d.json.impact.services as unknown as { id: string }[]).map((x) => x.id);
    expect(svc).toContain("water-supply");
    expect(["high", "critical"]).toContain(d.json.impact.severity);
    expect(d.json.case.severity).toBe(d.json.impact.severity);
    // an asset already down, and one not down, are refused
    const again = await s.req(s.as.operator, "POST", `/api/cases/${caseId}/assets`, {
      assets: ["wtr-scada-b"],
      state: "down",
    });
    expect([again.status, again.json.error.message]).toEqual([409, "asset wtr-scada-b is already down in this case"]);
  });

  test("[PBK-7] running a built-in playbook creates its tasks, each with people of the model", async () => {
    const r = await s.req(s.as.analyst, "POST", `/api/cases/${caseId}/playbooks`, { playbook: "water-manipulation" });
    expect(r.status).toBe(201);
    const tasks = r.json.tasks as unknown as {
      title: string;
      responsible: string;
      accountable: string;
      stepId: string;
    }[];
    expect(tasks.length).toBe(5);
    expect(tasks[0]).toMatchObject({ responsible: "padraig-nolan", accountable: "maeve-donnelly" });
    expect(tasks.every((t) => t.stepId.startsWith("action--"))).toBe(true);
    const d = await s.req(s.as.viewer, "GET", `/api/cases/${caseId}`);
    expect((d.json.people as unknown as { id: string }[]).map((p) => p.id)).toContain("padraig-nolan");
    expect(d.json.case.openTasks).toBe(5);
  });

  test("[CASE-6] [CASE-11] an illegal transition and a role that may not take the action are refused; nothing stored", async () => {
    const before = await snapshot(s.store);
    const skip = await s.req(s.as.analyst, "POST", `/api/cases/${caseId}/status`, { status: "recovered" });
    expect([skip.status, skip.json.error.code]).toEqual([409, "conflict"]);
    expect(skip.json.error.message).toMatch(/can only become contained/);
    const op = await s.req(s.as.operator, "POST", `/api/cases/${caseId}/status`, { status: "contained" });
    expect(op.status).toBe(403);
    const viewer = await s.req(s.as.viewer, "POST", `/api/cases/${caseId}/notes`, { text: "hello" });
    expect(viewer.status).toBe(403);
    const closeViaStatus = await s.req(s.as.admin, "POST", `/api/cases/${caseId}/status`, { status: "closed" });
    expect(closeViaStatus.status).toBe(403);
    const analystClose = await s.req(s.as.analyst, "POST", `/api/cases/${caseId}/close`, {});
    expect(analystClose.status).toBe(403);
    expect(await snapshot(s.store)).toBe(before);
  });

  test("[CASE-10] evidence: stored, its SHA-256 in the audit entry, read back intact", async () => {
    const bytes = Buffer.from("2026-12-04 10:02 pump P1 start command from 10.2.3.4\n");
    const r = await s.req(s.as.operator, "POST", `/api/cases/${caseId}/evidence`, {
      name: "scada-log.txt",
      mediaType: "text/plain",
      content: bytes.toString("base64"),
    });
    expect(r.status).toBe(201);
    const sha = createHash("sha256").update(bytes).digest("hex");
    expect(r.json.sha256).toBe(sha);
    const g = await s.req(s.as.viewer, "GET", `/api/cases/${caseId}/evidence/${r.json.id}`);
    expect(Buffer.from(String(g.json.content), "base64").equals(bytes)).toBe(true);
    const audit = await s.req(s.as.admin, "GET", "/api/audit?limit=5");
    const entry = (audit.json.entries as unknown as { action: string; details: Record<string, unknown> }[]).find(
      (e) => e.action === "case.evidence",
    );
    expect(entry?.details.sha256).toBe(sha);
    const bad = await s.req(s.as.operator, "POST", `/api/cases/${caseId}/evidence`, {
      name: "x",
      content: "not base64!",
    });
    expect([bad.status, bad.json.error.parameter]).toEqual([400, "body.content"]);
  });

  test("[CASE-7] [CASE-9] the workflow to closed: tasks finished with outcomes, assets restored, then closed by an admin", async () => {
    const d = await s.req(s.as.viewer, "GET", `/api/cases/${caseId}`);
    const tasks = d.json.tasks as unknown as { id: string }[];
    for (const to of ["contained", "eradicated"]) {
      const r = await s.req(s.as.analyst, "POST", `/api/cases/${caseId}/status`, { status: to, note: `now ${to}` });
      expect(r.status).toBe(200);
    }
    const early = await s.req(s.as.analyst, "POST", `/api/cases/${caseId}/status`, { status: "recovered" });
    expect(early.status).toBe(409);
    expect(early.json.error.message).toMatch(/2 assets are still down/);
    const up = await s.req(s.as.operator, "POST", `/api/cases/${caseId}/assets`, {
      assets: ["wtr-scada-a", "wtr-scada-b"],
      state: "restored",
    });
    expect(up.json).toMatchObject({ assetsDown: 0, severity: "low" });
    expect((await s.req(s.as.analyst, "POST", `/api/cases/${caseId}/status`, { status: "recovered" })).status).toBe(
      200,
    );
    const notYet = await s.req(s.as.admin, "POST", `/api/cases/${caseId}/close`, {});
    expect(notYet.json.error.message).toMatch(/5 tasks are still open/);
    for (const [i, t] of tasks.entries()) {
      const r = await s.req(s.as.operator, "PATCH", `/api/cases/${caseId}/tasks/${t.id}`, {
        status: i === 4 ? "skipped" : "done",
        outcome: `step ${i + 1} done`,
      });
      expect(r.status).toBe(200);
    }
    const again = await s.req(s.as.operator, "PATCH", `/api/cases/${caseId}/tasks/${tasks[0].id}`, {
      status: "failed",
    });
    expect(again.status).toBe(409);
    const closed = await s.req(s.as.admin, "POST", `/api/cases/${caseId}/close`, { note: "all clear" });
    expect(closed.json).toMatchObject({ status: "closed" });
    const after = await s.req(s.as.admin, "POST", `/api/cases/${caseId}/notes`, { text: "late" });
    expect(after.status).toBe(409);
    const final = await s.req(s.as.viewer, "GET", `/api/cases/${caseId}`);
    expect(final.json.impact.personHours).toBeGreaterThanOrEqual(0);
    const outcomes = (final.json.timeline as unknown as { kind: string; data: { outcome?: string } }[])
      .filter((e) => e.kind === "task-update")
      .map((e) => e.data.outcome);
    expect(outcomes).toEqual(["step 1 done", "step 2 done", "step 3 done", "step 4 done", "step 5 done"]);
    const v = await s.req(s.as.admin, "GET", "/api/audit/verify");
    expect(v.json.ok).toBe(true);
  });
});

describe("playbooks over the API", () => {
  test("[PBK-5] the built-ins are listed and exported as CACAO 2.0", async () => {
    const l = await s.req(s.as.viewer, "GET", "/api/playbooks");
    const list = l.json.playbooks as unknown as { scenario: string; builtIn: boolean }[];
    expect(list.filter((p) => p.builtIn).map((p) => p.scenario)).toContain("grid-attack");
    const e = await s.req(s.as.viewer, "GET", "/api/playbooks/grid-attack");
    expect(e.json).toMatchObject({ type: "playbook", spec_version: "cacao-2.0" });
  });

  test("[PBK-2] a malformed CACAO file is refused with its line and column; nothing stored", async () => {
    const before = await snapshot(s.store);
    const text = '{\n  "type": "playbook",\n  "spec_version": "cacao-2.0",\n  "name": ,\n}\n';
    const r = await s.req(s.as.analyst, "POST", "/api/playbooks", { text, file: "broken.json" });
    expect(r.status).toBe(422);
    expect(r.json.error.message).toMatch(/^broken\.json:4:11: /);
    const schema = await s.req(s.as.analyst, "POST", "/api/playbooks", {
      text: JSON.stringify({ type: "playbook", spec_version: "cacao-2.0" }, null, 2),
      file: "thin.json",
    });
    expect(schema.status).toBe(422);
    const issues = schema.json.error.issues as unknown as { path: string; message: string; line: number }[];
    expect(issues.map((i) => i.message)).toContain('expected property "workflow"');
    expect(await snapshot(s.store)).toBe(before);
  });

  test("[PBK-3] a playbook naming an unknown role: refused at import against a model and at a run; nothing stored", async () => {
    const pb = JSON.parse(builtInText("ransomware") as string);
    pb.id = "playbook--0b7e3c1a-2d4f-4a6b-8c9d-0e1f2a3b4c5d";
    const [agentId] = Object.keys(pb.agent_definitions);
    pb.agent_definitions[agentId] = { type: "group", name: "Chief Wizard" };
    const text = JSON.stringify(pb, null, 2);
    const before = await snapshot(s.store);
    const r = await s.req(s.as.analyst, "POST", "/api/playbooks", { text, file: "wizard.json", model: "harborview" });
    expect(r.status).toBe(422);
    expect(r.json.error.message).toMatch(/^wizard\.json:\d+:\d+: no person in the model has the role "Chief Wizard"/);
    expect(await snapshot(s.store)).toBe(before);
    // imported without a model it is valid CACAO; running it in a case binds it and refuses
    const imp = await s.req(s.as.analyst, "POST", "/api/playbooks", { text, file: "wizard.json" });
    expect(imp.status).toBe(201);
    const c = await s.req(s.as.analyst, "POST", "/api/cases", {
      model: "harborview",
      title: "Phish",
      down: ["it-ops-pc-water"],
    });
    const mid = await snapshot(s.store);
    const run = await s.req(s.as.analyst, "POST", `/api/cases/${c.json.id}/playbooks`, { playbook: pb.id });
    expect(run.status).toBe(422);
    expect(run.json.error.message).toMatch(/Chief Wizard/);
    expect(await snapshot(s.store)).toBe(mid);
    // a viewer may validate but not import
    const v = await s.req(s.as.viewer, "POST", "/api/playbooks/validate", { text, model: "harborview" });
    expect(v.json.ok).toBe(false);
    expect((v.json.issues as unknown as { code: string }[])[0].code).toBe("unknown-role");
    expect((await s.req(s.as.viewer, "POST", "/api/playbooks", { text })).status).toBe(403);
    // a task by hand naming an unknown role
    const t = await s.req(s.as.analyst, "POST", `/api/cases/${c.json.id}/tasks`, { title: "x", role: "Chief Wizard" });
    expect([t.status, t.json.error.code, t.json.error.parameter]).toEqual([422, "unknown-role", "body.role"]);
    expect(await snapshot(s.store)).toBe(mid);
  });
});
