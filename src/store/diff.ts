/**
 * Diff between two model versions, entity by entity (by id): what was added, removed, or changed and in
 * which fields. Works on the merged raw model, so it shows what the people who wrote it changed.
 */
import { canonical } from "./audit.ts";

export type EntityChange = { id: string; fields: string[] };
export type ListDiff = { added: string[]; removed: string[]; changed: EntityChange[] };
export type ModelDiff = { city: string[]; lists: Record<string, ListDiff>; total: number };

type Raw = Record<string, unknown>;

function byId(list: unknown): Map<string, Raw> {
  const m = new Map<string, Raw>();
  if (!Array.isArray(list)) return m;
  list.forEach((el, i) => {
    if (el && typeof el === "object") {
      const o = el as Raw;
      m.set(typeof o.id === "string" ? o.id : `#${i}`, o);
    }
  });
  return m;
}

function changedFields(a: Raw, b: Raw): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out: string[] = [];
  for (const k of [...keys].sort()) if (canonical(a[k]) !== canonical(b[k])) out.push(k);
  return out;
}

export function diffModels(from: Raw, to: Raw): ModelDiff {
  const lists: Record<string, ListDiff> = {};
  let total = 0;
  const city =
    from.city && to.city && typeof from.city === "object" && typeof to.city === "object"
      ? changedFields(from.city as Raw, to.city as Raw)
      : canonical(from.city) === canonical(to.city)
        ? []
        : ["city"];
  total += city.length;
  const keys = new Set([...Object.keys(from), ...Object.keys(to)].filter((k) => k !== "city" && k !== "rampart"));
  for (const key of [...keys].sort()) {
    const a = byId(from[key]);
    const b = byId(to[key]);
    const d: ListDiff = { added: [], removed: [], changed: [] };
    for (const id of b.keys()) if (!a.has(id)) d.added.push(id);
    for (const id of a.keys()) if (!b.has(id)) d.removed.push(id);
    for (const [id, x] of a) {
      const y = b.get(id);
      if (y) {
        const f = changedFields(x, y);
        if (f.length) d.changed.push({ id, fields: f });
      }
    }
    const n = d.added.length + d.removed.length + d.changed.length;
    if (n > 0) {
      lists[key] = d;
      total += n;
    }
  }
  return { city, lists, total };
}
