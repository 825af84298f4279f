/** The live water twin: watch it (operator and above), start, stop and attack it (analyst, admin). */
import type { ServerContext } from "../context.ts";
import { type AnyRoute, endpoint, HttpError } from "../http.ts";
import { actorOf } from "./common.ts";

export function twinRoutes(ctx: ServerContext): AnyRoute[] {
  const { store, twin } = ctx;
  const refuse = (r: { status: 400 | 409; message: string; issues?: unknown[] }, parameter?: string): never => {
    throw new HttpError(
      r.status,
      r.status === 409 ? "conflict" : "invalid-parameter",
      r.message,
      parameter,
      r.issues ? { issues: r.issues.slice(0, 20) } : undefined,
    );
  };
  return [
    endpoint("GET /api/twin", {
      tag: "twin",
      summary: "The live twin: tank levels, actuators, attack timeline and the ground truth recorded so far.",
      permission: "twin.watch",
      handler: async () => twin.state(),
    }),
    endpoint("POST /api/twin", {
      tag: "twin",
      summary: "Start the twin from a network (.inp) and a .cpa: PLCs on Modbus/TCP on the server's loopback.",
      permission: "twin.run",
      bodyLimit: 10 * 1024 * 1024,
      handler: async ({ req, body, session }) => {
        const r = await twin.start({ ...body, startMs: Date.UTC(2014, 0, 6) });
        if (!r.ok) return refuse(r, r.status === 400 ? "body" : undefined);
        await store.audit(
          "twin.start",
          "twin",
          { network: body.network.file, cpa: body.cpa.file, hours: body.hours, speed: body.speed },
          actorOf(req, session),
        );
        return r.state;
      },
    }),
    endpoint("POST /api/twin/attacks", {
      tag: "twin",
      summary: "Launch an attack on the running twin's wire (man-in-the-middle, Modbus write, program swap).",
      permission: "twin.run",
      handler: async ({ req, body, session }) => {
        const r = twin.attack(body.spec);
        if (!r.ok) return refuse(r, r.status === 400 ? "body.spec" : undefined);
        await store.audit("twin.attack", "twin", { spec: body.spec }, actorOf(req, session));
        return r.state;
      },
    }),
    endpoint("DELETE /api/twin", {
      tag: "twin",
      summary: "Stop the running twin.",
      permission: "twin.run",
      handler: async ({ req, session }) => {
        const stopped = await twin.stop();
        if (stopped) await store.audit("twin.stop", "twin", {}, actorOf(req, session));
        return { ok: stopped };
      },
    }),
  ];
}
