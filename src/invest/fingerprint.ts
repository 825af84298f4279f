/**
 * A fingerprint of everything the simulator reads from a bound scenario ([BUY-8]): two portfolios whose bound
 * scenario has the same fingerprint give the same result in every run (same seed, same stream per run), so
 * only one of them is simulated. Descriptive fields (`model`, `scenario`, `warnings`) are left out; the
 * scenario is the same for every portfolio, and the services' weights (which the weighted loss reads) are added.
 */
import { createHash, type Hash } from "node:crypto";
import { serviceWeight } from "../model/consequence.ts";
import type { CityModel } from "../model/model.ts";
import type { Compiled } from "../simulate/bind.ts";

const SKIP = new Set(["model", "scenario", "warnings"]);

function feed(h: Hash, v: unknown): void {
  if (v === null || v === undefined) {
    h.update(v === null ? "n;" : "u;");
    return;
  }
  if (ArrayBuffer.isView(v)) {
    h.update(`${v.constructor.name}:${v.byteLength}:`);
    h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    return;
  }
  if (Array.isArray(v)) {
    h.update(`[${v.length}:`);
    for (const x of v) feed(h, x);
    h.update("]");
    return;
  }
  if (v instanceof Map) {
    h.update(`M${v.size}:`);
    for (const [k, x] of v) {
      feed(h, k);
      feed(h, x);
    }
    return;
  }
  if (v instanceof Set) {
    h.update(`S${v.size}:`);
    for (const x of v) feed(h, x);
    return;
  }
  if (typeof v === "object") {
    h.update("{");
    for (const k of Object.keys(v).sort()) {
      if (SKIP.has(k)) continue;
      h.update(`${k}=`);
      feed(h, (v as Record<string, unknown>)[k]);
    }
    h.update("}");
    return;
  }
  h.update(`${typeof v}:${String(v)};`);
}

/** The fingerprint of a bound scenario on a (patched) model. */
export function fingerprint(compiled: Compiled, model: CityModel): string {
  const h = createHash("sha256");
  feed(h, compiled);
  feed(
    h,
    model.services.map((s) => serviceWeight(s)),
  );
  return h.digest("hex");
}
