/**
 * What may not leave the city at TLP:CLEAR and TLP:GREEN ([SHR-3]): every internal identifier and name the
 * model holds (assets and their locations, zones, conduits, districts, controls, people, the city itself), as
 * whole tokens. Service ids and vendors are not secret (sector words, public companies), but the exporter
 * still names services only by sector at these levels. The exporter writes generic wording at those levels; `findLeaks` checks
 * the result once more before anything is returned.
 */
import type { CityModel } from "../model/model.ts";

export type Term = { term: string; what: string };

/** Every internal term of a model, longest first (so "pump-1-a" is reported, not "pump-1"). */
export function sensitiveTerms(model: CityModel): Term[] {
  const out: Term[] = [];
  const add = (t: string | undefined, what: string) => {
    if (t && t.trim().length >= 3) out.push({ term: t.trim(), what });
  };
  add(model.city.name, "city");
  for (const d of model.districts) {
    add(d.id, "district id");
    add(d.name, "district name");
  }
  for (const a of model.assets) {
    add(a.id, "asset id");
    add(a.name, "asset name");
    if (a.location) {
      add(`${a.location.lat}`, "asset location");
      add(`${a.location.lon}`, "asset location");
    }
  }
  for (const z of model.zones) {
    if (z.id === "internet") continue;
    add(z.id, "zone id");
    add(z.name, "zone name");
  }
  for (const c of model.conduits) add(c.id, "conduit id");
  for (const c of model.controls) {
    add(c.id, "control id");
    add(c.name, "control name");
  }
  for (const p of model.people) {
    add(p.id, "person id");
    add(p.name, "person name");
  }
  const seen = new Set<string>();
  return out
    .filter((t) => {
      const k = t.term.toLowerCase();
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => b.term.length - a.term.length);
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Terms found in `text` as whole tokens (not inside a longer identifier or word), case-insensitive.
 * Sorted by term. One combined regular expression per 500 terms keeps this linear in the text.
 */
export function findLeaks(text: string, terms: readonly Term[]): Term[] {
  const found = new Map<string, Term>();
  const byLower = new Map(terms.map((t) => [t.term.toLowerCase(), t]));
  for (let i = 0; i < terms.length; i += 500) {
    const chunk = terms.slice(i, i + 500);
    const re = new RegExp(`(?<![A-Za-z0-9-])(${chunk.map((t) => esc(t.term)).join("|")})(?![A-Za-z0-9-])`, "gi");
    for (const m of text.matchAll(re)) {
      const t = byLower.get(m[1].toLowerCase());
      if (t) found.set(t.term, t);
    }
  }
  return [...found.values()].sort((a, b) => (a.term < b.term ? -1 : 1));
}
