/**
 * The least-privilege matrix: each route names one permission; each role holds the permissions its work
 * needs and no more. docs/server.md shows this table; test/server/roles.test.ts checks it route by route.
 */
import type { Role } from "../store/types.ts";

export const PERMISSIONS = {
  "session.self": "see and end one's own session",
  "model.read": "list models and versions, read sources, diffs and the dependency graph",
  "model.write": "import a model version (upload), edit controls and people (each edit is a new version)",
  "model.import-path": "import a model from a path on the server",
  "model.delete": "delete a model with all its versions and results",
  "result.read": "read assessment and simulation results and job progress",
  "assessment.run": "run an assessment",
  "simulation.run": "start and cancel simulation jobs",
  "alert.read": "list alerts and follow the live alert stream",
  "alert.ack": "acknowledge an alert",
  "user.manage": "create, change and delete users",
  "audit.read": "read and verify the audit log",
  "twin.watch": "watch the live water twin (levels, pumps, attack timeline, ground truth)",
  "twin.run": "start and stop the live twin and launch attacks on its wire",
  "case.read": "list and read incident cases (impact, timeline, tasks, evidence) and playbooks",
  "case.work": "work a case: mark assets down or restored, add notes and evidence, finish tasks with their outcome",
  "case.manage": "open cases, move them through contained, eradicated and recovered, run playbooks, add tasks",
  "case.close": "close a recovered case",
  "playbook.write": "import and delete CACAO playbooks",
  "exercise.read": "follow tabletop exercises, their injects and decisions, reviews and lessons",
  "exercise.play": "join an exercise under a role and take decisions",
  "exercise.run": "create and facilitate exercises (injects, clock) and propose lessons",
} as const;
export type Permission = keyof typeof PERMISSIONS;

const READ: Permission[] = ["session.self", "model.read", "result.read", "alert.read", "case.read"];

export const MATRIX: Record<Role, readonly Permission[]> = {
  viewer: READ,
  operator: [...READ, "alert.ack", "twin.watch", "case.work", "exercise.read", "exercise.play"],
  analyst: [
    ...READ,
    "model.write",
    "assessment.run",
    "simulation.run",
    "twin.watch",
    "twin.run",
    "case.work",
    "case.manage",
    "playbook.write",
    "exercise.read",
    "exercise.play",
    "exercise.run",
  ],
  admin: Object.keys(PERMISSIONS) as Permission[],
};

export function allowed(role: Role, p: Permission): boolean {
  return MATRIX[role].includes(p);
}
