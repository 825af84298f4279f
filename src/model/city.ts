import { z } from "zod";
import { describeValue, Id } from "./primitives.ts";

export const DistrictId = Id.brand<"DistrictId">();
export type DistrictId = z.infer<typeof DistrictId>;

const Population = z
  .number({ error: (iss) => `expected a population (a number > 0), found ${describeValue(iss.input)}` })
  .positive({ error: (iss) => `expected a population > 0, found ${describeValue(iss.input)}` });

export { Population };

export const City = z.strictObject({
  name: z.string().min(1),
  population: Population,
  currency: z.string().min(1).default("EUR"),
  timezone: z.string().min(1).default("UTC"),
});
export type City = z.infer<typeof City>;

export const District = z.strictObject({
  id: DistrictId,
  name: z.string().optional(),
  population: Population,
  geometry: z.record(z.string(), z.unknown()).optional(),
});
export type District = z.infer<typeof District>;
