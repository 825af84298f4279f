/**
 * Detector state as data ([PRT-4]): a detector's fields (typed arrays, numbers, maps of numbers, nested
 * state objects) captured into a JSON-safe tree and written back into a fresh detector built from the same
 * model and options. Used to checkpoint live detectors when a partition of the telemetry changes hands
 * (`io/partitions.ts`). Pure: no clock, no I/O. Fields named in `skip` (the model a detector was built from)
 * are not captured: the fresh detector has them already.
 */

export type Snap =
  | null
  | boolean
  | string
  | number
  | { $n: "NaN" | "Infinity" | "-Infinity" }
  | { $a: string; b: string }
  | { $m: [Snap, Snap][] }
  | Snap[]
  | { $o: Record<string, Snap> };

const SKIP = new Set(["model"]);

type Typed =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray;

const TYPED: Record<string, new (n: number) => Typed> = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
};

function isTyped(v: unknown): v is Typed {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

/** The state of `v` as a JSON-safe tree. */
export function capture(v: unknown, skip: ReadonlySet<string> = SKIP): Snap {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return Number.isFinite(v) ? v : { $n: String(v) as "NaN" };
  if (typeof v === "boolean" || typeof v === "string") return v;
  if (isTyped(v)) {
    const bytes = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    return { $a: v.constructor.name, b: bytes.toString("base64") };
  }
  if (Array.isArray(v)) return v.map((x) => capture(x, skip));
  if (v instanceof Map) return { $m: [...v].map(([k, x]) => [capture(k, skip), capture(x, skip)]) };
  if (typeof v === "object") {
    const o: Record<string, Snap> = {};
    for (const k of Object.keys(v)) {
      if (skip.has(k)) continue;
      const x = (v as Record<string, unknown>)[k];
      if (typeof x === "function") continue;
      o[k] = capture(x, skip);
    }
    return { $o: o };
  }
  throw new SnapshotError("", `cannot capture a ${typeof v}`);
}

export class SnapshotError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path || "(root)"}: ${message}`);
  }
}

function value(s: Snap, path: string): unknown {
  if (s === null || typeof s !== "object") return s;
  if (Array.isArray(s)) return s.map((x, i) => value(x, `${path}[${i}]`));
  if ("$n" in s) return Number(s.$n);
  if ("$a" in s) {
    const C = TYPED[s.$a];
    if (!C) throw new SnapshotError(path, `unknown array type ${s.$a}`);
    const bytes = Buffer.from(s.b, "base64");
    const out = new C(bytes.byteLength / (new C(1) as Typed).BYTES_PER_ELEMENT);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  if ("$m" in s) return new Map(s.$m.map(([k, x], i) => [value(k, `${path}{${i}}`), value(x, `${path}{${i}}`)]));
  throw new SnapshotError(path, "an object where a value was expected");
}

/**
 * Writes a captured state back into `target` (a fresh object built from the same model and options):
 * typed arrays are copied in place (their lengths must match), maps refilled, nested objects restored
 * field by field. A shape that does not match (another model, another version) is refused with the path.
 */
export function restore(target: unknown, s: Snap, path = ""): void {
  if (target === null || typeof target !== "object" || s === null || typeof s !== "object" || !("$o" in s))
    throw new SnapshotError(path, "expected an object");
  const t = target as Record<string, unknown>;
  for (const [k, x] of Object.entries(s.$o)) {
    const p = path ? `${path}.${k}` : k;
    if (!(k in t)) throw new SnapshotError(p, "no such field in the detector");
    const cur = t[k];
    if (isTyped(cur)) {
      const v = value(x, p);
      if (!isTyped(v) || v.constructor !== cur.constructor || v.length !== cur.length)
        throw new SnapshotError(p, `expected a ${cur.constructor.name} of ${cur.length}`);
      cur.set(v as never);
    } else if (cur instanceof Map) {
      const v = value(x, p);
      if (!(v instanceof Map)) throw new SnapshotError(p, "expected a map");
      cur.clear();
      for (const [a, b] of v) cur.set(a, b);
    } else if (Array.isArray(cur) && Array.isArray(x) && cur.some((e) => e !== null && typeof e === "object")) {
      if (cur.length !== x.length) throw new SnapshotError(p, `expected ${cur.length} items`);
      for (let i = 0; i < cur.length; i++) {
        if (isTyped(cur[i])) {
          const v = value(x[i], `${p}[${i}]`);
          if (!isTyped(v) || v.length !== (cur[i] as Typed).length)
            throw new SnapshotError(`${p}[${i}]`, "array length differs");
          (cur[i] as Typed).set(v as never);
        } else restore(cur[i], x[i], `${p}[${i}]`);
      }
    } else if (cur !== null && typeof cur === "object" && !Array.isArray(cur)) {
      restore(cur, x, p);
    } else t[k] = value(x, p);
  }
}
