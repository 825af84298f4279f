/** BATADAL-shaped CSV: DATETIME (dd/mm/yy HH), the SCADA columns, ATT_FLAG (1 attack active, 0 not). */
import type { TwinRow } from "./engine.ts";

const pad = (n: number) => String(n).padStart(2, "0");

/** dd/mm/yy HH of `hour` hours after `startMs` (a UTC epoch in milliseconds), as BATADAL writes it. */
export function batadalTime(startMs: number, hour: number): string {
  const d = new Date(startMs + hour * 3600_000);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCFullYear() % 100)} ${pad(d.getUTCHours())}`;
}

function cell(v: number): string {
  if (!Number.isFinite(v)) return "";
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(10)));
}

export function toBatadalCsv(
  columns: string[],
  rows: TwinRow[],
  startMs: number,
  which: "scada" | "truth" = "scada",
): string {
  const out = [`DATETIME,${columns.join(",")},ATT_FLAG`];
  for (const r of rows) out.push(`${batadalTime(startMs, r.hour)},${r[which].map(cell).join(",")},${r.attack}`);
  return `${out.join("\n")}\n`;
}

/** Parses a start date YYYY-MM-DD (UTC midnight) into epoch milliseconds, or undefined. */
export function parseStartDate(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const d = new Date(ms);
  return d.getUTCDate() === Number(m[3]) && d.getUTCMonth() === Number(m[2]) - 1 ? ms : undefined;
}
