/** The whole city model (spec §2) and the schema of one model file. */
import { z } from "zod";
import { Asset } from "./asset.ts";
import { City, District } from "./city.ts";
import { Control } from "./control.ts";
import type { ModelExtensions } from "./extensions.ts";
import { Crew, Person, Vendor } from "./party.ts";
import { Service } from "./service.ts";
import { Conduit, Zone } from "./zone.ts";

export const LIST_KEYS = [
  "districts",
  "services",
  "assets",
  "zones",
  "conduits",
  "vendors",
  "crews",
  "controls",
  "people",
] as const;
export type ListKey = (typeof LIST_KEYS)[number];

/** The schema of a whole (merged) model. */
export const ModelSchema = z.strictObject({
  rampart: z.literal(1, { error: (iss) => `expected rampart: 1 (the format version), found ${String(iss.input)}` }),
  city: City,
  districts: z.array(District).default([]),
  services: z.array(Service).default([]),
  assets: z.array(Asset).default([]),
  zones: z.array(Zone).default([]),
  conduits: z.array(Conduit).default([]),
  vendors: z.array(Vendor).default([]),
  crews: z.array(Crew).default([]),
  controls: z.array(Control).default([]),
  people: z.array(Person).default([]),
});

/** A loaded, validated model: durations in hours, defaults applied, `internet` zone present. */
export type CityModel = Omit<z.infer<typeof ModelSchema>, "rampart" | "services"> & {
  services: (z.infer<typeof ModelSchema>["services"][number] & { population: number })[];
  /** Known `x-` extensions the model's files declare (absent when none do); see extensions.ts. */
  extensions?: ModelExtensions;
};

export type { Asset } from "./asset.ts";
export type { City, District } from "./city.ts";
export type { Control, PatchOp } from "./control.ts";
export type { ModelExtensions, ThreatActorSpec } from "./extensions.ts";
export type { Crew, Person, RemoteAccess, Vendor } from "./party.ts";
export type { Requirement } from "./requirement.ts";
export type { Fallback, Objectives, Service } from "./service.ts";
export type { Conduit, Zone } from "./zone.ts";
