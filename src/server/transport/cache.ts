/** Finished results kept compressed and sent with the encoding a client accepts. */
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { brotliCompress, gzip, constants as zc } from "node:zlib";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ResultInfo } from "../../contracts/jobs.ts";
import { pickEncoding } from "./encoding.ts";

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

export type Ready = { plain: Buffer; gz: Buffer; br: Buffer | null; etag: string };

/**
 * Finished results, ready to send: plain, gzip (level 9) and brotli (quality 11 up to 8 MiB, made in the
 * background: gzip is served until it is ready), bounded by total size. Compression runs on libuv's thread
 * pool, never on the event loop.
 */
export class ResultCache {
  private readonly map = new Map<string, Ready>();
  private readonly pending = new Map<string, Promise<Ready>>();
  private bytes = 0;
  constructor(private readonly maxBytes = 256 * 1024 * 1024) {}
  get(id: string): Ready | undefined {
    return this.map.get(id);
  }
  /** Compresses and keeps `text` (once, however many readers ask at the same time). */
  put(id: string, text: string): Promise<Ready> {
    const busy = this.pending.get(id);
    if (busy) return busy;
    const p = this.make(id, text).finally(() => this.pending.delete(id));
    this.pending.set(id, p);
    return p;
  }
  private async make(id: string, text: string): Promise<Ready> {
    const plain = Buffer.from(text);
    const gz = await gzipAsync(plain, { level: 9 });
    const e: Ready = {
      plain,
      gz,
      br: null,
      etag: createHash("sha256").update(plain).digest("base64url").slice(0, 27),
    };
    const size = plain.length + gz.length;
    if (size > this.maxBytes / 4) return e;
    while (this.bytes + size > this.maxBytes && this.map.size) this.evictOldest();
    this.map.set(id, e);
    this.bytes += size;
    const quality = plain.length <= 8 * 1024 * 1024 ? 11 : 5;
    brotliAsync(plain, {
      params: { [zc.BROTLI_PARAM_QUALITY]: quality, [zc.BROTLI_PARAM_SIZE_HINT]: plain.length },
    }).then(
      (br) => {
        if (this.map.get(id) !== e) return;
        e.br = br;
        this.bytes += br.length;
      },
      () => {},
    );
    return e;
  }
  private evictOldest() {
    const [k, v] = this.map.entries().next().value as [string, Ready];
    this.map.delete(k);
    this.bytes -= v.plain.length + v.gz.length + (v.br?.length ?? 0);
  }
  clear() {
    this.map.clear();
    this.bytes = 0;
  }
}

/** Sends a ready result: 304 when the browser has it, else the smallest encoding it accepts (no work per request). */
export function sendReady(req: FastifyRequest, reply: FastifyReply, hit: Ready): FastifyReply {
  const enc = pickEncoding(req.headers["accept-encoding"]);
  const body = enc === "br" ? (hit.br ?? hit.gz) : enc === "gzip" ? hit.gz : hit.plain;
  const tag = body === hit.br ? "br" : body === hit.gz ? "gz" : "id";
  reply.header("etag", `"${hit.etag}-${tag}"`).header("vary", "accept-encoding");
  const inm = req.headers["if-none-match"];
  if (inm?.includes(`"${hit.etag}-`)) return reply.code(304).send();
  reply.type("application/json; charset=utf-8");
  if (body !== hit.plain) reply.header("content-encoding", body === hit.br ? "br" : "gzip");
  return reply.send(body);
}

/**
 * The body of `GET /api/results/{id}` (contract `ResultBody`): the stored result text is spliced in as it is,
 * with no parse and re-serialize on the read path.
 */
export function envelope(info: ResultInfo, body: string | null): string {
  return `{"kind":${JSON.stringify(info.kind)},"info":${JSON.stringify(info)},"result":${body ?? "null"}}`;
}
