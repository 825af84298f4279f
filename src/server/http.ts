/**
 * Routes declared once: method, path, permission and zod schemas. The same declaration validates requests,
 * enforces the role matrix and produces the OpenAPI document, so the three cannot drift apart.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { Session } from "../store/types.ts";
import type { Permission } from "./roles.ts";

export type ErrorBody = { error: { code: string; message: string; parameter?: string; issues?: unknown[] } };

/** A refusal that becomes a 4xx with a message (never a stack trace). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly parameter?: string,
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export type Ctx<P, Q, B> = {
  req: FastifyRequest;
  reply: FastifyReply;
  params: P;
  query: Q;
  body: B;
  session: Session | null;
};

export type RouteDef<P = unknown, Q = unknown, B = unknown> = {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  url: string;
  summary: string;
  tag: string;
  /** null: public (health and login only). */
  permission: Permission | null;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Response schema, for the OpenAPI document. */
  response?: z.ZodType;
  /** Status of a successful answer (default 200). */
  status?: number;
  /** A text/event-stream route. */
  sse?: boolean;
  bodyLimit?: number;
  handler: (ctx: Ctx<P, Q, B>) => Promise<unknown>;
};

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of routes
export type AnyRoute = RouteDef<any, any, any>;

export function route<P, Q, B>(def: RouteDef<P, Q, B>): AnyRoute {
  return def as AnyRoute;
}

/** Validates one part of a request; the first problem names its parameter (`query.limit`, `body.files[0].text`). */
export function parsePart<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const r = schema.safeParse(value ?? (where === "body" ? undefined : {}));
  if (r.success) return r.data;
  const issues = r.error.issues.slice(0, 10).map((i) => {
    if (i.code === "unrecognized_keys") {
      const key = String(i.keys[0]);
      return { parameter: paramName(where, [...i.path, key]), message: `unknown parameter "${key.slice(0, 40)}"` };
    }
    return { parameter: paramName(where, i.path), message: i.message };
  });
  const first = issues[0];
  throw new HttpError(400, "invalid-parameter", `${first.parameter}: ${first.message}`, first.parameter, { issues });
}

function paramName(where: string, path: PropertyKey[]): string {
  let out = where;
  for (const p of path) out += typeof p === "number" ? `[${p}]` : `.${String(p)}`;
  return out;
}

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
