/**
 * [CTL-1] Applying a control's patch to a copy of the raw model. Copy-on-write: the base model is never
 * changed, and untouched entities stay the same objects (so their parsed form is reused).
 */
import { LIST_KEYS, type ListKey } from "./model.ts";

type Raw = Record<string, unknown>;
export type PatchOpLike = { target: string; set?: Record<string, unknown>; remove?: true; add?: unknown[] };

/** What a patch changed, by entity: old objects gone (removed or replaced), new objects in (added or replacing). */
export type PatchChanges = { list: ListKey; removed: unknown[]; added: unknown[] }[];

export type PatchResult<R> = { ok: true; raw: R; changes: PatchChanges } | { ok: false; op: number; message: string };

type Seg = { key: string } | { index: number };

/** "vendors.acme.remote_access[0]" -> list vendors, id acme, then [remote_access, 0]. */
export function parseTarget(target: string): { list: ListKey; id?: string; rest: Seg[] } | string {
  const m = /^([a-z_]+)(?:\.([a-z0-9][a-z0-9-]*)((?:\.[a-z_]+(?:\[\d+\])?)*))?$/.exec(target);
  if (!m) return `cannot read target "${target}": expected list, list.id or list.id.field[n]`;
  const list = m[1] as ListKey;
  if (!(LIST_KEYS as readonly string[]).includes(list))
    return `unknown list "${m[1]}" in target "${target}": expected one of ${LIST_KEYS.join(", ")}`;
  const rest: Seg[] = [];
  for (const part of (m[3] ?? "").split(".").filter(Boolean)) {
    const pm = /^([a-z_]+)(?:\[(\d+)\])?$/.exec(part) as RegExpExecArray;
    rest.push({ key: pm[1] });
    if (pm[2] !== undefined) rest.push({ index: Number(pm[2]) });
  }
  return { list, id: m[2], rest };
}

export function applyPatch<R extends Raw>(raw: R, ops: readonly PatchOpLike[]): PatchResult<R> {
  const out: Raw = { ...raw };
  const copied = new Set<string>();
  const changes: PatchChanges = [];
  const changed = (list: ListKey) => {
    let c = changes.find((x) => x.list === list);
    if (!c) {
      c = { list, removed: [], added: [] };
      changes.push(c);
    }
    return c;
  };
  const listOf = (k: ListKey): unknown[] => {
    if (!copied.has(k)) {
      out[k] = Array.isArray(out[k]) ? [...(out[k] as unknown[])] : [];
      copied.add(k);
    }
    return out[k] as unknown[];
  };
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const t = parseTarget(op.target);
    if (typeof t === "string") return { ok: false, op: i, message: t };
    const list = listOf(t.list);
    if (t.id === undefined) {
      if (!op.add) return { ok: false, op: i, message: `target "${op.target}" is a list: only add applies to it` };
      list.push(...op.add);
      changed(t.list).added.push(...op.add);
      continue;
    }
    const at = list.findIndex((e) => e !== null && typeof e === "object" && (e as Raw).id === t.id);
    if (at < 0) return { ok: false, op: i, message: `target "${op.target}": no ${t.list} entry with id ${t.id}` };
    if (op.add)
      return {
        ok: false,
        op: i,
        message: `add applies to a top-level list such as "${t.list}", not to "${op.target}"`,
      };
    const c = changed(t.list);
    const old = list[at];
    const wasAdded = c.added.indexOf(old);
    // an entity this patch added or replaced before is replaced again: only its latest version counts
    if (wasAdded >= 0) c.added.splice(wasAdded, 1);
    else c.removed.push(old);
    if (t.rest.length === 0 && op.remove) {
      list.splice(at, 1);
      continue;
    }
    // Walk down copying each container on the way.
    const root = { ...(old as Raw) };
    list[at] = root;
    c.added.push(root);
    let node: Raw | unknown[] = root;
    for (let s = 0; s < t.rest.length; s++) {
      const seg = t.rest[s];
      const last = s === t.rest.length - 1;
      const key = "key" in seg ? seg.key : seg.index;
      const child: unknown = (node as Raw)[key as string];
      if (child === undefined) return { ok: false, op: i, message: `target "${op.target}": nothing at ${String(key)}` };
      if (last && op.remove) {
        if (Array.isArray(node)) node.splice(key as number, 1);
        else delete (node as Raw)[key as string];
        node = undefined as never;
        break;
      }
      if (child === null || typeof child !== "object")
        return { ok: false, op: i, message: `target "${op.target}": ${String(key)} is not a mapping or list` };
      const copy: Raw | unknown[] = Array.isArray(child) ? [...child] : { ...(child as Raw) };
      (node as Raw)[key as string] = copy;
      node = copy;
    }
    if (op.set) {
      if (node === undefined || Array.isArray(node))
        return { ok: false, op: i, message: `target "${op.target}" is not a mapping: set needs one` };
      Object.assign(node, op.set);
    }
  }
  return { ok: true, raw: out as R, changes };
}
