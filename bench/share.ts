/**
 * `npm run bench -- share`: STIX export of a generated city (about 10,000 objects; BENCH_SHARE_ASSETS sets
 * the city size) at TLP:GREEN (with the leak check) and AMBER, and one TAXII page of 1,000 objects from a
 * server on a temporary SQLite store (HTTP Basic, credentials verified once then cached), through fastify's
 * inject and over loopback HTTP. One JSON line per figure.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg as osLoad, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { assess } from "../src/assess/assess.ts";
import { generateRaw } from "../src/model/generate.ts";
import { buildIndex } from "../src/model/graph.ts";
import { validateRaw } from "../src/model/load.ts";
import { buildServer } from "../src/server/app.ts";
import { hashPassword } from "../src/server/auth.ts";
import { exportBundle } from "../src/share/export.ts";
import { parseStixValue } from "../src/share/import.ts";
import { openStore } from "../src/store/index.ts";

const round = (x: number) => Math.round(x * 1000) / 1000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run(): Promise<void> {
  const assets = Number(process.env.BENCH_SHARE_ASSETS ?? 10000);
  const model = validateRaw(generateRaw({ assets, seed: 1 }), () => {});
  if (!model) throw new Error("generated model is invalid");
  const report = assess(buildIndex(model), { asOf: "2026-06-01" });
  let objects = 0;
  for (const tlp of ["green", "amber"] as const) {
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const r = exportBundle({ model, report, tlp, now: "2026-06-01T00:00:00.000Z" });
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
      times.push(performance.now() - t0);
      if (!r.ok) throw new Error(`export refused: ${r.leaks.length} leaks`);
      objects = r.bundle.objects.length;
    }
    console.log(
      JSON.stringify({
        bench: `share.export.${tlp}`,
        value: round(median(times) / 1000),
        unit: "s",
        cpu_s: round(median(cpu) / 1000),
        objects,
        assets,
        findings: report.findings.length,
        runs: 5,
        load: loadavg(),
      }),
    );
  }

  // a TAXII page of 1,000 objects out of 10,000
  const dir = mkdtempSync(join(tmpdir(), "rampart-bench-share-"));
  const store = await openStore({ dataDir: dir });
  try {
    const cli = { user: "bench" };
    await store.share.putCollection({ id: "c", title: "bench" }, cli);
    await store.share.putPartner({ name: "p", passwordHash: await hashPassword("bench password 1") }, cli);
    await store.share.setRight({ collection: "c", principal: "p", read: true, write: true }, cli);
    const e = exportBundle({ model, report, tlp: "green", now: "2026-06-01T00:00:00.000Z" });
    if (!e.ok) throw new Error("export refused");
    const parsed = parseStixValue({ objects: e.bundle.objects.slice(0, 10_000) });
    if (!parsed.ok) throw new Error("export does not parse");
    await store.share.addObjects("c", parsed.objects, "bench", cli);
    const server = await buildServer({ store, engines: {} });
    const headers = {
      authorization: `Basic ${Buffer.from("p:bench password 1").toString("base64")}`,
      accept: "application/taxii+json;version=2.1",
    };
    const url = "/taxii2/rampart/collections/c/objects/?limit=1000&next=3000";
    const first = await server.app.inject({ url, headers });
    const page = JSON.parse(first.body).objects.length;
    const inject: number[] = [];
    const c0 = process.cpuUsage();
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      const r = await server.app.inject({ url, headers });
      inject.push(performance.now() - t0);
      if (r.statusCode !== 200) throw new Error(`TAXII page: ${r.statusCode}`);
    }
    const c = process.cpuUsage(c0);
    const injectCpu = (c.user + c.system) / 1000 / 50;
    await server.app.listen({ port: 0, host: "127.0.0.1" });
    const port = (server.app.server.address() as { port: number }).port;
    const http: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      const r = await fetch(`http://127.0.0.1:${port}${url}`, { headers });
      bytes = (await r.arrayBuffer()).byteLength;
      http.push(performance.now() - t0);
    }
    const p = (xs: number[]) => round(median(xs));
    console.log(
      JSON.stringify({
        bench: "share.taxii.page",
        value: p(inject),
        unit: "ms",
        objects: page,
        of: 10_000,
        via: "inject",
        cpu_ms: round(injectCpu),
        runs: 50,
        load: loadavg(),
      }),
    );
    console.log(
      JSON.stringify({
        bench: "share.taxii.page.http",
        value: p(http),
        unit: "ms",
        objects: page,
        bytes,
        via: "loopback HTTP",
        runs: 50,
        load: loadavg(),
      }),
    );
    await server.app.close();
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function loadavg(): number {
  return round(osLoad()[0]);
}
