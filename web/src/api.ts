/**
 * The API from the browser: same-origin fetch, the CSRF token on every change, errors as messages. Calls are
 * keyed by the contract's endpoint ("GET /api/results/:id"), so parameters, bodies, answers and server-sent
 * events are typed by src/contracts/api.ts (imported type-only: no schema code reaches the bundle). In
 * development every answer is also checked against the contract's schema.
 */
import type { BodyIn, Endpoint, EndpointKey, EventsOf, QueryIn, ResponseOf } from "../../src/contracts/api.ts";

export type { Me } from "../../src/contracts/api.ts";

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

/** `:name` parameters of a path template. */
type ParamNames<S extends string> = S extends `${string}:${infer P}/${infer Rest}`
  ? P | ParamNames<`/${Rest}`>
  : S extends `${string}:${infer P}`
    ? P
    : never;
type PathOf<K extends string> = K extends `${string} ${infer U}` ? U : never;
type Params<K extends EndpointKey> = [ParamNames<PathOf<K>>] extends [never]
  ? { params?: undefined }
  : { params: Record<ParamNames<PathOf<K>>, string | number> };
type Query<K extends EndpointKey> =
  QueryIn<K> extends undefined
    ? { query?: undefined }
    : { query?: { [Q in keyof NonNullable<QueryIn<K>>]?: string | number | boolean } };
type Body<K extends EndpointKey> = undefined extends BodyIn<K> ? { body?: BodyIn<K> } : { body: BodyIn<K> };
export type CallOptions<K extends EndpointKey> = Params<K> & Query<K> & Body<K>;

/** The URL of an endpoint with its parameters filled in (each encoded) and its query appended. */
export function urlOf<K extends EndpointKey>(key: K, opts: { params?: object; query?: object } = {}): string {
  const path = key.slice(key.indexOf(" ") + 1);
  const params = (opts.params ?? {}) as Record<string, string | number>;
  const filled = path.replace(/:([A-Za-z]+)/g, (_, name: string) => encodeURIComponent(String(params[name])));
  const q = Object.entries(opts.query ?? {}).filter(([, v]) => v !== undefined);
  return q.length ? `${filled}?${new URLSearchParams(q.map(([k, v]) => [k, String(v)]))}` : filled;
}

/**
 * The server's answers are trusted in production; in development (`vite dev`) each answer is parsed with the
 * contract's response schema first, so a drift between server and contract shows at once.
 */
async function conforms<K extends EndpointKey>(key: K, json: unknown): Promise<boolean> {
  if (import.meta.env.DEV) {
    const { ENDPOINTS } = await import("../../src/contracts/api.ts");
    const e: Endpoint = ENDPOINTS[key];
    const r = e.response?.safeParse(json);
    if (r && !r.success) console.error(`${key}: the answer does not match the contract`, r.error);
  }
  return true;
}
function answer<K extends EndpointKey>(_key: K, _json: unknown, checked: boolean): _json is ResponseOf<K> {
  return checked;
}

export async function call<K extends EndpointKey>(
  key: K,
  ...[opts]: Partial<CallOptions<K>> extends CallOptions<K> ? [CallOptions<K>?] : [CallOptions<K>]
): Promise<ResponseOf<K>> {
  const method = key.slice(0, key.indexOf(" "));
  const body = (opts as { body?: unknown } | undefined)?.body;
  const headers: Record<string, string> = {};
  if (method !== "GET") headers["x-csrf-token"] = csrf;
  if (body !== undefined) headers["content-type"] = "application/json";
  const r = await fetch(urlOf(key, opts), {
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
  if (!answer(key, json, await conforms(key, json))) throw new ApiError(r.status, `${key}: unexpected answer`);
  return json;
}

/** Server-sent events of a streaming endpoint, each handler typed by its event's data. Returns a closer. */
export function stream<K extends EndpointKey>(
  key: K,
  opts: Params<K>,
  handlers: { [E in keyof EventsOf<K>]?: (data: EventsOf<K>[E]) => void },
): () => void {
  const es = new EventSource(urlOf(key, opts), { withCredentials: true });
  for (const [ev, fn] of Object.entries(handlers) as [string, (data: unknown) => void][])
    es.addEventListener(ev, (e) => fn(JSON.parse((e as MessageEvent).data)));
  return () => es.close();
}

/** The message of a located issue as the loader prints it: `file:line:col: message`. */
export function located(i: Issue): string {
  if (i.file) return `${i.file}:${i.line ?? 0}:${i.column ?? 0}: ${i.message}`;
  return i.parameter ? `${i.parameter}: ${i.message}` : i.message;
}
