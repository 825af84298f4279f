/** The city model as the API returns it (the validated model; its schema is src/model/model.ts). */
import type { CityModel as Validated } from "../../src/model/model.ts";

export type { Asset, Control, Requirement, Service } from "../../src/model/model.ts";

/** The parts of the validated model the UI reads (picked from the model's own type, never re-declared). */
export type CityModel = Pick<Validated, "services" | "assets" | "zones" | "controls" | "people"> & {
  city: Pick<Validated["city"], "name" | "population">;
};

export function hours(h: number | undefined | null): string {
  if (h === undefined || h === null) return "–";
  if (h >= 48 && h % 24 === 0) return `${h / 24} d`;
  if (h >= 1) return `${Math.round(h * 10) / 10} h`;
  return `${Math.round(h * 60)} min`;
}

export function num(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}
