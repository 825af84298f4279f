/**
 * Incident cases and playbooks over the store and the models: what the routes in routes/cases.ts and the
 * `rampart case` and `rampart playbook` commands both do (one place, so the API and the CLI cannot differ).
 * The engines are src/respond (impact, workflow, CACAO, binding); the store keeps the records.
 */
import type { CaseDetail, CaseSummary, CaseTask, PlaybookInfo } from "../contracts/cases.ts";
import { buildIndex, type CityIndex } from "../model/graph.ts";
import type { CityModel } from "../model/model.ts";
import { type BoundStep, bindPlaybook } from "../respond/binding.ts";
import { type Playbook, type PlaybookIssue, parsePlaybook, sha256 } from "../respond/cacao.ts";
import { type AssetChange, caseImpact } from "../respond/impact.ts";
import { BUILT_IN_PLAYBOOKS, builtInText } from "../respond/library.ts";
import { peopleWithRole, pickPerson, transitionError } from "../respond/workflow.ts";
import type { NewTask } from "../store/cases.ts";
import { type Actor, type Store, StoreError } from "../store/types.ts";
import { HttpError } from "./http.ts";
import type { Models } from "./models.ts";

const indexes = new WeakMap<CityModel, CityIndex>();
function indexOf(model: CityModel): CityIndex {
  let ix = indexes.get(model);
  if (!ix) {
    ix = buildIndex(model);
    indexes.set(model, ix);
  }
  return ix;
}

/** Maps a store refusal to its HTTP answer. */
async function guard<T>(p: Promise<T>, parameter?: string): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof StoreError) throw new HttpError(e.code === "conflict" ? 409 : 404, e.code, e.message, parameter);
    throw e;
  }
}

function invalidPlaybook(issues: PlaybookIssue[], parameter: string, status = 422): HttpError {
  const f = issues[0];
  return new HttpError(
    status,
    "invalid-playbook",
    f ? `${f.file}:${f.line}:${f.column}: ${f.message}${f.path ? ` [${f.path}]` : ""}` : "invalid playbook",
    parameter,
    { issues: issues.slice(0, 200) },
  );
}

const stepsOf = (pb: Playbook) => Object.values(pb.workflow).filter((s) => s.type === "action").length;

export type ResolvedPlaybook = { info: PlaybookInfo; playbook: Playbook; text: string; file: string };

function builtInInfo(scenario: string, pb: Playbook, text: string): PlaybookInfo {
  return {
    id: pb.id,
    name: pb.name,
    description: pb.description ?? "",
    builtIn: true,
    scenario,
    modified: pb.modified,
    sha256: sha256(text),
    steps: stepsOf(pb),
  };
}

/** The built-in playbooks' descriptions (no store needed). */
export function builtInPlaybooks(): PlaybookInfo[] {
  return Object.entries(BUILT_IN_PLAYBOOKS).map(([s, pb]) => builtInInfo(s, pb, builtInText(s) as string));
}

export class Cases {
  constructor(
    readonly store: Store,
    readonly models: Models,
    /** The clock (ISO 8601); injected so tests can move time. */
    readonly now: () => string = () => new Date().toISOString(),
  ) {}

  private async assetsKnown(model: CityModel, ids: string[], parameter: string): Promise<void> {
    const ix = indexOf(model);
    for (const [i, a] of ids.entries()) {
      const n = ix.nodeOf.get(a);
      if (n === undefined || n >= ix.assetCount)
        throw new HttpError(
          422,
          "unknown-asset",
          `${n === undefined ? "no asset" : "not an asset:"} "${a}" in the case's model`,
          `${parameter}[${i}]`,
        );
    }
  }

  private severity(model: CityModel, log: AssetChange[]) {
    const r = caseImpact(model, log, this.now(), indexOf(model));
    return r.ok ? r.impact.severity : "low";
  }

  /** [CASE-1] Opens a case from an alert, a finding, a simulation or by hand. */
  async open(
    req: {
      model: string;
      version?: number;
      title: string;
      source: { kind: "alert" | "finding" | "simulation" | "manual"; ref?: string };
      down: string[];
    },
    actor: Actor,
  ): Promise<CaseSummary> {
    const loaded = await this.models.load(req.model, req.version ?? "latest");
    const down = [...req.down];
    const ref = req.source.ref ?? null;
    if (req.source.kind !== "manual" && !ref)
      throw new HttpError(
        400,
        "invalid-parameter",
        `a case opened from a ${req.source.kind} names it`,
        "body.source.ref",
      );
    if (req.source.kind === "alert") {
      const id = Number(ref);
      const alert = Number.isInteger(id) ? (await this.store.listAlerts({ before: id + 1, limit: 1 }))[0] : undefined;
      if (!alert || alert.id !== id) throw new HttpError(404, "not-found", `no alert ${ref}`, "body.source.ref");
      if (down.length === 0 && alert.assetId && indexOf(loaded.model).nodeOf.has(alert.assetId))
        down.push(alert.assetId);
    }
    if (req.source.kind === "simulation") {
      const r = await this.store.getResultInfo(String(ref));
      if (r?.kind !== "simulation")
        throw new HttpError(404, "not-found", `no simulation result ${ref}`, "body.source.ref");
    }
    await this.assetsKnown(loaded.model, down, "body.down");
    const now = this.now();
    const severity = this.severity(
      loaded.model,
      down.map((asset) => ({ at: now, asset, state: "down" as const })),
    );
    return guard(
      this.store.cases.openCase(
        {
          modelId: req.model,
          version: loaded.info.version,
          title: req.title,
          source: { kind: req.source.kind, ref },
          down,
          severity,
        },
        actor,
      ),
      "body.model",
    );
  }

  async get(id: string): Promise<CaseSummary> {
    const c = await this.store.cases.getCase(id);
    if (!c) throw new HttpError(404, "not-found", `no case ${id}`, "path.id");
    return c;
  }

  private async modelOf(c: CaseSummary): Promise<CityModel | null> {
    try {
      return (await this.models.load(c.modelId, c.version)).model;
    } catch (e) {
      if (e instanceof HttpError && e.status === 404) return null;
      throw e;
    }
  }

  /** [CASE-3] [CASE-4] The case with its records and its impact computed now. */
  async detail(id: string): Promise<CaseDetail> {
    const c = await this.get(id);
    const rec = await this.store.cases.records(id);
    const model = await this.modelOf(c);
    let impact: CaseDetail["impact"] = null;
    let impactError: string | null = null;
    if (!model) impactError = `model ${c.modelId} version ${c.version} is no longer stored`;
    else {
      const until = c.closedAt ?? this.now();
      const r = caseImpact(model, rec.assets, until, indexOf(model));
      if (r.ok) impact = r.impact;
      else impactError = `the model has no asset ${r.unknown.join(", ")}`;
    }
    const named = new Set(rec.tasks.flatMap((t) => [t.responsible, t.accountable, ...t.consulted, ...t.informed]));
    const people = (model?.people ?? [])
      .filter((p) => named.has(p.id))
      .map((p) => ({ id: p.id as string, name: p.name, role: p.role }));
    return { case: c, impact, impactError, ...rec, people };
  }

  /** [CASE-6] [CASE-7] */
  async setStatus(id: string, to: CaseDetail["case"]["status"], note: string | undefined, actor: Actor) {
    return guard(
      this.store.cases.setStatus(id, to, note, (s) => transitionError(s, to), actor),
      "body.status",
    );
  }

  /** [CASE-2] Marks assets down or restored; the stored severity is recomputed from the whole log. */
  async markAssets(id: string, assets: string[], state: "down" | "restored", actor: Actor): Promise<CaseSummary> {
    const c = await this.get(id);
    const model = await this.modelOf(c);
    if (!model) throw new HttpError(409, "conflict", `model ${c.modelId} version ${c.version} is no longer stored`);
    await this.assetsKnown(model, assets, "body.assets");
    return guard(
      this.store.cases.markAssets(id, assets, state, (log) => this.severity(model, log), actor),
      "body.assets",
    );
  }

  /** A task added by hand: the person is chosen by role as [CASE-8] says; an unknown role is refused. */
  async addTask(
    id: string,
    t: { title: string; description: string; role: string; accountableRole?: string; assets: string[] },
    actor: Actor,
  ): Promise<CaseTask> {
    const c = await this.get(id);
    const model = await this.modelOf(c);
    if (!model) throw new HttpError(409, "conflict", `model ${c.modelId} version ${c.version} is no longer stored`);
    await this.assetsKnown(model, t.assets, "body.assets");
    const rec = await this.store.cases.records(id);
    const r = caseImpact(model, rec.assets, this.now(), indexOf(model));
    const services = new Set(r.ok ? r.impact.services.map((s) => s.id) : []);
    const pick = (role: string, parameter: string) => {
      const p = pickPerson(peopleWithRole(model, role), services);
      if (!p) {
        const roles = [...new Set(model.people.map((x) => x.role))];
        throw new HttpError(
          422,
          "unknown-role",
          `no person in the model has the role "${role}" (roles: ${roles.slice(0, 10).join(", ") || "none"})`,
          parameter,
        );
      }
      return p;
    };
    const resp = pick(t.role, "body.role");
    const acc = t.accountableRole ? pick(t.accountableRole, "body.accountableRole") : resp;
    const [task] = await guard(
      this.store.cases.addTasks(
        id,
        [
          {
            title: t.title,
            description: t.description,
            instructions: "",
            playbookId: null,
            stepId: null,
            phase: null,
            role: resp.role,
            responsible: resp.id,
            accountable: acc.id,
            consulted: [],
            informed: [],
            assets: t.assets,
          },
        ],
        null,
        actor,
      ),
    );
    return task;
  }

  // ---- playbooks ------------------------------------------------------------------------------------------

  /** Built-ins (by scenario id or their playbook id) and imported playbooks. */
  async resolvePlaybook(ref: string, parameter: string): Promise<ResolvedPlaybook> {
    for (const [scenario, pb] of Object.entries(BUILT_IN_PLAYBOOKS)) {
      if (ref === scenario || ref === pb.id) {
        const text = builtInText(scenario) as string;
        return { info: builtInInfo(scenario, pb, text), playbook: pb, text, file: `${scenario}.json` };
      }
    }
    const stored = await this.store.cases.getPlaybook(ref);
    if (!stored) throw new HttpError(404, "not-found", `no playbook ${ref}`, parameter);
    const p = parsePlaybook(stored.json, `${ref}.json`);
    if (!p.ok) throw invalidPlaybook(p.issues, parameter, 500);
    const { json: _j, ...rest } = stored;
    return {
      info: { ...rest, builtIn: false, scenario: null },
      playbook: p.playbook,
      text: stored.json,
      file: `${ref}.json`,
    };
  }

  async listPlaybooks(): Promise<PlaybookInfo[]> {
    const stored = (await this.store.cases.listPlaybooks()).map(
      ({ json: _j, ...p }): PlaybookInfo => ({ ...p, builtIn: false, scenario: null }),
    );
    return [...builtInPlaybooks(), ...stored];
  }

  /** [PBK-1] [PBK-3] Validates a playbook text, and binds it to a model when one is given. */
  async validate(
    text: string,
    file: string,
    model?: { id: string; version?: number },
  ): Promise<{ ok: true; playbook: Playbook; steps: BoundStep[] | null } | { ok: false; issues: PlaybookIssue[] }> {
    const p = parsePlaybook(text, file);
    if (!p.ok) return p;
    if (!model) return { ok: true, playbook: p.playbook, steps: null };
    const loaded = await this.models.load(model.id, model.version ?? "latest");
    const b = bindPlaybook(p.playbook, loaded.model, indexOf(loaded.model), { text, file });
    if (!b.ok) return b;
    return { ok: true, playbook: p.playbook, steps: b.steps };
  }

  /** [PBK-6] Imports a playbook: valid (and bound, when a model is given) or nothing is stored. */
  async importPlaybook(text: string, file: string, model: string | undefined, actor: Actor): Promise<PlaybookInfo> {
    const v = await this.validate(text, file, model ? { id: model } : undefined);
    if (!v.ok) throw invalidPlaybook(v.issues, "body.text");
    const pb = v.playbook;
    if (Object.values(BUILT_IN_PLAYBOOKS).some((b) => b.id === pb.id))
      throw new HttpError(409, "conflict", `${pb.id} is a built-in playbook's id`, "body.text");
    const info = {
      id: pb.id,
      name: pb.name,
      description: pb.description ?? "",
      modified: pb.modified,
      sha256: sha256(text),
      steps: stepsOf(pb),
    };
    await this.store.cases.putPlaybook({ ...info, json: text }, actor);
    return { ...info, builtIn: false, scenario: null };
  }

  /** [PBK-7] Runs a playbook in a case: binds it to the case's model and creates one task per action step. */
  async runPlaybook(id: string, ref: string, actor: Actor): Promise<CaseTask[]> {
    const c = await this.get(id);
    if (c.status === "closed")
      throw new HttpError(409, "conflict", `case ${id} is closed; a closed case does not change`);
    const model = await this.modelOf(c);
    if (!model) throw new HttpError(409, "conflict", `model ${c.modelId} version ${c.version} is no longer stored`);
    const pb = await this.resolvePlaybook(ref, "body.playbook");
    const rec = await this.store.cases.records(id);
    const r = caseImpact(model, rec.assets, this.now(), indexOf(model));
    const services = new Set(r.ok ? r.impact.services.map((s) => s.id) : []);
    const b = bindPlaybook(pb.playbook, model, indexOf(model), { text: pb.text, file: pb.file, services });
    if (!b.ok) throw invalidPlaybook(b.issues, "body.playbook");
    const tasks: NewTask[] = b.steps.map((s) => ({
      title: s.name,
      description: s.description,
      instructions: s.instructions,
      playbookId: pb.info.id,
      stepId: s.stepId,
      phase: s.phase ?? null,
      role: s.role,
      responsible: s.raci.responsible,
      accountable: s.raci.accountable,
      consulted: s.raci.consulted,
      informed: s.raci.informed,
      assets: s.assets,
    }));
    return guard(this.store.cases.addTasks(id, tasks, { playbookId: pb.info.id, name: pb.info.name }, actor));
  }
}
