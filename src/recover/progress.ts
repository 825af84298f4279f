/** Progress files for re-planning [RCV-6]: repairs reported done, and the time of re-planning. Located errors. */
import { z } from "zod";
import type { Completion } from "../contracts/recover.ts";
import { formatPath, type ModelIssue } from "../model/issues.ts";
import { Id, Time } from "../model/primitives.ts";
import { locate, offsetOf, parseYaml } from "../model/source.ts";
import { convertZodIssues } from "../model/zod-issues.ts";

const ProgressSchema = z.strictObject({
  now: Time.optional(),
  done: z.array(z.strictObject({ id: Id, at: Time })).default([]),
});

export function parseProgress(
  file: string,
  text: string,
): { ok: true; now?: number; done: Completion[] } | { ok: false; issues: ModelIssue[] } {
  const p = parseYaml(file, text);
  if ("error" in p) return { ok: false, issues: [{ severity: "error", path: "", ...p.error }] };
  const r = ProgressSchema.safeParse(p.source.data ?? {}, { reportInput: true });
  if (!r.success)
    return {
      ok: false,
      issues: convertZodIssues(r.error.issues, []).map((i) => {
        const l = locate(p.source, i.path.length ? offsetOf(p.source, p.source.data, i.path, i.atKey) : 0);
        return {
          severity: "error",
          code: i.code,
          file,
          line: l.line,
          column: l.column,
          path: formatPath(i.path),
          message: i.message,
        };
      }),
    };
  return { ok: true, now: r.data.now, done: r.data.done };
}
