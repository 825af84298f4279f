/**
 * Puts a twin scenario together from texts already read (no I/O here): network, .cpa, optional patterns.
 */
import { type CpaSpec, parseCpa, parsePatterns } from "./cpa.ts";
import type { TwinIssue, TwinResult } from "./errors.ts";
import { type NetworkSpec, parseInp } from "./inp.ts";

export interface ScenarioTexts {
  network: { file: string; text: string };
  cpa: { file: string; text: string };
  patterns?: { file: string; text: string };
}

export interface Scenario {
  network: NetworkSpec;
  inpText: string;
  cpa: CpaSpec;
  patterns?: number[][];
}

export function buildScenario(t: ScenarioTexts): TwinResult<Scenario> {
  const issues: TwinIssue[] = [];
  const net = parseInp(t.network.text, t.network.file);
  if (!net.ok) issues.push(...net.issues);
  const cpa = parseCpa(t.cpa.text, t.cpa.file);
  if (!cpa.ok) issues.push(...cpa.issues);
  let patterns: number[][] | undefined;
  if (t.patterns) {
    const p = parsePatterns(t.patterns.text, t.patterns.file);
    if (!p.ok) issues.push(...p.issues);
    else patterns = p.value;
  }
  if (!net.ok || !cpa.ok || issues.length) return { ok: false, issues };
  return { ok: true, value: { network: net.value, inpText: t.network.text, cpa: cpa.value, patterns } };
}
