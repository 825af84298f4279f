/**
 * Passwords (scrypt, memory-hard), session tokens and the login rate limit. A session cookie holds a random
 * 256-bit token; the store keeps only its sha256, so a copy of the database does not let anyone log in.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import type { Store } from "../store/types.ts";
import { normalizePassword } from "./passwords.ts";

// N = 2^15, r = 8: 32 MiB per hash, about 60 ms on one core.
const N = 1 << 15;
const R = 8;
const P = 1;
const KEYLEN = 32;
const MAXMEM = 64 * 1024 * 1024;

function scryptAsync(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEYLEN, { N: n, r, p, maxmem: MAXMEM }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** `scrypt$N$r$p$salt$hash` (base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(normalizePassword(password), salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  if (!(n > 1 && n <= 1 << 20 && r >= 1 && r <= 32 && p >= 1 && p <= 4)) return false;
  const salt = Buffer.from(parts[4], "base64url");
  const want = Buffer.from(parts[5], "base64url");
  const got = await scryptAsync(normalizePassword(password), salt, n, r, p);
  if (got.length === want.length && timingSafeEqual(got, want)) return true;
  // hashes made before [SEC-12] used NFC: still accepted when the two forms differ
  const nfc = password.normalize("NFC");
  if (nfc === normalizePassword(password)) return false;
  const old = await scryptAsync(nfc, salt, n, r, p);
  return old.length === want.length && timingSafeEqual(old, want);
}

/** A hash to compare against when the user does not exist, so timing does not reveal who exists. */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString("hex"));
  return dummy;
}

export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A generated password: 24 characters from a 54-letter alphabet without look-alikes (about 138 bits). */
export function generatePassword(): string {
  const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = randomBytes(48);
  let out = "";
  for (let i = 0; out.length < 24 && i < bytes.length; i++) {
    // rejection sampling keeps the distribution uniform
    if (bytes[i] < 256 - (256 % alphabet.length)) out += alphabet[bytes[i] % alphabet.length];
  }
  return out.length === 24 ? out : generatePassword();
}

type Counter = { free: number; capMs: number };
/** [SEC-11] How many attempts each counter allows before backing off, and the back-off's ceiling. */
export type ThrottlePolicy = {
  windowMs: number;
  account: Counter;
  pair: Counter;
  address: Counter;
  /** How long a successful (account, address) pair is exempt from the account's counter. */
  trustMs: number;
  /** The first back-off; each further attempt doubles it. */
  baseMs: number;
};

export const LOGIN_POLICY: ThrottlePolicy = {
  windowMs: 15 * 60_000,
  account: { free: 10, capMs: 60_000 },
  pair: { free: 5, capMs: 15 * 60_000 },
  address: { free: 30, capMs: 15 * 60_000 },
  trustMs: 30 * 24 * 3600_000,
  baseMs: 1000,
};

/**
 * [SEC-11] Login throttling in the store: an attempt is reserved atomically before the password is
 * checked, so a burst of concurrent guesses is counted as it arrives (none slips past the count while
 * the others are hashing), and replicas sharing a PostgreSQL store share the counts. Past the free
 * attempts each counter backs off exponentially (1 s, 2 s, 4 s, ... up to its ceiling) instead of
 * locking: the account counter's ceiling is a minute and it does not apply from an address the user
 * logged in from successfully, so other people's guesses cannot lock a user out.
 */
export class LoginThrottle {
  constructor(
    private readonly store: Store,
    readonly policy: ThrottlePolicy = LOGIN_POLICY,
    private readonly clock: () => number = Date.now,
  ) {}

  private keys(username: string, ip: string) {
    return { account: `u:${username}`, pair: `p:${username}|${ip}`, address: `a:${ip}` };
  }

  /** Seconds to wait before another attempt (nothing was counted), or 0: the attempt is counted, go on. */
  async begin(username: string, ip: string): Promise<number> {
    const k = this.keys(username, ip);
    const p = this.policy;
    const now = this.clock();
    const until = await this.store.throttleAttempt({
      keys: [k.account, k.pair, k.address],
      now,
      windowMs: p.windowMs,
      blockFor: (key, n) => {
        const c = key === k.account ? p.account : key === k.pair ? p.pair : p.address;
        return n >= c.free ? Math.min(c.capMs, p.baseMs * 2 ** Math.min(n - c.free, 30)) : 0;
      },
      trustKey: k.pair,
      skipIfTrusted: [k.account],
    });
    return until > now ? Math.max(1, Math.ceil((until - now) / 1000)) : 0;
  }

  /** A successful login clears the account's and the pair's counts and trusts the pair. */
  async succeed(username: string, ip: string): Promise<void> {
    const k = this.keys(username, ip);
    const now = this.clock();
    await this.store.throttleSuccess([k.account, k.pair], k.pair, now + this.policy.trustMs, now);
  }
}
