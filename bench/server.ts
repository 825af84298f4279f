/**
 * Server benchmark: requests/s and p99 latency for reading a stored assessment (GET /api/results/{id})
 * with 50 concurrent clients, logged in, as a browser asks (Accept-Encoding: gzip). The server runs in
 * its own process (`rampart serve` on SQLite), autocannon in this one.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import autocannon from "autocannon";

const ROOT = resolve(import.meta.dirname, "..");
const PASSWORD = "bench admin password";

async function startServer(dir: string): Promise<{ child: ChildProcess; base: string; exited: Promise<unknown> }> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(ROOT, "test", "server", "fixtures", "serve-child.ts"),
      "serve",
      "--demo",
      "--port",
      "0",
      "--data",
      dir,
    ],
    {
      env: { ...process.env, RAMPART_ADMIN_PASSWORD: PASSWORD, RAMPART_WEB: "off" },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const exited = new Promise((r) => child.once("exit", r));
  const base = await new Promise<string>((res, rej) => {
    let out = "";
    const t = setTimeout(() => rej(new Error(`server did not start: ${out}`)), 60_000);
    child.stdout?.on("data", (d) => {
      out += d;
      const m = /serving (http:\/\/[^/]+)\//.exec(out);
      if (m) {
        clearTimeout(t);
        res(m[1]);
      }
    });
  });
  return { child, base, exited };
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "rampart-bench-"));
  const { child, base, exited } = await startServer(dir);
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
    if (a.status !== 201) throw new Error(`assessment failed: ${a.status} ${await a.text()}`);
    const { id } = (await a.json()) as { id: string };
    const url = `${base}/api/results/${id}`;
    const headers = { cookie, "accept-encoding": "gzip" };
    const sample = await fetch(url, { headers });
    const bytes = (await sample.arrayBuffer()).byteLength;
    // warm-up, then the measured run
    await autocannon({ url, connections: 50, duration: 2, headers });
    const r = await autocannon({ url, connections: 50, duration: 10, headers });
    const ok = r["2xx"];
    console.log(
      JSON.stringify({
        bench: "server.assessment",
        value: Math.round(r.requests.average),
        unit: "req/s",
        p99_ms: r.latency.p99,
        p50_ms: r.latency.p50,
        connections: 50,
        errors: r.errors + r.non2xx,
        ok,
        response_bytes: bytes,
        store: "sqlite",
      }),
    );
  } finally {
    child.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}
