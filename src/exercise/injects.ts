/**
 * Injects from the simulator's timeline [EXR-1]: what people in the city would see (a ransom note on a screen, a
 * service running on its fallback, the incident declared), grouped by minute and kind and written for people.
 * The attacker's hidden moves (entry, compromise) are not injects: nobody sees them.
 */
import type { ExerciseDef, Inject, InjectEdit } from "../contracts/exercise.ts";
import type { TraceEntry } from "../contracts/simulation.ts";
import { buildIndex, type CityIndex, servicesAtRisk } from "../model/graph.ts";
import type { CityModel } from "../model/model.ts";

/** "06:10", "day 2 06:10": hours from the start shown on the exercise's wall clock. */
export function clockText(hours: number, startClock = "00:00"): string {
  const m = /^(\d{1,2}):(\d{2})$/.exec(startClock);
  const start = m ? Number(m[1]) * 60 + Number(m[2]) : 0;
  const total = Math.floor(start + Math.round(hours * 60));
  const day = Math.floor(total / 1440);
  const hh = Math.floor((total % 1440) / 60);
  const mm = total % 60;
  const t = `${String(hh).padStart(2, "0")}:${String(mm).padStart(2, "0")}`;
  return day > 0 ? `day ${day + 1} ${t}` : t;
}

const VISIBLE = new Set([
  "down",
  "hit",
  "deny",
  "encrypt",
  "destroy",
  "detected",
  "manipulation-found",
  "contained",
  "isolated",
  "isolated host",
  "fallback-on",
  "fallback-off",
  "buffer-exhausted",
  "restored",
  "level",
]);

type Names = { node: (id: string) => string; zone: (id: string) => string; needs: (id: string) => string[] };

function namesOf(model: CityModel, index: CityIndex): Names {
  const nodeName = new Map<string, string>();
  for (const a of model.assets) nodeName.set(a.id, a.name);
  for (const s of model.services) nodeName.set(s.id, s.name);
  const zoneName = new Map<string, string>(model.zones.map((z) => [z.id as string, z.name ?? z.id]));
  const needsCache = new Map<string, string[]>();
  return {
    node: (id) => nodeName.get(id) ?? id,
    zone: (id) => zoneName.get(id) ?? id,
    needs: (id) => {
      let r = needsCache.get(id);
      if (!r) {
        const n = index.nodeOf.get(id);
        r =
          n === undefined || n >= index.assetCount
            ? []
            : servicesAtRisk(index, n).map((s) => model.services[s - index.assetCount]?.name ?? "");
        needsCache.set(id, r);
      }
      return r;
    },
  };
}

const list = (xs: string[], max = 5) =>
  xs.length <= max ? xs.join(", ") : `${xs.slice(0, max).join(", ")} and ${xs.length - max} more`;
const pct = (x: number) => `${Math.round(x * 100)}%`;

/** Writes one group (same minute, same kind) of timeline entries as an inject. */
function write(kind: string, es: TraceEntry[], n: Names): { title: string; text: string } {
  const ids = [...new Set(es.map((e) => e.id))];
  const names = ids.map((id) => n.node(id));
  const needed = [...new Set(ids.flatMap((id) => n.needs(id)))];
  const needs = needed.length ? ` Services that need ${ids.length === 1 ? "it" : "them"}: ${list(needed)}.` : "";
  switch (kind) {
    case "down":
    case "hit":
      return {
        title: `${list(names, 3)} ${kind === "down" ? "down" : "degraded"}`,
        text: `${list(names)} ${ids.length === 1 ? "is" : "are"} ${kind === "down" ? "out of service" : "running degraded"}.${needs}`,
      };
    case "deny":
      return {
        title: `${list(names, 3)} not responding`,
        text: `Operators report that ${list(names)} ${ids.length === 1 ? "does" : "do"} not respond to commands or requests.${needs}`,
      };
    case "encrypt":
      return {
        title: `Ransom note on ${list(names, 3)}`,
        text: `${list(names)} show${ids.length === 1 ? "s" : ""} a ransom note; files are encrypted and the system is unusable.${needs}`,
      };
    case "destroy":
      return {
        title: `${list(names, 3)} dead`,
        text: `${list(names)} ${ids.length === 1 ? "has" : "have"} stopped and will not boot: firmware or disks wiped.${needs}`,
      };
    case "detected":
      return {
        title: "Intrusion confirmed",
        text: "The security operations centre confirms an intrusion in the city's networks: the incident is declared.",
      };
    case "manipulation-found":
      return {
        title: `Set points tampered with on ${list(names, 3)}`,
        text: `${list(names)}: the running logic or set points do not match the known-good copy; they must be verified and restored.${needs}`,
      };
    case "contained":
      return {
        title: "Containment under way",
        text: "Following the containment policy, the attacker's footholds are being cut off.",
      };
    case "isolated":
      return {
        title: `Zones isolated: ${list(
          ids.map((id) => n.zone(id)),
          3,
        )}`,
        text: `Conduits into ${list(ids.map((id) => n.zone(id)))} are cut; systems that need anything across them lose it.`,
      };
    case "isolated host":
      return {
        title: `Hosts cut off: ${list(names, 3)}`,
        text: `${list(names)} ${ids.length === 1 ? "is" : "are"} disconnected for re-imaging.`,
      };
    case "fallback-on":
      return {
        title: `${list(names, 3)} on fallback`,
        text: `${list(names)} ${ids.length === 1 ? "runs" : "run"} on manual or degraded fallback operation.`,
      };
    case "fallback-off":
      return {
        title: `Fallback ends: ${list(names, 3)}`,
        text: `${list(names)}: fallback operation ends (${es[0].detail ?? "over"}).`,
      };
    case "buffer-exhausted":
      return {
        title: `Reserves used up: ${list(names, 3)}`,
        text: `${list(names)}: stored reserves or ride-through are used up.`,
      };
    case "restored":
      return {
        title: `Back in service: ${list(names, 3)}`,
        text: `${list(names)} ${ids.length === 1 ? "is" : "are"} restored and back in service.`,
      };
    default: {
      // level: the services' new levels
      const last = new Map<string, number>();
      for (const e of es) last.set(e.id, e.to ?? 1);
      const parts = [...last].map(([id, to]) =>
        to >= 1 ? `${n.node(id)} back to normal` : `${n.node(id)} at ${pct(to)}`,
      );
      return { title: "Service levels", text: `${list(parts, 8)}.` };
    }
  }
}

/** The injects of a traced run: visible entries grouped by minute and kind, in time order. */
export function injectsFromTrace(trace: TraceEntry[], model: CityModel, index = buildIndex(model)): Inject[] {
  const names = namesOf(model, index);
  const groups = new Map<string, TraceEntry[]>();
  const order: string[] = [];
  for (const e of trace) {
    if (!VISIBLE.has(e.kind)) continue;
    const minute = Math.round(e.t * 60);
    const key = `${minute}:${e.kind}`;
    let g = groups.get(key);
    if (!g) {
      g = [];
      groups.set(key, g);
      order.push(key);
    }
    g.push(e);
  }
  return order.map((key) => {
    const es = groups.get(key) as TraceEntry[];
    const kind = es[0].kind;
    const { title, text } = write(kind, es, names);
    return {
      id: `sim-${key.replace(":", "-").replace(/ /g, "-")}`,
      at: Math.round(es[0].t * 60) / 60,
      title,
      text,
      source: "simulation" as const,
      kind: kind === "level" ? "levels" : kind,
    };
  });
}

/** The injects as participants get them: simulation's and facilitator's, overrides applied, in order [EXR-2]. */
export function arrange(sim: Inject[], ex: Pick<ExerciseDef, "added" | "overrides" | "order">): Inject[] {
  const out: Inject[] = [];
  for (const i of [...sim, ...ex.added]) {
    const o = ex.overrides[i.id];
    if (o?.removed) continue;
    out.push(o?.at !== undefined ? { ...i, at: o.at } : i);
  }
  const rank = new Map(ex.order.map((id, k) => [id, k]));
  const pos = new Map(out.map((x, k) => [x.id, k]));
  return out.sort(
    (a, b) =>
      a.at - b.at ||
      (rank.get(a.id) ?? Number.MAX_SAFE_INTEGER) - (rank.get(b.id) ?? Number.MAX_SAFE_INTEGER) ||
      (pos.get(a.id) as number) - (pos.get(b.id) as number),
  );
}

/**
 * [EXR-2] Applies a facilitator's change: add an inject, retime or remove one, or reorder some (they keep the
 * times they had between them, now filled in the new order). `current` is the injects as arranged now.
 */
export function editInjects(
  ex: ExerciseDef,
  current: Inject[],
  edit: InjectEdit,
): { ok: true; exercise: ExerciseDef } | { ok: false; message: string } {
  const byId = new Map(current.map((i) => [i.id, i]));
  const unknown = (id: string) => ({ ok: false as const, message: `no inject "${id}" in exercise ${ex.id}` });
  switch (edit.op) {
    case "add": {
      const id = `fac-${ex.added.length + 1}`;
      const inj: Inject = {
        id,
        at: edit.at,
        title: edit.title,
        text: edit.text,
        source: "facilitator",
        kind: "facilitator",
      };
      return { ok: true, exercise: { ...ex, added: [...ex.added, inj] } };
    }
    case "retime":
    case "remove": {
      if (!byId.has(edit.id)) return unknown(edit.id);
      const change = edit.op === "retime" ? { at: edit.at } : { removed: true };
      if (edit.id.startsWith("fac-") && edit.op === "retime")
        return {
          ok: true,
          exercise: { ...ex, added: ex.added.map((i) => (i.id === edit.id ? { ...i, at: edit.at } : i)) },
        };
      return {
        ok: true,
        exercise: { ...ex, overrides: { ...ex.overrides, [edit.id]: { ...ex.overrides[edit.id], ...change } } },
      };
    }
    case "reorder": {
      if (new Set(edit.ids).size !== edit.ids.length)
        return { ok: false, message: "reorder: an inject is named twice" };
      for (const id of edit.ids) if (!byId.has(id)) return unknown(id);
      const times = edit.ids.map((id) => (byId.get(id) as Inject).at).sort((a, b) => a - b);
      let next = ex;
      edit.ids.forEach((id, k) => {
        const r = editInjects(next, current, { op: "retime", id, at: times[k] });
        if (r.ok) next = r.exercise;
      });
      const rest = next.order.filter((id) => !edit.ids.includes(id));
      return { ok: true, exercise: { ...next, order: [...rest, ...edit.ids] } };
    }
  }
}
