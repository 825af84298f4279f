/** Models and their versions: import, read, diff, delete. */
import type { ServerContext } from "../context.ts";
import { type AnyRoute, endpoint, HttpError } from "../http.ts";
import { actorOf } from "./common.ts";

export function modelsRoutes(ctx: ServerContext): AnyRoute[] {
  const { store, models } = ctx;
  return [
    endpoint("GET /api/models", {
      tag: "models",
      summary: "List models.",
      permission: "model.read",
      handler: async () => ({ models: await store.listModels() }),
    }),
    endpoint("POST /api/models", {
      tag: "models",
      summary: "Import a model version from uploaded YAML files (a new model or a new version of one).",
      permission: "model.write",
      status: 201,
      bodyLimit: 16 * 1024 * 1024,
      handler: async ({ req, body, session }) => {
        const r = await models.importSources(body.id, body.files, body.message, actorOf(req, session));
        console.log(`model ${body.id} v${r.info.version} imported: ${body.files.length} files, ${r.warnings} warnings`);
        return { version: r.info, warnings: r.warnings };
      },
    }),
    endpoint("POST /api/models/import-path", {
      tag: "models",
      summary: "Import a model version from a file or folder on the server (inside the import folder).",
      permission: "model.import-path",
      status: 201,
      handler: async ({ req, body, session }) => {
        const r = await models.importPath(body.id, body.path, body.message, actorOf(req, session));
        return { version: r.info, warnings: r.warnings };
      },
    }),
    endpoint("GET /api/models/:model", {
      tag: "models",
      summary: "A model and its versions.",
      permission: "model.read",
      handler: async ({ params }) => {
        const m = await store.getModel(params.model);
        if (!m) throw new HttpError(404, "not-found", `no model ${params.model}`, "path.model");
        return { model: m, versions: await store.listVersions(params.model) };
      },
    }),
    endpoint("DELETE /api/models/:model", {
      tag: "models",
      summary: "Delete a model, its versions and its results.",
      permission: "model.delete",
      handler: async ({ req, params, session }) => {
        const ok = await store.deleteModel(params.model, actorOf(req, session));
        if (!ok) throw new HttpError(404, "not-found", `no model ${params.model}`, "path.model");
        ctx.results.clear();
        return { ok: true };
      },
    }),
    endpoint("GET /api/models/:model/versions", {
      tag: "models",
      summary: "List a model's versions.",
      permission: "model.read",
      handler: async ({ params }) => {
        if (!(await store.getModel(params.model))) {
          throw new HttpError(404, "not-found", `no model ${params.model}`, "path.model");
        }
        return { versions: await store.listVersions(params.model) };
      },
    }),
    endpoint("GET /api/models/:model/versions/:version", {
      tag: "models",
      summary: "One version: the validated model (defaults applied, durations in hours) and its warnings.",
      permission: "model.read",
      handler: async ({ params }) => {
        const l = await models.load(params.model, params.version);
        return { version: l.info, model: l.model, warnings: l.warnings };
      },
    }),
    endpoint("GET /api/models/:model/versions/:version/sources", {
      tag: "models",
      summary: "One version's YAML files as imported.",
      permission: "model.read",
      handler: async ({ params }) => {
        const v = await models.resolveVersion(params.model, params.version);
        const s = await store.getVersion(params.model, v);
        if (!s) throw new HttpError(404, "not-found", `model ${params.model} has no version ${v}`, "path.version");
        return { files: s.sources };
      },
    }),
    endpoint("GET /api/models/:model/diff", {
      tag: "models",
      summary: "What changed between two versions, entity by entity.",
      permission: "model.read",
      handler: async ({ params, query }) => ({ diff: await models.diff(params.model, query.from, query.to) }),
    }),
  ];
}
