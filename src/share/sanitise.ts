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

/** Tokens: maximal runs of letters, digits and hyphens, lower-cased. */
export const tokens = (s: string): string[] => s.toLowerCase().match(/[a-z0-9-]+/g) ?? [];

/**
 * Terms found in `text`, sorted by term. A term is found when its tokens appear as consecutive tokens of the
 * text (so "pump-1" is not found inside "pump-1-a", and "North Substation" is found across any punctuation
 * or spacing). One pass over the text's tokens, with the terms indexed by their first token.
 */
export function findLeaks(text: string, terms: readonly Term[]): Term[] {
  const byFirst = new Map<string, { toks: string[]; term: Term }[]>();
  for (const term of terms) {
    const toks = tokens(term.term);
    if (!toks.length) continue;
    const list = byFirst.get(toks[0]) ?? [];
    list.push({ toks, term });
    byFirst.set(toks[0], list);
  }
  const found = new Map<string, Term>();
  const words = tokens(text);
  for (let i = 0; i < words.length; i++) {
    const cands = byFirst.get(words[i]);
    if (!cands) continue;
    for (const c of cands) {
      let k = 1;
      while (k < c.toks.length && words[i + k] === c.toks[k]) k++;
      if (k === c.toks.length) found.set(c.term.term, c.term);
    }
  }
  return [...found.values()].sort((a, b) => (a.term < b.term ? -1 : 1));
}

const MACHINE_KEYS = new Set([
  "id",
  "type",
  "spec_version",
  "created",
  "modified",
  "valid_from",
  "published",
  "first_seen",
  "last_seen",
]);
const MACHINE_VALUE = /^(?:[a-z][a-z0-9-]+--[0-9a-f-]{36}|\d{4}-\d{2}-\d{2}T[\d:.]+Z)$/;

/**
 * The text a leak check must read in a set of STIX objects: every distinct key and string value, except
 * identifiers and timestamps in the properties that hold them (`id`, `*_ref`, `*_refs`, `created` ...), which
 * are machine values (a UUID or a timestamp cannot hold a name; one that is not such a value is kept).
 */
export function readableText(objects: readonly unknown[]): string {
  const out = new Set<string>();
  const walk = (v: unknown, key: string) => {
    if (typeof v === "string") {
      const machine = MACHINE_KEYS.has(key) || key.endsWith("_ref") || key.endsWith("_refs");
      if (!(machine && MACHINE_VALUE.test(v))) out.add(v);
    } else if (Array.isArray(v)) for (const x of v) walk(x, key);
    else if (v && typeof v === "object")
      for (const k in v) {
        out.add(k);
        walk((v as Record<string, unknown>)[k], k);
      }
  };
  for (const o of objects) walk(o, "");
  return [...out].join("\n");
}
