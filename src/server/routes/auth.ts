/** Logging in and out, the session's user and the role matrix. */

import { z } from "zod";
import type { Session } from "../../store/types.ts";
import { dummyHash, newToken, tokenHash, verifyPassword } from "../auth.ts";
import { SESSION_COOKIE, type ServerContext } from "../context.ts";
import { type AnyRoute, HttpError, route } from "../http.ts";
import { MATRIX, PERMISSIONS } from "../roles.ts";
import { actorOf } from "./common.ts";

const Me = z.object({
  username: z.string(),
  role: z.string(),
  permissions: z.array(z.string()),
  csrfToken: z.string(),
});

const me = (s: Session) => ({
  username: s.username,
  role: s.role,
  permissions: [...MATRIX[s.role]],
  csrfToken: s.csrf,
});

export function authRoutes(ctx: ServerContext): AnyRoute[] {
  const { store, metrics, limiter, sessions } = ctx;
  return [
    route({
      method: "POST",
      url: "/api/auth/login",
      tag: "auth",
      summary: "Log in: sets an HttpOnly, SameSite=Strict session cookie and returns the CSRF token.",
      permission: null,
      body: z.strictObject({
        username: z
          .string()
          .min(1, { error: "expected a username" })
          .max(64, { error: "expected a username of at most 64 characters" }),
        password: z
          .string()
          .min(1, { error: "expected a password" })
          .max(256, { error: "expected a password of at most 256 characters" }),
      }),
      response: Me,
      handler: async ({ req, reply, body }) => {
        const username = body.username.toLowerCase();
        const wait = limiter.retryAfter(req.ip, username);
        if (wait > 0) {
          metrics.inc("rampart_login_limited_total", "Logins refused by the rate limit.");
          throw new HttpError(429, "rate-limited", `too many failed logins; try again in ${wait} s`, undefined, {
            retryAfter: wait,
          });
        }
        const user = await store.getUser(username);
        // an unknown user costs the same hash as a known one, so timing does not reveal who exists
        const verified = await verifyPassword(body.password, user ? user.passwordHash : await dummyHash());
        const ok = !!user && verified;
        if (!user || !ok || user.disabled) {
          limiter.fail(req.ip, username);
          metrics.inc("rampart_login_failures_total", "Failed logins.");
          throw new HttpError(401, "bad-credentials", "wrong username or password");
        }
        limiter.succeed(username);
        const token = newToken();
        const now = new Date();
        const session: Session = {
          idHash: tokenHash(token),
          username,
          role: user.role,
          csrf: newToken(),
          createdAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + ctx.sessionHours * 3600_000).toISOString(),
        };
        await store.createSession(session);
        await store.audit("auth.login", `users/${username}`, {}, actorOf(req, session));
        reply.setCookie(SESSION_COOKIE, token, {
          httpOnly: true,
          sameSite: "strict",
          secure: req.protocol === "https",
          path: "/",
          maxAge: ctx.sessionHours * 3600,
        });
        return me(session);
      },
    }),
    route({
      method: "POST",
      url: "/api/auth/logout",
      tag: "auth",
      summary: "Log out: ends the session.",
      permission: "session.self",
      handler: async ({ req, reply, session }) => {
        const s = session as Session;
        await store.deleteSession(s.idHash);
        sessions.evict(s.idHash);
        await store.audit("auth.logout", `users/${s.username}`, {}, actorOf(req, s));
        reply.clearCookie(SESSION_COOKIE, { path: "/" });
        return { ok: true };
      },
    }),
    route({
      method: "GET",
      url: "/api/auth/me",
      tag: "auth",
      summary: "The logged-in user, their permissions and the CSRF token.",
      permission: "session.self",
      response: Me,
      handler: async ({ session }) => me(session as Session),
    }),
    route({
      method: "GET",
      url: "/api/roles",
      tag: "auth",
      summary: "The role and permission matrix.",
      permission: "session.self",
      handler: async () => ({ permissions: PERMISSIONS, roles: MATRIX }),
    }),
  ];
}
