/**
 * The case status workflow ([CASE-6], [CASE-7]) and who of the model's people takes a task ([CASE-8]). Pure.
 */

import { CaseStatus, type TaskStatus } from "../contracts/cases.ts";
import type { CityModel } from "../model/model.ts";
import type { Person } from "../model/party.ts";

export type { TaskStatus };
export const CASE_STATUSES = CaseStatus.options;

/** What the transition check needs to know about a case. */
export type CaseState = { status: CaseStatus; assetsDown: number; openTasks: number };

/**
 * [CASE-6] The one legal move from each status is to the next one; nothing moves back or skips, and a
 * closed case does not move. [CASE-7] `recovered` needs no asset still down; `closed` needs every task
 * finished (done, failed or skipped). Returns null when allowed, else why not.
 */
export function transitionError(c: CaseState, to: CaseStatus): string | null {
  const from = CASE_STATUSES.indexOf(c.status);
  const next = CASE_STATUSES[from + 1];
  if (c.status === "closed") return "the case is closed; a closed case does not change";
  if (to !== next)
    return `a case that is ${c.status} can only become ${next} (not ${to}); statuses go ${CASE_STATUSES.join(" → ")}`;
  if (to === "recovered" && c.assetsDown > 0)
    return `${c.assetsDown} asset${c.assetsDown === 1 ? " is" : "s are"} still down; restore ${c.assetsDown === 1 ? "it" : "them"} before marking the case recovered`;
  if (to === "closed" && c.openTasks > 0)
    return `${c.openTasks} task${c.openTasks === 1 ? " is" : "s are"} still open; finish, fail or skip ${c.openTasks === 1 ? "it" : "them"} before closing`;
  return null;
}

/** [CASE-8] RACI of a task: people of the model by id (responsible, accountable: one each; others: lists). */
export type Raci = { responsible: string; accountable: string; consulted: string[]; informed: string[] };

/**
 * [CASE-8] The person of a set who takes a task about `services`: one responsible for one of those services
 * first, then an overall lead (`responsible: [all]`), then the first in model order; null for an empty set.
 */
export function pickPerson(people: readonly Person[], services: ReadonlySet<string>): Person | null {
  return (
    people.find((p) => p.responsible.some((s) => services.has(s))) ??
    people.find((p) => p.responsible.includes("all")) ??
    people[0] ??
    null
  );
}

/** The model's people whose role is `role` (case-insensitive, spaces trimmed). */
export function peopleWithRole(model: CityModel, role: string): Person[] {
  const r = role.trim().toLowerCase();
  return model.people.filter((p) => p.role.trim().toLowerCase() === r);
}
