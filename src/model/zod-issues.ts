/** Turns zod issues into messages that say what was expected and what was found. */
import type { z } from "zod";
import { nearest } from "./issues.ts";
import { describeValue } from "./primitives.ts";

export type RawIssue = { path: (string | number)[]; code: string; message: string; atKey?: boolean };

function fieldName(path: readonly PropertyKey[]): string {
  const last = path[path.length - 1];
  return typeof last === "number" ? `item ${last}` : String(last);
}

export function convertZodIssues(issues: readonly z.core.$ZodIssue[], base: (string | number)[]): RawIssue[] {
  const out: RawIssue[] = [];
  for (const iss of issues) {
    const path = [...base, ...(iss.path as (string | number)[])];
    const input = (iss as { input?: unknown }).input;
    switch (iss.code) {
      case "invalid_type": {
        if (input === undefined) {
          out.push({ path, code: "missing-field", message: `missing required field "${fieldName(path)}"` });
        } else {
          const custom = !iss.message.startsWith("Invalid input");
          out.push({
            path,
            code: "invalid-type",
            message: custom ? iss.message : `expected ${iss.expected}, found ${describeValue(input)}`,
          });
        }
        break;
      }
      case "unrecognized_keys": {
        for (const k of iss.keys) {
          const known = Object.keys((iss as { input?: Record<string, unknown> }).input ?? {});
          void known;
          out.push({
            path: [...path, k],
            code: "unknown-key",
            message: `unknown field "${k}" (fields starting with x- are free for your own use)`,
            atKey: true,
          });
        }
        break;
      }
      case "invalid_value": {
        const values = iss.values.map((v) => String(v));
        const guess = typeof input === "string" ? nearest(input, values) : undefined;
        const list = values.length > 12 ? `${values.slice(0, 12).join(", ")}, …` : values.join(", ");
        out.push({
          path,
          code: "invalid-value",
          message:
            values.length === 1
              ? iss.message.startsWith("Invalid input")
                ? `expected ${values[0]}, found ${describeValue(input)}`
                : iss.message
              : `expected one of ${list}; found ${describeValue(input)}${guess ? ` (did you mean ${guess}?)` : ""}`,
        });
        break;
      }
      case "invalid_union": {
        // Report the branch that went furthest when it is the only plausible one; otherwise a summary.
        const branches = (iss as { errors?: z.core.$ZodIssue[][] }).errors ?? [];
        const typeOnly = branches.every((b) => b.length === 1 && b[0].path.length === 0);
        if (!typeOnly) {
          const best = branches.filter((b) => b.some((i) => i.path.length > 0 || i.code !== "invalid_type"));
          if (best.length === 1) {
            out.push(...convertZodIssues(best[0], path));
            break;
          }
        }
        out.push({
          path,
          code: "invalid-value",
          message: `expected ${unionExpectation(path)}, found ${describeValue(input)}`,
        });
        break;
      }
      case "too_small":
      case "too_big": {
        const custom = !/^Too (small|big)/.test(iss.message);
        if (custom) out.push({ path, code: "out-of-range", message: iss.message });
        else {
          const bound = iss.code === "too_small" ? iss.minimum : iss.maximum;
          const incl = (iss as { inclusive?: boolean }).inclusive !== false;
          const op = iss.code === "too_small" ? (incl ? ">=" : ">") : incl ? "<=" : "<";
          const what = iss.origin === "array" ? "number of items" : iss.origin === "string" ? "length" : "value";
          out.push({
            path,
            code: "out-of-range",
            message: `expected ${what} ${op} ${String(bound)}, found ${describeValue(input)}`,
          });
        }
        break;
      }
      default: {
        const params = (iss as { params?: { rampart?: string } }).params;
        const code = params?.rampart ?? (iss.code === "invalid_format" ? "invalid-format" : "invalid");
        out.push({ path, code, message: iss.message });
      }
    }
  }
  return out;
}

function unionExpectation(path: (string | number)[]): string {
  const parent = path[path.length - 2];
  if (path[path.length - 1] === "version") return 'a version (a string such as "5.2")';
  if (path.includes("patch"))
    return "a patch operation {target, set: {...}}, {target, remove: true} or {target, add: [...]}";
  if (typeof parent === "string" || typeof path[path.length - 1] === "string")
    return "a duration such as 4h, or {uniform: [a, b]}, {triangular: [min, mode, max]} or {lognormal: {median, p90}}";
  return "a valid value";
}
