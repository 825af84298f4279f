/**
 * Timestamp parsing without the host time zone: every result is computed with Date.UTC so that a
 * given string always maps to the same number, wherever the process runs.
 *
 * `wall` is the wall-clock time as written (used for daily/weekly seasonality); `epoch` applies an
 * explicit UTC offset when one is present (used for ordering and matching).
 */
export interface ParsedTime {
  epoch: number;
  wall: number;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;
const BATADAL = /^(\d{2})\/(\d{2})\/(\d{2,4})(?:\s+(\d{1,2})(?::(\d{2})(?::(\d{2}))?)?)?$/;

function valid(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 60) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  return d <= days;
}

export function parseTimestamp(raw: string): ParsedTime | null {
  const s = raw.trim();
  let m = ISO.exec(s);
  if (m) {
    const y = +m[1];
    const mo = +m[2];
    const d = +m[3];
    const h = m[4] ? +m[4] : 0;
    const mi = m[5] ? +m[5] : 0;
    const sec = m[6] ? +m[6] : 0;
    const frac = m[7] ? Number(`0.${m[7]}`) : 0;
    if (!valid(y, mo, d, h, mi, sec)) return null;
    const wall = Date.UTC(y, mo - 1, d, h, mi, sec) + Math.round(frac * 1000);
    let off = 0;
    const z = m[8];
    if (z && z !== "Z") {
      const sign = z[0] === "-" ? -1 : 1;
      const digits = z.slice(1).replace(":", "");
      const oh = +digits.slice(0, 2);
      const om = digits.length > 2 ? +digits.slice(2, 4) : 0;
      off = sign * (oh * 60 + om) * 60_000;
    }
    return { epoch: wall - off, wall };
  }
  m = BATADAL.exec(s);
  if (m) {
    const d = +m[1];
    const mo = +m[2];
    const y = m[3].length === 2 ? 2000 + +m[3] : +m[3];
    const h = m[4] ? +m[4] : 0;
    const mi = m[5] ? +m[5] : 0;
    const sec = m[6] ? +m[6] : 0;
    if (!valid(y, mo, d, h, mi, sec)) return null;
    const wall = Date.UTC(y, mo - 1, d, h, mi, sec);
    return { epoch: wall, wall };
  }
  return null;
}

/** Accepts a number (epoch seconds if < 1e11, else ms) or a timestamp string. */
export function parseTimeValue(v: unknown): ParsedTime | null {
  if (typeof v === "number" && Number.isFinite(v)) {
    const ms = Math.abs(v) < 1e11 ? v * 1000 : v;
    return { epoch: ms, wall: ms };
  }
  if (typeof v === "string") return parseTimestamp(v);
  return null;
}

/** Hour of week (0 = Monday 00h) of a wall-clock time. */
export function hourOfWeek(wall: number): number {
  const h = Math.floor(wall / 3_600_000);
  // 1970-01-01 was a Thursday: shift so Monday = 0.
  return (((h + 72) % 168) + 168) % 168;
}
