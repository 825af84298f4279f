/**
 * Incident cases and CACAO playbooks (docs/respond.md, docs/specs/respond.md). Who may do what is the role
 * matrix in roles.ts: viewers read, operators work a case, analysts open, move and run playbooks, admins
 * also close. Every change is audited by the store in the same transaction.
 */
import type { ServerContext } from "../context.ts";
import { type AnyRoute, endpoint, HttpError } from "../http.ts";
import { actorOf, guard as guardStore } from "./common.ts";

export function casesRoutes(ctx: ServerContext): AnyRoute[] {
  const { cases, store } = ctx;
  return [
    endpoint("GET /api/cases", {
      tag: "cases",
      summary: "List incident cases (newest first).",
      permission: "case.read",
      handler: async ({ query }) => ({
        cases: await store.cases.listCases({ modelId: query.model, status: query.status, limit: query.limit }),
      }),
    }),
    endpoint("POST /api/cases", {
      tag: "cases",
      summary: "Open a case from an alert, a finding, a simulation or by hand, with the assets known to be down.",
      permission: "case.manage",
      status: 201,
      handler: async ({ req, body, session }) => cases.open(body, actorOf(req, session)),
    }),
    endpoint("GET /api/cases/:id", {
      tag: "cases",
      summary:
        "A case: services at risk, person-hours lost so far and severity (computed now), asset log, timeline, tasks, evidence.",
      permission: "case.read",
      handler: async ({ params }) => cases.detail(params.id),
    }),
    endpoint("POST /api/cases/:id/status", {
      tag: "cases",
      summary: "Move a case to its next status (open → contained → eradicated → recovered); closing is /close.",
      permission: "case.manage",
      handler: async ({ req, params, body, session }) => {
        if (body.status === "closed")
          throw new HttpError(
            403,
            "forbidden",
            "closing a case is POST /api/cases/{id}/close (permission case.close)",
            "body.status",
          );
        return cases.setStatus(params.id, body.status, body.note, actorOf(req, session));
      },
    }),
    endpoint("POST /api/cases/:id/close", {
      tag: "cases",
      summary: "Close a recovered case whose tasks are all finished.",
      permission: "case.close",
      handler: async ({ req, params, body, session }) =>
        cases.setStatus(params.id, "closed", body.note, actorOf(req, session)),
    }),
    endpoint("POST /api/cases/:id/assets", {
      tag: "cases",
      summary: "Mark assets down or restored; the impact and severity follow.",
      permission: "case.work",
      handler: async ({ req, params, body, session }) =>
        cases.markAssets(params.id, body.assets, body.state, actorOf(req, session)),
    }),
    endpoint("POST /api/cases/:id/notes", {
      tag: "cases",
      summary: "Add a note to the case's timeline.",
      permission: "case.work",
      status: 201,
      handler: async ({ req, params, body, session }) => {
        await cases.get(params.id);
        return guardStore(store.cases.addNote(params.id, body.text, actorOf(req, session)));
      },
    }),
    endpoint("POST /api/cases/:id/evidence", {
      tag: "cases",
      summary: "Attach an evidence file (base64); its SHA-256 is recorded in the timeline and the audit log.",
      permission: "case.work",
      status: 201,
      bodyLimit: 1,
      handler: async ({ req, params, body, session }) => {
        await cases.get(params.id);
        const bytes = Buffer.from(body.content, "base64");
        if (bytes.length > 10 * 1024 * 1024)
          throw new HttpError(413, "too-large", "body.content: expected a file of at most 10 MiB", "body.content");
        return guardStore(
          store.cases.addEvidence(
            params.id,
            { name: body.name, mediaType: body.mediaType, bytes },
            actorOf(req, session),
          ),
        );
      },
    }),
    endpoint("GET /api/cases/:id/evidence/:evidence", {
      tag: "cases",
      summary: "An evidence file (base64) with its recorded SHA-256.",
      permission: "case.read",
      handler: async ({ params }) => {
        const e = await store.cases.getEvidence(params.id, params.evidence);
        if (!e)
          throw new HttpError(404, "not-found", `no evidence ${params.evidence} in case ${params.id}`, "path.evidence");
        return { evidence: e.info, content: e.content };
      },
    }),
    endpoint("POST /api/cases/:id/tasks", {
      tag: "cases",
      summary: "Add a task by hand, assigned to the model's people by role.",
      permission: "case.manage",
      status: 201,
      handler: async ({ req, params, body, session }) => cases.addTask(params.id, body, actorOf(req, session)),
    }),
    endpoint("PATCH /api/cases/:id/tasks/:task", {
      tag: "cases",
      summary: "Finish a task: done, failed or skipped, with its outcome.",
      permission: "case.work",
      handler: async ({ req, params, body, session }) =>
        guardStore(store.cases.updateTask(params.id, params.task, body, actorOf(req, session)), "path.task"),
    }),
    endpoint("POST /api/cases/:id/playbooks", {
      tag: "cases",
      summary: "Run a playbook in the case: one task per action step, bound to the case's model.",
      permission: "case.manage",
      status: 201,
      handler: async ({ req, params, body, session }) => ({
        tasks: await cases.runPlaybook(params.id, body.playbook, actorOf(req, session)),
      }),
    }),
    endpoint("GET /api/playbooks", {
      tag: "playbooks",
      summary: "The built-in playbooks (one per built-in scenario) and the imported ones.",
      permission: "case.read",
      handler: async () => ({ playbooks: await cases.listPlaybooks() }),
    }),
    endpoint("GET /api/playbooks/:id", {
      tag: "playbooks",
      summary: "Export a playbook as CACAO 2.0 JSON.",
      permission: "case.read",
      handler: async ({ params }) => (await cases.resolvePlaybook(params.id, "path.id")).playbook,
    }),
    endpoint("POST /api/playbooks", {
      tag: "playbooks",
      summary:
        "Import a CACAO 2.0 playbook (validated, and bound to a model when one is named); nothing is stored if invalid.",
      permission: "playbook.write",
      status: 201,
      bodyLimit: 1,
      handler: async ({ req, body, session }) =>
        cases.importPlaybook(body.text, body.file, body.model, actorOf(req, session)),
    }),
    endpoint("POST /api/playbooks/validate", {
      tag: "playbooks",
      summary: "Validate a CACAO 2.0 playbook (and bind it to a model): located issues, nothing stored.",
      permission: "case.read",
      bodyLimit: 1,
      handler: async ({ body }) => {
        const v = await cases.validate(body.text, body.file, body.model ? { id: body.model } : undefined);
        return v.ok
          ? { ok: true, issues: [], steps: v.steps ? v.steps.length : null }
          : {
              ok: false,
              issues: v.issues.map(({ file, line, column, path, code, message }) => ({
                file,
                line,
                column,
                path,
                code,
                message,
              })),
              steps: null,
            };
      },
    }),
    endpoint("DELETE /api/playbooks/:id", {
      tag: "playbooks",
      summary: "Delete an imported playbook (tasks it created stay in their cases).",
      permission: "playbook.write",
      handler: async ({ req, params, session }) => {
        if (!(await store.cases.deletePlaybook(params.id, actorOf(req, session))))
          throw new HttpError(404, "not-found", `no imported playbook ${params.id}`, "path.id");
        return { ok: true };
      },
    }),
  ];
}
