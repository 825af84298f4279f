/**
 * Signed heads and anchors of the audit log ([AUD-5], [AUD-6]). The chain head (last seq and hash) is
 * signed with an Ed25519 key kept outside the database (a file created 0600 on the server's first start:
 * `<data>/audit-signing.key`, or RAMPART_AUDIT_KEY). `rampart audit anchor` appends signed heads to a file
 * (one JSON line each) that should live elsewhere (another disk, another machine, a WORM bucket). Verifying
 * against the last anchor detects what a rewrite of the whole database can hide: truncation (the log ends
 * before the anchored entry), wiping (the anchored entry is gone) and a recomputed chain (the anchored
 * entry's hash differs).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto";
import { appendFileSync, chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export type SignedHead = { v: 1; seq: number; hash: string; at: string; key: string; sig: string };

/** Where the signing key lives: RAMPART_AUDIT_KEY, else `<data>/audit-signing.key`. */
export function auditKeyPath(dataDir: string, env: string | undefined = process.env.RAMPART_AUDIT_KEY): string {
  return env?.trim() ? env.trim() : join(dataDir, "audit-signing.key");
}

/** Loads the signing key, creating it (0600) when absent. */
export function ensureAuditKey(path: string): KeyObject {
  if (!existsSync(path)) {
    const { privateKey } = generateKeyPairSync("ed25519");
    writeFileSync(path, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600, flag: "wx" });
    chmodSync(path, 0o600);
  }
  return createPrivateKey(readFileSync(path));
}

export function loadAuditKey(path: string): KeyObject {
  return createPrivateKey(readFileSync(path));
}

/** The public key's fingerprint-free form: base64 of its SPKI DER. */
export function publicKeyText(key: KeyObject): string {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  return pub.export({ type: "spki", format: "der" }).toString("base64");
}

const message = (h: { seq: number; hash: string; at: string }) =>
  Buffer.from(`rampart-audit-head\n${h.seq}\n${h.hash}\n${h.at}`);

export function signHead(key: KeyObject, head: { seq: number; hash: string }, at: string): SignedHead {
  const body = { seq: head.seq, hash: head.hash, at };
  return { v: 1, ...body, key: publicKeyText(key), sig: sign(null, message(body), key).toString("base64") };
}

/** Whether a signed head was signed by `key` (a private key or its public half). */
export function checkSignature(h: SignedHead, key: KeyObject): boolean {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  try {
    return publicKeyText(pub) === h.key && verify(null, message(h), pub, Buffer.from(h.sig, "base64"));
  } catch {
    return false;
  }
}

export function appendAnchor(file: string, h: SignedHead): void {
  appendFileSync(file, `${JSON.stringify(h)}\n`, { mode: 0o600 });
}

/** The last anchor of a file, or a message saying why there is none. */
export function lastAnchor(file: string): SignedHead | string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    return `cannot read the anchor file (${(e as NodeJS.ErrnoException).code ?? "error"})`;
  }
  const lines = text.split("\n").filter((l) => l.trim());
  if (!lines.length) return "the anchor file has no anchor";
  try {
    const h = JSON.parse(lines[lines.length - 1]) as SignedHead;
    if (h.v !== 1 || !Number.isInteger(h.seq) || typeof h.hash !== "string" || typeof h.sig !== "string") {
      return "the last anchor is not a signed head";
    }
    return h;
  } catch {
    return "the last anchor is not valid JSON";
  }
}

export type AnchorProblem = { code: "bad-signature" | "truncated" | "wiped" | "rewritten"; message: string };

/**
 * [AUD-6] Checks the store against an anchor: its signature, then that the anchored entry is still there
 * with the same hash. `entryHashAt(seq)`: the stored hash of entry seq, or null when absent.
 */
export function checkAnchor(
  h: SignedHead,
  key: KeyObject,
  head: { seq: number },
  entryHashAt: (seq: number) => string | null,
): AnchorProblem | null {
  if (!checkSignature(h, key)) {
    return { code: "bad-signature", message: "the anchor was not signed by this server's audit key" };
  }
  if (h.seq === 0) return null;
  const at = entryHashAt(h.seq);
  if (head.seq < h.seq && at === null) {
    return head.seq === 0
      ? { code: "wiped", message: `the log is empty but entry ${h.seq} was anchored at ${h.at}` }
      : { code: "truncated", message: `the log ends at entry ${head.seq} but entry ${h.seq} was anchored at ${h.at}` };
  }
  if (at === null) return { code: "wiped", message: `entry ${h.seq}, anchored at ${h.at}, is gone` };
  if (at !== h.hash) {
    return {
      code: "rewritten",
      message: `entry ${h.seq} no longer has the hash anchored at ${h.at}: the chain was rewritten`,
    };
  }
  return null;
}
