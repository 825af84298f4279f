/** The OpenAPI 3.1 document, generated from the route declarations and their zod schemas. */
import { z } from "zod";
import { type AnyRoute, ErrorSchema } from "./http.ts";
import { PERMISSIONS } from "./roles.ts";

type Json = Record<string, unknown>;

function schemaOf(s: z.ZodType, io: "input" | "output"): Json {
  const out = z.toJSONSchema(s, { target: "draft-2020-12", io, unrepresentable: "any" }) as Json;
  delete out.$schema;
  return out;
}

function parameters(s: z.ZodType | undefined, where: "path" | "query"): Json[] {
  if (!s) return [];
  const js = schemaOf(s, "input");
  const props = (js.properties ?? {}) as Record<string, Json>;
  const required = new Set((js.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, schema]) => ({
    name,
    in: where,
    required: where === "path" ? true : required.has(name),
    schema,
  }));
}

export function openApi(routes: AnyRoute[], version: string): Json {
  const paths: Record<string, Record<string, Json>> = {};
  const error = { content: { "application/json": { schema: schemaOf(ErrorSchema, "output") } } };
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z]+)/g, "{$1}");
    const op: Json = {
      summary: r.summary,
      tags: [r.tag],
      operationId: `${r.method.toLowerCase()}${path.replace(/[{}]/g, "").replace(/[/-]([a-z])/g, (_, c) => c.toUpperCase())}`,
      parameters: [...parameters(r.params, "path"), ...parameters(r.query, "query")],
      security: r.permission ? [{ session: [] }] : [],
    };
    if (r.permission) op["x-permission"] = r.permission;
    if (r.body) {
      op.requestBody = { required: true, content: { "application/json": { schema: schemaOf(r.body, "input") } } };
    }
    const ok = String(r.status ?? 200);
    const responses: Json = {
      [ok]: r.sse
        ? {
            description: "server-sent events",
            content: { "text/event-stream": { schema: { type: "string" } } },
            ...(r.events
              ? {
                  "x-events": Object.fromEntries(
                    Object.entries(r.events).map(([name, schema]) => [name, schemaOf(schema, "output")]),
                  ),
                }
              : {}),
          }
        : {
            description: "success",
            ...(r.response ? { content: { "application/json": { schema: schemaOf(r.response, "output") } } } : {}),
          },
      "400": { description: "invalid parameter (the message names it)", ...error },
    };
    if (r.permission) {
      responses["401"] = { description: "no session", ...error };
      responses["403"] = { description: "role lacks the permission, or missing CSRF token", ...error };
    }
    op.responses = responses;
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = op;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Rampart API",
      version,
      description:
        "Rampart's HTTP API. Log in with POST /api/auth/login; send the session cookie, and on every " +
        "POST, PUT, PATCH and DELETE the header X-CSRF-Token with the token the login returned.\n\n" +
        `Permissions: ${Object.entries(PERMISSIONS)
          .map(([k, v]) => `${k} (${v})`)
          .join("; ")}.`,
    },
    components: {
      securitySchemes: {
        session: { type: "apiKey", in: "cookie", name: "rampart_session" },
      },
    },
    paths,
  };
}
