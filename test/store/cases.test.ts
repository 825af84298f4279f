/** The case store on SQLite and PostgreSQL: cases, asset log, timeline, tasks, evidence, playbooks ([CASE-1], [CASE-2], [CASE-9], [CASE-10], [PBK-6]). */
import { createHash } from "node:crypto";
import { afterAll, describe, expect, test } from "vitest";
import type { NewTask } from "../../src/store/cases.ts";
import { type SqlStore, StoreError } from "../../src/store/index.ts";
import { type Backend, CI, pgBackend, pgReachable, sqliteBackend } from "./helpers.ts";

const pgOk = await pgReachable();
const cli = { user: "cli" };
const backends: [string, () => Backend, boolean][] = [
  ["sqlite", sqliteBackend, true],
  ["postgres", pgBackend, pgOk || CI],
];

async function withModel(s: SqlStore): Promise<void> {
  await s.addModelVersion(
    { modelId: "city", name: "City", sources: [], rawJson: "{}", counts: {}, message: "", sha256: "0".repeat(64) },
    cli,
  );
}
const task = (title: string): NewTask => ({
  title,
  description: "",
  instructions: "",
  playbookId: "playbook--x",
  stepId: `action--${title}`,
  phase: "contain",
  role: "Engineer",
  responsible: "p1",
  accountable: "p2",
  consulted: ["p3"],
  informed: [],
  assets: ["a1"],
});
/** Row counts of the case tables and the audit head: what a refused change must leave as it was. */
async function counts(s: SqlStore): Promise<string> {
  const out: unknown[] = [];
  for (const t of ["cases", "case_assets", "case_timeline", "case_tasks", "case_evidence", "playbooks", "audit"])
    out.push(Number((await s.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`))?.n));
  out.push(await s.db.get("SELECT seq, hash FROM audit_head"));
  return JSON.stringify(out);
}

for (const [name, make, enabled] of backends) {
  describe.skipIf(!enabled)(`case store (${name})`, () => {
    const backend = make();
    afterAll(async () => {
      await backend.cleanup();
    });

    test("[CASE-1] [CASE-2] a case from open to closed: every change in the timeline and the audit chain", async () => {
      const s = await backend.open();
      expect(await s.migrations()).toContain(6);
      await withModel(s);
      const c = await s.cases.openCase(
        {
          modelId: "city",
          version: 1,
          title: "Pumps",
          source: { kind: "alert", ref: "7" },
          down: ["a1", "a2", "a1"],
          severity: "high",
        },
        cli,
      );
      expect(c).toMatchObject({
        status: "open",
        severity: "high",
        assetsDown: 2,
        openTasks: 0,
        source: { kind: "alert", ref: "7" },
      });
      const seen: number[] = [];
      const after = await s.cases.markAssets(
        c.id,
        ["a1"],
        "restored",
        (log) => {
          seen.push(log.length);
          return "medium";
        },
        cli,
      );
      expect(seen).toEqual([3]);
      expect(after).toMatchObject({ assetsDown: 1, severity: "medium" });
      const [t1, t2] = await s.cases.addTasks(
        c.id,
        [task("one"), task("two")],
        { playbookId: "playbook--x", name: "P" },
        cli,
      );
      expect((await s.cases.getCase(c.id))?.openTasks).toBe(2);
      const done = await s.cases.updateTask(c.id, t1.id, { status: "done", outcome: "pumps on manual" }, cli);
      expect(done).toMatchObject({ status: "done", outcome: "pumps on manual", updatedBy: "cli" });
      await s.cases.updateTask(c.id, t2.id, { status: "skipped" }, cli);
      await s.cases.addNote(c.id, "called the plant", cli);
      const bytes = new TextEncoder().encode("log line 1\nlog line 2\n");
      const ev = await s.cases.addEvidence(c.id, { name: "pump.log", mediaType: "text/plain", bytes }, cli);
      expect(ev.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
      expect(Buffer.from((await s.cases.getEvidence(c.id, ev.id))?.content ?? "", "base64").toString()).toBe(
        "log line 1\nlog line 2\n",
      );
      await s.cases.markAssets(c.id, ["a2"], "restored", () => "low", cli);
      for (const to of ["contained", "eradicated", "recovered", "closed"] as const)
        await s.cases.setStatus(c.id, to, undefined, () => null, cli);
      const closed = await s.cases.getCase(c.id);
      expect(closed).toMatchObject({ status: "closed", assetsDown: 0, openTasks: 0 });
      expect(closed?.closedAt).not.toBeNull();

      const rec = await s.cases.records(c.id);
      expect(rec.assets.map((a) => [a.asset, a.state])).toEqual([
        ["a1", "down"],
        ["a2", "down"],
        ["a1", "restored"],
        ["a2", "restored"],
      ]);
      expect(rec.timeline.map((e) => e.kind)).toEqual([
        "opened",
        "asset",
        "playbook",
        "task-update",
        "task-update",
        "note",
        "evidence",
        "asset",
        "status",
        "status",
        "status",
        "status",
      ]);
      expect(rec.tasks.map((t) => [t.title, t.status, t.consulted])).toEqual([
        ["one", "done", ["p3"]],
        ["two", "skipped", ["p3"]],
      ]);
      const audit = await s.listAudit({ limit: 100 });
      const actions = audit.map((e) => e.action).reverse();
      expect(actions.filter((a) => a.startsWith("case."))).toEqual([
        "case.open",
        "case.asset.restored",
        "case.playbook.run",
        "case.task.update",
        "case.task.update",
        "case.note",
        "case.evidence",
        "case.asset.restored",
        "case.status",
        "case.status",
        "case.status",
        "case.status",
      ]);
      // [CASE-10] the file's hash is in the audit chain; a note's text is not
      const evEntry = audit.find((e) => e.action === "case.evidence");
      expect(evEntry?.details).toMatchObject({ sha256: ev.sha256, size: bytes.length });
      expect(JSON.stringify(audit)).not.toContain("called the plant");
      expect((await s.verifyAudit()).ok).toBe(true);
      await s.close();
    });

    test("[CASE-9] [CASE-6] refusals store nothing: closed case, finished task, asset states, failed check, unknown model", async () => {
      const s = await backend.open();
      await withModel(s);
      const c = await s.cases.openCase(
        {
          modelId: "city",
          version: 1,
          title: "x",
          source: { kind: "manual", ref: null },
          down: ["a1"],
          severity: "low",
        },
        cli,
      );
      const [t] = await s.cases.addTasks(c.id, [task("one")], null, cli);
      await s.cases.updateTask(c.id, t.id, { status: "failed", outcome: "no access" }, cli);
      const before = await counts(s);
      const refuse = async (p: Promise<unknown>, code: string, msg: RegExp) => {
        const e = await p.then(
          () => null,
          (x: unknown) => x,
        );
        expect(e).toBeInstanceOf(StoreError);
        expect((e as StoreError).code).toBe(code);
        expect((e as StoreError).message).toMatch(msg);
      };
      await refuse(s.cases.updateTask(c.id, t.id, { status: "done" }, cli), "conflict", /already failed/);
      await refuse(
        s.cases.markAssets(c.id, ["a1"], "down", () => "low", cli),
        "conflict",
        /already down/,
      );
      await refuse(
        s.cases.markAssets(c.id, ["a9"], "restored", () => "low", cli),
        "conflict",
        /not down/,
      );
      await refuse(
        s.cases.setStatus(c.id, "contained", undefined, () => "not now", cli),
        "conflict",
        /not now/,
      );
      await refuse(
        s.cases.openCase(
          { modelId: "nope", version: 1, title: "x", source: { kind: "manual", ref: null }, down: [], severity: "low" },
          cli,
        ),
        "not-found",
        /no version/,
      );
      await refuse(
        s.cases.updateTask(c.id, "00000000-0000-4000-8000-000000000000", { status: "done" }, cli),
        "not-found",
        /no task/,
      );
      expect(await counts(s)).toBe(before);
      await s.cases.markAssets(c.id, ["a1"], "restored", () => "low", cli);
      for (const to of ["contained", "eradicated", "recovered", "closed"] as const)
        await s.cases.setStatus(c.id, to, undefined, () => null, cli);
      const closed = await counts(s);
      await refuse(s.cases.addNote(c.id, "late", cli), "conflict", /closed/);
      await refuse(s.cases.addTasks(c.id, [task("late")], null, cli), "conflict", /closed/);
      await refuse(
        s.cases.addEvidence(c.id, { name: "f", mediaType: "text/plain", bytes: new Uint8Array(1) }, cli),
        "conflict",
        /closed/,
      );
      expect(await counts(s)).toBe(closed);
      expect((await s.verifyAudit()).ok).toBe(true);
      await s.close();
    });

    test("[PBK-6] playbooks: import, replace, list, delete, each audited with its hash", async () => {
      const s = await backend.open();
      const p = {
        id: "playbook--1",
        name: "B",
        description: "",
        modified: "2026-01-01T00:00:00.000Z",
        sha256: "a".repeat(64),
        steps: 3,
        json: "{}",
      };
      await s.cases.putPlaybook(p, cli);
      await s.cases.putPlaybook({ ...p, name: "A", sha256: "b".repeat(64) }, cli);
      await s.cases.putPlaybook({ ...p, id: "playbook--2", name: "C" }, cli);
      expect((await s.cases.listPlaybooks()).map((x) => [x.id, x.name])).toEqual([
        ["playbook--1", "A"],
        ["playbook--2", "C"],
      ]);
      expect(await s.cases.deletePlaybook("playbook--2", cli)).toBe(true);
      expect(await s.cases.deletePlaybook("playbook--2", cli)).toBe(false);
      const audit = (await s.listAudit({ limit: 10 })).map((e) => [
        e.action,
        e.details.sha256 ?? null,
        e.details.replaced ?? null,
      ]);
      expect(audit.reverse()).toEqual([
        ["playbook.import", "a".repeat(64), false],
        ["playbook.import", "b".repeat(64), true],
        ["playbook.import", "a".repeat(64), false],
        ["playbook.delete", null, null],
      ]);
      await s.close();
    });
  });
}
