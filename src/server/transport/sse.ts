/** Server-sent event streams on hijacked replies. */
import type { FastifyReply, FastifyRequest } from "fastify";
import { securityHeaders } from "../headers.ts";

/** The headers a hijacked reply must carry itself (onSend hooks do not run for it). */
export function headersOf(req: FastifyRequest): Record<string, string> {
  return securityHeaders(req.protocol === "https");
}

/** Starts a server-sent event stream on a hijacked reply. */
export function openSse(req: FastifyRequest, reply: FastifyReply, headers: Record<string, string>) {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    ...headers,
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  res.write("retry: 3000\n\n");
  const timer = setInterval(() => res.write(": keep-alive\n\n"), 15_000);
  const closers: (() => void)[] = [() => clearInterval(timer)];
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    for (const c of closers) c();
    res.end();
  };
  req.raw.on("close", close);
  return {
    send(event: string, data: unknown) {
      if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    onClose(fn: () => void) {
      closers.push(fn);
    },
    close,
  };
}
