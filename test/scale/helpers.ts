/** Shared by the queue tests: a schema of one's own on PostgreSQL, `rampart worker` child processes. */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import pg from "pg";

export { CI, PG_URL, pgReachable } from "../store/helpers.ts";

export const BIN = join(import.meta.dirname, "..", "..", "bin", "rampart");

/** A fresh schema name (created by pg-boss on first use) and a function that drops it. */
export function testSchema(prefix: string): { schema: string; drop: (url: string) => Promise<void> } {
  const schema = `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
  return {
    schema,
    async drop(url: string) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}

export type Spawned = {
  child: ChildProcess;
  name: string;
  /** Every line printed so far. */
  lines: string[];
  /** Resolves with the first line (printed so far or later) matching `re`. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  exited: Promise<number | null>;
};

/** Starts `rampart <args>` with `env`; lines of stdout and stderr are collected. */
export function spawnRampart(args: string[], env: Record<string, string>, name = args[0]): Spawned {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  let partial = "";
  const on = (d: Buffer) => {
    partial += d.toString();
    const parts = partial.split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      for (const w of [...waiters]) {
        const m = w.re.exec(line);
        if (m) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    }
  };
  child.stdout?.on("data", on);
  child.stderr?.on("data", on);
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return {
    child,
    name,
    lines,
    exited,
    waitFor(re, timeoutMs = 60_000) {
      for (const line of lines) {
        const m = re.exec(line);
        if (m) return Promise.resolve(m);
      }
      return new Promise((resolve, reject) => {
        const t = setTimeout(
          () =>
            reject(new Error(`${name}: no line matching ${re} in ${timeoutMs} ms:\n${lines.slice(-20).join("\n")}`)),
          timeoutMs,
        );
        waiters.push({
          re,
          resolve: (m) => {
            clearTimeout(t);
            resolve(m);
          },
        });
      });
    },
  };
}
