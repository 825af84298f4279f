/** The API from the browser: same-origin fetch, the CSRF token on every change, errors as messages. */

let csrf = "";
export function setCsrf(t: string) {
  csrf = t;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly parameter?: string,
  ) {
    super(message);
  }
}

export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
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
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!r.ok) throw new ApiError(r.status, json?.error?.message ?? `HTTP ${r.status}`, json?.error?.parameter);
  return json as T;
}

export type Me = { username: string; role: string; permissions: string[]; csrfToken: string };

/** Server-sent events with a parsed JSON data per event. Returns a closer. */
export function stream(path: string, handlers: Record<string, (data: any) => void>): () => void {
  const es = new EventSource(path, { withCredentials: true });
  for (const [ev, fn] of Object.entries(handlers))
    es.addEventListener(ev, (e) => fn(JSON.parse((e as MessageEvent).data)));
  return () => es.close();
}
