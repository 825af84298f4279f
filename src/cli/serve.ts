/**
 * `rampart serve`: the API and the web UI on one port, on SQLite in --data (default ./.rampart) or on
 * PostgreSQL when DATABASE_URL is set. The first start creates the admin user.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { PgQueue, QueueError } from "../scale/queue.ts";
import { buildServer, Replicas, type Server } from "../server/app.ts";
import { generatePassword, hashPassword } from "../server/auth.ts";
import { available, loadEngines } from "../server/engines.ts";
import { PasswordSchema } from "../server/http.ts";
import { Models } from "../server/models.ts";
import { passwordProblem } from "../server/passwords.ts";
import { parseTrustProxy } from "../server/proxy.ts";
import { startTelemetry, type Telemetry, TelemetryError } from "../server/telemetry.ts";
import { auditKeyPath, ensureAuditKey } from "../store/anchor.ts";
import { describeStore, openStore, type SqlStore } from "../store/index.ts";
import { CliError, command, EXIT_OK, EXIT_USAGE } from "./command.ts";
import { intOption } from "./io.ts";

/** How long after start-up `serve` warms a job thread. */
const WARM_AFTER_MS = 5000;

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SYSTEM = { user: "system" };

export type ServeOptions = {
  port?: number;
  host?: string;
  data?: string;
  demo?: boolean;
  model?: string;
  databaseUrl?: string;
  mqttPort?: number;
  mqttUrl?: string;
  /** [SCL-3] Run simulations on `rampart worker`s through the PostgreSQL work queue (needs databaseUrl). */
  queue?: { schema?: string };
  /** Print lines to (default stdout). */
  print?: (line: string) => void;
};

/** Creates the admin user on first start. Returns the generated password (to print once), if any. */
export async function ensureAdmin(store: SqlStore, envPassword: string | undefined) {
  if ((await store.countUsers()) > 0) return { created: false as const };
  let password = envPassword;
  if (password !== undefined) {
    const ok = PasswordSchema.safeParse(password);
    if (!ok.success) throw new CliError(`RAMPART_ADMIN_PASSWORD: ${ok.error.issues[0].message}`, EXIT_USAGE);
    const named = passwordProblem(password, "admin"); // [SEC-12]
    if (named) throw new CliError(`RAMPART_ADMIN_PASSWORD: ${named}`, EXIT_USAGE);
  }
  const generated = password === undefined;
  password ??= generatePassword();
  await store.createUser({ username: "admin", role: "admin", passwordHash: await hashPassword(password) }, SYSTEM);
  return { created: true as const, generated: generated ? password : undefined };
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = st.mtimeMs;
  for (const e of readdirSync(path)) m = Math.max(m, newestMtime(join(path, e)));
  return m;
}

/** Builds the web UI with Vite when web/dist is missing or older than its sources. */
export async function ensureWeb(root: string, print: (s: string) => void): Promise<string | undefined> {
  const web = join(root, "web");
  const dist = join(web, "dist");
  const index = join(dist, "index.html");
  if (!existsSync(join(web, "index.html"))) return existsSync(index) ? dist : undefined;
  const src = Math.max(
    newestMtime(join(web, "src")),
    newestMtime(join(web, "index.html")),
    newestMtime(join(web, "vite.config.ts")),
  );
  if (existsSync(index) && statSync(index).mtimeMs >= src) return dist;
  let vite: typeof import("vite");
  try {
    vite = await import("vite");
  } catch {
    print(
      existsSync(index)
        ? "web UI may be stale (vite is not installed)"
        : "web UI not built and vite is not installed: serving the API only",
    );
    return existsSync(index) ? dist : undefined;
  }
  print("building the web UI (first start) ...");
  const t0 = performance.now();
  await vite.build({ configFile: join(web, "vite.config.ts"), logLevel: "error" });
  print(`web UI built in ${Math.round(performance.now() - t0)} ms`);
  return dist;
}

function slug(path: string): string {
  const s = basename(resolve(path))
    .replace(/\.ya?ml$/i, "")
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64);
  return s || "model";
}

export type Running = { server: Server; store: SqlStore; url: string; telemetry?: Telemetry; close(): Promise<void> };

export async function startServe(o: ServeOptions): Promise<Running> {
  const print = o.print ?? ((s: string) => process.stdout.write(`${s}\n`));
  const trusted = parseTrustProxy(process.env.RAMPART_TRUST_PROXY);
  if (!trusted.ok) {
    throw new CliError(
      `RAMPART_TRUST_PROXY: expected proxy addresses or CIDR ranges (10.0.0.5, 10.1.0.0/16, loopback), found "${trusted.entry.slice(0, 60)}"`,
      EXIT_USAGE,
    );
  }
  if (o.queue && !o.databaseUrl)
    throw new CliError(
      "option --queue: the work queue needs PostgreSQL: set DATABASE_URL (postgresql://user@host/db)",
      EXIT_USAGE,
    );
  const storeOpts = { dataDir: o.data ?? ".rampart", databaseUrl: o.databaseUrl };
  const store = await openStore(storeOpts);
  let queue: PgQueue | undefined;
  if (o.queue && o.databaseUrl) {
    try {
      queue = await PgQueue.open({ url: o.databaseUrl, schema: o.queue.schema });
    } catch (e) {
      await store.close();
      if (e instanceof QueueError) throw new CliError(e.message);
      throw e;
    }
  }
  // [RPL-1] on PostgreSQL other replicas may share the store: only the jobs of a replica that is gone are
  // failed (by Jobs.sweep below, or taken over by the queue's adoption); never every running job at start
  const replicas = o.databaseUrl ? await Replicas.open(o.databaseUrl) : undefined;
  if (!queue && !replicas) {
    // without the queue, a job ran in the stopped server's thread: nothing can finish it
    const abandoned = await store.abandonRunning("the server stopped while this job ran");
    if (abandoned) print(`${abandoned} interrupted job(s) marked failed`);
  }
  const admin = await ensureAdmin(store, process.env.RAMPART_ADMIN_PASSWORD);
  // [AUD-5] the audit signing key, outside the database, created 0600 on the first start
  const keyPath = auditKeyPath(storeOpts.dataDir);
  if (!process.env.RAMPART_AUDIT_KEY) mkdirSync(storeOpts.dataDir, { recursive: true, mode: 0o700 });
  ensureAuditKey(keyPath);
  print(`audit signing key: ${keyPath} (anchor the log with: rampart audit anchor --to FILE)`);
  const engines = await loadEngines();
  const server = await buildServer({
    store,
    engines,
    replicas,
    webRoot: process.env.RAMPART_WEB === "off" ? undefined : await ensureWeb(REPO_ROOT, print),
    trustProxy: trusted.list,
    metricsToken: process.env.RAMPART_METRICS_TOKEN || undefined,
    metricsOpen: process.env.RAMPART_METRICS_OPEN === "1",
    queue,
    https:
      process.env.RAMPART_TLS_KEY && process.env.RAMPART_TLS_CERT
        ? { key: readFileSync(process.env.RAMPART_TLS_KEY), cert: readFileSync(process.env.RAMPART_TLS_CERT) }
        : undefined,
  });
  if (replicas) {
    const failed = await server.jobs.sweep();
    if (failed) print(`${failed} job(s) whose server stopped marked failed`);
  }
  const imports: [string, string][] = [];
  if (o.demo && !(await store.getModel("harborview")))
    imports.push(["harborview", join(REPO_ROOT, "examples", "harborview")]);
  if (o.model) imports.push([slug(o.model), resolve(o.model)]);
  for (const [id, path] of imports) {
    const latest = await store.getModel(id);
    try {
      const models = new Models(store, dirname(path));
      const r = await models.importPath(id, basename(path), latest ? "re-import at start" : "first import", SYSTEM);
      const c = r.info.counts;
      print(`model ${id} v${r.info.version} loaded: ${c.services} services, ${c.assets} assets`);
    } catch (e) {
      const issues = (e as { extra?: { issues?: { file: string; line: number; column: number; message: string }[] } })
        .extra?.issues;
      if (issues) for (const i of issues.slice(0, 20)) print(`${i.file}:${i.line}:${i.column}: error: ${i.message}`);
      throw new CliError(`cannot load model ${path}: ${(e as Error).message}`);
    }
  }
  if (queue) {
    // [SCL-3] jobs whose server stopped go on here (and, every few seconds, those of any server that stops)
    const taken = await server.jobs.adopt();
    print(`work queue ${queue.schema}: simulations run on rampart workers`);
    if (taken.resumed) print(`${taken.resumed} running simulation(s) taken over`);
    if (taken.failed) print(`${taken.failed} interrupted job(s) marked failed`);
  }
  let telemetry: Telemetry | undefined;
  try {
    telemetry = await startTelemetry({
      engines,
      hub: server.alerts,
      models: server.models,
      metrics: server.metrics,
      detectorsDir: join(storeOpts.dataDir, "detectors"),
      mqttPort: o.mqttPort,
      mqttUrl: o.mqttUrl,
      print,
    });
  } catch (e) {
    await server.app.close();
    await queue?.close();
    await replicas?.close();
    await store.close();
    if (e instanceof TelemetryError) throw new CliError(`telemetry: ${e.message}`);
    throw e;
  }
  const host = o.host ?? "127.0.0.1";
  const port = o.port ?? 8080;
  await server.app.listen({ host, port });
  const addr = server.app.server.address();
  const realPort = typeof addr === "object" && addr ? addr.port : port;
  const scheme = process.env.RAMPART_TLS_KEY ? "https" : "http";
  const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host.includes(":") ? `[${host}]` : host;
  const url = `${scheme}://${shownHost}:${realPort}/`;
  const eng = available(engines);
  print(`store: ${describeStore(storeOpts)}`);
  print(
    `engines: ${Object.entries(eng)
      .map(([k, v]) => `${k} ${v ? "on" : "not available"}`)
      .join(", ")}`,
  );
  print(`Rampart is serving ${url}`);
  if (admin.created && admin.generated) {
    print(`Log in as "admin" with this generated password (shown once, store it now): ${admin.generated}`);
  } else if (admin.created) {
    print(`Log in as "admin" with the password in RAMPART_ADMIN_PASSWORD.`);
  } else {
    print(
      `Log in with your account (the first start created "admin"; its password was printed then or came from RAMPART_ADMIN_PASSWORD).`,
    );
  }
  // one job thread warmed once start-up has settled (not competing with it): the first assessment then does
  // not wait for a thread to load the sources
  setTimeout(() => engines.warm?.(1), WARM_AFTER_MS).unref();
  let closed = false;
  return {
    server,
    store,
    url,
    telemetry,
    async close() {
      if (closed) return;
      closed = true;
      await telemetry?.close();
      await server.app.close();
      await queue?.close();
      await replicas?.close();
      await store.close();
    },
  };
}

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("Serve the API and the web UI (SQLite in --data, or PostgreSQL when DATABASE_URL is set)")
    .option("--port <n>", "port to listen on", "8080")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--data <dir>", "data folder for the embedded store", ".rampart")
    .option("--demo", "load the Harborview example city if the store has no model of that name")
    .option("--model <path>", "import a model (file or folder) at start")
    .option("--mqtt-port <n>", "run an MQTT broker on this port for telemetry readings (0: any free port)")
    .option("--queue", "run simulations on `rampart worker`s through the PostgreSQL work queue (DATABASE_URL)")
    .action(
      command(
        async (opts: {
          port: string;
          host: string;
          data: string;
          demo?: boolean;
          model?: string;
          mqttPort?: string;
          queue?: boolean;
        }) => {
          const running = await startServe({
            port: intOption("--port", opts.port, 0, 65535),
            host: opts.host,
            data: opts.data,
            demo: opts.demo,
            model: opts.model,
            databaseUrl: process.env.DATABASE_URL || undefined,
            mqttPort: intOption("--mqtt-port", opts.mqttPort, 0, 65535),
            mqttUrl: process.env.MQTT_URL || undefined,
            queue: opts.queue ? { schema: process.env.RAMPART_QUEUE_SCHEMA || undefined } : undefined,
          });
          await new Promise<void>((done) => {
            const stop = (sig: string) => {
              process.stdout.write(`${sig}: shutting down\n`);
              running.close().then(done, done);
            };
            process.once("SIGINT", () => stop("SIGINT"));
            process.once("SIGTERM", () => stop("SIGTERM"));
          });
          return EXIT_OK;
        },
      ),
    );
}
