/** Real processes on loopback for the scale-out tests: a Mosquitto of the test's own, a PostgreSQL schema. */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

import { PG_URL } from "../store/helpers.ts";

export { CI, PG_URL, pgReachable } from "../store/helpers.ts";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export function reachable(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect({ port, host });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 120_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A Mosquitto of the test's own on a free port: nothing queued is dropped for a disconnected persistent
 * session (max_queued_messages 0), as a deployment that relies on sessions across a handover must configure.
 */
export async function startMosquitto(): Promise<{ url: string; port: number; pid: number; stop(): Promise<void> }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "rampart-mosq-"));
  const conf = join(dir, "mosquitto.conf");
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      "allow_anonymous true",
      "persistence false",
      "max_queued_messages 0",
      "max_inflight_messages 0",
      "log_dest none",
      "",
    ].join("\n"),
  );
  const child = spawn("mosquitto", ["-c", conf], { stdio: "ignore" });
  await waitFor("mosquitto", () => reachable(port), 10_000);
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? 0,
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function stopChild(c: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  return new Promise((r) => {
    const timer = setTimeout(() => c.kill("SIGKILL"), 20_000);
    c.once("exit", () => {
      clearTimeout(timer);
      r();
    });
    c.kill(signal);
  });
}

/** A schema of the test's own; the URL selects it for every connection (search_path). */
export async function pgSchema(prefix: string): Promise<{ schema: string; url: string; drop(): Promise<void> }> {
  const schema = `${prefix}_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`CREATE SCHEMA ${schema}`);
  await c.end();
  const u = new URL(PG_URL);
  u.searchParams.set("options", `-c search_path=${schema}`);
  return {
    schema,
    url: u.toString(),
    async drop() {
      const d = new pg.Client({ connectionString: PG_URL });
      await d.connect();
      await d.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await d.end();
    },
  };
}
