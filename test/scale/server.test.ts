/**
 * `rampart serve --queue` with real processes on loopback (docs/specs/scale.md): a simulation job survives the
 * server being killed and started again; its chunks run on `rampart worker`s, none is lost or redone, and the
 * stored result is the same bytes as one process's. Runs under CI=true always.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { afterAll, describe, expect, test } from "vitest";
import { loadModel } from "../../src/model/load.ts";
import { resolveScenario, simulate } from "../../src/simulate/index.ts";
import { openStore } from "../../src/store/index.ts";
import { CI, PG_URL, pgReachable, type Spawned, spawnRampart, testSchema } from "./helpers.ts";

const pgOk = await pgReachable();
if (!pgOk && !CI) console.log(`skip: queue server tests: no PostgreSQL at ${PG_URL} (they run under CI=true)`);

const PASSWORD = "queue test keeper phrase";
const dir = mkdtempSync(join(tmpdir(), "rampart-scale-"));
const queueSchema = testSchema("sclq");
const storeSchema = testSchema("scls");
const children: Spawned[] = [];
afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
  await Promise.all(children.map((c) => c.exited));
  await queueSchema.drop(PG_URL).catch(() => {});
  await storeSchema.drop(PG_URL).catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

async function login(base: string) {
  const r = await fetch(`${base}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: PASSWORD }),
  });
  expect(r.status).toBe(200);
  const body = (await r.json()) as { csrfToken: string };
  return { cookie: String(r.headers.get("set-cookie")).split(";")[0], csrf: body.csrfToken };
}

/** The server-sent events of a job until its status. */
async function events(base: string, cookie: string, id: string): Promise<[string, Record<string, unknown>][]> {
  const res = await fetch(`${base}/api/results/${id}/events`, { headers: { cookie } });
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const dec = new TextDecoder();
  const seen: [string, Record<string, unknown>][] = [];
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return seen;
    buf += dec.decode(value, { stream: true });
    for (let i = buf.indexOf("\n\n"); i >= 0; i = buf.indexOf("\n\n")) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const ev = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (!ev || !data) continue;
      seen.push([ev, JSON.parse(data)]);
      if (ev === "status") {
        await reader.cancel();
        return seen;
      }
    }
  }
}

describe("[SCL-5] the queue needs PostgreSQL", () => {
  test("[SCL-5] worker, serve --queue, simulate --queue and invest --queue without DATABASE_URL: usage errors naming it", async () => {
    const city = join(import.meta.dirname, "..", "..", "examples", "harborview");
    for (const args of [
      ["worker"],
      ["serve", "--queue", "--port", "0", "--data", dir],
      ["simulate", city, "--scenario", "ransomware", "--runs", "10", "--queue"],
      ["invest", city, "--budget", "100000", "--runs", "10", "--queue"],
    ]) {
      const p = spawnRampart(args, { DATABASE_URL: "", RAMPART_WEB: "off" });
      expect(await p.exited).toBe(2);
      expect(p.lines.join("\n")).toMatch(/DATABASE_URL/);
    }
  }, 60_000);
});

describe.skipIf(!pgOk && !CI)("serve --queue", () => {
  test("[SCL-3] a simulation survives the server's SIGKILL: taken over at restart, no chunk lost or redone, same bytes", async () => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`CREATE SCHEMA ${storeSchema.schema}`);
    await c.end();
    const url = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${storeSchema.schema}`)}`;
    const env = {
      DATABASE_URL: url,
      RAMPART_QUEUE_SCHEMA: queueSchema.schema,
      RAMPART_WEB: "off",
      RAMPART_ADMIN_PASSWORD: PASSWORD,
      RAMPART_AUDIT_KEY: join(dir, "audit.key"),
    };
    const serve = () => spawnRampart(["serve", "--queue", "--port", "0", "--data", dir, "--demo"], env, "serve");
    const workers = ["w-1", "w-2"].map((n) => spawnRampart(["worker", "--name", n], env, n));
    children.push(...workers);
    const first = serve();
    children.push(first);
    const base1 = (await first.waitFor(/serving (http:\/\/[^/]+)\//))[1];
    await Promise.all(workers.map((w) => w.waitFor(/ready: queue/)));
    const s1 = await login(base1);
    const req = { scenario: "ransomware", runs: 1200, seed: 5 };
    const r = await fetch(`${base1}/api/models/harborview/versions/1/simulations`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: s1.cookie, "x-csrf-token": s1.csrf },
      body: JSON.stringify(req),
    });
    expect(r.status).toBe(202);
    const id = ((await r.json()) as { id: string }).id;
    const done = new RegExp(`^chunk ${id}:0 set 0 runs (\\d+)-\\d+ done`);
    const doneLines = () => workers.flatMap((w) => w.lines.filter((l) => done.test(l)));
    while (doneLines().length < 6) await sleep(20);
    first.child.kill("SIGKILL");
    await first.exited;

    const store = await openStore({ databaseUrl: PG_URL, schema: storeSchema.schema });
    try {
      expect((await store.getResultInfo(id))?.status).toBe("running");
      const second = serve();
      children.push(second);
      const base2 = (await second.waitFor(/serving (http:\/\/[^/]+)\//))[1];
      expect(second.lines.join("\n")).toMatch(/1 running simulation\(s\) taken over/);
      const s2 = await login(base2);
      const seen = await events(base2, s2.cookie, id);
      expect(seen.at(-1)).toEqual(["status", { type: "status", status: "done", error: null }]);
      expect(seen.some(([e]) => e === "progress")).toBe(true);

      // every chunk computed once, by the workers, across both servers
      const firsts = doneLines().map((l) => Number((done.exec(l) as RegExpExecArray)[1]));
      expect(firsts.length).toBe(38); // 1200 runs in chunks of 32
      expect(new Set(firsts).size).toBe(38);

      const loaded = await loadModel(join(import.meta.dirname, "..", "..", "examples", "harborview"));
      if (!loaded.ok) throw new Error("harborview does not load");
      const sc = await resolveScenario("ransomware", async () => "");
      if (!sc.ok) throw new Error("no ransomware");
      const one = await simulate(loaded, sc.scenario, {
        runs: req.runs,
        seed: req.seed,
        workers: 1,
        with: [],
        compare: [],
        trace: true,
      });
      if (!one.ok) throw new Error("local simulation failed");
      const local = JSON.stringify({ report: one.report, sets: one.sets, representative: one.representative });
      expect(await store.getResultBody(id)).toBe(local);
      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(0);
    } finally {
      await store.close();
      for (const w of workers) w.child.kill("SIGTERM");
      expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);
    }
  }, 240_000);
});
