/** User management. */

import { z } from "zod";
import { ROLES, type Role, type Session } from "../../store/types.ts";
import { hashPassword } from "../auth.ts";
import type { ServerContext } from "../context.ts";
import { type AnyRoute, HttpError, PasswordSchema, route, UsernameSchema } from "../http.ts";
import { actorOf, guard } from "./common.ts";

const UserOut = z.object({
  username: z.string(),
  role: z.enum(ROLES as [Role, ...Role[]]),
  disabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export function usersRoutes(ctx: ServerContext): AnyRoute[] {
  const { store, sessions } = ctx;
  return [
    route({
      method: "GET",
      url: "/api/users",
      tag: "users",
      summary: "List users.",
      permission: "user.manage",
      response: z.object({ users: z.array(UserOut) }),
      handler: async () => ({ users: await store.listUsers() }),
    }),
    route({
      method: "POST",
      url: "/api/users",
      tag: "users",
      summary: "Create a user.",
      permission: "user.manage",
      status: 201,
      body: z.strictObject({
        username: UsernameSchema,
        password: PasswordSchema,
        role: z.enum(ROLES as [Role, ...Role[]], { error: `expected a role: ${ROLES.join(", ")}` }),
      }),
      response: UserOut,
      handler: async ({ req, body, session }) =>
        guard(
          store.createUser(
            { username: body.username, role: body.role, passwordHash: await hashPassword(body.password) },
            actorOf(req, session),
          ),
          "body.username",
        ),
    }),
    route({
      method: "PATCH",
      url: "/api/users/:username",
      tag: "users",
      summary: "Change a user's role, password or disabled flag (ends their sessions).",
      permission: "user.manage",
      params: z.strictObject({ username: UsernameSchema }),
      body: z
        .strictObject({
          role: z.enum(ROLES as [Role, ...Role[]], { error: `expected a role: ${ROLES.join(", ")}` }).optional(),
          password: PasswordSchema.optional(),
          disabled: z.boolean({ error: "expected true or false" }).optional(),
        })
        .refine((b) => Object.keys(b).length > 0, { error: "expected role, password or disabled" }),
      response: UserOut,
      handler: async ({ req, params, body, session }) => {
        const s = session as Session;
        if (params.username === s.username && (body.disabled || (body.role && body.role !== "admin"))) {
          throw new HttpError(
            409,
            "self-lockout",
            "you cannot disable yourself or drop your own admin role",
            "path.username",
          );
        }
        const u = await store.updateUser(
          params.username,
          {
            role: body.role,
            disabled: body.disabled,
            passwordHash: body.password ? await hashPassword(body.password) : undefined,
          },
          actorOf(req, s),
        );
        if (!u) throw new HttpError(404, "not-found", `no user ${params.username}`, "path.username");
        sessions.evictUser(params.username);
        return u;
      },
    }),
    route({
      method: "DELETE",
      url: "/api/users/:username",
      tag: "users",
      summary: "Delete a user (ends their sessions).",
      permission: "user.manage",
      params: z.strictObject({ username: UsernameSchema }),
      handler: async ({ req, params, session }) => {
        const s = session as Session;
        if (params.username === s.username) {
          throw new HttpError(409, "self-lockout", "you cannot delete yourself", "path.username");
        }
        const ok = await store.deleteUser(params.username, actorOf(req, s));
        if (!ok) throw new HttpError(404, "not-found", `no user ${params.username}`, "path.username");
        sessions.evictUser(params.username);
        return { ok: true };
      },
    }),
  ];
}
