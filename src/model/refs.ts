/**
 * The references an entity makes to other entities: one function shared by validation, control checks
 * and the graph index, so they agree on what refers to what.
 */
import type { Requirement } from "./requirement.ts";

export type EntityKind = "district" | "service" | "asset" | "zone" | "conduit" | "vendor" | "crew" | "control" | "person";

export const KIND_OF_LIST = {
  districts: "district",
  services: "service",
  assets: "asset",
  zones: "zone",
  conduits: "conduit",
  vendors: "vendor",
  crews: "crew",
  controls: "control",
  people: "person",
} as const satisfies Record<string, EntityKind>;

export type Ref = { path: (string | number)[]; id: string; kinds: readonly EntityKind[] };

const NODE_KINDS = ["asset", "service"] as const;

function requirementRefs(requires: Requirement[] | undefined, out: Ref[]) {
  if (!requires) return;
  requires.forEach((r, j) => {
    r.members.forEach((m, i) => {
      let path: (string | number)[];
      if (r.memberKind) path = ["requires", j, r.memberKind];
      else path = ["requires", j, r.kind === "k" ? "of" : r.kind, i];
      out.push({ path, id: m, kinds: r.memberKind ? [r.memberKind] : NODE_KINDS });
    });
  });
}

// biome-ignore lint/suspicious/noExplicitAny: entities of every list pass through here
export function refsOf(list: keyof typeof KIND_OF_LIST, e: any): Ref[] {
  const out: Ref[] = [];
  switch (list) {
    case "services":
      (e.districts as string[] | undefined)?.forEach((d, i) => {
        out.push({ path: ["districts", i], id: d, kinds: ["district"] });
      });
      requirementRefs(e.requires, out);
      break;
    case "assets":
      out.push({ path: ["zone"], id: e.zone, kinds: ["zone"] });
      if (e.vendor !== undefined) out.push({ path: ["vendor"], id: e.vendor, kinds: ["vendor"] });
      requirementRefs(e.requires, out);
      break;
    case "conduits":
      out.push({ path: ["from"], id: e.from, kinds: ["zone"] });
      out.push({ path: ["to"], id: e.to, kinds: ["zone"] });
      if (e.via !== undefined) out.push({ path: ["via"], id: e.via, kinds: ["asset"] });
      break;
    case "vendors":
      (e.remote_access as { to: string; via?: string }[]).forEach((ra, i) => {
        out.push({ path: ["remote_access", i, "to"], id: ra.to, kinds: ["zone"] });
        if (ra.via !== undefined) out.push({ path: ["remote_access", i, "via"], id: ra.via, kinds: ["asset"] });
      });
      break;
    case "people":
      (e.responsible as string[]).forEach((s, i) => {
        if (s !== "all") out.push({ path: ["responsible", i], id: s, kinds: ["service"] });
      });
      if (e.backup !== undefined) out.push({ path: ["backup"], id: e.backup, kinds: ["person"] });
      break;
    default:
      break;
  }
  return out;
}

export const ARTICLE: Record<EntityKind, string> = {
  district: "a district",
  service: "a service",
  asset: "an asset",
  zone: "a zone",
  conduit: "a conduit",
  vendor: "a vendor",
  crew: "a crew",
  control: "a control",
  person: "a person",
};
