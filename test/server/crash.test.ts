/** SIGKILL during writes: every write the server acknowledged is still there, and the audit chain holds. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { openStore } from "../../src/store/index.ts";
import { loginAdmin, spawnServer } from "./fixtures/spawn-server.ts";
import { fixtureFiles } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "rampart-crash-"));
const PASSWORD = "crash test keeper phrase";
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start() {
  return spawnServer({ dataDir: dir, password: PASSWORD, env: { RAMPART_WEB: "off" }, timeoutMs: 30_000 });
}

async function login(base: string) {
  const r = await loginAdmin(base, PASSWORD);
  expect(r.status).toBe(200);
  return { cookie: r.cookie, csrf: r.csrf };
}

describe("crash safety", () => {
  test("[STO-7] SIGKILL during writes loses no acknowledged write", async () => {
    const { child, base, exited } = await start();
    const c = await login(base);
    const post = (method: string, path: string, body: unknown) =>
      fetch(base + path, {
        method,
        headers: { "content-type": "application/json", cookie: c.cookie, "x-csrf-token": c.csrf },
        body: JSON.stringify(body),
      });
    expect((await post("POST", "/api/models", { id: "tiny", files: fixtureFiles() })).status).toBe(201);
    const acked = { people: [] as string[], users: [] as string[] };
    let stop = false;
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        try {
          if (i % 4 === 3) {
            const u = `u${w}-${i}`;
            const r = await post("POST", "/api/users", {
              username: u,
              password: "a long password 123",
              role: "viewer",
            });
            if (r.status === 201) acked.users.push(u);
          } else {
            const id = `p${w}-${i}`;
            const r = await post("PUT", `/api/models/tiny/people/${id}`, { name: `Person ${id}`, role: "operator" });
            if (r.status === 200) acked.people.push(id);
          }
        } catch {
          return; // connection refused or reset: the server is gone
        }
      }
    };
    const writers = Array.from({ length: 6 }, (_, w) => writer(w));
    await new Promise((r) => setTimeout(r, 1500));
    child.kill("SIGKILL");
    stop = true;
    await Promise.all(writers);
    await exited;
    expect(acked.people.length + acked.users.length).toBeGreaterThan(10);

    // the data as a restarted server sees it
    const store = await openStore({ dataDir: dir });
    try {
      const m = await store.getModel("tiny");
      const latest = await store.getVersion("tiny", m?.latestVersion ?? 0);
      const people = new Set((JSON.parse(latest?.rawJson ?? "{}").people ?? []).map((p: { id: string }) => p.id));
      // each edit builds on the latest version, so the latest holds every acknowledged person
      for (const id of acked.people) expect(people.has(id), id).toBe(true);
      for (const u of acked.users) expect(await store.getUser(u), u).not.toBeNull();
      const v = await store.verifyAudit();
      expect(v.problems).toEqual([]);
      expect(v.ok).toBe(true);
    } finally {
      await store.close();
    }
    // and the server starts again on it
    const again = await start();
    const h = await fetch(`${again.base}/api/health`);
    expect((await h.json()).status).toBe("ok");
    again.child.kill("SIGTERM");
    await again.exited;
  });
});
