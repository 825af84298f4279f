/** The API from the browser: same-origin fetch, the CSRF token on every change, errors as messages. */

let csrf = "";
export function setCsrf(t: string) {
  csrf = t;
}

/** A located problem the server returned (model loader issues, parameter issues). */
export type Issue = {
  parameter?: string;
  file?: string;
  line?: number;
  column?: number;
  path?: string;
  message: string;
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly parameter?: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
  }
}

type ErrorJson = { error?: { message?: string; parameter?: string; issues?: Issue[] } };

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (method !== "GET") headers["x-csrf-token"] = csrf;
  if (body !== undefined) headers["content-type"] = "application/json";
  const r = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const text = await r.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!r.ok) {
    const e = (json as ErrorJson | undefined)?.error;
    throw new ApiError(r.status, e?.message ?? `HTTP ${r.status}`, e?.parameter, e?.issues ?? []);
  }
  return json as T;
}

export type Me = { username: string; role: string; permissions: string[]; csrfToken: string };

/** Server-sent events with a parsed JSON data per event. Returns a closer. */
export function stream(path: string, handlers: Record<string, (data: unknown) => void>): () => void {
  const es = new EventSource(path, { withCredentials: true });
  for (const [ev, fn] of Object.entries(handlers))
    es.addEventListener(ev, (e) => fn(JSON.parse((e as MessageEvent).data)));
  return () => es.close();
}

/** The message of a located issue as the loader prints it: `file:line:col: message`. */
export function located(i: Issue): string {
  if (i.file) return `${i.file}:${i.line ?? 0}:${i.column ?? 0}: ${i.message}`;
  return i.parameter ? `${i.parameter}: ${i.message}` : i.message;
}
