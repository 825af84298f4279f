/**
 * A service's disaster recovery plan (docs/recover.md, [DRP-1]..[DRP-4]): what it needs in restoration order,
 * its objectives, fallback and ride-through buffers, the people to call, scenario-derived playbook steps, and
 * the simulated odds of meeting each objective over the built-in scenarios that touch it. Pure and seeded.
 */
import type { DisasterRecoveryPlan, RecoveryPlan } from "../contracts/recover.ts";
import { serviceWeight } from "../model/consequence.ts";
import { buildIndex, type CityIndex } from "../model/graph.ts";
import { nearest } from "../model/issues.ts";
import type { CityModel } from "../model/model.ts";
import { formatDuration } from "../model/primitives.ts";
import { workflowOrder } from "../respond/binding.ts";
import { BUILT_IN_PLAYBOOKS } from "../respond/library.ts";
import { OBJ_KINDS } from "../simulate/bind.ts";
import { SetRunner } from "../simulate/chunk.ts";
import { BUILT_IN, BUILT_IN_IDS } from "../simulate/library.ts";
import { planRestoration } from "./plan.ts";
import { buildProblem } from "./problem.ts";

/** [DRP-1] Every asset the service needs, through any chain of requirements (services followed through). */
export function neededAssets(index: CityIndex, svcNode: number): number[] {
  const A = index.assetCount;
  const seen = new Uint8Array(index.nodeCount);
  const stack = [svcNode];
  seen[svcNode] = 1;
  const out: number[] = [];
  while (stack.length) {
    const n = stack.pop() as number;
    for (let r = index.reqStart[n]; r < index.reqStart[n + 1]; r++)
      for (let m = index.memberStart[r]; m < index.memberStart[r + 1]; m++) {
        const x = index.members[m];
        if (seen[x]) continue;
        seen[x] = 1;
        stack.push(x);
        if (x < A) out.push(x);
      }
  }
  return out.sort((a, b) => a - b);
}

export type DrpOptions = { runs: number; seed: number; exactMax?: number };

export function disasterRecoveryPlan(
  model: CityModel,
  serviceId: string,
  opts: DrpOptions,
): { ok: true; drp: DisasterRecoveryPlan; plan: RecoveryPlan } | { ok: false; message: string } {
  const svc = model.services.find((s) => s.id === serviceId);
  if (!svc) {
    const guess = nearest(
      serviceId,
      model.services.map((s) => s.id),
    );
    return { ok: false, message: `unknown service "${serviceId}"${guess ? `; did you mean ${guess}?` : ""}` };
  }
  const index = buildIndex(model);
  const A = index.assetCount;
  const sn = index.nodeOf.get(svc.id) as number;
  const slot = sn - A;
  const needed = neededAssets(index, sn);
  const notes: string[] = [];
  // [DRP-1] restoration order: the plan with everything the service needs down at once
  const pb = buildProblem({
    model,
    index,
    down: needed.map((a) => ({ id: model.assets[a].id })),
    downParameter: "service",
  });
  if (!pb.ok)
    return {
      ok: false,
      message: pb.errors[0]?.message ?? pb.issues[0]?.message ?? "cannot build the restoration problem",
    };
  const plan = planRestoration(pb.problem, {
    exactMax: opts.exactMax,
    // a binder document, not a live plan: a smaller search than `recover plan`'s
    searchEvals: 300,
    notes: ["down set: every asset the service needs, all down at once"],
  });
  const own = plan.services.find((s) => s.id === svc.id);
  const steps = plan.tasks
    .slice()
    .sort((a, b) => a.finish - b.finish || a.start - b.start)
    .map((t, k) => ({
      order: k + 1,
      asset: t.id,
      name: t.name,
      kind: t.kind,
      crew: t.crew,
      start: t.start,
      finish: t.finish,
      duration: t.duration,
    }));
  // [DRP-2] buffers of the service's own requirements
  const buffers: DisasterRecoveryPlan["buffers"] = [];
  for (let r = index.reqStart[sn]; r < index.reqStart[sn + 1]; r++)
    if (index.reqBuffer[r] > 0) {
      const members: string[] = [];
      for (let m = index.memberStart[r]; m < index.memberStart[r + 1]; m++)
        members.push(index.nodeId[index.members[m]]);
      buffers.push({ members, hours: index.reqBuffer[r], degrade: index.reqDegrade[r] });
    }
  // [DRP-3] people: responsible for the service, then overall leads; with their backups
  const byId = new Map<string, (typeof model.people)[number]>(model.people.map((p) => [p.id, p]));
  const people: DisasterRecoveryPlan["people"] = [];
  for (const p of model.people)
    if (p.responsible.includes(svc.id))
      people.push({
        id: p.id,
        name: p.name,
        role: p.role,
        why: `responsible for ${svc.name}`,
        backup: p.backup ? (byId.get(p.backup)?.name ?? p.backup) : null,
      });
  for (const p of model.people)
    if (p.responsible.includes("all") && !p.responsible.includes(svc.id))
      people.push({
        id: p.id,
        name: p.name,
        role: p.role,
        why: "overall lead",
        backup: p.backup ? (byId.get(p.backup)?.name ?? p.backup) : null,
      });
  if (people.length === 0) notes.push("the model names no one responsible for this service (people[].responsible)");
  // [DRP-4] odds over the built-in scenarios that touch the service
  const neededMask = new Uint8Array(index.nodeCount);
  for (const a of needed) neededMask[a] = 1;
  neededMask[sn] = 1;
  const o = svc.objectives;
  const kinds: { kind: string; target: number; level?: number }[] = [];
  if (o?.rto !== undefined) kinds.push({ kind: "rto", target: o.rto });
  if (o?.mtd !== undefined) kinds.push({ kind: "mtd", target: o.mtd });
  for (const r of o?.restore ?? []) kinds.push({ kind: "restore", target: r.within, level: r.level });
  if (o?.rpo !== undefined) kinds.push({ kind: "rpo", target: o.rpo });
  const metTotal = new Float64Array(kinds.length);
  const byScenario: { scenario: string; probabilityMet: number }[][] = kinds.map(() => []);
  const touching: string[] = [];
  const playbook: DisasterRecoveryPlan["playbook"] = [];
  for (const id of BUILT_IN_IDS) {
    const runner = new SetRunner(model, BUILT_IN[id], `built-in:${id}`);
    const c = runner.compiled;
    const hits = new Set<number>();
    for (const e of c.events) for (const n of e.nodes) if (neededMask[n]) hits.add(n);
    const stepTargets: { label: string; action: string; assets: number[] }[] = [];
    for (const st of c.attack?.steps ?? []) {
      if (st.action === "compromise") continue;
      const assets: number[] = [];
      for (const a of st.list) if (neededMask[a]) assets.push(a);
      if (assets.length) stepTargets.push({ label: st.label, action: st.action, assets });
      for (const a of assets) hits.add(a);
    }
    if (hits.size === 0) continue;
    touching.push(id);
    const res = runner.runRange(opts.seed, 0, 0, opts.runs);
    const O = c.objSvc.length;
    kinds.forEach((k, q) => {
      let met = 0;
      for (let ob = c.objStart[slot]; ob < c.objStart[slot + 1]; ob++) {
        if (OBJ_KINDS[c.objKind[ob]] !== k.kind || c.objTarget[ob] !== k.target) continue;
        if (k.level !== undefined && c.objLevel[ob] !== k.level) continue;
        for (let r = 0; r < opts.runs; r++) met += res.met[r * O + ob];
        break;
      }
      metTotal[q] += met;
      byScenario[q].push({ scenario: id, probabilityMet: met / opts.runs });
    });
    const pol = c.containment;
    const name = (a: number) => model.assets[a].id;
    const list = (xs: number[]) =>
      xs.length > 6 ? `${xs.slice(0, 6).map(name).join(", ")} and ${xs.length - 6} more` : xs.map(name).join(", ");
    const own: string[] = [
      `Confirm the incident and call ${people[0]?.name ?? "the service owner"}; containment (${pol.scope}) is decided by ${pol.decidedBy}`,
    ];
    for (const t of stepTargets)
      own.push(
        `${t.label}${t.label === t.action ? "" : ` (${t.action})`} can reach ${list(t.assets)}: isolate, check and restore them`,
      );
    if (c.events.length) own.push(`scenario events take down ${list([...hits].filter((n) => n < A))}`);
    if (svc.fallback)
      own.push(
        `if the service stays below level ${svc.fallback.level} for ${formatDuration(svc.fallback.after)}, run the fallback (it lasts ${svc.fallback.lasts === undefined ? "indefinitely" : formatDuration(svc.fallback.lasts)})`,
      );
    own.push(
      `restore in the order above${o?.rto !== undefined ? `; the RTO is ${formatDuration(o.rto)} from the first loss` : ""}`,
    );
    own.push("verify the service is back at full level, then close and record the lessons");
    const pb = BUILT_IN_PLAYBOOKS[id];
    const steps = pb
      ? workflowOrder(pb)
          .map((k) => pb.workflow[k])
          .filter((st) => st && st.type !== "start" && st.type !== "end")
          .map((st) => (st.description ? `${st.name ?? st.type}: ${st.description}` : (st.name ?? st.type)))
      : [];
    playbook.push({ scenario: id, cacao: pb ? { id: pb.id, name: pb.name } : null, steps, serviceSteps: own });
  }
  notes.push(
    "playbook steps are derived from the built-in scenarios; the respond area's CACAO playbooks are not referenced yet",
  );
  const totalRuns = touching.length * opts.runs;
  return {
    ok: true,
    plan,
    drp: {
      service: {
        id: svc.id,
        name: svc.name,
        sector: svc.sector,
        population: svc.population,
        weight: serviceWeight(svc),
      },
      objectives: { rto: o?.rto ?? null, rpo: o?.rpo ?? null, mtd: o?.mtd ?? null },
      fallback: svc.fallback
        ? { level: svc.fallback.level, after: svc.fallback.after, lasts: svc.fallback.lasts ?? null }
        : null,
      buffers,
      restoration: {
        steps,
        restoredAt: own?.restoredAt ?? null,
        weightedLoss: plan.weightedLoss,
        lowerBound: plan.lowerBound,
        optimal: plan.optimal,
      },
      people,
      playbook,
      odds: {
        runs: opts.runs,
        seed: opts.seed,
        scenarios: touching,
        objectives: kinds.map((k, q) => ({
          ...k,
          probabilityMet: totalRuns > 0 ? metTotal[q] / totalRuns : null,
          byScenario: byScenario[q],
        })),
      },
      notes,
    },
  };
}
