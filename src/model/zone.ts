import { z } from "zod";
import { AuthKind, Id, Protocol } from "./primitives.ts";

export const ZoneId = Id.brand<"ZoneId">();
export type ZoneId = z.infer<typeof ZoneId>;

const SecurityLevel = z.number().int().min(0).max(4);

export const Zone = z.strictObject({
  id: ZoneId,
  name: z.string().optional(),
  /** Purdue level in [0, 5]; 3.5 for an industrial DMZ; internet counts as 5. */
  level: z.number().min(0).max(5).optional(),
  sl: z.strictObject({ target: SecurityLevel.optional(), achieved: SecurityLevel.optional() }).optional(),
});
export type Zone = z.infer<typeof Zone>;

export const ConduitId = Id.brand<"ConduitId">();
export type ConduitId = z.infer<typeof ConduitId>;

export const Conduit = z.strictObject({
  id: ConduitId,
  from: Id,
  to: Id,
  protocols: z.array(Protocol).default([]),
  via: Id.optional(),
  auth: AuthKind.optional(),
  encrypted: z.boolean().default(false),
  direction: z.enum(["both", "one-way"]).default("both"),
});
export type Conduit = z.infer<typeof Conduit>;
