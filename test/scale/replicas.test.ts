/**
 * API replicas with real processes ([RPL-1]..[RPL-5]): two `rampart serve` processes on one PostgreSQL
 * schema. A session made on one is good on the other; audited writes sent to both at once form one valid
 * chain; failed logins count across both; an alert raised by one replica's telemetry reaches the other's live
 * stream; a job run by one is followed on the other; when that replica is killed (SIGKILL) the other marks
 * the job failed to its followers, and sessions, the audit chain and alerts are still right through it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Json } from "../server/helpers.ts";
import { CI, freePort, pgReachable, pgSchema, stopChild, waitFor } from "./live-helpers.ts";

const BIN = join(import.meta.dirname, "..", "..", "bin", "rampart");
const services = CI || (await pgReachable());
const PASSWORD = "replica-test-Correct-Horse-42";

type Replica = { child: ChildProcess; base: string; lines: string[]; mqttPort: number };
type Client = { cookie: string; csrf: string };

async function startReplica(name: string, url: string, dir: string, demo: boolean): Promise<Replica> {
  const port = await freePort();
  const mqttPort = await freePort();
  const lines: string[] = [];
  const args = [BIN, "serve", "--port", String(port), "--data", join(dir, name), "--mqtt-port", String(mqttPort)];
  if (demo) args.push("--demo");
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      DATABASE_URL: url,
      RAMPART_ADMIN_PASSWORD: PASSWORD,
      RAMPART_WEB: "off",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (b) => lines.push(String(b)));
  child.stderr?.on("data", (b) => lines.push(String(b)));
  await waitFor(`replica ${name}`, async () => {
    if (child.exitCode !== null) throw new Error(`replica ${name} exited: ${lines.join("")}`);
    return lines.join("").includes("Rampart is serving");
  });
  return { child, base: `http://127.0.0.1:${port}`, lines, mqttPort };
}

async function req(
  r: Replica,
  c: Client | null,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Json; setCookie: string | null }> {
  const headers: Record<string, string> = {};
  if (c) {
    headers.cookie = c.cookie;
    headers["x-csrf-token"] = c.csrf;
  }
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(r.base + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null, setCookie: res.headers.get("set-cookie") };
}

/** Opens a server-sent event stream; events are collected until `close`. */
async function follow(r: Replica, c: Client, path: string) {
  const res = await fetch(r.base + path, { headers: { cookie: c.cookie } });
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const dec = new TextDecoder();
  const seen: [string, Json][] = [];
  let buf = "";
  let ended = false;
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let i = buf.indexOf("\n\n");
      while (i >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const ev = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (ev && data) seen.push([ev, JSON.parse(data)]);
        i = buf.indexOf("\n\n");
      }
    }
    ended = true;
  })();
  return {
    seen,
    ended: () => ended,
    close: () => reader.cancel().catch(() => {}),
  };
}

describe.skipIf(!services)("two API replicas on one PostgreSQL store, one killed", () => {
  const dir = mkdtempSync(join(tmpdir(), "rampart-rpl-"));
  let db: Awaited<ReturnType<typeof pgSchema>>;
  let a: Replica;
  let b: Replica;

  beforeAll(async () => {
    db = await pgSchema("scale_rpl");
    a = await startReplica("a", db.url, dir, true);
    b = await startReplica("b", db.url, dir, false);
  }, 240_000);
  afterAll(async () => {
    for (const r of [a, b]) if (r) await stopChild(r.child);
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("[RPL-1] [RPL-2] [RPL-3] [RPL-4] [RPL-5] sessions, audit order, throttling, alerts and jobs are right whichever replica answers", async () => {
    // [RPL-1] a session made on a is good on b
    const login = await req(a, null, "POST", "/api/auth/login", { username: "admin", password: PASSWORD });
    expect(login.status).toBe(200);
    const admin: Client = {
      cookie: String(login.setCookie).split(";")[0],
      csrf: String(login.json.csrfToken),
    };
    expect((await req(b, admin, "GET", "/api/auth/me")).json.username).toBe("admin");

    // [RPL-2] audited writes sent to both replicas at once: one chain, in one order, that verifies
    const writes = Array.from({ length: 24 }, (_, i) =>
      req(i % 2 ? a : b, admin, "POST", "/api/users", {
        username: `analyst${i}`,
        role: "viewer",
        password: `${PASSWORD}-${i}`,
      }),
    );
    const created = await Promise.all(writes);
    expect(created.map((r) => r.status)).toEqual(created.map(() => 201));
    for (const r of [a, b]) {
      const v = await req(r, admin, "GET", "/api/audit/verify");
      expect(v.json.ok).toBe(true);
    }
    const log = await req(b, admin, "GET", "/api/audit?limit=200");
    const seqs = log.json.entries.map((e) => Number(e.seq)).sort((x, y) => x - y);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i));

    // [RPL-5] failed logins count across replicas: the account's free attempts are spent on both together
    let limited = 0;
    for (let i = 0; i < 14; i++) {
      const r = await req(i % 2 ? a : b, null, "POST", "/api/auth/login", { username: "analyst0", password: "wrong" });
      if (r.status === 429) limited++;
    }
    expect(limited).toBeGreaterThan(0);

    // [RPL-3] an alert raised by a's telemetry reaches b's live stream
    const alerts = await follow(b, admin, "/api/alerts/stream");
    await waitFor("b's alert stream open", async () => alerts.seen.some(([e]) => e === "ready"));
    const pub = await mqtt.connectAsync(`mqtt://127.0.0.1:${a.mqttPort}`, { reconnectPeriod: 0 });
    const t0 = 1.7e12;
    for (let i = 0; i < 400; i++) {
      const v = i === 350 ? 500 : 20 + Math.sin(i / 5) * 2;
      await pub.publishAsync("rampart/harborview/cld-m365/latency", `{"t":${t0 + i * 60_000},"v":${v}}`, { qos: 1 });
    }
    await pub.endAsync();
    const alert = await waitFor("the alert on b", async () => alerts.seen.find(([e]) => e === "alert")?.[1]);
    expect(alert.assetId).toBe("cld-m365");
    const listed = await req(b, admin, "GET", "/api/alerts");
    expect(listed.json.alerts.map((x) => Number(x.id))).toContain(alert.id);

    // [RPL-4] a job run by a, followed on b
    const sc = await req(a, admin, "GET", "/api/models/harborview/versions/1/scenarios");
    const scenario = String(sc.json.scenarios[0].id);
    const job = await req(a, admin, "POST", "/api/models/harborview/versions/1/simulations", {
      scenario,
      runs: 100_000,
    });
    expect(job.status).toBe(202);
    const events = await follow(b, admin, `/api/results/${job.json.id}/events`);
    await waitFor("progress on b", async () => events.seen.some(([e, d]) => e === "progress" && Number(d.done) > 0));

    // a dies: b marks its job failed to the followers; sessions, audit and alerts still right through b
    a.child.kill("SIGKILL");
    const end = await waitFor("the job's end on b", async () => events.seen.find(([e]) => e === "status")?.[1]);
    expect(end.status).toBe("failed");
    expect((await req(b, admin, "GET", `/api/results/${job.json.id}`)).json.info.status).toBe("failed");
    expect((await req(b, admin, "GET", "/api/auth/me")).json.username).toBe("admin");
    const del = await req(b, admin, "DELETE", "/api/users/analyst1");
    expect(del.status).toBe(200);
    expect((await req(b, admin, "GET", "/api/audit/verify")).json.ok).toBe(true);
    expect((await req(b, admin, "GET", "/api/alerts")).json.alerts.map((x) => Number(x.id))).toContain(alert.id);
    alerts.close();
    events.close();
  }, 300_000);
});
