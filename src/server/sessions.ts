import type { Session, Store } from "../store/types.ts";

/**
 * Sessions read from the store, kept in memory for a second, keyed by the token's sha256 (the store's key):
 * a burst of requests costs one store read. Expiry is checked on every hit; logout and user changes in this
 * process evict at once (another process sharing a PostgreSQL store sees them within the second).
 */
export class SessionCache {
  private readonly map = new Map<string, { s: Session; until: number; expires: number }>();
  constructor(
    private readonly store: Store,
    private readonly ttlMs = 1000,
  ) {}
  async get(idHash: string): Promise<Session | null> {
    const now = Date.now();
    const hit = this.map.get(idHash);
    if (hit && hit.until > now && hit.expires > now) return hit.s;
    const s = await this.store.getSession(idHash);
    const expires = s ? Date.parse(s.expiresAt) : 0;
    if (!s || expires <= now) {
      this.map.delete(idHash);
      return null;
    }
    if (this.map.size > 10_000) this.map.clear();
    this.map.set(idHash, { s, until: now + this.ttlMs, expires });
    return s;
  }
  evict(idHash: string): void {
    this.map.delete(idHash);
  }
  evictUser(username: string): void {
    for (const [k, v] of this.map) if (v.s.username === username) this.map.delete(k);
  }
}
