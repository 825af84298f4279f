/** Shared form pieces: errors shown next to the field they name. */
import { ApiError, located } from "../api.ts";

/** Field name -> message, from an API refusal (`body.password`, or a model issue path `controls[3].status`). */
export type FieldErrors = Record<string, string>;

export function fieldErrors(e: unknown): { fields: FieldErrors; general: string; issues: string[] } {
  const fields: FieldErrors = {};
  if (!(e instanceof ApiError)) return { fields, general: String((e as Error)?.message ?? e), issues: [] };
  const put = (name: string | undefined, message: string) => {
    if (name && !fields[name]) fields[name] = message;
  };
  for (const i of e.issues) {
    if (i.parameter) put(/^body\.([a-zA-Z_]+)/.exec(i.parameter)?.[1], i.message);
    else if (i.path) put(/^[a-z_]+\[\d+\]\.([a-z_]+)/.exec(i.path)?.[1], i.message);
  }
  const located_ = e.issues.filter((i) => i.file && i.line).map(located);
  // a refused model names body.files: its located issues are the message, listed on their own
  if (e.parameter && !located_.length)
    put(/^(?:body|path)\.([a-zA-Z_]+)/.exec(e.parameter)?.[1], e.message.replace(/^[^:]*: /, ""));
  const general = Object.keys(fields).length || located_.length ? "" : e.message;
  return { fields, general, issues: located_ };
}

export function FieldError({ errors, name }: { errors: FieldErrors; name: string }) {
  const m = errors[name];
  return m ? (
    <span className="field-error" role="alert" data-field={name}>
      {m}
    </span>
  ) : null;
}
