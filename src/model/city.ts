import { z } from "zod";
import { describeValue, distributionSchema, Id, Level } from "./primitives.ts";

export const DistrictId = Id.brand<"DistrictId">();
export type DistrictId = z.infer<typeof DistrictId>;

const Population = z
  .number({ error: (iss) => `expected a population (a number > 0), found ${describeValue(iss.input)}` })
  .positive({ error: (iss) => `expected a population > 0, found ${describeValue(iss.input)}` });

export { Population };

/**
 * The city's containment policy (docs/simulate.md "Containment policy", [CNT-1]): what the incident team cuts off
 * when it contains an intrusion, for how long, and who decides. A scenario's own `containment` overrides a field.
 */
export const Containment = z.strictObject({
  /** proportionate: zones where the attacker spread (or touched OT), else hosts; host: hosts only; zone: zones. */
  scope: z.enum(["proportionate", "host", "zone"]).optional(),
  /** Compromised assets in one zone from which proportionate containment isolates the whole zone. */
  zoneThreshold: z.number().int().min(1, { error: "expected an integer >= 1" }).optional(),
  /** From detection to containment. */
  delay: distributionSchema(false).optional(),
  /** How long an isolated host stays cut off (re-imaged). */
  hostIsolation: distributionSchema(true).optional(),
  /** How long an isolated zone stays cut off. */
  zoneIsolation: distributionSchema(true).optional(),
  /** Cap on an asset whose requirement the isolation cuts (its degrade if higher). */
  impact: Level.optional(),
  /** Who takes the decision (a role or a person's id); shown in reports. */
  decidedBy: z.string().min(1).optional(),
});
export type Containment = z.infer<typeof Containment>;

export const City = z.strictObject({
  name: z.string().min(1),
  population: Population,
  currency: z.string().min(1).default("EUR"),
  timezone: z.string().min(1).default("UTC"),
  containment: Containment.optional(),
});
export type City = z.infer<typeof City>;

export const District = z.strictObject({
  id: DistrictId,
  name: z.string().optional(),
  population: Population,
  geometry: z.record(z.string(), z.unknown()).optional(),
});
export type District = z.infer<typeof District>;
