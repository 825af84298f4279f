/** The share store on SQLite and PostgreSQL: collections, objects, versions, filters, pages, rights ([SHR-8], [SHR-12], [SHR-13]). */
import { afterAll, describe, expect, test } from "vitest";
import { streamFor } from "../../src/model/rng.ts";
import type { SqlStore } from "../../src/store/index.ts";
import { canonicalTime, type NewStixObject, type ObjectFilter } from "../../src/store/share.ts";
import { type Backend, CI, pgBackend, pgReachable, sqliteBackend } from "./helpers.ts";

const pgOk = await pgReachable();
const cli = { user: "cli" };
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const obj = (type: string, n: number, modified: string, spec = "2.1"): NewStixObject => ({
  id: `${type}--${uuid(n)}`,
  type,
  version: modified,
  specVersion: spec,
  json: JSON.stringify({
    type,
    id: `${type}--${uuid(n)}`,
    spec_version: spec,
    created: "2026-01-01T00:00:00.000Z",
    modified,
  }),
});

/** The slow obvious oracle of queryObjects over what was added, in the order it was added. */
function oracle(all: (NewStixObject & { seq: number; dateAdded: string })[], f: ObjectFilter) {
  const versions = f.versions?.length ? f.versions : ["last"];
  const keyOf = (o: NewStixObject) => canonicalTime(o.version) ?? "";
  const out = all.filter((o) => {
    if (f.after !== undefined && o.seq <= f.after) return false;
    if (f.addedAfter && !(o.dateAdded > f.addedAfter)) return false;
    if (f.ids?.length && !f.ids.includes(o.id)) return false;
    if (f.types?.length && !f.types.includes(o.type)) return false;
    if (f.specVersions?.length && !f.specVersions.includes(o.specVersion)) return false;
    if (versions.includes("all")) return true;
    const mine = all
      .filter((x) => x.id === o.id)
      .map(keyOf)
      .sort();
    const k = keyOf(o);
    return (
      (versions.includes("last") && k === mine[mine.length - 1]) ||
      (versions.includes("first") && k === mine[0]) ||
      versions.includes(k)
    );
  });
  return { ids: out.slice(0, f.limit).map((o) => `${o.id}@${o.version}`), more: out.length > f.limit };
}

const backends: [string, () => Backend, boolean][] = [
  ["sqlite", sqliteBackend, true],
  ["postgres", pgBackend, pgOk || CI],
];

for (const [name, make, enabled] of backends) {
  describe.skipIf(!enabled)(`share store (${name})`, () => {
    const backend = make();
    const open = async (): Promise<SqlStore> => backend.open();
    afterAll(async () => {
      await backend.cleanup();
    });

    test("[SHR-8] same id and version once; a new version kept; provenance and audit recorded", async () => {
      const s = await open();
      await s.share.putCollection({ id: "in", title: "Inbox" }, cli);
      const a = await s.share.addObjects("in", [obj("indicator", 1, "2026-01-01T00:00:00.000Z")], "file:a.json", cli);
      expect(a.added.length).toBe(1);
      const b = await s.share.addObjects(
        "in",
        [obj("indicator", 1, "2026-01-01T00:00:00Z"), obj("indicator", 1, "2026-02-01T00:00:00.000Z")],
        "taxii:partner:x",
        cli,
      );
      expect([b.added.length, b.duplicates.length]).toEqual([1, 1]);
      const all = await s.share.queryObjects("in", { versions: ["all"], limit: 10 });
      expect(all.rows.map((r) => [r.version, r.source])).toEqual([
        ["2026-01-01T00:00:00.000Z", "file:a.json"],
        ["2026-02-01T00:00:00.000Z", "taxii:partner:x"],
      ]);
      expect((await s.verifyAudit()).ok).toBe(true);
      expect((await s.listAudit({ limit: 5 })).map((e) => e.action)).toContain("share.add");
      await s.close();
    });

    test("[SHR-13] dates added strictly increase across requests", async () => {
      const s = await open();
      await s.share.putCollection({ id: "c", title: "C" }, cli);
      for (let i = 0; i < 3; i++)
        await s.share.addObjects(
          "c",
          [1, 2, 3].map((n) => obj("indicator", i * 10 + n, "2026-01-01T00:00:00.000Z")),
          "t",
          cli,
        );
      const { rows } = await s.share.queryObjects("c", { limit: 100 });
      expect(rows.length).toBe(9);
      for (let i = 1; i < rows.length; i++) expect(rows[i].dateAdded > rows[i - 1].dateAdded).toBe(true);
      await s.close();
    });

    test("[SHR-12] filters and pages agree with a slow oracle on random collections", async () => {
      const s = await open();
      const rng = streamFor(1412);
      for (let round = 0; round < 4; round++) {
        const cid = `r${round}`;
        await s.share.putCollection({ id: cid, title: cid }, cli);
        const added: (NewStixObject & { seq: number; dateAdded: string })[] = [];
        for (let batch = 0; batch < 4; batch++) {
          const objs: NewStixObject[] = [];
          for (let i = 0; i < 1 + rng.int(8); i++) {
            const type = ["indicator", "malware", "vulnerability"][rng.int(3)];
            objs.push(obj(type, rng.int(6), `2026-0${1 + rng.int(4)}-01T00:00:00.000Z`, rng.int(5) ? "2.1" : "2.0"));
          }
          const r = await s.share.addObjects(cid, objs, "t", cli);
          const stored = await s.share.queryObjects(cid, { versions: ["all"], limit: 1000 });
          for (const o of r.added) {
            const row = stored.rows.find((x) => x.id === o.id && x.version === o.version);
            if (row) added.push({ ...o, seq: row.seq, dateAdded: row.dateAdded });
          }
        }
        for (let q = 0; q < 25; q++) {
          const f: ObjectFilter = { limit: 1 + rng.int(6) };
          if (rng.int(3) === 0) f.types = ["indicator", "malware", "vulnerability"].filter(() => rng.int(2) === 0);
          if (rng.int(3) === 0) f.ids = [rng.int(6), rng.int(6)].map((n) => `indicator--${uuid(n)}`);
          const vs = [["last"], ["first"], ["all"], ["first", "last"], ["2026-02-01T00:00:00.000000Z"]];
          if (rng.int(2) === 0) f.versions = vs[rng.int(vs.length)];
          if (rng.int(4) === 0) f.specVersions = ["2.0"];
          if (rng.int(3) === 0 && added.length) f.addedAfter = added[rng.int(added.length)].dateAdded;
          if (rng.int(3) === 0 && added.length) f.after = added[rng.int(added.length)].seq;
          const got = await s.share.queryObjects(cid, f);
          const want = oracle(added, f);
          expect({ ids: got.rows.map((r) => `${r.id}@${r.version}`), more: got.more }, JSON.stringify(f)).toEqual(want);
        }
      }
      await s.close();
    });

    test("[SHR-11] partners, rights and status resources", async () => {
      const s = await open();
      await s.share.putCollection({ id: "a", title: "A" }, cli);
      await s.share.putPartner({ name: "cert", passwordHash: "h" }, cli);
      await s.share.setRight({ collection: "a", principal: "cert", read: true, write: false }, cli);
      expect(await s.share.rightsOf("cert")).toEqual([
        { collection: "a", principal: "cert", read: true, write: false },
      ]);
      await s.share.setRight({ collection: "a", principal: "cert", read: false, write: false }, cli);
      expect(await s.share.rightsOf("cert")).toEqual([]);
      expect((await s.share.getPartner("cert"))?.passwordHash).toBe("h");
      const st = {
        id: "s1",
        status: "complete" as const,
        request_timestamp: "2026-01-01T00:00:00.000Z",
        total_count: 1,
        success_count: 1,
        failure_count: 0,
        pending_count: 0,
      };
      await s.share.putStatus(st, "a");
      expect(await s.share.getStatus("s1")).toEqual({ status: st, collection: "a" });
      await s.close();
    });
  });
}
