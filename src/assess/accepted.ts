/**
 * Accepted risks ([FND-3]): who accepts a finding's risk, why, and until when. Read from a file (CLI) or the store
 * (server); errors are data naming the entry and field.
 */
import type { AcceptedRisk } from "./types.ts";

export type AcceptedIssue = { path: string; message: string };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function validDate(s: string): boolean {
  return (
    DATE.test(s) &&
    !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) &&
    new Date(`${s}T00:00:00Z`).toISOString().startsWith(s)
  );
}

/** One accepted risk from parsed data, or the issues that make it invalid (paths below `at`). */
export function parseAcceptedRisk(v: unknown, at = ""): { risk?: AcceptedRisk; issues: AcceptedIssue[] } {
  const issues: AcceptedIssue[] = [];
  const p = (k: string) => (at ? `${at}.${k}` : k);
  if (v === null || typeof v !== "object" || Array.isArray(v))
    return {
      issues: [{ path: at || "(root)", message: "expected an object {rule, target?, owner, justification, expires}" }],
    };
  const o = v as Record<string, unknown>;
  const str = (k: string, required: boolean, max = 2000): string | undefined => {
    const x = o[k];
    if (x === undefined || x === null) {
      if (required) issues.push({ path: p(k), message: "required" });
      return undefined;
    }
    if (x instanceof Date) return x.toISOString().slice(0, 10);
    if (typeof x !== "string" || x.trim() === "" || x.length > max) {
      issues.push({ path: p(k), message: `expected a non-empty string of at most ${max} characters` });
      return undefined;
    }
    return x.trim();
  };
  const known = new Set(["rule", "target", "owner", "justification", "expires", "id", "acceptedBy", "acceptedAt"]);
  for (const k of Object.keys(o)) if (!known.has(k)) issues.push({ path: p(k), message: "unknown field" });
  const rule = str("rule", true, 200);
  const target = str("target", false, 300);
  const owner = str("owner", true, 200);
  const justification = str("justification", true);
  const expires = str("expires", true, 10);
  if (expires !== undefined && !validDate(expires))
    issues.push({ path: p("expires"), message: `expected a date YYYY-MM-DD, found "${expires}"` });
  const id = str("id", false, 100);
  const acceptedBy = str("acceptedBy", false, 200);
  const acceptedAt = str("acceptedAt", false, 40);
  if (issues.length || !rule || !owner || !justification || !expires) return { issues };
  return {
    risk: {
      rule,
      ...(target ? { target } : {}),
      owner,
      justification,
      expires,
      ...(id ? { id } : {}),
      ...(acceptedBy ? { acceptedBy } : {}),
      ...(acceptedAt ? { acceptedAt } : {}),
    },
    issues,
  };
}

/** A list of accepted risks (a list, or `{accepted: [...]}`). */
export function parseAcceptedRisks(data: unknown): { risks: AcceptedRisk[]; issues: AcceptedIssue[] } {
  const list =
    data && typeof data === "object" && !Array.isArray(data) && "accepted" in data
      ? (data as { accepted: unknown }).accepted
      : data;
  if (!Array.isArray(list))
    return {
      risks: [],
      issues: [{ path: "(root)", message: "expected a list of accepted risks, or {accepted: [...]}" }],
    };
  const risks: AcceptedRisk[] = [];
  const issues: AcceptedIssue[] = [];
  list.forEach((x, i) => {
    const r = parseAcceptedRisk(x, `accepted[${i}]`);
    if (r.risk) risks.push(r.risk);
    issues.push(...r.issues);
  });
  return { risks, issues };
}
