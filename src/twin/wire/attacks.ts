/**
 * Attacks on the wire, scheduled in simulated hours:
 *   mitm:SOURCE-SENSOR-DEST:dos|constant=V|offset=V|replay=D,NOISE,MAX,MIN@START[-END]
 *   write:PLC:coil:ADDR=0|1@START           an attacker client writes a coil (puts an actuator in manual)
 *   write:PLC:register:ADDR=VALUE@START     an attacker client writes a holding register (raw 16-bit)
 *   program:PLC:K=LEVEL[,K=LEVEL]@START[-END]   the PLC's rule levels (metres) swapped, restored at END
 * Errors name the parameter and what was expected.
 */
import type { LinkManipulation } from "../cpa.ts";

export type WireAttack =
  | {
      kind: "mitm";
      source: string;
      sensor: string;
      destination: string;
      how: LinkManipulation;
      start: number;
      end?: number;
    }
  | { kind: "write"; plc: string; table: "coil" | "register"; addr: number; value: number; start: number }
  | { kind: "program"; plc: string; levels: { rule: number; level: number }[]; start: number; end?: number };

const NUM = /^-?\d+(\.\d+)?$/;

export function parseWireAttack(spec: string): WireAttack | string {
  const at = spec.lastIndexOf("@");
  if (at < 0) return `"${spec}": expected ...@START[-END] (simulated hours)`;
  const when = spec.slice(at + 1).split("-");
  const start = Number(when[0]);
  const end = when[1] !== undefined ? Number(when[1]) : undefined;
  if (
    !NUM.test(when[0] ?? "") ||
    start < 0 ||
    (when[1] !== undefined && (!NUM.test(when[1]) || (end as number) <= start)) ||
    when.length > 2
  )
    return `"${spec}": expected @START or @START-END in hours, END after START`;
  const parts = spec.slice(0, at).split(":");
  const kind = parts[0];
  if (kind === "mitm" && parts.length === 3) {
    const t = (parts[1] as string).split("-");
    if (t.length !== 3 || t.some((x) => !x)) return `"${spec}": mitm target must be SOURCE-SENSOR-DESTINATION`;
    const a = parts[2] as string;
    let how: LinkManipulation | undefined;
    if (a === "dos" || a === "drop") how = { kind: "dos" };
    else if (/^constant=/.test(a) && NUM.test(a.slice(9))) how = { kind: "constant", value: Number(a.slice(9)) };
    else if (/^offset=/.test(a) && NUM.test(a.slice(7))) how = { kind: "offset", value: Number(a.slice(7)) };
    else if (/^replay=/.test(a)) {
      const v = a.slice(7).split(",");
      if (v.length === 4 && v.every((x) => NUM.test(x))) {
        const [d, n, mx, mn] = v.map(Number) as [number, number, number, number];
        if (d > 0 && n >= 0 && mx >= mn) how = { kind: "replay", delayHours: d, noiseSd: n, max: mx, min: mn };
      }
    }
    if (!how) return `"${spec}": expected dos, constant=V, offset=V or replay=DELAY,NOISE,MAX,MIN`;
    return {
      kind: "mitm",
      source: t[0] as string,
      sensor: t[1] as string,
      destination: t[2] as string,
      how,
      start,
      end,
    };
  }
  if (kind === "write" && parts.length === 4) {
    const table = parts[2];
    const m = /^(\d+)=(\d+)$/.exec(parts[3] as string);
    if ((table !== "coil" && table !== "register") || !m)
      return `"${spec}": expected write:PLC:coil|register:ADDR=VALUE`;
    const addr = Number(m[1]);
    const value = Number(m[2]);
    if (addr > 65535 || value > 65535 || (table === "coil" && value > 1))
      return `"${spec}": address and value must fit 16 bits; a coil is 0 or 1`;
    return { kind: "write", plc: parts[1] as string, table, addr, value, start };
  }
  if (kind === "program" && parts.length === 3) {
    const levels: { rule: number; level: number }[] = [];
    for (const kv of (parts[2] as string).split(",")) {
      const m = /^(\d+)=(\d+(\.\d+)?)$/.exec(kv);
      if (!m) return `"${spec}": expected program:PLC:RULE=LEVEL[,RULE=LEVEL]`;
      levels.push({ rule: Number(m[1]), level: Number(m[2]) });
    }
    return { kind: "program", plc: parts[1] as string, levels, start, end };
  }
  return `"${spec}": expected mitm:..., write:... or program:... (see docs/twin.md)`;
}
