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

// Where the reference being visited stands, kept in module state so that visiting allocates nothing:
// the visitor calls `currentPath` (synchronously) only when it needs the path, for an error message.
let at: (string | number)[] = [];
const currentPath = () => [...at];

function visitRequirements(requires: Requirement[] | undefined, visit: RefVisitor) {
  if (!requires) return;
  for (let j = 0; j < requires.length; j++) {
    const r = requires[j];
    const kinds = r.memberKind === "asset" ? K_ASSET : r.memberKind === "service" ? K_SERVICE : NODE_KINDS;
    for (let i = 0; i < r.members.length; i++) {
      at = r.memberKind ? ["requires", j, r.memberKind] : ["requires", j, r.kind === "k" ? "of" : r.kind, i];
      visit(r.members[i], kinds, currentPath);
    }
  }
}

const P_ZONE = ["zone"];
const P_VENDOR = ["vendor"];
const P_FROM = ["from"];
const P_TO = ["to"];
const P_VIA = ["via"];
const P_BACKUP = ["backup"];

/** Visits every reference an entity of `list` makes. The path is built only if asked for. */
// biome-ignore lint/suspicious/noExplicitAny: entities of every list pass through here
export function forEachRef(list: keyof typeof KIND_OF_LIST, e: any, visit: RefVisitor): void {
  switch (list) {
    case "services": {
      const ds = e.districts as string[] | undefined;
      if (ds)
        for (let i = 0; i < ds.length; i++) {
          at = ["districts", i];
          visit(ds[i], K_DISTRICT, currentPath);
        }
      visitRequirements(e.requires, visit);
      break;
    }
    case "assets":
      at = P_ZONE;
      if (e.zone !== undefined) visit(e.zone, K_ZONE, currentPath);
      at = P_VENDOR;
      if (e.vendor !== undefined) visit(e.vendor, K_VENDOR, currentPath);
      visitRequirements(e.requires, visit);
      break;
    case "conduits":
      at = P_FROM;
      if (e.from !== undefined) visit(e.from, K_ZONE, currentPath);
      at = P_TO;
      if (e.to !== undefined) visit(e.to, K_ZONE, currentPath);
      at = P_VIA;
      if (e.via !== undefined) visit(e.via, K_ASSET, currentPath);
      break;
    case "vendors": {
      const ras = e.remote_access as { to: string; via?: string }[];
      for (let i = 0; i < ras.length; i++) {
        at = ["remote_access", i, "to"];
        if (ras[i].to !== undefined) visit(ras[i].to, K_ZONE, currentPath);
        const via = ras[i].via;
        at = ["remote_access", i, "via"];
        if (via !== undefined) visit(via, K_ASSET, currentPath);
      }
      break;
    }
    case "people": {
      const rs = e.responsible as string[];
      for (let i = 0; i < rs.length; i++)
        if (rs[i] !== "all") {
          at = ["responsible", i];
          visit(rs[i], K_SERVICE, currentPath);
        }
      at = P_BACKUP;
      if (e.backup !== undefined) visit(e.backup, K_PERSON, currentPath);
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
