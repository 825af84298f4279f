/**
 * [SEC-13] Which reverse proxies to trust. `RAMPART_TRUST_PROXY` lists their addresses or CIDR ranges
 * (`10.0.0.5, 10.1.0.0/16, ::1`; `loopback`, `linklocal` and `uniquelocal` name the usual ranges; `1`
 * means `loopback`, a proxy on the same machine). The client's address is then the right-most address of
 * `X-Forwarded-For` that is not a trusted proxy (fastify's proxy-addr walks the hops from the socket), so
 * a client cannot choose its own address by sending the header; `X-Forwarded-Proto` is honoured only
 * from a trusted proxy. Unset or empty: no proxy is trusted and the header is ignored.
 */
import { isIP } from "node:net";

const NAMED = new Set(["loopback", "linklocal", "uniquelocal"]);

/** The trusted proxies of a setting, or the first entry that is not an address, a range or a name. */
export function parseTrustProxy(
  value: string | undefined,
): { ok: true; list: string[] } | { ok: false; entry: string } {
  const v = (value ?? "").trim();
  if (v === "" || v === "0" || v === "false") return { ok: true, list: [] };
  if (v === "1" || v === "true") return { ok: true, list: ["loopback"] };
  const list: string[] = [];
  for (const entry of v.split(/[\s,]+/).filter(Boolean)) {
    if (NAMED.has(entry)) {
      list.push(entry);
      continue;
    }
    const [addr, bits, more] = entry.split("/");
    const family = isIP(addr ?? "");
    if (family === 0 || more !== undefined) return { ok: false, entry };
    if (bits !== undefined) {
      const n = /^\d{1,3}$/.test(bits) ? Number(bits) : -1;
      if (n < 0 || n > (family === 4 ? 32 : 128)) return { ok: false, entry };
    }
    list.push(entry);
  }
  return { ok: true, list };
}
