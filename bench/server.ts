/**
 * Server benchmark: requests/s and p99 latency for reading a stored assessment (GET /api/results/{id}, the
 * full report) with 50 concurrent keep-alive clients, logged in. The server runs in its own process
 * (`rampart serve` on SQLite), autocannon in this one, on the same 2 cores.
 *
 * Figures (one JSON line each):
 * - `server.assessment`: as a browser asks (`Accept-Encoding: gzip, deflate, br, zstd`, so brotli).
 * - `server.assessment.gzip`: a client that only accepts gzip.
 * - `server.assessment.stock-client`: like the first, with autocannon as it comes. Stock autocannon appends
 *   every body chunk to a JS string (a UTF-8 decode of compressed bytes it never reads): on one shared
 *   machine that costs the load generator more CPU than the server spends answering, so the lines above
 *   drop that accumulation (`setupClient`); the bytes still cross the socket and are counted.
 * The load average is printed with each figure: other jobs share this machine.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { spawnServer } from "../test/server/fixtures/spawn-server.ts";

const PASSWORD = "bench keeper phrase";

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "rampart-bench-"));
  const { child, base, exited } = await spawnServer({
    dataDir: dir,
    password: PASSWORD,
    args: ["--demo"],
    env: { RAMPART_WEB: "off" },
  });
  try {
    const login = await fetch(`${base}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: PASSWORD }),
    });
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const cookie = String(login.headers.get("set-cookie")).split(";")[0];
    const a = await fetch(`${base}/api/models/harborview/versions/latest/assessments`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie, "x-csrf-token": csrfToken },
      body: "{}",
    });
    if (a.status !== 202) throw new Error(`assessment refused: ${a.status} ${await a.text()}`);
    const { id } = (await a.json()) as { id: string };
    const url = `${base}/api/results/${id}`;
    // the assessment is a job: wait until it has ended
    for (;;) {
      const r = (await (await fetch(url, { headers: { cookie } })).json()) as { info: { status: string } };
      if (r.info.status === "done") break;
      if (r.info.status !== "running") throw new Error(`assessment ${r.info.status}`);
      await new Promise((res) => setTimeout(res, 50));
    }
    const browser = { cookie, "accept-encoding": "gzip, deflate, br, zstd" };
    const gzipOnly = { cookie, "accept-encoding": "gzip" };
    const sample = await fetch(url, { headers: gzipOnly });
    const bytes = (await sample.arrayBuffer()).byteLength;
    // the brotli copy is made in the background after the first read: wait until it is served
    let wire = 0;
    for (let i = 0; i < 100; i++) {
      const r = await fetch(url, { headers: browser });
      await r.arrayBuffer();
      if (r.headers.get("content-encoding") === "br") break;
      await new Promise((res) => setTimeout(res, 100));
    }
    const figure = async (name: string, headers: Record<string, string>, lean: boolean, note: string) => {
      const opts = {
        url,
        connections: 50,
        headers,
        // autocannon keeps each body as a string only to compare it with expectBody, which is not used here
        ...(lean ? { setupClient: dropBodies } : {}),
      };
      await autocannon({ ...opts, duration: 2 }); // warm-up
      const cpu0 = cpuMs(child.pid);
      const r = await autocannon({ ...opts, duration: 10 });
      const cpu1 = cpuMs(child.pid);
      wire = Math.round(r.throughput.average / Math.max(1, r.requests.average));
      console.log(
        JSON.stringify({
          bench: name,
          value: Math.round(r.requests.average),
          unit: "req/s",
          p99_ms: r.latency.p99,
          p50_ms: r.latency.p50,
          connections: 50,
          errors: r.errors + r.non2xx,
          ok: r["2xx"],
          response_bytes: bytes,
          wire_bytes: wire,
          // the server process's CPU time per answer: what a busy machine cannot inflate much
          server_cpu_us_per_req:
            cpu0 === undefined || cpu1 === undefined ? null : Math.round(((cpu1 - cpu0) * 1000) / r.requests.total),
          accept_encoding: headers["accept-encoding"],
          client: lean ? "autocannon, body strings dropped" : "autocannon as it comes",
          loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
          store: "sqlite",
          note,
        }),
      );
    };
    // RAMPART_BENCH_ONLY=name[,name]: run some figures only (A/B runs on a shared machine)
    const only = process.env.RAMPART_BENCH_ONLY?.split(",");
    const want = (name: string) => !only || only.includes(name);
    if (want("server.assessment"))
      await figure("server.assessment", browser, true, "full assessment report, as a browser asks");
    if (want("server.assessment.gzip"))
      await figure("server.assessment.gzip", gzipOnly, true, "full assessment report, gzip-only client");
    if (want("server.assessment.stock-client"))
      await figure("server.assessment.stock-client", browser, false, "as the first line, stock autocannon client");
  } finally {
    child.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** autocannon's per-connection hook: count the body bytes but do not build a string of them. */
function dropBodies(client: unknown): void {
  const c = client as { pipelinedRequests?: { addBody?: (data: Buffer) => void } };
  if (c.pipelinedRequests) c.pipelinedRequests.addBody = () => {};
}

/** CPU time (user + system, ms) a process has used, from /proc (Linux); undefined elsewhere. */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}
