/** Parameter schemas shared by requests: ids, versions, usernames, passwords, page limits, error bodies. */
import { z } from "zod";

// Shared parameter schemas. Ids follow the model's id rule, so no parameter can carry markup, quotes or paths.
export const IdParam = z
  .string()
  .max(64, { error: "expected an id of at most 64 characters" })
  .regex(/^[a-z0-9][a-z0-9-]*$/, { error: "expected an id: lowercase letters, digits and dashes" });
export const VersionParam = z.union([
  z.literal("latest"),
  z
    .string()
    .regex(/^[1-9][0-9]{0,8}$/, { error: 'expected a version number (1, 2, ...) or "latest"' })
    .transform(Number),
]);
export const UsernameSchema = z
  .string()
  .min(2, { error: "expected a username of 2 to 64 characters" })
  .max(64, { error: "expected a username of 2 to 64 characters" })
  .regex(/^[a-z0-9][a-z0-9._-]*$/, { error: "expected a username: lowercase letters, digits, dot, dash, underscore" });
export const PasswordSchema = z
  .string()
  .min(12, { error: "expected a password of at least 12 characters" })
  .max(256, { error: "expected a password of at most 256 characters" });
export const Limit = z
  .string()
  .regex(/^[0-9]{1,4}$/, { error: "expected a number from 1 to 1000" })
  .transform(Number)
  .refine((n) => n >= 1 && n <= 1000, { error: "expected a number from 1 to 1000" });
export const ErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), parameter: z.string().optional() }),
});
