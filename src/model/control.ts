/** Controls ([CTL-1]): defences, each with a patch applied to a copy of the model. */
import { z } from "zod";
import { Id, Length } from "./primitives.ts";

export const ControlId = Id.brand<"ControlId">();
export type ControlId = z.infer<typeof ControlId>;

const Target = z.string().regex(/^[a-z_]+(\.[a-z0-9][a-z0-9-]*(\.[a-z_]+\[\d+\])?)?$/, {
  error: (iss) =>
    `expected a target path such as "assets.vpn-ot", "vendors.acme.remote_access[0]" or "assets", found ${JSON.stringify(iss.input)}`,
});

export const PatchOp = z.union([
  z.strictObject({ target: Target, set: z.record(z.string(), z.unknown()) }),
  z.strictObject({ target: Target, remove: z.literal(true) }),
  z.strictObject({ target: Target, add: z.array(z.unknown()).min(1) }),
]);
export type PatchOp = z.infer<typeof PatchOp>;

export const Control = z.strictObject({
  id: ControlId,
  name: z.string().min(1),
  status: z.enum(["implemented", "planned", "candidate"]),
  /** One-off cost (capex), yearly cost (opex) and the time from decision to protection (lead_time) [BUY-2]. */
  cost: z
    .strictObject({
      capex: z.number().min(0).optional(),
      opex: z.number().min(0).optional(),
      lead_time: Length.optional(),
    })
    .optional(),
  frameworks: z.array(z.string()).default([]),
  patch: z.array(PatchOp),
});
export type Control = z.infer<typeof Control>;
