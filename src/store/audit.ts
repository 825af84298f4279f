/**
 * The hash-chained audit log. Entry n's hash is sha256 over the previous hash and entry n's canonical JSON,
 * so editing, inserting or deleting any entry breaks every later link; the head (last seq and hash) is kept
 * in its own row, written in the same transaction, so truncating the tail is detected too.
 */
import { createHash } from "node:crypto";
import type { AuditEntry, AuditProblem, AuditVerify } from "./types.ts";

export const GENESIS = "0".repeat(64);

/** JSON with object keys sorted, so the same entry always hashes the same. */
export function canonical(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(",")}}`;
}

export function entryHash(prevHash: string, e: Omit<AuditEntry, "hash" | "prevHash">): string {
  const body = canonical({
    seq: e.seq,
    at: e.at,
    actor: e.actor,
    action: e.action,
    target: e.target,
    details: e.details,
  });
  return createHash("sha256").update(prevHash).update("\n").update(body).digest("hex");
}

/** Checks a whole chain (entries in seq order) against the stored head. */
export function verifyChain(entries: AuditEntry[], head: { seq: number; hash: string }): AuditVerify {
  const problems: AuditProblem[] = [];
  let prev = GENESIS;
  let expectSeq = 1;
  for (const e of entries) {
    if (e.seq !== expectSeq) {
      problems.push({
        seq: e.seq,
        code: "gap",
        message: `entry ${e.seq} follows entry ${expectSeq - 1}: entries ${expectSeq}..${e.seq - 1} are missing`,
      });
    }
    if (e.prevHash !== prev) {
      problems.push({ seq: e.seq, code: "bad-link", message: `entry ${e.seq} does not link to the entry before it` });
    }
    const h = entryHash(e.prevHash, e);
    if (h !== e.hash) {
      problems.push({ seq: e.seq, code: "bad-hash", message: `entry ${e.seq} was changed after it was written` });
    }
    prev = e.hash;
    expectSeq = e.seq + 1;
  }
  const lastSeq = entries.length ? entries[entries.length - 1].seq : 0;
  if (head.seq !== lastSeq || head.hash !== prev) {
    problems.push({
      seq: lastSeq,
      code: "head-mismatch",
      message: `the log ends at entry ${lastSeq} but the recorded head is entry ${head.seq}: entries were removed or added outside Rampart`,
    });
  }
  return { ok: problems.length === 0, entries: entries.length, head: head.hash, problems };
}
