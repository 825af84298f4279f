/**
 * Passwords (scrypt, memory-hard), session tokens and the login rate limit. A session cookie holds a random
 * 256-bit token; the store keeps only its sha256, so a copy of the database does not let anyone log in.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from "node:crypto";

// N = 2^15, r = 8: 32 MiB per hash, about 60 ms on one core.
const N = 1 << 15;
const R = 8;
const P = 1;
const KEYLEN = 32;
const MAXMEM = 64 * 1024 * 1024;

function scryptAsync(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFC"), salt, KEYLEN, { N: n, r, p, maxmem: MAXMEM }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** `scrypt$N$r$p$salt$hash` (base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  if (!(n > 1 && n <= 1 << 20 && r >= 1 && r <= 32 && p >= 1 && p <= 4)) return false;
  const salt = Buffer.from(parts[4], "base64url");
  const want = Buffer.from(parts[5], "base64url");
  const got = await scryptAsync(password, salt, n, r, p);
  return got.length === want.length && timingSafeEqual(got, want);
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

/**
 * Login rate limit: a sliding window of failures per client address and per username. A success does not
 * reset the address's count (an attacker with one valid account cannot use it to keep guessing others).
 */
export class LoginLimiter {
  private readonly fails = new Map<string, number[]>();
  constructor(
    readonly perUser = 5,
    readonly perIp = 20,
    readonly windowMs = 15 * 60_000,
  ) {}

  private recent(key: string, now: number): number[] {
    const xs = (this.fails.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (xs.length) this.fails.set(key, xs);
    else this.fails.delete(key);
    return xs;
  }

  /** Seconds to wait before another attempt, or 0 when allowed. */
  retryAfter(ip: string, username: string, now = Date.now()): number {
    const u = this.recent(`u:${username}`, now);
    const i = this.recent(`i:${ip}`, now);
    let until = 0;
    if (u.length >= this.perUser) until = Math.max(until, u[u.length - this.perUser] + this.windowMs);
    if (i.length >= this.perIp) until = Math.max(until, i[i.length - this.perIp] + this.windowMs);
    return until > now ? Math.ceil((until - now) / 1000) : 0;
  }

  fail(ip: string, username: string, now = Date.now()): void {
    for (const k of [`u:${username}`, `i:${ip}`]) {
      const xs = this.recent(k, now);
      xs.push(now);
      this.fails.set(k, xs);
    }
    if (this.fails.size > 100_000) this.fails.clear();
  }

  succeed(username: string): void {
    this.fails.delete(`u:${username}`);
  }
}
