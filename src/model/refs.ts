/**
 * The references an entity makes to other entities: one function shared by validation, control checks
 * and the graph index, so they agree on what refers to what.
 */
import type { Requirement } from "./requirement.ts";

export type EntityKind =
  | "district"
  | "service"
  | "asset"
  | "zone"
  | "conduit"
  | "vendor"
  | "crew"
  | "control"
  | "person";

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

/** Visits one reference: the id, the kinds it may name, and (lazily) its path inside the entity. */
export type RefVisitor = (id: string, kinds: readonly EntityKind[], path: () => (string | number)[]) => void;

const NODE_KINDS = ["asset", "service"] as const;
const K_DISTRICT = ["district"] as const;
const K_ZONE = ["zone"] as const;
const K_VENDOR = ["vendor"] as const;
const K_ASSET = ["asset"] as const;
const K_SERVICE = ["service"] as const;
const K_PERSON = ["person"] as const;

function visitRequirements(requires: Requirement[] | undefined, visit: RefVisitor) {
  if (!requires) return;
  for (let j = 0; j < requires.length; j++) {
    const r = requires[j];
    const kinds = r.memberKind === "asset" ? K_ASSET : r.memberKind === "service" ? K_SERVICE : NODE_KINDS;
    for (let i = 0; i < r.members.length; i++) {
      visit(r.members[i], kinds, () =>
        r.memberKind ? ["requires", j, r.memberKind] : ["requires", j, r.kind === "k" ? "of" : r.kind, i],
      );
    }
  }
}

/** Visits every reference an entity of `list` makes. No allocation unless a path is asked for. */
// biome-ignore lint/suspicious/noExplicitAny: entities of every list pass through here
export function forEachRef(list: keyof typeof KIND_OF_LIST, e: any, visit: RefVisitor): void {
  switch (list) {
    case "services": {
      const ds = e.districts as string[] | undefined;
      if (ds) for (let i = 0; i < ds.length; i++) visit(ds[i], K_DISTRICT, () => ["districts", i]);
      visitRequirements(e.requires, visit);
      break;
    }
    case "assets":
      if (e.zone !== undefined) visit(e.zone, K_ZONE, () => ["zone"]);
      if (e.vendor !== undefined) visit(e.vendor, K_VENDOR, () => ["vendor"]);
      visitRequirements(e.requires, visit);
      break;
    case "conduits":
      if (e.from !== undefined) visit(e.from, K_ZONE, () => ["from"]);
      if (e.to !== undefined) visit(e.to, K_ZONE, () => ["to"]);
      if (e.via !== undefined) visit(e.via, K_ASSET, () => ["via"]);
      break;
    case "vendors": {
      const ras = e.remote_access as { to: string; via?: string }[];
      for (let i = 0; i < ras.length; i++) {
        if (ras[i].to !== undefined) visit(ras[i].to, K_ZONE, () => ["remote_access", i, "to"]);
        const via = ras[i].via;
        if (via !== undefined) visit(via, K_ASSET, () => ["remote_access", i, "via"]);
      }
      break;
    }
    case "people": {
      const rs = e.responsible as string[];
      for (let i = 0; i < rs.length; i++) if (rs[i] !== "all") visit(rs[i], K_SERVICE, () => ["responsible", i]);
      if (e.backup !== undefined) visit(e.backup, K_PERSON, () => ["backup"]);
      break;
    }
    default:
      break;
  }
}

/** Every reference an entity makes, as a list. */
// biome-ignore lint/suspicious/noExplicitAny: entities of every list pass through here
export function refsOf(list: keyof typeof KIND_OF_LIST, e: any): Ref[] {
  const out: Ref[] = [];
  forEachRef(list, e, (id, kinds, path) => out.push({ id, kinds, path: path() }));
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
