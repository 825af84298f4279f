/** User management. */
import type { Session } from "../../store/types.ts";
import { hashPassword } from "../auth.ts";
import type { ServerContext } from "../context.ts";
import { type AnyRoute, endpoint, HttpError } from "../http.ts";
import { passwordProblem } from "../passwords.ts";
import { actorOf, guard } from "./common.ts";

/** [SEC-12] A new password: NIST SP 800-63B checks, including that it is not built on its user's name. */
function checkNewPassword(password: string, username: string): void {
  const problem = passwordProblem(password, username);
  if (problem) throw new HttpError(400, "invalid-parameter", `body.password: ${problem}`, "body.password");
}

export function usersRoutes(ctx: ServerContext): AnyRoute[] {
  const { store, sessions } = ctx;
  return [
    endpoint("GET /api/users", {
      tag: "users",
      summary: "List users.",
      permission: "user.manage",
      handler: async () => ({ users: await store.listUsers() }),
    }),
    endpoint("POST /api/users", {
      tag: "users",
      summary: "Create a user.",
      permission: "user.manage",
      status: 201,
      handler: async ({ req, body, session }) => {
        checkNewPassword(body.password, body.username);
        return guard(
          store.createUser(
            { username: body.username, role: body.role, passwordHash: await hashPassword(body.password) },
            actorOf(req, session),
          ),
          "body.username",
        );
      },
    }),
    endpoint("PATCH /api/users/:username", {
      tag: "users",
      summary: "Change a user's role, password or disabled flag (ends their sessions).",
      permission: "user.manage",
      handler: async ({ req, params, body, session }) => {
        const s = session as Session;
        if (body.password) checkNewPassword(body.password, params.username);
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
    endpoint("DELETE /api/users/:username", {
      tag: "users",
      summary: "Delete a user (ends their sessions).",
      permission: "user.manage",
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
