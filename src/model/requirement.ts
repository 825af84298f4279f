/**
 * A requirement (spec §3): what a service or an asset needs. Normalized on parse into
 * `{ kind: "all" | "any" | "k", k, members, buffer?, degrade }`.
 */
import { z } from "zod";
import { describeValue, Id, Length, Level } from "./primitives.ts";

export type RequirementKind = "all" | "any" | "k";

export type Requirement = {
  kind: RequirementKind;
  /** How many members must be up: all = members.length, any = 1. */
  k: number;
  members: string[];
  /** When written as `asset: ID` or `service: ID`: the kind the member must be. */
  memberKind?: "asset" | "service";
  /** Ride-through time in hours ([DEP-4]); undefined = none. */
  buffer?: number;
  /** Level that remains while the requirement is unmet. */
  degrade: number;
};

const RawRequirement = z.strictObject({
  asset: Id.optional(),
  service: Id.optional(),
  all: z.array(Id).min(1, { error: "expected at least one member" }).optional(),
  any: z.array(Id).min(1, { error: "expected at least one member" }).optional(),
  k: z
    .number({ error: (iss) => `expected k, a whole number >= 1, found ${describeValue(iss.input)}` })
    .int({ error: "expected k to be a whole number" })
    .min(1, { error: (iss) => `expected k >= 1, found ${describeValue(iss.input)}` })
    .optional(),
  of: z.array(Id).min(1, { error: "expected at least one member" }).optional(),
  buffer: Length.optional(),
  degrade: Level.optional(),
});

const FORMS = ["asset", "service", "all", "any", "k"] as const;

export const Requirement = RawRequirement.transform((r, ctx): Requirement => {
  const present = FORMS.filter((f) => r[f] !== undefined);
  if (present.length !== 1 || (r.of !== undefined && r.k === undefined)) {
    ctx.addIssue({
      code: "custom",
      message:
        present.length === 0
          ? r.of !== undefined
            ? "expected k with of (k: N, of: [ids])"
            : "expected one of asset, service, all, any or k/of"
          : `expected exactly one of asset, service, all, any or k/of, found ${present.join(" and ")}`,
      params: { rampart: "bad-requirement" },
    });
    return z.NEVER;
  }
  const degrade = r.degrade ?? 0;
  const buffer = r.buffer;
  switch (present[0]) {
    case "asset":
      return { kind: "all", k: 1, members: [r.asset as string], memberKind: "asset", buffer, degrade };
    case "service":
      return { kind: "all", k: 1, members: [r.service as string], memberKind: "service", buffer, degrade };
    case "all":
      return { kind: "all", k: r.all!.length, members: r.all!, buffer, degrade };
    case "any":
      return { kind: "any", k: 1, members: r.any!, buffer, degrade };
    default: {
      if (r.of === undefined) {
        ctx.addIssue({ code: "custom", message: "expected of: [ids] with k", params: { rampart: "bad-requirement" } });
        return z.NEVER;
      }
      if ((r.k as number) > r.of.length) {
        ctx.addIssue({
          code: "custom",
          path: ["k"],
          message: `expected k <= ${r.of.length} (the number of members), found ${r.k}`,
          params: { rampart: "bad-requirement" },
        });
        return z.NEVER;
      }
      return { kind: "k", k: r.k as number, members: r.of, buffer, degrade };
    }
  }
});

/** The field path of member i inside a requirement, for error messages. */
export function memberPath(raw: Record<string, unknown>, i: number): (string | number)[] {
  for (const f of ["asset", "service"]) if (raw[f] !== undefined) return [f];
  for (const f of ["all", "any", "of"]) if (raw[f] !== undefined) return [f, i];
  return [];
}
