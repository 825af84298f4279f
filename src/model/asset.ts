import { z } from "zod";
import { AssetKind, AuthKind, DateString, Id, Layer, Length, Protocol } from "./primitives.ts";
import { Requirement } from "./requirement.ts";

export const AssetId = Id.brand<"AssetId">();
export type AssetId = z.infer<typeof AssetId>;

export const Software = z.strictObject({
  product: z.string().min(1),
  vendor: z.string().min(1).optional(),
  version: z.union([z.string(), z.number().transform(String)]).optional(),
  cpe: z.string().optional(),
});
export type Software = z.infer<typeof Software>;

export const Backup = z.strictObject({
  every: Length,
  offline: z.boolean().default(false),
  /** Date of the last tested restore; absent = never tested. */
  tested: DateString.optional(),
  restore: Length,
});
export type Backup = z.infer<typeof Backup>;

export const Asset = z.strictObject({
  id: AssetId,
  name: z.string().min(1),
  kind: AssetKind,
  layer: Layer,
  zone: Id,
  vendor: Id.optional(),
  software: z.array(Software).default([]),
  /** Absent = unknown, which no rule treats as weak. */
  auth: AuthKind.optional(),
  protocols: z.array(Protocol).default([]),
  exposed: z.boolean().default(false),
  monitored: z.boolean().default(false),
  end_of_life: z.boolean().default(false),
  backup: Backup.optional(),
  rebuild: Length.optional(),
  location: z.strictObject({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }).optional(),
  requires: z.array(Requirement).default([]),
});
export type Asset = z.infer<typeof Asset>;
