/**
 * Tabletop exercises over the API (docs/exercise.md): create, follow live over server-sent events, the
 * facilitator's injects and clock, participants by role and their decisions, the review, lessons and the
 * resilience overview. Every change is stored with its audit entry and pushed to every open stream ([EXR-11]).
 */
import { randomBytes } from "node:crypto";
import type { FastifyRequest } from "fastify";
import type { Decision, ExerciseState, Inject } from "../../contracts/exercise.ts";
import { ExerciseStoreError, type StoredExercise } from "../../store/exercise.ts";
import type { Session } from "../../store/types.ts";
import type { ServerContext } from "../context.ts";
import type { ExerciseEngine } from "../engines.ts";
import { type AnyRoute, endpoint, HttpError } from "../http.ts";
import { headersOf, openSse } from "../transport/sse.ts";
import { actorOf } from "./common.ts";

type Sub = { user: string; admin: boolean; send: (s: ExerciseState) => void; last: string };

async function guarded<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ExerciseStoreError) throw new HttpError(e.code === "conflict" ? 409 : 404, e.code, e.message);
    throw e;
  }
}

export function exercisesRoutes(ctx: ServerContext): AnyRoute[] {
  const { store, models } = ctx;
  const subs = new Map<string, Set<Sub>>();
  const tickers = new Map<string, ReturnType<typeof setInterval>>();
  const injectCache = new Map<string, { key: string; injects: Inject[] }>();

  const engine = (): ExerciseEngine => {
    const e = ctx.engines.exercise;
    if (!e) throw new HttpError(501, "engine-unavailable", "the exercise engine is not available in this build");
    return e;
  };
  const getEx = async (id: string): Promise<StoredExercise> => {
    const ex = await store.exercises.get(id);
    if (!ex) throw new HttpError(404, "not-found", `no exercise ${id}`, "path.id");
    return ex;
  };
  const isFacilitator = (ex: StoredExercise, s: Session | null) =>
    !!s && (s.username === ex.facilitator || s.role === "admin");

  /** The injects with the decisions so far played in (cached per definition and decisions). */
  async function injectsFor(ex: StoredExercise, decisions: Decision[]): Promise<Inject[]> {
    const key = `${ex.updatedAt}|${decisions.length}`;
    const hit = injectCache.get(ex.id);
    if (hit && hit.key === key) return hit.injects;
    const loaded = await models.load(ex.modelId, ex.version);
    const injects = engine().injects(loaded, ex.def, decisions);
    injectCache.set(ex.id, { key, injects });
    return injects;
  }

  async function stateFor(ex: StoredExercise, user: string, admin: boolean, wall: number): Promise<ExerciseState> {
    const e = engine();
    const decisions = await store.exercises.decisions(ex.id);
    const participants = await store.exercises.participants(ex.id);
    const all = await injectsFor(ex, decisions);
    const now = e.clock.now(ex.clock, wall);
    const facilitator = user === ex.facilitator || admin;
    const due = ex.clock.started ? all.filter((i) => i.at <= now) : [];
    return {
      exercise: {
        id: ex.id,
        modelId: ex.modelId,
        version: ex.version,
        name: ex.name,
        facilitator: ex.facilitator,
        createdAt: ex.createdAt,
        updatedAt: ex.updatedAt,
        scenario: ex.def.scenario.id,
        seed: ex.def.seed,
        runs: ex.def.runs,
        startClock: ex.def.startClock,
        horizon: ex.def.horizon - ex.def.offset,
      },
      roles: ex.def.roles,
      clock: ex.clock,
      now,
      facilitator,
      myRole: participants.find((p) => p.username === user)?.role ?? null,
      injects: facilitator ? all : due,
      upcoming: all.length - due.length,
      decisions,
      participants,
    };
  }

  const stateOf = async (ex: StoredExercise, s: Session | null) =>
    stateFor(ex, s?.username ?? "", s?.role === "admin", Date.now());

  /** Pushes the state to every open stream of the exercise (each as its user sees it), when it changed. */
  async function broadcast(id: string): Promise<void> {
    const set = subs.get(id);
    if (!set?.size) return;
    const ex = await store.exercises.get(id);
    if (!ex) return;
    const wall = Date.now();
    for (const sub of set) {
      const st = await stateFor(ex, sub.user, sub.admin, wall);
      // the clock's reading changes every tick; a stream gets a new state when anything else changed
      const sig = JSON.stringify({ ...st, now: 0 });
      if (sig !== sub.last) {
        sub.last = sig;
        sub.send(st);
      }
    }
  }

  /** While anyone follows a running exercise, injects falling due are pushed as the clock reaches them. */
  function tick(id: string, running: boolean): void {
    const t = tickers.get(id);
    if (running && !t && subs.get(id)?.size)
      tickers.set(
        id,
        setInterval(() => void broadcast(id).catch(() => {}), 500),
      );
    if ((!running || !subs.get(id)?.size) && t) {
      clearInterval(t);
      tickers.delete(id);
    }
  }

  async function changed(ex: StoredExercise): Promise<void> {
    tick(ex.id, ex.clock.running);
    await broadcast(ex.id);
  }

  const must = (ok: boolean, status: number, code: string, message: string, parameter?: string) => {
    if (!ok) throw new HttpError(status, code, message, parameter);
  };
  const facilitatorOnly = (ex: StoredExercise, s: Session | null) =>
    must(
      isFacilitator(ex, s),
      403,
      "not-facilitator",
      `only the facilitator of exercise ${ex.id} (${ex.facilitator}) or an admin may do this`,
    );
  const actor = (req: FastifyRequest, s: Session | null) => actorOf(req, s);

  return [
    endpoint("GET /api/exercises", {
      tag: "exercises",
      summary: "List exercises (of one model with ?model=).",
      permission: "exercise.read",
      handler: async ({ query }) => ({ exercises: await store.exercises.list(query.model) }),
    }),
    endpoint("POST /api/exercises", {
      tag: "exercises",
      summary: "Create an exercise on a model version from a built-in scenario and a seed; its creator facilitates it.",
      permission: "exercise.run",
      status: 201,
      handler: async ({ req, body, session }) => {
        const e = engine();
        const v = await models.resolveVersion(body.model, body.version);
        const loaded = await models.load(body.model, v);
        const scenario = e.scenario(body.scenario);
        if (!scenario)
          throw new HttpError(422, "unknown-scenario", `no built-in scenario ${body.scenario}`, "body.scenario");
        const id = `${body.scenario}-${randomBytes(4).toString("hex")}`;
        const b = e.build(loaded, scenario, {
          id,
          name: body.name,
          seed: body.seed,
          runs: body.runs,
          startClock: body.startClock,
        });
        // [EXR-7] a scenario that does not bind: refused, naming the binding; nothing stored
        if (!b.ok)
          throw new HttpError(422, "scenario-does-not-bind", b.message, "body.scenario", {
            issues: b.issues.slice(0, 50),
          });
        const ex = await guarded(
          store.exercises.create(
            { id, modelId: body.model, version: v, def: b.exercise, clock: e.clock.create(body.speed) },
            actor(req, session),
          ),
        );
        return stateOf(ex, session);
      },
    }),
    endpoint("GET /api/exercises/:id", {
      tag: "exercises",
      summary: "An exercise as the caller sees it: participants get the injects due, the facilitator all.",
      permission: "exercise.read",
      handler: async ({ params, session }) => stateOf(await getEx(params.id), session),
    }),
    endpoint("GET /api/exercises/:id/events", {
      tag: "exercises",
      summary: "The exercise live, as server-sent events (event: state) whenever it changes or an inject falls due.",
      permission: "exercise.read",
      handler: async ({ req, reply, params, session }) => {
        const ex = await getEx(params.id);
        engine();
        const sse = openSse(req, reply, headersOf(req));
        const sub: Sub = {
          user: session?.username ?? "",
          admin: session?.role === "admin",
          send: (s) => sse.send("state", s),
          last: "",
        };
        let set = subs.get(ex.id);
        if (!set) {
          set = new Set();
          subs.set(ex.id, set);
        }
        set.add(sub);
        sse.onClose(() => {
          set.delete(sub);
          tick(ex.id, false);
        });
        const st = await stateFor(ex, sub.user, sub.admin, Date.now());
        sub.last = JSON.stringify({ ...st, now: 0 });
        sub.send(st);
        tick(ex.id, ex.clock.running);
      },
    }),
    endpoint("POST /api/exercises/:id/injects", {
      tag: "exercises",
      summary: "The facilitator adds, retimes, removes or reorders injects.",
      permission: "exercise.run",
      handler: async ({ req, params, body, session }) => {
        const ex = await getEx(params.id);
        facilitatorOnly(ex, session);
        const decisions = await store.exercises.decisions(ex.id);
        const r = engine().edit(ex.def, await injectsFor(ex, decisions), body);
        if (!r.ok) throw new HttpError(422, "bad-inject-edit", r.message, "body");
        const next = await guarded(
          store.exercises.update(ex.id, { def: r.exercise }, "injects", { op: body.op }, actor(req, session)),
        );
        await changed(next);
        return stateOf(next, session);
      },
    }),
    endpoint("POST /api/exercises/:id/clock", {
      tag: "exercises",
      summary: "The facilitator runs, pauses or speeds up the exercise clock.",
      permission: "exercise.run",
      handler: async ({ req, params, body, session }) => {
        const ex = await getEx(params.id);
        facilitatorOnly(ex, session);
        const c = engine().clock;
        const wall = Date.now();
        if (body.action === "speed")
          must(
            body.speed !== undefined,
            400,
            "invalid-parameter",
            "body.speed: expected a speed from 1 to 3600",
            "body.speed",
          );
        const clock =
          body.action === "run"
            ? c.run(ex.clock, wall)
            : body.action === "pause"
              ? c.pause(ex.clock, wall)
              : c.speed(ex.clock, body.speed as number, wall);
        const next = await guarded(
          store.exercises.update(
            ex.id,
            { clock },
            "clock",
            { action: body.action, ...(body.speed ? { speed: body.speed } : {}) },
            actor(req, session),
          ),
        );
        await changed(next);
        return stateOf(next, session);
      },
    }),
    endpoint("POST /api/exercises/:id/join", {
      tag: "exercises",
      summary: "Join an exercise under one of its roles.",
      permission: "exercise.play",
      handler: async ({ req, params, body, session }) => {
        const ex = await getEx(params.id);
        const role = ex.def.roles.find((r) => r.id === body.role);
        must(
          !!role,
          422,
          "unknown-role",
          `unknown role "${body.role}"; roles: ${ex.def.roles.map((r) => r.id).join(", ")}`,
          "body.role",
        );
        await guarded(store.exercises.join(ex.id, session?.username ?? "", body.role, actor(req, session)));
        await changed(ex);
        return stateOf(ex, session);
      },
    }),
    endpoint("POST /api/exercises/:id/decisions", {
      tag: "exercises",
      summary: "Take a decision as one's role at the exercise clock's time; it is played into the simulation.",
      permission: "exercise.play",
      handler: async ({ req, params, body, session }) => {
        const e = engine();
        const ex = await getEx(params.id);
        const me = (await store.exercises.participants(ex.id)).find((p) => p.username === session?.username);
        must(!!me, 409, "not-joined", `join exercise ${ex.id} under a role before taking decisions`);
        const role = (me as { role: string }).role;
        const now = e.clock.now(ex.clock, Date.now());
        // [EXR-5] nothing before the exercise started: not before hour 0, not before the clock first ran
        must(
          ex.clock.started,
          409,
          "before-start",
          `exercise ${ex.id} has not started: the facilitator has not run its clock yet; decision refused`,
        );
        const at = body.at ?? now;
        must(
          at <= now + 1e-9,
          422,
          "in-the-future",
          `decision at ${at}h: after the clock's time now (${now.toFixed(2)}h)`,
          "body.at",
        );
        const refusal = e.check(ex.def, { role, kind: body.kind, at });
        if (refusal)
          throw new HttpError(
            refusal.code === "not-allowed" ? 403 : 422,
            refusal.code,
            refusal.message,
            refusal.code === "not-allowed" ? "body.kind" : "body.at",
          );
        const targets = body.targets;
        const needs = body.kind === "crew" ? 1 : ["isolate", "fallback", "restore"].includes(body.kind) ? -1 : 0;
        must(
          needs === 0 ? targets.length === 0 : needs === 1 ? targets.length === 1 : targets.length >= 1,
          422,
          "bad-decision",
          needs === 0
            ? `a ${body.kind} decision names no targets`
            : needs === 1
              ? "a crew decision names one crew"
              : `a ${body.kind} decision names at least one target`,
          "body.targets",
        );
        must(body.kind === "note" ? !!body.text : true, 422, "bad-decision", "a note needs its text", "body.text");
        const d: Decision = {
          at: e.time(at),
          role,
          kind: body.kind,
          targets,
          ...(body.kind === "crew" ? { count: body.count ?? 1 } : {}),
          ...(body.kind === "isolate" && body.for !== undefined ? { for: body.for } : {}),
          ...(body.text ? { text: body.text } : {}),
          ...(body.answers ? { answers: body.answers } : {}),
          by: session?.username,
        };
        const loaded = await models.load(ex.modelId, ex.version);
        const bad = e.targets(loaded, ex.def)(d);
        if (bad.length) throw new HttpError(422, bad[0].code, bad[0].message, `body.targets[${bad[0].target}]`);
        await guarded(store.exercises.addDecision(ex.id, d, actor(req, session)));
        await changed(ex);
        return stateOf(ex, session);
      },
    }),
    endpoint("GET /api/exercises/:id/review", {
      tag: "exercises",
      summary: "The after-action review: timeline, latency per role, objectives, team vs nothing vs best response.",
      permission: "exercise.read",
      handler: async ({ params }) => {
        const ex = await getEx(params.id);
        const loaded = await models.load(ex.modelId, ex.version);
        const decisions = await store.exercises.decisions(ex.id);
        return engine().review(loaded, ex.def, decisions, { budget: 20, rounds: 2 });
      },
    }),
    endpoint("POST /api/exercises/:id/lessons", {
      tag: "exercises",
      summary: "Propose a lesson: a model change (patch) simulated against the latest version before acceptance.",
      permission: "exercise.run",
      status: 201,
      handler: async ({ req, params, body, session }) => {
        const e = engine();
        const ex = await getEx(params.id);
        const base = await models.load(ex.modelId, "latest");
        const p = e.applyLesson(base.raw, body.patch);
        // [LSN-2] a patch that does not apply or gives an invalid model: refused, nothing stored
        if (!p.ok) throw new HttpError(422, p.error.code, p.error.message, `body.${p.error.parameter}`);
        const scenario = e.scenarioOf(ex.def);
        const compare = await e.compareLesson(base.model, p.model, [scenario], { seed: ex.def.seed, runs: body.runs });
        return guarded(
          store.exercises.addLesson(
            {
              id: `lesson-${randomBytes(4).toString("hex")}`,
              exerciseId: ex.id,
              modelId: ex.modelId,
              baseVersion: base.info.version,
              title: body.title,
              patch: body.patch,
              compare,
            },
            actor(req, session),
          ),
        );
      },
    }),
    endpoint("GET /api/models/:model/lessons", {
      tag: "exercises",
      summary: "A model's lessons: proposed, accepted (with the version they made) or rejected.",
      permission: "exercise.read",
      handler: async ({ params }) => {
        if (!(await store.getModel(params.model)))
          throw new HttpError(404, "not-found", `no model ${params.model}`, "path.model");
        return { lessons: await store.exercises.listLessons(params.model) };
      },
    }),
    endpoint("POST /api/lessons/:id/accept", {
      tag: "exercises",
      summary: "Accept a lesson: its patched model becomes a new model version (audited).",
      permission: "model.write",
      handler: async ({ req, params, session }) => {
        const e = engine();
        const l = await store.exercises.getLesson(params.id);
        if (!l) throw new HttpError(404, "not-found", `no lesson ${params.id}`, "path.id");
        const base = await models.load(l.modelId, l.baseVersion);
        const p = e.applyLesson(base.raw, l.patch);
        if (!p.ok) throw new HttpError(422, p.error.code, p.error.message, "path.id");
        const v = models.versionFromRaw(l.modelId, p.raw, `lesson ${l.id}: ${l.title}`);
        return guarded(store.exercises.acceptLesson(l.id, v, actor(req, session)));
      },
    }),
    endpoint("GET /api/models/:model/resilience", {
      tag: "exercises",
      summary:
        "The city's resilience over its versions: expected person-hours and objectives met per exercised scenario.",
      permission: "exercise.read",
      handler: async ({ params, query }) => {
        const e = engine();
        if (!(await store.getModel(params.model)))
          throw new HttpError(404, "not-found", `no model ${params.model}`, "path.model");
        const seen = new Map<string, ReturnType<ExerciseEngine["scenarioOf"]>>();
        let seed = 1;
        for (const info of await store.exercises.list(params.model)) {
          const ex = await store.exercises.get(info.id);
          if (ex && !seen.has(ex.def.scenario.id)) {
            seen.set(ex.def.scenario.id, e.scenarioOf(ex.def));
            seed = ex.def.seed;
          }
        }
        const versions = [];
        for (const v of await store.listVersions(params.model)) {
          const l = await models.load(params.model, v.version);
          versions.push({ version: v.version, message: v.message, model: l.model });
        }
        return { rows: await e.resilience(versions, [...seen.values()], { seed, runs: query.runs ?? 50 }) };
      },
    }),
  ];
}
