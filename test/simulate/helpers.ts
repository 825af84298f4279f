/** Small builders for the simulator tests: a model and a scenario from plain objects or YAML. */
import yaml from "js-yaml";
import { type RawModel, validateRaw } from "../../src/model/load.ts";
import type { CityModel } from "../../src/model/model.ts";
import { SetRunner } from "../../src/simulate/chunk.ts";
import { parseScenarioObject } from "../../src/simulate/scenario.ts";

export function modelOf(raw: RawModel | string): CityModel {
  const r = (typeof raw === "string" ? yaml.load(raw, { schema: yaml.CORE_SCHEMA }) : raw) as RawModel;
  const errs: string[] = [];
  const m = validateRaw(r, (path, _c, msg) => errs.push(`${path.join(".")}: ${msg}`));
  if (!m) throw new Error(`test model invalid: ${errs.join("; ")}`);
  return m;
}

export function scenarioRaw(s: unknown): unknown {
  return typeof s === "string" ? yaml.load(s, { schema: yaml.CORE_SCHEMA }) : s;
}

/** One run of a scenario; per service person-hours and downtime, objectives met, by id. */
export function runOnce(model: CityModel, scenario: unknown, seed = 1, run = 0) {
  const raw = scenarioRaw(scenario);
  const p = parseScenarioObject(raw);
  if (!p.ok) throw new Error(p.issues.map((i) => i.message).join("; "));
  const runner = new SetRunner(model, raw, "<test>");
  const r = runner.runRange(seed, 0, run, run + 1);
  const c = runner.compiled;
  const ph: Record<string, number> = {};
  const down: Record<string, number> = {};
  const first: Record<string, number> = {};
  let total = 0;
  model.services.forEach((s, i) => {
    ph[s.id] = r.personHours[i];
    down[s.id] = r.downtime[i];
    first[s.id] = r.firstLoss[i];
    total += r.personHours[i];
  });
  const met: Record<string, boolean> = {};
  for (let o = 0; o < c.objSvc.length; o++) {
    const svc = model.services[c.objSvc[o]].id;
    const kind = ["rto", "mtd", "restore", "rpo"][c.objKind[o]];
    met[`${svc}.${kind}${kind === "restore" ? `@${c.objLevel[o]}/${c.objTarget[o]}h` : ""}`] = r.met[o] === 1;
  }
  return { ph, down, first, total, met, end: r.endTime[0], trace: runner.trace(seed, run), result: r };
}

export const HEADER = `
rampart: 1
city: { name: Testville, population: 10000 }
zones: [ { id: z } ]
`;

export function asset(id: string, extra = ""): string {
  return `  - { id: ${id}, name: ${id}, kind: server, layer: it, zone: z${extra ? `, ${extra}` : ""} }\n`;
}

export const IMPACT = "impact: { confidentiality: low, integrity: low, availability: high }";
