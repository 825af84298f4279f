/** The parts of the city model the UI reads (the API returns the validated model). */
export type Requirement = { kind: "all" | "any" | "k"; k: number; members: string[]; buffer?: number; degrade: number };
export type Service = {
  id: string;
  name: string;
  sector: string;
  population: number;
  impact: { confidentiality: string; integrity: string; availability: string };
  objectives?: { rto?: number; rpo?: number; mtd?: number; restore?: { level: number; within: number }[] };
  fallback?: { level: number; after: number; lasts: number | null };
  requires: Requirement[];
};
export type Asset = {
  id: string;
  name: string;
  kind: string;
  layer: string;
  zone: string;
  exposed: boolean;
  monitored: boolean;
  requires: Requirement[];
};
export type Control = { id: string; name: string; status: string; frameworks: string[] };
export type CityModel = {
  city: { name: string; population: number };
  services: Service[];
  assets: Asset[];
  zones: { id: string; name?: string; level?: number }[];
  controls: Control[];
  people: { id: string; name: string; role: string; responsible: string[] }[];
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
