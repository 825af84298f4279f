/** Errors are data: they name where (file:line:col, or an MQTT topic) and what was expected. */
export interface DetectIssue {
  code: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
  path?: string;
  topic?: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; issues: DetectIssue[] };

export function formatIssue(i: DetectIssue): string {
  let where = "";
  if (i.file !== undefined) {
    where = i.file;
    if (i.line !== undefined) where += `:${i.line}`;
    if (i.column !== undefined) where += `:${i.column}`;
    where += ": ";
  } else if (i.topic !== undefined) {
    where = `topic ${i.topic}: `;
  } else if (i.path !== undefined) {
    where = `${i.path}: `;
  }
  return `${where}${i.code}: ${i.message}`;
}
