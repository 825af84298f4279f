/**
 * Binding a CACAO playbook to a city model ([PBK-3], [PBK-4]): agents become the model's people by role,
 * steps' asset selectors become assets (the scenarios' selectors, bound by src/simulate/bind.ts), and the
 * workflow becomes the ordered list of steps a case runs as tasks. Unknown roles, assets, zones and vendors
 * are errors at their JSON pointer and line:col. Pure.
 */
import { z } from "zod";
import type { CityIndex } from "../model/graph.ts";
import { nearest } from "../model/issues.ts";
import type { CityModel } from "../model/model.ts";
import type { Person } from "../model/party.ts";
import { Sector } from "../model/primitives.ts";
import { assetSelector } from "../simulate/bind.ts";
import { Selector } from "../simulate/scenario.ts";
import { locator, type Playbook, type PlaybookIssue, stepRefs } from "./cacao.ts";
import { pickPerson, type Raci } from "./workflow.ts";

/** Rampart's CACAO extension: how agents name the model's people and steps name its assets. */
export const RAMPART_EXTENSION = "extension-definition--2f6b1c84-7d3e-5a0b-9c41-6e5d0a7b3f12";
export const RAMPART_EXTENSION_DEFINITION = {
  type: "extension-definition",
  name: "rampart-binding",
  description:
    "Binds a playbook to a Rampart city model: agents name people by role (roles, role keywords, sectors they answer for, or the overall lead), steps name assets with the selectors of Rampart scenarios and the RACI of each step.",
  created_by: "identity--8c3f1a52-0b6e-5d47-a9e2-4f1b7c6d2e90",
  schema: "https://github.com/rampart-city/rampart/blob/main/docs/respond.md#the-rampart-extension",
  version: "1.0.0",
};

/**
 * [PBK-3] An agent's binding to people. Fields are ANDed: a person matches when their role is one of
 * `roles` (case-insensitive), contains one of `keywords` as a word, answers for a service of one of
 * `sectors` (or for all), and answers for all when `overall`. An agent without the extension binds by its
 * `name` as a role.
 */
export const AgentBinding = z.strictObject({
  roles: z.array(z.string().min(1)).min(1).optional(),
  keywords: z.array(z.string().min(1)).min(1).optional(),
  sectors: z.array(Sector).min(1).optional(),
  overall: z.boolean().optional(),
});
export type AgentBinding = z.infer<typeof AgentBinding>;

/** [PBK-4] A step's RACI beyond its agent (the responsible), its assets and its phase. */
export const StepBinding = z.strictObject({
  accountable: z.string().min(1).optional(),
  consulted: z.array(z.string().min(1)).optional(),
  informed: z.array(z.string().min(1)).optional(),
  targets: z.union([Selector, z.array(Selector).min(1)]).optional(),
  phase: z.enum(["contain", "eradicate", "recover", "review"]).optional(),
});
export type StepBinding = z.infer<typeof StepBinding>;

export type BoundStep = {
  stepId: string;
  name: string;
  description: string;
  /** The manual commands' text, joined. */
  instructions: string;
  phase: StepBinding["phase"] | null;
  /** Role names (as the model writes them) of the responsible and the accountable. */
  role: string;
  raci: Raci;
  assets: string[];
};

export type BindPlaybookResult = { ok: true; steps: BoundStep[] } | { ok: false; issues: PlaybookIssue[] };

/** A binding error's message; a selector that matches no form gets the selector's fields named. */
function zodMessage(i: z.core.$ZodIssue): string {
  if (i.code === "invalid_union")
    return "expected an asset selector (or a list of them) with fields assets, kind, layer, zone, sector, exposed, monitored, vendor";
  if (i.code === "unrecognized_keys") return `unknown field "${i.keys[0]}"`;
  return i.message;
}

const esc = (k: string) => k.replace(/~/g, "~0").replace(/\//g, "~1");
const words = (s: string) => s.toLowerCase().split(/[^a-z0-9]+/);

function matches(p: Person, b: AgentBinding, sectorOf: Map<string, string>): boolean {
  const role = p.role.trim().toLowerCase();
  if (b.roles && !b.roles.some((r) => r.trim().toLowerCase() === role)) return false;
  if (b.keywords) {
    const w = words(p.role);
    if (!b.keywords.some((k) => w.includes(k.toLowerCase()))) return false;
  }
  if (b.overall && !p.responsible.includes("all")) return false;
  if (b.sectors && !p.responsible.some((s) => s === "all" || b.sectors?.includes(sectorOf.get(s) as never)))
    return false;
  return true;
}

/** The workflow's steps in the order a case runs them: breadth-first from workflow_start, each once. */
export function workflowOrder(pb: Playbook): string[] {
  const order: string[] = [];
  const seen = new Set<string>([pb.workflow_start]);
  const queue = [pb.workflow_start];
  while (queue.length) {
    const id = queue.shift() as string;
    order.push(id);
    const step = pb.workflow[id];
    if (!step) continue;
    for (const r of stepRefs(step))
      if (!seen.has(r.ref)) {
        seen.add(r.ref);
        queue.push(r.ref);
      }
  }
  return order;
}

/**
 * [PBK-3] [PBK-4] Binds a valid playbook to a model. `services`: the services the case has at risk (people
 * who answer for one of them are preferred, [CASE-8]). `text` locates issues.
 */
export function bindPlaybook(
  pb: Playbook,
  model: CityModel,
  index: CityIndex,
  opts: { text: string; file: string; services?: ReadonlySet<string> },
): BindPlaybookResult {
  const where = locator(opts.file, opts.text);
  const issues: PlaybookIssue[] = [];
  const add = (path: string, code: string, message: string) =>
    issues.push({ severity: "error", code, ...where(path), path, message });
  const sectorOf = new Map(model.services.map((s) => [s.id as string, s.sector as string]));
  const roles = [...new Set(model.people.map((p) => p.role))];
  const caseServices = opts.services ?? new Set<string>();

  // agents -> people
  const agentPeople = new Map<string, Person[]>();
  for (const [id, agent] of Object.entries(pb.agent_definitions ?? {})) {
    const base = `/agent_definitions/${esc(id)}`;
    const ext = agent.agent_target_extensions?.[RAMPART_EXTENSION];
    let binding: AgentBinding;
    let path = `${base}/name`;
    if (ext === undefined) binding = { roles: [agent.name] };
    else {
      path = `${base}/agent_target_extensions/${esc(RAMPART_EXTENSION)}`;
      const r = AgentBinding.safeParse(ext);
      if (!r.success) {
        const i = r.error.issues[0];
        add(`${path}/${i.path.map((p) => esc(String(p))).join("/")}`.replace(/\/$/, ""), "bad-binding", zodMessage(i));
        continue;
      }
      binding = r.data;
      if (binding.roles) path = `${path}/roles`;
    }
    const people = model.people.filter((p) => matches(p, binding, sectorOf));
    if (people.length === 0) {
      if (binding.roles && !binding.keywords && !binding.sectors && !binding.overall) {
        const guess = nearest(binding.roles[0], roles);
        add(
          path,
          "unknown-role",
          `no person in the model has the role "${binding.roles.join('" or "')}" (agent "${agent.name}")${guess ? `; did you mean "${guess}"?` : ""}`,
        );
      } else
        add(
          path,
          "unknown-role",
          `no person in the model matches agent "${agent.name}" (${JSON.stringify(binding)}); the model's roles: ${roles.slice(0, 8).join(", ") || "none"}`,
        );
      continue;
    }
    agentPeople.set(id, people);
  }

  const selector = assetSelector(model, index, (p, code, message) =>
    add(`/${p.map((x) => esc(String(x))).join("/")}`, code, message),
  );
  const steps: BoundStep[] = [];
  for (const stepId of workflowOrder(pb)) {
    const step = pb.workflow[stepId];
    if (!step || (step.type !== "action" && step.type !== "playbook-action")) continue;
    const base = `/workflow/${esc(stepId)}`;
    const extPath = `${base}/step_extensions/${esc(RAMPART_EXTENSION)}`;
    const extRaw = step.step_extensions?.[RAMPART_EXTENSION];
    let ext: StepBinding = {};
    if (extRaw !== undefined) {
      const r = StepBinding.safeParse(extRaw);
      if (!r.success) {
        const i = r.error.issues[0];
        add(
          `${extPath}/${i.path.map((p) => esc(String(p))).join("/")}`.replace(/\/$/, ""),
          "bad-binding",
          zodMessage(i),
        );
        continue;
      }
      ext = r.data;
    }
    let assets: string[] = [];
    if (ext.targets) {
      const sel = selector.select(ext.targets, ["workflow", stepId, "step_extensions", RAMPART_EXTENSION, "targets"]);
      assets = Array.from(sel.list, (a) => index.nodeId[a]);
    }
    const services = new Set(caseServices);
    for (const a of assets) {
      const n = index.nodeOf.get(a) as number;
      for (let k = selector.assetSvcStart[n]; k < selector.assetSvcStart[n + 1]; k++)
        services.add(model.services[selector.assetSvc[k]].id);
    }
    const person = (agentId: string | undefined, path: string): Person | null => {
      if (agentId === undefined) return null;
      if (!pb.agent_definitions?.[agentId]) {
        add(path, "unknown-agent", `no agent "${agentId}" in agent_definitions`);
        return null;
      }
      const people = agentPeople.get(agentId);
      return people ? pickPerson(people, services) : null; // unbound: already reported
    };
    const responsible = person(step.agent, `${base}/agent`);
    const accountable = person(ext.accountable, `${extPath}/accountable`) ?? responsible;
    const consulted = (ext.consulted ?? []).map((a, j) => person(a, `${extPath}/consulted/${j}`));
    const informed = (ext.informed ?? []).map((a, j) => person(a, `${extPath}/informed/${j}`));
    if (step.type === "action" && !responsible) continue; // the schema requires an agent; its binding failed
    const lead = responsible ?? model.people.find((p) => p.responsible.includes("all")) ?? model.people[0];
    if (!lead) {
      add(base, "no-people", "the model has no people to assign this step to");
      continue;
    }
    const ids = (xs: (Person | null)[]) => [...new Set(xs.filter((x): x is Person => !!x).map((x) => x.id))];
    steps.push({
      stepId,
      name: step.name ?? stepId,
      description: step.description ?? "",
      instructions: (step.commands ?? [])
        .map((c) => c.command ?? "")
        .filter(Boolean)
        .join("\n"),
      phase: ext.phase ?? null,
      role: lead.role,
      raci: {
        responsible: lead.id,
        accountable: (accountable ?? lead).id,
        consulted: ids(consulted),
        informed: ids(informed),
      },
      assets,
    });
  }
  if (issues.length) return { ok: false, issues: issues.sort((a, b) => a.line - b.line || a.column - b.column) };
  return { ok: true, steps };
}
