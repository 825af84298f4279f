/**
 * A TAXII 2.1 client ([SHR-16]): discovery or API root URL, then pull (objects with pagination) and push
 * (envelopes no larger than the API root's max_content_length, status followed until complete).
 * Talks to any TAXII 2.1 server; HTTP Basic when a user is given.
 */
import type { StixObject } from "../stix.ts";

export const TAXII_MEDIA = "application/taxii+json;version=2.1";

export class TaxiiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type ClientOptions = { user?: string; password?: string; fetch?: typeof fetch };

export type PushResult = { total: number; success: number; failure: number; pending: number; requests: number };

export class TaxiiClient {
  private root?: { url: string; maxContentLength: number };
  private readonly headers: Record<string, string>;
  private readonly fetch: typeof fetch;

  constructor(
    readonly serverUrl: string,
    opts: ClientOptions = {},
  ) {
    this.headers = { accept: TAXII_MEDIA };
    if (opts.user !== undefined)
      this.headers.authorization = `Basic ${Buffer.from(`${opts.user}:${opts.password ?? ""}`).toString("base64")}`;
    this.fetch = opts.fetch ?? fetch;
  }

  private async request(url: string, init: RequestInit = {}): Promise<unknown> {
    let res: Response;
    try {
      res = await this.fetch(url, { ...init, headers: { ...this.headers, ...(init.headers ?? {}) } });
    } catch (e) {
      throw new TaxiiError(0, `cannot reach ${url}: ${(e as Error).message}`);
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      throw new TaxiiError(res.status, `${url}: HTTP ${res.status}, not JSON`);
    }
    if (!res.ok) {
      const e = body as { title?: string; description?: string };
      throw new TaxiiError(
        res.status,
        `${url}: HTTP ${res.status}${e.title ? `: ${e.title}` : ""}${e.description ? ` (${e.description})` : ""}`,
      );
    }
    if (!/^application\/taxii\+json/.test(res.headers.get("content-type") ?? ""))
      throw new TaxiiError(res.status, `${url}: expected ${TAXII_MEDIA}, got ${res.headers.get("content-type")}`);
    return body;
  }

  /** The API root: the server URL itself, or the default (else first) root its discovery lists. */
  async apiRoot(): Promise<{ url: string; maxContentLength: number }> {
    if (this.root) return this.root;
    const base = this.serverUrl.endsWith("/") ? this.serverUrl : `${this.serverUrl}/`;
    const info = (await this.request(base)) as {
      api_roots?: string[];
      default?: string;
      max_content_length?: number;
    };
    let url = base;
    let maxContentLength = info.max_content_length;
    if (Array.isArray(info.api_roots) || info.default) {
      const pick = info.default ?? info.api_roots?.[0];
      if (!pick) throw new TaxiiError(404, `${base}: the server lists no API root`);
      url = new URL(pick, base).toString();
      if (!url.endsWith("/")) url += "/";
      maxContentLength = ((await this.request(url)) as { max_content_length?: number }).max_content_length;
    }
    this.root = { url, maxContentLength: maxContentLength && maxContentLength > 0 ? maxContentLength : 1 << 20 };
    return this.root;
  }

  private async objectsUrl(collection: string): Promise<string> {
    return `${(await this.apiRoot()).url}collections/${encodeURIComponent(collection)}/objects/`;
  }

  /** Every object of a collection (optionally added after a time), following `next` page by page. */
  async pull(collection: string, opts: { addedAfter?: string; limit?: number } = {}): Promise<StixObject[]> {
    const url = await this.objectsUrl(collection);
    const out: StixObject[] = [];
    let next: string | undefined;
    for (let page = 0; page < 100_000; page++) {
      const q = new URLSearchParams();
      if (opts.addedAfter) q.set("added_after", opts.addedAfter);
      q.set("limit", String(opts.limit ?? 1000));
      if (next) q.set("next", next);
      const env = (await this.request(`${url}?${q}`)) as { objects?: StixObject[]; more?: boolean; next?: string };
      out.push(...(env.objects ?? []));
      if (!env.more || !env.next) break;
      next = env.next;
    }
    return out;
  }

  /** Adds objects to a collection in envelopes under the server's size limit; waits for each status. */
  async push(collection: string, objects: readonly StixObject[]): Promise<PushResult> {
    const url = await this.objectsUrl(collection);
    const { maxContentLength } = await this.apiRoot();
    const r: PushResult = { total: 0, success: 0, failure: 0, pending: 0, requests: 0 };
    const limit = Math.max(1024, maxContentLength - 64);
    let chunk: string[] = [];
    let size = 16;
    const send = async () => {
      if (!chunk.length) return;
      const body = `{"objects":[${chunk.join(",")}]}`;
      chunk = [];
      size = 16;
      r.requests++;
      let s = (await this.request(url, {
        method: "POST",
        headers: { "content-type": TAXII_MEDIA },
        body,
      })) as {
        id: string;
        status: string;
        total_count: number;
        success_count: number;
        failure_count: number;
        pending_count: number;
      };
      for (let i = 0; s.status !== "complete" && i < 60; i++) {
        await new Promise((res) => setTimeout(res, 500));
        s = (await this.request(`${(await this.apiRoot()).url}status/${encodeURIComponent(s.id)}/`)) as typeof s;
      }
      r.total += s.total_count;
      r.success += s.success_count;
      r.failure += s.failure_count;
      r.pending += s.pending_count;
    };
    for (const o of objects) {
      const j = JSON.stringify(o);
      const n = Buffer.byteLength(j) + 1;
      if (n + 16 > limit)
        throw new TaxiiError(413, `object ${o.id} alone is larger than the server's limit of ${limit} bytes`);
      if (size + n > limit) await send();
      chunk.push(j);
      size += n;
    }
    await send();
    return r;
  }
}
