/** Models and their versions: import, read, diff, delete. */
import { z } from "zod";
import type { ServerContext } from "../context.ts";
import { type AnyRoute, HttpError, IdParam, route, VersionParam } from "../http.ts";
import { actorOf, ModelParams, VersionInfo, VersionParams } from "./common.ts";

const SourceFileSchema = z.strictObject({
  file: z
    .string()
    .min(1, { error: "expected a file name" })
    .max(200, { error: "expected a file name of at most 200 characters" })
    .regex(/^[A-Za-z0-9._/-]+\.ya?ml$/, { error: "expected a .yaml or .yml file name (letters, digits, . _ - /)" })
    .refine((f) => !f.split("/").includes(".."), { error: "expected a file name without .." }),
  text: z.string().max(8 * 1024 * 1024, { error: "expected a file of at most 8 MiB" }),
});
const Message = z.string().max(500, { error: "expected a message of at most 500 characters" });

export function modelsRoutes(ctx: ServerContext): AnyRoute[] {
  const { store, models } = ctx;
  return [
    route({
      method: "GET",
      url: "/api/models",
      tag: "models",
      summary: "List models.",
      permission: "model.read",
      handler: async () => ({ models: await store.listModels() }),
    }),
    route({
      method: "POST",
      url: "/api/models",
      tag: "models",
      summary: "Import a model version from uploaded YAML files (a new model or a new version of one).",
      permission: "model.write",
      status: 201,
      bodyLimit: 16 * 1024 * 1024,
      body: z.strictObject({
        id: IdParam,
        message: Message.default(""),
        files: z
          .array(SourceFileSchema)
          .min(1, { error: "expected at least one file" })
          .max(200, { error: "expected at most 200 files" })
          .refine((fs) => new Set(fs.map((f) => f.file)).size === fs.length, { error: "expected distinct file names" }),
      }),
      response: z.object({ version: VersionInfo, warnings: z.number() }),
      handler: async ({ req, body, session }) => {
        const r = await models.importSources(body.id, body.files, body.message, actorOf(req, session));
        console.log(`model ${body.id} v${r.info.version} imported: ${body.files.length} files, ${r.warnings} warnings`);
        return { version: r.info, warnings: r.warnings };
      },
    }),
    route({
      method: "POST",
      url: "/api/models/import-path",
      tag: "models",
      summary: "Import a model version from a file or folder on the server (inside the import folder).",
      permission: "model.import-path",
      status: 201,
      body: z.strictObject({
        id: IdParam,
        path: z
          .string()
          .min(1, { error: "expected a path" })
          .max(500, { error: "expected a path of at most 500 characters" }),
        message: Message.default(""),
      }),
      response: z.object({ version: VersionInfo, warnings: z.number() }),
      handler: async ({ req, body, session }) => {
        const r = await models.importPath(body.id, body.path, body.message, actorOf(req, session));
        return { version: r.info, warnings: r.warnings };
      },
    }),
    route({
      method: "GET",
      url: "/api/models/:model",
      tag: "models",
      summary: "A model and its versions.",
      permission: "model.read",
      params: ModelParams,
      handler: async ({ params }) => {
        const m = await store.getModel(params.model);
        if (!m) throw new HttpError(404, "not-found", `no model ${params.model}`, "path.model");
        return { model: m, versions: await store.listVersions(params.model) };
      },
    }),
    route({
      method: "DELETE",
      url: "/api/models/:model",
      tag: "models",
      summary: "Delete a model, its versions and its results.",
      permission: "model.delete",
      params: ModelParams,
      handler: async ({ req, params, session }) => {
        const ok = await store.deleteModel(params.model, actorOf(req, session));
        if (!ok) throw new HttpError(404, "not-found", `no model ${params.model}`, "path.model");
        ctx.results.clear();
        return { ok: true };
      },
    }),
    route({
      method: "GET",
      url: "/api/models/:model/versions",
      tag: "models",
      summary: "List a model's versions.",
      permission: "model.read",
      params: ModelParams,
      response: z.object({ versions: z.array(VersionInfo) }),
      handler: async ({ params }) => {
        if (!(await store.getModel(params.model))) {
          throw new HttpError(404, "not-found", `no model ${params.model}`, "path.model");
        }
        return { versions: await store.listVersions(params.model) };
      },
    }),
    route({
      method: "GET",
      url: "/api/models/:model/versions/:version",
      tag: "models",
      summary: "One version: the validated model (defaults applied, durations in hours) and its warnings.",
      permission: "model.read",
      params: VersionParams,
      handler: async ({ params }) => {
        const l = await models.load(params.model, params.version);
        return { version: l.info, model: l.model, warnings: l.warnings };
      },
    }),
    route({
      method: "GET",
      url: "/api/models/:model/versions/:version/sources",
      tag: "models",
      summary: "One version's YAML files as imported.",
      permission: "model.read",
      params: VersionParams,
      handler: async ({ params }) => {
        const v = await models.resolveVersion(params.model, params.version);
        const s = await store.getVersion(params.model, v);
        if (!s) throw new HttpError(404, "not-found", `model ${params.model} has no version ${v}`, "path.version");
        return { files: s.sources };
      },
    }),
    route({
      method: "GET",
      url: "/api/models/:model/diff",
      tag: "models",
      summary: "What changed between two versions, entity by entity.",
      permission: "model.read",
      params: ModelParams,
      query: z.strictObject({ from: VersionParam, to: VersionParam.default("latest") }),
      handler: async ({ params, query }) => ({ diff: await models.diff(params.model, query.from, query.to) }),
    }),
  ];
}
