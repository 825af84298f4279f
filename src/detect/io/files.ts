/** Reading detection inputs from files: errors come back as data naming the file. */
import { existsSync, readFileSync } from "node:fs";
import { parseJsonText } from "../../model/limits.ts";
import type { DetectorModel } from "../engine.ts";
import type { Result } from "../errors.ts";
import { checkModel } from "../pipeline.ts";

export function readTextFile(file: string): Result<string> {
  if (!existsSync(file)) return { ok: false, issues: [{ code: "FILE_NOT_FOUND", message: "no such file", file }] };
  try {
    return { ok: true, value: readFileSync(file, "utf8") };
  } catch (e) {
    return {
      ok: false,
      issues: [{ code: "FILE_UNREADABLE", message: (e as NodeJS.ErrnoException).code ?? "cannot read", file }],
    };
  }
}

/** A trained detector file (JSON written by `detect train`), checked. */
export function readDetectorFile(file: string): Result<DetectorModel> {
  const text = readTextFile(file);
  if (!text.ok) return text;
  // [LIM-3] depth and size bounded, located
  const p = parseJsonText(file, text.value);
  if ("error" in p) {
    const { line, column, message } = p.error;
    return {
      ok: false,
      issues: [{ code: "DETECTOR_JSON", message: `not valid JSON: ${message}`, file, line, column }],
    };
  }
  return checkModel(p.data, file);
}
