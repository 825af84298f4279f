/** Logging in and out, the session's user and the role matrix. */

import type { Session } from "../../store/types.ts";
import { dummyHash, newToken, tokenHash, verifyPassword } from "../auth.ts";
import { SESSION_COOKIE, type ServerContext } from "../context.ts";
import { type AnyRoute, endpoint, HttpError, UsernameSchema } from "../http.ts";
import { MATRIX, PERMISSIONS } from "../roles.ts";
import { actorOf } from "./common.ts";

const me = (s: Session) => ({
  username: s.username,
  role: s.role,
  permissions: [...MATRIX[s.role]],
  csrfToken: s.csrf,
});

export function authRoutes(ctx: ServerContext): AnyRoute[] {
  const { store, metrics, limiter, sessions } = ctx;
  return [
    endpoint("POST /api/auth/login", {
      tag: "auth",
      summary: "Log in: sets an HttpOnly, SameSite=Strict session cookie and returns the CSRF token.",
      permission: null,
      handler: async ({ req, reply, body }) => {
        const username = body.username.toLowerCase();
        // [SEC-11] the attempt is counted before the password is checked: a concurrent burst cannot slip past
        const wait = await limiter.begin(username, req.ip);
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
          metrics.inc("rampart_login_failures_total", "Failed logins.");
          // [AUD-7] failed logins are audited: the name only when it is a well-formed username
          const named = UsernameSchema.safeParse(username).success;
          const reason = !user ? "unknown-user" : !ok ? "wrong-password" : "disabled";
          await store.audit(
            "auth.fail",
            named ? `users/${username}` : "users/?",
            { reason },
            { user: "anonymous", ip: req.ip },
          );
          throw new HttpError(401, "bad-credentials", "wrong username or password");
        }
        await limiter.succeed(username, req.ip);
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
    endpoint("POST /api/auth/logout", {
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
    endpoint("GET /api/auth/me", {
      tag: "auth",
      summary: "The logged-in user, their permissions and the CSRF token.",
      permission: "session.self",
      handler: async ({ session }) => me(session as Session),
    }),
    endpoint("GET /api/roles", {
      tag: "auth",
      summary: "The role and permission matrix.",
      permission: "session.self",
      handler: async () => ({ permissions: PERMISSIONS, roles: MATRIX }),
    }),
  ];
}
