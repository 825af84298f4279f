/**
 * API replicas on one PostgreSQL store ([RPL-1]..[RPL-5], `docs/scale.md`): what one `rampart serve` process
 * must tell the others goes through PostgreSQL LISTEN/NOTIFY on one connection of its own:
 *
 * - `rampart_alert`: an alert stored by any replica (or by a partitioned `detect watch`) reaches the live
 *   alert streams of every replica;
 * - `rampart_job`: a job's progress and end, so that its events can be followed on any replica;
 * - `rampart_cancel`: a cancel asked on one replica reaches the replica running the job.
 *
 * The same connection holds a session advisory lock for every job this replica runs: a replica that finds
 * a job `running` whose lock it can take knows the replica that ran it is gone, and marks it failed
 * (instead of marking every running job failed at start, which would fail the other replicas' jobs).
 * Sessions, login throttling and the audit chain need nothing here: they live in the store (the audit head
 * row is locked by every audited write, so appends are serialised in the database).
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import type { JobEvent } from "../contracts/jobs.ts";
import type { Alert } from "../store/types.ts";

/** NOTIFY payloads are limited to 8000 bytes; an alert larger than this travels as its id. */
const MAX_PAYLOAD = 7800;

type Msg =
  | { ch: "rampart_alert"; from: string; alert?: Alert; id?: number }
  | { ch: "rampart_job"; from: string; id: string; event: JobEvent }
  | { ch: "rampart_cancel"; from: string; id: string };

const CHANNELS = ["rampart_alert", "rampart_job", "rampart_cancel"] as const;

/** A job id's advisory lock key (two 32-bit halves of the first 16 hex digits of the UUID). */
function lockKey(id: string): [number, number] {
  const hex = id.replace(/-/g, "").padEnd(16, "0");
  return [Number.parseInt(hex.slice(0, 8), 16) | 0, Number.parseInt(hex.slice(8, 16), 16) | 0];
}

export class Replicas {
  readonly id = randomUUID();
  private client: pg.Client | null = null;
  private closed = false;
  private readonly held = new Set<string>();
  private readonly alertFns = new Set<(a: Alert | number) => void>();
  private readonly jobFns = new Set<(id: string, e: JobEvent) => void>();
  private readonly cancelFns = new Set<(id: string) => boolean>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly url: string) {}

  static async open(url: string): Promise<Replicas> {
    const r = new Replicas(url);
    await r.connect();
    return r;
  }

  private async connect(): Promise<void> {
    const c = new pg.Client({ connectionString: this.url });
    await c.connect();
    c.on("notification", (n) => this.received(n.channel, n.payload ?? ""));
    c.on("error", () => {
      // the connection is gone: reconnect, listen again, take the locks of the jobs still running here again
      if (this.client === c) this.client = null;
      void this.reconnect();
    });
    for (const ch of CHANNELS) await c.query(`LISTEN ${ch}`);
    for (const id of this.held) await c.query("SELECT pg_advisory_lock($1, $2)", lockKey(id));
    this.client = c;
  }

  private async reconnect(): Promise<void> {
    while (!this.closed && !this.client) {
      await new Promise((r) => setTimeout(r, 1000));
      await this.connect().catch(() => {});
    }
  }

  /** One query at a time on the listening connection (pg queues them too; this keeps errors local). */
  private q(sql: string, params: unknown[]): Promise<pg.QueryResult | null> {
    const run = this.queue.then(async () => {
      if (!this.client) return null;
      return this.client.query(sql, params).catch(() => null);
    });
    this.queue = run;
    return run;
  }

  private received(channel: string, payload: string): void {
    let m: Msg;
    try {
      m = { ch: channel, ...JSON.parse(payload) } as Msg;
    } catch {
      return;
    }
    if (m.from === this.id) return;
    if (m.ch === "rampart_alert") {
      const a = m.alert ?? m.id;
      if (a !== undefined) for (const f of this.alertFns) f(a);
    } else if (m.ch === "rampart_job") for (const f of this.jobFns) f(m.id, m.event);
    else if (m.ch === "rampart_cancel") for (const f of this.cancelFns) f(m.id);
  }

  private notify(channel: string, body: Record<string, unknown>): Promise<unknown> {
    return this.q("SELECT pg_notify($1, $2)", [channel, JSON.stringify({ from: this.id, ...body })]);
  }

  /** Tells the other replicas about an alert this one stored. */
  alert(a: Alert): Promise<unknown> {
    const body = JSON.stringify(a);
    return this.notify("rampart_alert", body.length <= MAX_PAYLOAD ? { alert: a } : { id: a.id });
  }

  /** Tells the other replicas about a job's event (progress or end). */
  job(id: string, event: JobEvent): Promise<unknown> {
    return this.notify("rampart_job", { id, event });
  }

  /** Asks the replica running a job to cancel it. */
  cancel(id: string): Promise<unknown> {
    return this.notify("rampart_cancel", { id });
  }

  onAlert(f: (a: Alert | number) => void): void {
    this.alertFns.add(f);
  }
  onJob(f: (id: string, e: JobEvent) => void): void {
    this.jobFns.add(f);
  }
  onCancel(f: (id: string) => boolean): void {
    this.cancelFns.add(f);
  }

  /** Holds a job's lock while this replica runs it. */
  async lockJob(id: string): Promise<void> {
    this.held.add(id);
    await this.q("SELECT pg_advisory_lock($1, $2)", lockKey(id));
  }

  async unlockJob(id: string): Promise<void> {
    if (!this.held.delete(id)) return;
    await this.q("SELECT pg_advisory_unlock($1, $2)", lockKey(id));
  }

  /**
   * Jobs marked running whose replica is gone (their lock is free): the ids, each locked by this replica
   * until `releaseOrphan` (so that two replicas do not both finish one).
   */
  async orphans(running: string[]): Promise<string[]> {
    const out: string[] = [];
    for (const id of running) {
      if (this.held.has(id)) continue;
      const r = await this.q("SELECT pg_try_advisory_lock($1, $2) AS ok", lockKey(id));
      if (r?.rows[0]?.ok === true) out.push(id);
    }
    return out;
  }

  async releaseOrphan(id: string): Promise<void> {
    await this.q("SELECT pg_advisory_unlock($1, $2)", lockKey(id));
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.client;
    this.client = null;
    await this.queue.catch(() => {});
    await c?.end().catch(() => {});
  }
}
