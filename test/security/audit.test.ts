/** The audit trail an insider cannot rewrite quietly ([AUD-4]..[AUD-7], docs/specs/security.md). */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, test } from "vitest";
import { checkAnchor, ensureAuditKey, lastAnchor, signHead } from "../../src/store/anchor.ts";
import { entryHash, GENESIS } from "../../src/store/audit.ts";
import { openStore } from "../../src/store/index.ts";

function rampart(...args: string[]) {
  const r = spawnSync(process.execPath, ["bin/rampart", ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const root = mkdtempSync(join(tmpdir(), "rampart-audit-"));
const folder = (name: string, db?: Buffer | string) => {
  const d = join(root, name);
  mkdirSync(d);
  if (db !== undefined) writeFileSync(join(d, "rampart.db"), db);
  return d;
};

/** A store with a few audited changes, its key and its folder. */
async function populated(name: string) {
  const dir = folder(name);
  const s = await openStore({ dataDir: dir });
  for (const u of ["ana", "bo", "cy", "dee"])
    await s.createUser({ username: u, role: "viewer", passwordHash: "h" }, { user: "admin" });
  await s.close();
  const key = ensureAuditKey(join(dir, "audit-signing.key"));
  return { dir, key, db: join(dir, "rampart.db") };
}

/** Rewrites the chain from its entries as they now stand, and the head, as an insider with the database could. */
function recompute(db: Database.Database) {
  let prev = GENESIS;
  let last = 0;
  const rows = db.prepare("SELECT * FROM audit ORDER BY seq").all() as Record<string, unknown>[];
  for (const r of rows) {
    const e = {
      seq: Number(r.seq),
      at: String(r.at),
      actor: String(r.actor),
      action: String(r.action),
      target: String(r.target),
      details: JSON.parse(String(r.details)),
    };
    const h = entryHash(prev, e);
    db.prepare("UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?").run(prev, h, e.seq);
    prev = h;
    last = e.seq;
  }
  db.prepare("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1").run(last, prev);
}

describe("audit verify reads only", () => {
  test("[AUD-4] a 0-byte store: exit 1, and the file stays 0 bytes with nothing created beside it", () => {
    const d = folder("empty", "");
    const r = rampart("audit", "verify", "--data", d);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/empty store/);
    expect(statSync(join(d, "rampart.db")).size).toBe(0);
    expect(readdirSync(d)).toEqual(["rampart.db"]);
  });
  test("[AUD-4] random bytes and a foreign database: exit 1, never 70", () => {
    const junk = folder("junk", randomBytes(8192));
    const before = readFileSync(join(junk, "rampart.db"));
    const a = rampart("audit", "verify", "--data", junk);
    expect(a.code).toBe(1);
    expect(a.err).toMatch(/not a Rampart store|cannot open/);
    expect(readFileSync(join(junk, "rampart.db")).equals(before)).toBe(true);
    const foreign = folder("foreign");
    const db = new Database(join(foreign, "rampart.db"));
    db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)");
    db.close();
    const b = rampart("audit", "verify", "--data", foreign, "--json");
    expect(b.code).toBe(1);
    expect(b.err).toMatch(/not a Rampart store/);
  });
  test("[AUD-4] a store whose audit table was dropped: exit 1", async () => {
    const { dir, db } = await populated("dropped");
    const d = new Database(db);
    d.exec("DROP TABLE audit");
    d.close();
    expect(rampart("audit", "verify", "--data", dir).code).toBe(1);
  });
});

describe("signed heads and anchors", () => {
  test("[AUD-5] the signing key is created 0600, outside the database, and signs heads that verify", async () => {
    const { dir, key } = await populated("key");
    expect(statSync(join(dir, "audit-signing.key")).mode & 0o777).toBe(0o600);
    const h = signHead(key, { seq: 4, hash: "ab".repeat(32) }, "2026-01-01T00:00:00Z");
    expect(checkAnchor(h, key, { seq: 4 }, () => "ab".repeat(32))).toBeNull();
    const other = ensureAuditKey(join(folder("other-key"), "k"));
    expect(checkAnchor(h, other, { seq: 4 }, () => "ab".repeat(32))?.code).toBe("bad-signature");
    expect(checkAnchor({ ...h, seq: 3 }, key, { seq: 4 }, () => "ab".repeat(32))?.code).toBe("bad-signature");
  });

  test("[AUD-6] audit anchor appends signed heads; verify against the last one catches truncation, wiping and a recomputed chain", async () => {
    const { dir, db } = await populated("anchored");
    const anchors = join(root, "anchors.jsonl");
    const a = rampart("audit", "anchor", "--data", dir, "--to", anchors);
    expect(a.code, a.err).toBe(0);
    const last = lastAnchor(anchors);
    expect(typeof last === "string" ? last : last.seq).toBe(4);
    expect(statSync(anchors).mode & 0o777).toBe(0o600);
    expect(rampart("audit", "verify", "--data", dir, "--anchor", anchors).code).toBe(0);

    // a recomputed chain: entry 2 edited, every hash and the head recomputed (the chain alone verifies)
    const d = new Database(db);
    d.prepare("UPDATE audit SET details = ? WHERE seq = 2").run(JSON.stringify({ role: "admin" }));
    recompute(d);
    d.close();
    expect(rampart("audit", "verify", "--data", dir).code).toBe(0); // what the issue found: it passed
    const r = rampart("audit", "verify", "--data", dir, "--anchor", anchors);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/anchor: rewritten/);

    // truncation and wiping, each recomputed to look whole
    const hashAt = (file: string) => {
      const x = new Database(file, { readonly: true });
      const m = new Map(
        (x.prepare("SELECT seq, hash FROM audit").all() as { seq: number; hash: string }[]).map((e) => [e.seq, e.hash]),
      );
      const head = x.prepare("SELECT seq FROM audit_head").get() as { seq: number };
      x.close();
      return { at: (s: number) => m.get(s) ?? null, head };
    };
    const key = ensureAuditKey(join(dir, "audit-signing.key"));
    const signed = lastAnchor(anchors);
    if (typeof signed === "string") throw new Error(signed);
    const t = new Database(db);
    t.exec("DELETE FROM audit WHERE seq > 2");
    recompute(t);
    t.close();
    const cut = hashAt(db);
    expect(checkAnchor(signed, key, cut.head, cut.at)?.code).toBe("truncated");
    const w = new Database(db);
    w.exec("DELETE FROM audit");
    recompute(w);
    w.close();
    const wiped = hashAt(db);
    expect(checkAnchor(signed, key, wiped.head, wiped.at)?.code).toBe("wiped");
    const v = rampart("audit", "verify", "--data", dir, "--anchor", anchors, "--json");
    expect(v.code).toBe(1);
    expect(JSON.parse(v.out).anchor.problem.code).toBe("wiped");
    expect(existsSync(`${db}-wal`) ? statSync(`${db}-wal`).size : 0).toBe(0);
  }, 300_000);
});
