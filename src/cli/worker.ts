/**
 * `rampart worker`: takes Monte Carlo chunks from the PostgreSQL queue (DATABASE_URL) until stopped
 * (docs/scale.md). Any number of workers on any hosts; each runs one chunk at a time on one core. SIGINT or
 * SIGTERM finishes the chunk in hand, then exits 0; a worker killed outright loses nothing: its chunk is retried
 * elsewhere once it expires.
 */
import { hostname } from "node:os";
import type { Command } from "commander";
import { DEFAULT_SCHEMA, PgQueue, QueueError } from "../scale/queue.ts";
import { describeStore } from "../store/index.ts";
import { CliError, command, EXIT_INVALID, EXIT_OK, EXIT_USAGE } from "./command.ts";
import { intOption } from "./io.ts";

export type WorkerOptions = { schema?: string; name?: string; maintenance?: string; quiet?: boolean };

/** The queue settings every command reads from the environment (DATABASE_URL, RAMPART_QUEUE_SCHEMA). */
export function queueSettings(schema?: string): { url: string; schema: string } {
  const url = process.env.DATABASE_URL;
  if (!url)
    throw new CliError("the work queue needs PostgreSQL: set DATABASE_URL (postgresql://user@host/db)", EXIT_USAGE);
  return { url, schema: schema ?? (process.env.RAMPART_QUEUE_SCHEMA || DEFAULT_SCHEMA) };
}

/** Opens the queue for `--queue` (simulate, invest): a usage error without DATABASE_URL ([SCL-5]). */
export async function openQueueOption(): Promise<PgQueue> {
  try {
    return await PgQueue.open(queueSettings());
  } catch (e) {
    if (e instanceof QueueError) throw new CliError(e.message, EXIT_INVALID);
    throw e;
  }
}

export async function workerCommand(o: WorkerOptions): Promise<number> {
  const { url, schema } = queueSettings(o.schema);
  const maintenance = intOption("--maintenance", o.maintenance, 1, 3600) ?? 10;
  const name = o.name ?? `${hostname()}:${process.pid}`;
  if (!/^[\w.:@-]{1,100}$/.test(name))
    throw new CliError(
      `option --name: expected letters, digits and . : @ _ - (at most 100), found "${name.slice(0, 100)}"`,
      EXIT_USAGE,
    );
  let queue: PgQueue;
  try {
    queue = await PgQueue.open({ url, schema, maintenanceIntervalSeconds: maintenance });
  } catch (e) {
    if (e instanceof QueueError) throw new CliError(e.message, EXIT_INVALID);
    throw e;
  }
  const print = (s: string) => process.stdout.write(`${s}\n`);
  const stop = new AbortController();
  const onSignal = (sig: string) => {
    print(`${sig}: finishing the chunk in hand`);
    stop.abort();
  };
  process.once("SIGINT", () => onSignal("SIGINT"));
  process.once("SIGTERM", () => onSignal("SIGTERM"));
  print(`worker ${name} ready: queue ${schema} on ${describeStore({ databaseUrl: url })}`);
  let chunks = 0;
  try {
    await queue.work({
      signal: stop.signal,
      worker: name,
      onEvent: (e) => {
        if (e.type === "done") chunks++;
        if (o.quiet && e.type !== "error") return;
        const what = `chunk ${e.key} set ${e.set} runs ${e.from}-${e.to}`;
        if (e.type === "start") print(`${what} started`);
        else if (e.type === "done") print(`${what} done in ${e.ms} ms`);
        else if (e.type === "skip") print(`${what} skipped (already done or cancelled)`);
        else if (e.type === "trouble") print(`queue unreachable, retrying in 2 s: ${e.message}`);
        else print(`${what} failed: ${e.message}`);
      },
    });
  } finally {
    await queue.close();
  }
  print(`worker ${name} stopped after ${chunks} chunks`);
  return EXIT_OK;
}

export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description("Take Monte Carlo chunks from the PostgreSQL work queue (DATABASE_URL) until stopped")
    .option("--schema <name>", `schema of the queue (default $RAMPART_QUEUE_SCHEMA or ${DEFAULT_SCHEMA})`)
    .option("--name <id>", "this worker's name in logs and results (default host:pid)")
    .option("--maintenance <seconds>", "how often to look for chunks of dead workers (default 10)")
    .option("--quiet", "print only start, stop and errors")
    .action(command(workerCommand));
}
