/**
 * Routes declared once: method, path, permission and zod schemas. The same declaration validates requests,
 * enforces the role matrix and produces the OpenAPI document, so the three cannot drift apart.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import { ENDPOINTS, type Endpoint, type EndpointKey, type Endpoints } from "../contracts/api.ts";
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
  /** Schemas of the events of a text/event-stream route by name, for the OpenAPI document. */
  events?: Record<string, z.ZodType>;
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

/** A JSON text already serialized (a stored result spliced into its envelope): sent as it is. */
export class PreparedJson {
  constructor(readonly text: string) {}
}

type Part<K extends EndpointKey, P extends string> =
  Endpoints[K] extends Record<P, infer S extends z.ZodType> ? S : undefined;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;
/** What a handler may return: the response schema's input form, or an answer it sent itself. */
type Answer<K extends EndpointKey> =
  | (Part<K, "response"> extends z.ZodType ? z.input<Part<K, "response">> : undefined)
  | PreparedJson
  | FastifyReply
  | undefined;

/**
 * A route declared against its contract key ("GET /api/results/:id"): method, path and schemas come from
 * src/contracts/api.ts, and the handler's parameters and return value are typed by them.
 */
export function endpoint<K extends EndpointKey>(
  key: K,
  def: Pick<RouteDef, "summary" | "tag" | "permission" | "status" | "bodyLimit"> & {
    handler: (ctx: Ctx<Out<Part<K, "params">>, Out<Part<K, "query">>, Out<Part<K, "body">>>) => Promise<Answer<K>>;
  },
): AnyRoute {
  const [method, url] = key.split(" ") as [RouteDef["method"], string];
  const shapes: Endpoint = ENDPOINTS[key];
  return { method, url, ...shapes, sse: !!shapes.events, ...def } as AnyRoute;
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

export { ErrorSchema, IdParam, Limit, PasswordSchema, UsernameSchema, VersionParam } from "../contracts/params.ts";
