/** Vendors, crews and people: who supplies, restores and answers for the city's systems. */
import { z } from "zod";
import { Id, Layer, Sector } from "./primitives.ts";

export const VendorId = Id.brand<"VendorId">();
export type VendorId = z.infer<typeof VendorId>;

export const RemoteAccess = z.strictObject({
  to: Id,
  via: Id.optional(),
  mfa: z.boolean().default(false),
  always_on: z.boolean().default(false),
});
export type RemoteAccess = z.infer<typeof RemoteAccess>;

export const Vendor = z.strictObject({
  id: VendorId,
  name: z.string().min(1),
  remote_access: z.array(RemoteAccess).default([]),
});
export type Vendor = z.infer<typeof Vendor>;

export const CrewId = Id.brand<"CrewId">();
export const Crew = z.strictObject({
  id: CrewId,
  count: z.number().int().min(1),
  layers: z.array(Layer).optional(),
  sectors: z.array(Sector).optional(),
});
export type Crew = z.infer<typeof Crew>;

export const PersonId = Id.brand<"PersonId">();
export const Person = z.strictObject({
  id: PersonId,
  name: z.string().min(1),
  role: z.string().min(1),
  /** Service ids, or ["all"] for an overall lead. */
  responsible: z.array(Id).default([]),
  backup: Id.optional(),
});
export type Person = z.infer<typeof Person>;
