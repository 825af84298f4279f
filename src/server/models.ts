/**
 * Model versions on the server: import (validated by the model loader, located issues returned to the
 * uploader), load with a small cache, diff, and edits of controls and people (each edit is a new version).
 */
import { createHash } from "node:crypto";
import { resolve, sep } from "node:path";
import yaml from "js-yaml";
import type { ModelIssue } from "../model/issues.ts";
import { LIMITS } from "../model/limits.ts";
import { loadModel, loadModelFromSources, type RawModel } from "../model/load.ts";
import { type CityModel, LIST_KEYS } from "../model/model.ts";
import { diffModels, type ModelDiff } from "../store/diff.ts";
import type { NewVersion } from "../store/exercise.ts";
import type { Actor, ModelCounts, ModelVersionInfo, SourceFile, Store } from "../store/types.ts";
import { HttpError } from "./http.ts";

export type Loaded = { info: ModelVersionInfo; model: CityModel; raw: RawModel; warnings: ModelIssue[] };

export function countsOf(model: CityModel): ModelCounts {
  const out: ModelCounts = {};
  for (const k of LIST_KEYS) out[k] = (model[k] as unknown[]).length;
  return out;
}

export function sourcesHash(sources: SourceFile[]): string {
  const h = createHash("sha256");
  for (const s of sources) h.update(s.file).update("\0").update(s.text).update("\0");
  return h.digest("hex");
}

/** A refused model: 422 with the loader's located issues (file, line, column, path, message). */
function invalid(issues: ModelIssue[]): HttpError {
  const first = issues[0];
  return new HttpError(
    422,
    "invalid-model",
    first ? `${first.file}:${first.line}:${first.column}: ${first.message}` : "invalid model",
    "body.files",
    { issues: issues.slice(0, 200) },
  );
}

export class Models {
  private readonly cache = new Map<string, Loaded>();
  constructor(
    readonly store: Store,
    /** Folder that path imports must stay inside. */
    readonly importRoot: string,
  ) {}

  async importSources(
    modelId: string,
    sources: SourceFile[],
    message: string,
    actor: Actor,
  ): Promise<{ info: ModelVersionInfo; warnings: number }> {
    const r = loadModelFromSources(sources, { limits: LIMITS.upload });
    if (!r.ok) throw invalid(r.issues);
    const rawJson = JSON.stringify(r.raw);
    // [LIM-5] what one version may store: its sources and the merged model
    const stored = rawJson.length + sources.reduce((a, s) => a + s.text.length + s.file.length, 0);
    if (stored > LIMITS.server.storedModelBytes) {
      throw new HttpError(
        413,
        "model-too-large",
        `body.files: the model would store ${stored} bytes, over the limit of ${LIMITS.server.storedModelBytes}`,
        "body.files",
      );
    }
    const info = await this.store.addModelVersion(
      {
        modelId,
        name: r.model.city.name,
        sources,
        rawJson,
        counts: countsOf(r.model),
        message,
        sha256: sourcesHash(sources),
      },
      actor,
    );
    this.cache.set(`${modelId}@${info.version}`, { info, model: r.model, raw: r.raw, warnings: r.warnings });
    return { info, warnings: r.warnings.length };
  }

  /** Imports the YAML files of a path on the server (inside the import root). */
  async importPath(modelId: string, path: string, message: string, actor: Actor) {
    const abs = resolve(this.importRoot, path);
    const root = resolve(this.importRoot);
    if (abs !== root && !abs.startsWith(root + sep)) {
      throw new HttpError(400, "invalid-parameter", "body.path: expected a path inside the import folder", "body.path");
    }
    const r = await loadModel(abs, { limits: LIMITS.upload });
    // [SEC-14] messages name paths relative to the import folder, never the server's absolute paths
    const rel = (text: string) =>
      text
        .split(root + sep)
        .join("")
        .split(root)
        .join(".");
    if (!r.ok) throw invalid(r.issues.map((i) => ({ ...i, file: rel(i.file), message: rel(i.message) })));
    const { readFile } = await import("node:fs/promises");
    const sources: SourceFile[] = [];
    for (const f of r.files)
      sources.push({ file: f.startsWith(root) ? f.slice(root.length + 1) : f, text: await readFile(f, "utf8") });
    return this.importSources(modelId, sources, message, actor);
  }

  /**
   * A new version's contents from a raw model (a lesson's patched model, [LSN-3]): written as one YAML file
   * that must load like any upload; not stored here (the caller stores it in its own transaction).
   */
  versionFromRaw(modelId: string, raw: RawModel, message: string): NewVersion {
    const text = yaml.dump(
      { ...(raw as Record<string, unknown>), rampart: 1 },
      { lineWidth: -1, noRefs: true, skipInvalid: true },
    );
    const sources = [{ file: `${modelId}.yaml`, text }];
    const r = loadModelFromSources(sources, { limits: LIMITS.upload });
    if (!r.ok) throw invalid(r.issues);
    return {
      modelId,
      name: r.model.city.name,
      sources,
      rawJson: JSON.stringify(r.raw),
      counts: countsOf(r.model),
      message,
      sha256: sourcesHash(sources),
    };
  }

  async resolveVersion(modelId: string, version: number | "latest"): Promise<number> {
    if (version !== "latest") return version;
    const m = await this.store.getModel(modelId);
    if (!m) throw new HttpError(404, "not-found", `no model ${modelId}`, "path.model");
    return m.latestVersion;
  }

  async load(modelId: string, version: number | "latest"): Promise<Loaded> {
    const v = await this.resolveVersion(modelId, version);
    const key = `${modelId}@${v}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const stored = await this.store.getVersion(modelId, v);
    if (!stored) throw new HttpError(404, "not-found", `model ${modelId} has no version ${v}`, "path.version");
    const r = loadModelFromSources(stored.sources, { limits: LIMITS.upload });
    if (!r.ok) throw new HttpError(500, "stored-model-invalid", `stored model ${modelId} v${v} no longer loads`);
    const { sources: _s, rawJson: _r, ...info } = stored;
    const loaded = { info, model: r.model, raw: r.raw, warnings: r.warnings };
    if (this.cache.size >= 16) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, loaded);
    return loaded;
  }

  async diff(modelId: string, from: number | "latest", to: number | "latest"): Promise<ModelDiff> {
    const a = await this.load(modelId, from);
    const b = await this.load(modelId, to);
    return diffModels(a.raw as Record<string, unknown>, b.raw as Record<string, unknown>);
  }

  /**
   * Replaces, adds or removes one entity of a list (controls or people) and stores the result as a new
   * version. The edited model is written back as one YAML file and must load like any upload.
   */
  async editEntity(
    modelId: string,
    list: "controls" | "people",
    id: string,
    entity: Record<string, unknown> | null,
    actor: Actor,
  ): Promise<{ info: ModelVersionInfo; warnings: number }> {
    const base = await this.load(modelId, "latest");
    const raw = structuredClone(base.raw) as Record<string, unknown>;
    const items = Array.isArray(raw[list]) ? [...(raw[list] as Record<string, unknown>[])] : [];
    const at = items.findIndex((x) => x && x.id === id);
    if (entity === null) {
      if (at < 0) throw new HttpError(404, "not-found", `model ${modelId} has no ${list} entry ${id}`, "path.id");
      items.splice(at, 1);
    } else if (at >= 0) items[at] = { ...entity, id };
    else items.push({ ...entity, id });
    raw[list] = items;
    const text = yaml.dump({ ...raw, rampart: 1 }, { lineWidth: -1, noRefs: true, skipInvalid: true });
    const verb = entity === null ? "remove" : at >= 0 ? "update" : "add";
    const sources = [{ file: `${modelId}.yaml`, text }];
    try {
      return await this.importSources(modelId, sources, `${verb} ${list} ${id}`, actor);
    } catch (e) {
      if (e instanceof HttpError && e.code === "invalid-model") {
        const issues = ((e.extra?.issues as ModelIssue[]) ?? []).map((i) => ({ ...i, file: `${list}/${id}` }));
        const first = issues[0];
        throw new HttpError(422, "invalid-model", first ? `${first.path}: ${first.message}` : e.message, "body", {
          issues,
        });
      }
      throw e;
    }
  }
}
