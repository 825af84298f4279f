import { z } from "zod";
import { Population } from "./city.ts";
import { Id, Impact, Length, Sector, Time } from "./primitives.ts";
import { Requirement } from "./requirement.ts";

export const ServiceId = Id.brand<"ServiceId">();
export type ServiceId = z.infer<typeof ServiceId>;

const RestoreLevel = z
  .number()
  .gt(0, { error: "expected a restore level in (0, 1]" })
  .max(1, { error: "expected a restore level in (0, 1]" });

export const Objectives = z.strictObject({
  rto: Length.optional(),
  rpo: Time.optional(),
  mtd: Length.optional(),
  restore: z.array(z.strictObject({ level: RestoreLevel, within: Time })).optional(),
});
export type Objectives = z.infer<typeof Objectives>;

export const Fallback = z.strictObject({
  level: z.number().gt(0, { error: "expected a fallback level in (0, 1)" }).lt(1, {
    error: "expected a fallback level in (0, 1)",
  }),
  after: Time,
  /** Hours; Infinity when absent (unlimited). */
  lasts: Length.optional().transform((v) => v ?? Number.POSITIVE_INFINITY),
});
export type Fallback = z.infer<typeof Fallback>;

export const Service = z.strictObject({
  id: ServiceId,
  name: z.string().min(1),
  sector: Sector,
  population: Population.optional(),
  districts: z.array(Id).min(1).optional(),
  impact: Impact,
  /**
   * Essential-service weight [CON-1]: how much one person-hour without this service weighs against others;
   * absent: the sector's default (src/model/consequence.ts, docs/model.md "Consequence weights").
   */
  weight: z
    .number({ error: "expected a weight (a number >= 0)" })
    .min(0, { error: "expected a weight >= 0" })
    .max(100, { error: "expected a weight <= 100" })
    .optional(),
  objectives: Objectives.optional(),
  fallback: Fallback.optional(),
  requires: z.array(Requirement).default([]),
});
export type Service = z.infer<typeof Service>;
