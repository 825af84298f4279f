/** One suite, both stores: SQLite always; PostgreSQL when reachable (always under CI=true). */
import { afterAll, describe, expect, test } from "vitest";
import { diffModels } from "../../src/store/diff.ts";
import { type SqlStore, StoreError } from "../../src/store/index.ts";
import { MIGRATIONS } from "../../src/store/migrations.ts";
import { type Backend, CI, PG_URL, pgBackend, pgReachable, sqliteBackend } from "./helpers.ts";

const pgOk = await pgReachable();
if (!pgOk && !CI) console.log(`skip: PostgreSQL store tests: no server at ${PG_URL} (they run under CI=true)`);

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

const backends: [string, () => Backend, boolean][] = [
  ["sqlite", sqliteBackend, true],
  ["postgres", pgBackend, pgOk || CI],
];

for (const [name, make, enabled] of backends) {
  describe.skipIf(!enabled)(`store (${name})`, () => {
    const backend = make();
    const open = async (): Promise<SqlStore> => backend.open();
    afterAll(async () => {
      await backend.cleanup();
    });

    test("[STO-1] migrations apply once and are recorded", async () => {
      const s = await open();
      expect(await s.migrations()).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await s.ping()).toBe(true);
      await s.close();
    });

    test("[STO-2] users: create, conflict, update, delete; sessions follow their user", async () => {
      const s = await open();
      expect(await s.countUsers()).toBe(0);
      await s.createUser({ username: "ana", role: "analyst", passwordHash: "h1" }, admin);
      await expect(s.createUser({ username: "ana", role: "viewer", passwordHash: "h2" }, admin)).rejects.toThrow(
        StoreError,
      );
      expect((await s.getUser("ana"))?.passwordHash).toBe("h1");
      const at = new Date().toISOString();
      const later = new Date(Date.now() + 3600_000).toISOString();
      await s.createSession({
        idHash: "x1",
        username: "ana",
        role: "analyst",
        csrf: "c",
        createdAt: at,
        expiresAt: later,
      });
      expect((await s.getSession("x1"))?.role).toBe("analyst");
      // a role change ends the user's sessions
      const u = await s.updateUser("ana", { role: "viewer" }, admin);
      expect(u?.role).toBe("viewer");
      expect(await s.getSession("x1")).toBeNull();
      await s.createSession({
        idHash: "x2",
        username: "ana",
        role: "viewer",
        csrf: "c",
        createdAt: at,
        expiresAt: later,
      });
      await s.updateUser("ana", { disabled: true }, admin);
      expect(await s.getSession("x2")).toBeNull();
      expect(await s.listUsers()).toEqual([expect.objectContaining({ username: "ana", disabled: true })]);
      expect(JSON.stringify(await s.listUsers())).not.toContain("h1");
      expect(await s.deleteUser("ana", admin)).toBe(true);
      expect(await s.deleteUser("ana", admin)).toBe(false);
      expect(await s.countUsers()).toBe(0);
      await s.close();
    });

    test("[STO-3] model versions number from 1 and keep their sources", async () => {
      const s = await open();
      const v1 = await s.addModelVersion(version("city", 1), admin);
      const v2 = await s.addModelVersion(version("city", 2), admin);
      expect([v1.version, v2.version]).toEqual([1, 2]);
      expect((await s.getModel("city"))?.latestVersion).toBe(2);
      expect((await s.listVersions("city")).map((v) => v.message)).toEqual(["v1", "v2"]);
      const got = await s.getVersion("city", 1);
      expect(got?.sources[0].text).toContain("C1");
      expect(JSON.parse(got?.rawJson ?? "{}").city.population).toBe(1);
      expect(await s.getVersion("city", 3)).toBeNull();
      expect(await s.deleteModel("city", admin)).toBe(true);
      expect(await s.listModels()).toEqual([]);
      await s.close();
    });

    test("[STO-3] concurrent imports get distinct versions and an intact audit chain", async () => {
      const s = await open();
      const vs = await Promise.all(Array.from({ length: 12 }, (_, i) => s.addModelVersion(version("c", i + 1), admin)));
      expect(vs.map((v) => v.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      const check = await s.verifyAudit();
      expect(check.ok).toBe(true);
      expect(check.entries).toBe(12);
      await s.close();
    });

    test("[STO-4] results: created against an existing version only, then finished", async () => {
      const s = await open();
      await s.addModelVersion(version("m", 1), admin);
      await expect(
        s.createResult(
          { id: "r0", kind: "assessment", modelId: "m", version: 9, params: {}, status: "running" },
          admin,
        ),
      ).rejects.toThrow(/no version 9/);
      expect(await s.listResults({})).toEqual([]);
      await s.createResult(
        { id: "r1", kind: "simulation", modelId: "m", version: 1, params: { runs: 3 }, status: "running" },
        admin,
      );
      expect(await s.getResultBody("r1")).toBeNull();
      await s.finishResult("r1", "done", '{"x":1}', null);
      expect(await s.getResultBody("r1")).toBe('{"x":1}');
      const info = await s.getResultInfo("r1");
      expect(info).toMatchObject({ status: "done", params: { runs: 3 }, kind: "simulation" });
      expect((await s.listResults({ modelId: "m", kind: "simulation" })).length).toBe(1);
      expect((await s.listResults({ modelId: "m", kind: "assessment" })).length).toBe(0);
      await s.close();
    });

    test("[STO-5] alerts: newest first, acknowledged once, filtered by open", async () => {
      const s = await open();
      const base = {
        at: "2026-01-01T00:00:00Z",
        source: "mqtt",
        modelId: "m",
        signal: "p1",
        severity: "warning" as const,
        score: 2.5,
        message: "high",
        services: ["water"],
      };
      const a1 = await s.addAlert({ ...base, assetId: "a1" });
      const a2 = await s.addAlert({ ...base, assetId: "a2" });
      expect(a2.id).toBeGreaterThan(a1.id);
      expect((await s.listAlerts({})).map((a) => a.assetId)).toEqual(["a2", "a1"]);
      const acked = await s.ackAlert(a1.id, { user: "op" });
      expect(acked?.ackedBy).toBe("op");
      expect((await s.listAlerts({ open: true })).map((a) => a.id)).toEqual([a2.id]);
      expect(await s.ackAlert(9999, { user: "op" })).toBeNull();
      expect((await s.listAlerts({ before: a2.id })).map((a) => a.id)).toEqual([a1.id]);
      await s.close();
    });

    test("[FND-3] accepted risks: stored per model, audited without their justification, removed with the model", async () => {
      const s = await open();
      await s.addModelVersion(version("r", 1), admin);
      const risk = {
        rule: "kev:Microsoft Windows",
        owner: "ciso",
        justification: "patched monthly",
        expires: "2027-01-31",
      };
      const a = await s.addAcceptedRisk("r", risk, { user: "ana" });
      const b = await s.addAcceptedRisk("r", { ...risk, rule: "weak-auth", target: "plc-1" }, { user: "ana" });
      expect(a).toMatchObject({ ...risk, acceptedBy: "ana" });
      expect(a.target).toBeUndefined();
      expect((await s.listAcceptedRisks("r")).map((x) => x.id).sort()).toEqual([a.id, b.id].sort());
      expect((await s.listAcceptedRisks("r")).find((x) => x.id === b.id)).toMatchObject({ target: "plc-1" });
      await expect(s.addAcceptedRisk("nope", risk, admin)).rejects.toThrow(/no model nope/);
      const log = await s.listAudit({ limit: 10 });
      const acc = log.filter((e) => e.action === "risk.accept");
      expect(acc).toHaveLength(2);
      expect(JSON.stringify(acc)).not.toContain("patched monthly");
      expect(await s.deleteAcceptedRisk("r", a.id, admin)).toBe(true);
      expect(await s.deleteAcceptedRisk("r", a.id, admin)).toBe(false);
      expect((await s.listAudit({ limit: 1 }))[0].action).toBe("risk.revoke");
      expect((await s.listAcceptedRisks("r")).map((x) => x.id)).toEqual([b.id]);
      await s.deleteModel("r", admin);
      expect(await s.listAcceptedRisks("r")).toEqual([]);
      expect((await s.verifyAudit()).ok).toBe(true);
      await s.close();
    });

    test("[AUD-1] the audit chain detects an edited, a deleted and a truncated entry", async () => {
      const s = await open();
      for (let i = 1; i <= 5; i++) await s.addModelVersion(version("m", i), admin);
      expect((await s.verifyAudit()).ok).toBe(true);
      // edit
      await s.db.run("UPDATE audit SET actor = 'mallory' WHERE seq = 2");
      let v = await s.verifyAudit();
      expect(v.ok).toBe(false);
      expect(v.problems.map((p) => [p.seq, p.code])).toContainEqual([2, "bad-hash"]);
      await s.db.run("UPDATE audit SET actor = 'admin' WHERE seq = 2");
      expect((await s.verifyAudit()).ok).toBe(true);
      // delete in the middle
      await s.db.run("DELETE FROM audit WHERE seq = 3");
      v = await s.verifyAudit();
      expect(v.problems.map((p) => p.code)).toEqual(expect.arrayContaining(["gap", "bad-link"]));
      await s.close();
    });

    test("[AUD-1] removing the newest entry is detected by the head", async () => {
      const s = await open();
      for (let i = 1; i <= 3; i++) await s.addModelVersion(version("m", i), admin);
      await s.db.run("DELETE FROM audit WHERE seq = 3");
      const v = await s.verifyAudit();
      expect(v.ok).toBe(false);
      expect(v.problems.map((p) => p.code)).toContain("head-mismatch");
      await s.close();
    });

    test("[AUD-2] a refused change writes neither data nor an audit entry", async () => {
      const s = await open();
      await s.createUser({ username: "x", role: "viewer", passwordHash: "h" }, admin);
      await expect(s.createUser({ username: "x", role: "admin", passwordHash: "h" }, admin)).rejects.toThrow();
      const log = await s.listAudit({});
      expect(log.map((e) => e.action)).toEqual(["user.create"]);
      expect((await s.getUser("x"))?.role).toBe("viewer");
      expect(log[0].details).toEqual({ role: "viewer" });
      await s.close();
    });

    test("[SEC-11] login attempts are counted atomically: 60 at once, exactly the free ones pass", async () => {
      const s = await open();
      const now = 1_000_000;
      const blockFor = (_k: string, n: number) => (n >= 5 ? 1000 * 2 ** (n - 5) : 0);
      const attempt = (store: SqlStore) =>
        store.throttleAttempt({ keys: ["u:ana", "p:ana|1.2.3.4"], now, windowMs: 900_000, blockFor });
      // a second connection to the same store counts with the first (replicas share the counters)
      const other = backend.name === "postgres" ? await backend.reopen() : s;
      const waits = await Promise.all(Array.from({ length: 60 }, (_, i) => attempt(i % 2 ? other : s)));
      expect(waits.filter((w) => w === 0)).toHaveLength(5);
      expect(waits.filter((w) => w === now + 1000)).toHaveLength(55);
      // back-off doubles with each attempt past the free ones, once the block has passed
      expect(await s.throttleAttempt({ keys: ["u:ana"], now: now + 1001, windowMs: 900_000, blockFor })).toBe(0);
      expect(await s.throttleAttempt({ keys: ["u:ana"], now: now + 1002, windowMs: 900_000, blockFor })).toBe(
        now + 1001 + 2000,
      );
      // a success clears the counts and trusts the pair: its account block no longer applies to it
      await s.throttleSuccess(["p:ana|1.2.3.4"], "p:ana|1.2.3.4", now + 86_400_000, now + 1003);
      const trusted = {
        keys: ["u:ana", "p:ana|1.2.3.4"],
        now: now + 1004,
        windowMs: 900_000,
        blockFor,
        trustKey: "p:ana|1.2.3.4",
        skipIfTrusted: ["u:ana"],
      };
      expect(await s.throttleAttempt(trusted)).toBe(0);
      expect(await s.throttleAttempt({ ...trusted, keys: ["u:ana", "p:ana|5.6.7.8"], trustKey: "p:ana|5.6.7.8" })).toBe(
        now + 1001 + 2000,
      );
      // counts older than the window start again
      expect(await s.throttleAttempt({ keys: ["u:ana"], now: now + 10_000_000, windowMs: 900_000, blockFor })).toBe(0);
      if (other !== s) await other.close();
      await s.close();
    });
  });
}

describe("model diff", () => {
  test("[STO-6] diff names added, removed and changed entities and fields", () => {
    const a = {
      city: { name: "A", population: 1 },
      assets: [
        { id: "x", name: "X" },
        { id: "y", name: "Y" },
      ],
      services: [],
    };
    const b = {
      city: { name: "A", population: 2 },
      assets: [
        { id: "x", name: "X2" },
        { id: "z", name: "Z" },
      ],
      services: [],
    };
    const d = diffModels(a, b);
    expect(d.city).toEqual(["population"]);
    expect(d.lists.assets).toEqual({ added: ["z"], removed: ["y"], changed: [{ id: "x", fields: ["name"] }] });
    expect(d.lists.services).toBeUndefined();
    expect(d.total).toBe(4);
    expect(diffModels(a, a).total).toBe(0);
  });
});
