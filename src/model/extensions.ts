/**
 * Known model extensions: top-level `x-` keys that Rampart itself reads. Any other `x-` key is the user's own
 * and is ignored. The loader validates known extensions like any other field (located issues) and returns
 * them with the model (`CityModel.extensions`), so every caller (command line, server) sees the same ones.
 *
 * - `x-actors`: threat actors the model adds to (or replaces in) the assessment's built-in library.
 */
import { z } from "zod";

const Prob = z.number().min(0).max(1);

/** A threat actor as written in a model (`x-actors`) or an actors file. */
export const ThreatActorSpec = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: "expected an id matching ^[a-z0-9][a-z0-9-]*$" }),
  name: z.string().min(1),
  skill: Prob,
  entries: z
    .strictObject({
      internet: Prob.optional(),
      phishing: Prob.optional(),
      vendor: Prob.optional(),
      physical: Prob.optional(),
      insider: Prob.optional(),
    })
    .refine((e) => Object.values(e).some((v) => v !== undefined && v > 0), {
      error: "expected at least one entry with a probability > 0",
    }),
  vendors: z.array(z.string()).optional(),
});
export type ThreatActorSpec = z.infer<typeof ThreatActorSpec>;

/** What the known extensions of a model hold, merged over its files in file order. */
export type ModelExtensions = { actors: ThreatActorSpec[] };

/** The known extension keys and the schema of one list element. */
export const KNOWN_EXTENSIONS = { "x-actors": ThreatActorSpec } as const;
export type ExtensionKey = keyof typeof KNOWN_EXTENSIONS;

export function isKnownExtension(key: string): key is ExtensionKey {
  return Object.hasOwn(KNOWN_EXTENSIONS, key);
}

export function emptyExtensions(): ModelExtensions {
  return { actors: [] };
}
