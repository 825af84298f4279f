/** Exercises and lessons in the store, both backends: SQLite always; PostgreSQL when reachable (always under CI). */
import { afterAll, describe, expect, test } from "vitest";
import type { ExerciseDef } from "../../src/contracts/exercise.ts";
import { ExerciseStoreError } from "../../src/store/exercise.ts";
import type { SqlStore } from "../../src/store/index.ts";
import { type Backend, CI, PG_URL, pgBackend, pgReachable, sqliteBackend } from "./helpers.ts";

const pgOk = await pgReachable();
if (!pgOk && !CI) console.log(`skip: PostgreSQL exercise store tests: no server at ${PG_URL} (they run under CI=true)`);

const admin = { user: "admin" };
const version = (modelId: string, n: number) => ({
  modelId,
  name: `City ${n}`,
  sources: [{ file: "city.yaml", text: `rampart: 1\ncity: { name: C${n}, population: ${n} }\n` }],
  rawJson: JSON.stringify({ rampart: 1, city: { name: `C${n}`, population: n } }),
  counts: { services: n },
  message: `v${n}`,
  sha256: "a".repeat(64),
});
const def: ExerciseDef = {
  id: "drill",
  name: "Drill",
  scenario: { id: "ransomware", name: "Ransomware", raw: { id: "ransomware" }, file: "built-in:ransomware" },
  seed: 1,
  runs: 1,
  horizon: 720,
  offset: 10,
  startClock: "06:00",
  roles: [{ id: "incident-commander", name: "IC", may: ["contain", "note"] }],
  added: [],
  overrides: {},
  order: [],
};
const clock = { running: false, speed: 60, base: 0, anchor: 0, started: false };

const backends: [string, () => Backend, boolean][] = [
  ["sqlite", sqliteBackend, true],
  ["postgres", pgBackend, pgOk || CI],
];

for (const [name, make, enabled] of backends) {
  describe.skipIf(!enabled)(`exercise store (${name})`, () => {
    const backend = make();
    const open = async (): Promise<SqlStore> => backend.open();
    afterAll(async () => {
      await backend.cleanup();
    });

    test("[EXR-11] exercises, participants and decisions are stored with their audit entries", async () => {
      const s = await open();
      await s.addModelVersion(version("city", 1), admin);
      const ex = s.exercises;
      await expect(ex.create({ id: "drill", modelId: "city", version: 2, def, clock }, admin)).rejects.toThrow(
        ExerciseStoreError,
      );
      const e = await ex.create({ id: "drill", modelId: "city", version: 1, def, clock }, { user: "fac" });
      expect(e).toMatchObject({ id: "drill", facilitator: "fac", name: "Drill" });
      await expect(ex.create({ id: "drill", modelId: "city", version: 1, def, clock }, admin)).rejects.toThrow(
        /exists/,
      );
      const run = { ...clock, running: true, started: true, anchor: 1000 };
      const u = await ex.update("drill", { clock: run }, "clock", { action: "run" }, { user: "fac" });
      expect(u.clock).toEqual(run);
      expect((await ex.get("drill"))?.clock).toEqual(run);
      await ex.join("drill", "pat", "incident-commander", { user: "pat" });
      await ex.join("drill", "pat", "incident-commander", { user: "pat" });
      expect((await ex.participants("drill")).map((p) => [p.username, p.role])).toEqual([
        ["pat", "incident-commander"],
      ]);
      const d = { at: 1.5, role: "incident-commander", kind: "contain" as const, targets: [], by: "pat" };
      expect(await ex.addDecision("drill", d, { user: "pat" })).toBe(1);
      expect(await ex.addDecision("drill", { ...d, at: 2, kind: "note", text: "x" }, { user: "pat" })).toBe(2);
      expect((await ex.decisions("drill")).map((x) => x.at)).toEqual([1.5, 2]);
      expect((await ex.list("city")).map((x) => x.id)).toEqual(["drill"]);
      const audit = await s.listAudit({ limit: 20 });
      expect(audit.map((a) => a.action)).toEqual(
        expect.arrayContaining(["exercise.create", "exercise.clock", "exercise.join", "exercise.decision"]),
      );
      expect((await s.verifyAudit()).ok).toBe(true);
      await s.close();
    });

    test("[LSN-3] accepting a lesson adds the version and marks the lesson in one transaction, once", async () => {
      const s = await open();
      await s.addModelVersion(version("town", 1), admin);
      const ex = s.exercises;
      const lesson = {
        id: "l1",
        exerciseId: null,
        modelId: "town",
        baseVersion: 1,
        title: "more crews",
        patch: [{ target: "city", set: { population: 5 } }],
        compare: [],
      };
      expect(await ex.addLesson(lesson, { user: "ana" })).toMatchObject({ status: "proposed", acceptedVersion: null });
      const r = await ex.acceptLesson("l1", { ...version("town", 2), message: "lesson l1: more crews" }, admin);
      expect(r.version).toBe(2);
      expect(await ex.getLesson("l1")).toMatchObject({ status: "accepted", acceptedVersion: 2 });
      expect((await s.listVersions("town")).map((v) => v.message)).toEqual(["v1", "lesson l1: more crews"]);
      await expect(ex.acceptLesson("l1", version("town", 3), admin)).rejects.toThrow(/already accepted/);
      // a lesson simulated on an older version is refused, and nothing is added
      await ex.addLesson({ ...lesson, id: "l2" }, { user: "ana" });
      await expect(ex.acceptLesson("l2", version("town", 3), admin)).rejects.toThrow(/simulated on version 1/);
      expect((await s.listVersions("town")).length).toBe(2);
      expect(await ex.getLesson("l2")).toMatchObject({ status: "proposed" });
      const audit = await s.listAudit({ limit: 20 });
      expect(audit.map((a) => a.action)).toEqual(
        expect.arrayContaining(["lesson.propose", "lesson.accept", "model.version"]),
      );
      // deleting the model removes its exercises and lessons
      await s.exercises.create({ id: "t-drill", modelId: "town", version: 2, def, clock }, admin);
      expect(await s.deleteModel("town", admin)).toBe(true);
      expect(await ex.getLesson("l1")).toBeNull();
      expect(await ex.get("t-drill")).toBeNull();
      await s.close();
    });
  });
}
