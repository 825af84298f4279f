/**
 * Partitioned ingestion ([PRT-1]..[PRT-6], `docs/scale.md`): several `detect watch --partitions N` processes,
 * on any hosts, share the telemetry of one broker through PostgreSQL.
 *
 * - Each partition is leased in `ingest_leases` (owner, epoch, expiry by the database's clock). Members
 *   heartbeat in `ingest_members`; each holds its fair share of the partitions, takes expired or released
 *   ones and releases its extra ones when another member joins.
 * - The holder of partition p owns the MQTT 5 session `<group>-p<p>` (persistent, QoS 1, subscribed to
 *   `rampart-p/<p>/#`): while nobody holds it the broker queues its readings, and a new holder taking the
 *   session over gets every reading the previous one did not acknowledge.
 * - Readings are judged by one live pipeline per partition; verdicts, alerts and the rows of trained
 *   detectors still open are committed in one transaction that also renews the lease (fencing: a holder
 *   whose lease was taken cannot commit), and only then acknowledged to the broker ([PRT-3]).
 * - The detectors' state is checkpointed (`ingest_state`) periodically and on release; a new holder restores
 *   it, replays the verdicts stored since, and drops redelivered readings it has already judged
 *   (`duplicate`), so every acknowledged reading is judged once, in order ([PRT-4], [PRT-5]).
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { gunzipSync, gzipSync } from "node:zlib";
import { PgDriver, type Sql } from "../../store/driver.ts";
import { migrate } from "../../store/migrations.ts";
import type { DetectorModel } from "../engine.ts";
import type { DetectIssue, Result } from "../errors.ts";
import type { OpenRow, RouterAlert, RouterSnapshot, VerdictSink } from "../ingest.ts";
import { type LiveAlert, toStoredAlert } from "../live/alert.ts";
import { fairShare, unpartition } from "../live/partition.ts";
import { type Catalog, DROP_REASONS, type DropReason, LivePipeline, type LiveStats } from "../live/pipeline.ts";
import { AckSession } from "./mqtt-session.ts";

/** Epoch ms by the database's clock: every process judges leases by the same clock. */
const NOW_MS = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint";

export interface PartitionOptions {
  databaseUrl: string;
  /** PostgreSQL schema (search_path) for the store's tables. */
  schema?: string;
  /** Name of the consumer group: sessions are `<group>-p<p>`, leases and readings are kept per group. */
  group: string;
  partitions: number;
  broker: string;
  /** A lease not renewed for this long is taken over (default 15 s); renewed every third of it. */
  leaseMs?: number;
  /** Detector state written at most this often (default 30 s), and on every release. */
  checkpointMs?: number;
  /** Unacknowledged readings the broker may send per partition (MQTT 5 Receive Maximum; default 10 000). */
  receiveMaximum?: number;
  models?: Map<string, DetectorModel>;
  catalog?: Catalog;
  trainRows?: number;
  clock?: () => number;
  onAlert?: (a: LiveAlert) => void;
  onDrop?: (reason: DropReason, i: DetectIssue) => void;
  log?: (line: string) => void;
  /** This process's id in the group (default host-pid-random). */
  owner?: string;
}

class LeaseLost extends Error {}

type Checkpoint = { router: RouterSnapshot; marks: [string, number][] };

const emptyStats = (): LiveStats => ({
  received: 0,
  accepted: 0,
  judged: 0,
  dropped: Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>,
  alerts: 0,
});

function addStats(a: LiveStats, b: LiveStats): void {
  a.received += b.received;
  a.accepted += b.accepted;
  a.judged += b.judged;
  a.alerts += b.alerts;
  for (const r of DROP_REASONS) a.dropped[r] += b.dropped[r];
}

const markKey = (site: string, asset: string, signal: string) => `${site}/${asset}/${signal}`;

/** One partition held by this process. */
class Partition {
  readonly pipeline: LivePipeline;
  private session: AckSession | null = null;
  private readonly marks = new Map<string, number>();
  private seq = 0;
  // the batch being filled (columns) and the broker's ids of the readings it answers for
  private site: string[] = [];
  private asset: string[] = [];
  private signal: string[] = [];
  private t: number[] = [];
  private v: number[] = [];
  private score: number[] = [];
  private flag: number[] = [];
  private alerts: LiveAlert[] = [];
  private ids: number[] = [];
  private committing: Promise<void> | null = null;
  private scheduled = false;
  private lastCheckpoint = 0;
  private hasTrained = false;
  state: "loading" | "running" | "releasing" | "gone" = "loading";
  restored = { streams: 0, replayed: 0 };

  constructor(
    readonly p: number,
    readonly epoch: number,
    private readonly w: PartitionedWatch,
  ) {
    const o = w.o;
    const learn = o.trainRows ?? 168;
    this.pipeline = new LivePipeline({
      detectors: o.models,
      catalog: o.catalog,
      now: o.clock ?? (() => 0),
      stream: { learn, suppress: Math.max(1, Math.round(learn / 6)) },
      onDrop: o.onDrop,
      admit: (rt, t) => {
        const k = markKey(rt.site, rt.asset, rt.signal);
        const m = this.marks.get(k);
        if (m !== undefined && !(t > m)) return false;
        this.marks.set(k, t);
        return true;
      },
      sink: {
        verdict: (site, asset, signal, t, v, score, flag) => {
          this.site.push(site);
          this.asset.push(asset);
          this.signal.push(signal);
          this.t.push(t);
          this.v.push(v);
          this.score.push(score);
          this.flag.push(flag);
        },
        alert: (a) => {
          this.alerts.push(a);
        },
      },
    });
  }

  /** Restores the checkpoint, replays the verdicts stored since, reopens open rows; then subscribes. */
  async start(): Promise<void> {
    const { db, o } = this.w;
    const st = await db.get<{ state_seq: number; state: Buffer | null; open: string }>(
      "SELECT state_seq, state, open FROM ingest_state WHERE grp = ? AND part = ?",
      [o.group, this.p],
    );
    const router = this.pipeline.router;
    const none: VerdictSink = { verdict() {} };
    const scratch: RouterAlert[] = [];
    let from = 0;
    if (st?.state) {
      const ck = JSON.parse(gunzipSync(st.state).toString("utf8")) as Checkpoint;
      router.restore(ck.router);
      for (const [k, t] of ck.marks) this.marks.set(k, t);
      this.restored.streams = ck.marks.length;
      from = Number(st.state_seq);
    }
    const rows = await db.all<{ seq: number; site: string; asset: string; signal: string; t: number; v: number }>(
      "SELECT seq, site, asset, signal, t, v FROM ingest_readings WHERE grp = ? AND part = ? AND seq > ? ORDER BY seq",
      [o.group, this.p, from],
    );
    for (const r of rows) {
      router.pushRoute(router.route(r.site, r.asset, r.signal), r.t, r.v, none, scratch);
      this.marks.set(markKey(r.site, r.asset, r.signal), r.t);
    }
    router.flush(none, scratch);
    this.restored.replayed = rows.length;
    const last = await db.get<{ m: number | null }>(
      "SELECT MAX(seq) AS m FROM ingest_readings WHERE grp = ? AND part = ?",
      [o.group, this.p],
    );
    this.seq = Number(last?.m ?? 0);
    const open = st ? (JSON.parse(st.open) as OpenRow[]) : [];
    router.reopen(open, scratch);
    for (const r of open) for (const s of r.signals) this.marks.set(markKey(r.site, r.asset, s), r.t);
    if (!st)
      await db.run(
        `INSERT INTO ingest_state (grp, part, state_seq, state, open, saved_at) VALUES (?, ?, 0, NULL, '[]', ${NOW_MS})
         ON CONFLICT (grp, part) DO NOTHING`,
        [o.group, this.p],
      );
    this.hasTrained = (o.models?.size ?? 0) > 0;
    this.lastCheckpoint = Date.now();
    this.state = "running";
    this.session = await AckSession.open({
      url: o.broker,
      clientId: `${o.group}-p${this.p}`,
      topic: `rampart-p/${this.p}/#`,
      receiveMaximum: o.receiveMaximum ?? 10_000,
      onMessage: (topic, payload, id) => this.message(topic, payload, id),
      onClose: (why) => {
        if (this.state === "running") this.w.lost(this, `broker connection: ${why}`);
      },
    });
  }

  private message(topic: string, payload: Buffer, id: number): void {
    if (this.state !== "running") return; // not acknowledged: the next holder gets it again
    const inner = unpartition(topic, this.p, this.w.o.partitions);
    if (typeof inner === "string") this.pipeline.message(inner, payload);
    else this.pipeline.refuse("topic", { code: "MQTT_TOPIC", message: inner.message, topic });
    this.ids.push(id);
    if (!this.scheduled && !this.committing) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.commit(false);
      });
    }
  }

  /**
   * Commits what was judged since the last commit (verdicts, alerts, open rows, and the detectors' state
   * when a checkpoint is due), renewing the lease in the same transaction; then acknowledges the readings.
   * One commit at a time; what arrives meanwhile goes into the next.
   */
  async commit(checkpoint: boolean): Promise<void> {
    while (this.committing) await this.committing;
    if (this.state === "gone") return;
    const run = this.commitOnce(checkpoint);
    this.committing = run;
    try {
      await run;
    } finally {
      this.committing = null;
    }
    if (this.ids.length && this.state === "running" && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.commit(false);
      });
    }
  }

  private async commitOnce(checkpointAsked: boolean): Promise<void> {
    const n = this.site.length;
    const checkpoint = checkpointAsked || Date.now() - this.lastCheckpoint >= (this.w.o.checkpointMs ?? 30_000);
    if (n === 0 && this.ids.length === 0 && this.alerts.length === 0 && !checkpoint) return;
    // cut the batch (synchronously, so the state captured below is exactly the state after it)
    const seq0 = this.seq;
    const seqs = Array.from({ length: n }, (_, i) => seq0 + 1 + i);
    this.seq += n;
    const batch = {
      site: this.site,
      asset: this.asset,
      signal: this.signal,
      t: this.t,
      v: this.v,
      score: this.score,
      flag: this.flag,
    };
    this.site = [];
    this.asset = [];
    this.signal = [];
    this.t = [];
    this.v = [];
    this.score = [];
    this.flag = [];
    const alerts = this.alerts;
    this.alerts = [];
    const ids = this.ids;
    this.ids = [];
    const router = this.pipeline.router;
    const open = this.hasTrained ? JSON.stringify(router.openRows()) : "[]";
    let state: Buffer | null = null;
    if (checkpoint) {
      const ck: Checkpoint = { router: router.snapshot(), marks: [...this.marks] };
      state = gzipSync(JSON.stringify(ck), { level: 1 });
      this.lastCheckpoint = Date.now();
    }
    const { db, o } = this.w;
    for (let attempt = 0; ; attempt++) {
      try {
        await db.tx(async (t: Sql) => {
          const l = await t.run(
            `UPDATE ingest_leases SET expires_at = ${NOW_MS} + ? WHERE grp = ? AND part = ? AND owner = ? AND epoch = ?`,
            [this.w.leaseMs, o.group, this.p, this.w.owner, this.epoch],
          );
          if (l.changes !== 1) throw new LeaseLost();
          if (n > 0)
            await t.run(
              `INSERT INTO ingest_readings (grp, part, seq, site, asset, signal, t, v, score, flag, epoch)
               SELECT ?, ?, a, b, c, d, e, f, g, h, ? FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[],
                 ?::float8[], ?::float8[], ?::float8[], ?::smallint[]) AS u(a, b, c, d, e, f, g, h)`,
              [
                o.group,
                this.p,
                this.epoch,
                seqs,
                batch.site,
                batch.asset,
                batch.signal,
                batch.t,
                batch.v,
                batch.score,
                batch.flag,
              ],
            );
          for (const a of alerts) {
            const s = toStoredAlert(a, "watch", a.site);
            const row = await t.get<{ id: number }>(
              `INSERT INTO alerts (at, source, model_id, asset_id, zone, signal, severity, score, message, services)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
              [
                s.at,
                s.source,
                s.modelId,
                s.assetId,
                s.zone,
                s.signal,
                s.severity,
                s.score,
                s.message,
                JSON.stringify(s.services),
              ],
            );
            // [RPL-3] the API replicas' live alert streams (delivered when this transaction commits)
            const stored = { id: Number(row?.id), ...s, ackedBy: null, ackedAt: null };
            await t.run("SELECT pg_notify('rampart_alert', ?)", [
              JSON.stringify({ from: this.w.owner, alert: stored }).length <= 7800
                ? JSON.stringify({ from: this.w.owner, alert: stored })
                : JSON.stringify({ from: this.w.owner, id: stored.id }),
            ]);
          }
          if (state)
            await t.run(
              `UPDATE ingest_state SET state_seq = ?, state = ?, open = ?, saved_at = ${NOW_MS} WHERE grp = ? AND part = ?`,
              [this.seq, state, open, o.group, this.p],
            );
          else if (this.hasTrained)
            await t.run("UPDATE ingest_state SET open = ? WHERE grp = ? AND part = ?", [open, o.group, this.p]);
        });
        break;
      } catch (e) {
        if (e instanceof LeaseLost) {
          this.w.lost(this, "the lease was taken over");
          return;
        }
        if (this.state === "gone") return;
        if (attempt % 20 === 0) this.w.log(`partition ${this.p}: commit failed (${(e as Error).message}); retrying`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    this.session?.ack(ids);
    for (const a of alerts) this.w.o.onAlert?.(a);
  }

  /** Hands the partition over: last commit with a checkpoint, session closed, lease freed. */
  async release(): Promise<void> {
    if (this.state !== "running") return;
    this.state = "releasing";
    await this.commit(true);
    if ((this.state as string) === "gone") return;
    this.state = "gone";
    await this.session?.close();
    const { db, o } = this.w;
    await db.run("UPDATE ingest_leases SET expires_at = 0 WHERE grp = ? AND part = ? AND owner = ? AND epoch = ?", [
      o.group,
      this.p,
      this.w.owner,
      this.epoch,
    ]);
  }

  /** Stops without committing or acknowledging (the lease is lost): the next holder gets the readings. */
  drop(): void {
    this.state = "gone";
    void this.session?.close();
  }
}

export class PartitionedWatch {
  readonly owner: string;
  readonly db: PgDriver;
  readonly leaseMs: number;
  private readonly held = new Map<number, Partition>();
  private readonly retired = emptyStats();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private closing = false;
  /** Handovers seen by this process: partitions taken and given up (released or lost). */
  readonly events: { p: number; what: "taken" | "released" | "lost"; epoch: number }[] = [];

  private constructor(readonly o: PartitionOptions) {
    this.owner = o.owner ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.db = new PgDriver(o.databaseUrl, o.schema);
    this.leaseMs = o.leaseMs ?? 15_000;
  }

  log(line: string): void {
    (this.o.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(line);
  }

  static async start(o: PartitionOptions): Promise<Result<PartitionedWatch>> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(o.group))
      return { ok: false, issues: [{ code: "USAGE", message: "expected 1-64 of [A-Za-z0-9_-]", path: "group" }] };
    if (!Number.isInteger(o.partitions) || o.partitions < 1 || o.partitions > 1024)
      return {
        ok: false,
        issues: [{ code: "USAGE", message: "expected an integer in 1..1024", path: "partitions" }],
      };
    const w = new PartitionedWatch(o);
    try {
      await migrate(w.db);
    } catch (e) {
      await w.db.close().catch(() => {});
      return { ok: false, issues: [{ code: "DATABASE", message: `cannot open the store: ${(e as Error).message}` }] };
    }
    await w.tick();
    w.timer = setInterval(() => void w.tick(), Math.max(50, Math.floor(w.leaseMs / 3)));
    return { ok: true, value: w };
  }

  /** Partitions held now, in order. */
  partitionsHeld(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  stats(): LiveStats {
    const s = emptyStats();
    addStats(s, this.retired);
    for (const p of this.held.values()) addStats(s, p.pipeline.stats());
    return s;
  }

  /** A partition this process can no longer hold (lease taken, broker gone): dropped, not acknowledged. */
  lost(p: Partition, why: string): void {
    if (p.state === "gone") return;
    p.drop();
    if (this.held.get(p.p) === p) this.held.delete(p.p);
    addStats(this.retired, p.pipeline.stats());
    this.events.push({ p: p.p, what: "lost", epoch: p.epoch });
    this.log(`partition ${p.p}: given up (${why})`);
  }

  /** Heartbeat, lease renewal and balance: one at a time. */
  tick(): Promise<void> {
    if (this.ticking) return this.ticking;
    this.ticking = this.balance()
      .catch((e) => this.log(`partitions: ${(e as Error).message}; retrying`))
      .finally(() => {
        this.ticking = null;
      });
    return this.ticking;
  }

  private async balance(): Promise<void> {
    if (this.closing) return;
    const { db, o } = this;
    const g = o.group;
    await db.run(
      `INSERT INTO ingest_members (grp, owner, expires_at) VALUES (?, ?, ${NOW_MS} + ?)
       ON CONFLICT (grp, owner) DO UPDATE SET expires_at = excluded.expires_at`,
      [g, this.owner, this.leaseMs],
    );
    const held = this.partitionsHeld();
    if (held.length) {
      const renewed = await db.all<{ part: number; epoch: number }>(
        `UPDATE ingest_leases SET expires_at = ${NOW_MS} + ? WHERE grp = ? AND owner = ? AND part = ANY(?::int[])
         RETURNING part, epoch`,
        [this.leaseMs, g, this.owner, held],
      );
      const ok = new Set(renewed.map((r) => `${r.part}/${r.epoch}`));
      for (const p of held) {
        const part = this.held.get(p)!;
        if (!ok.has(`${p}/${part.epoch}`) && part.state !== "loading") this.lost(part, "the lease was taken over");
      }
    }
    const members = await db.all<{ owner: string }>(
      `SELECT owner FROM ingest_members WHERE grp = ? AND expires_at > ${NOW_MS}`,
      [g],
    );
    const target = fairShare(
      o.partitions,
      members.map((m) => m.owner),
      this.owner,
    );
    const mine = this.partitionsHeld();
    if (mine.length > target) {
      for (const p of mine.slice(target).reverse()) {
        const part = this.held.get(p)!;
        await part.release();
        this.held.delete(p);
        addStats(this.retired, part.pipeline.stats());
        this.events.push({ p, what: "released", epoch: part.epoch });
        this.log(`partition ${p}: released`);
      }
      return;
    }
    if (mine.length === target) return;
    const taken = await db.all<{ part: number }>(
      `SELECT part FROM ingest_leases WHERE grp = ? AND expires_at > ${NOW_MS}`,
      [g],
    );
    const busy = new Set(taken.map((r) => Number(r.part)));
    for (let p = 0; p < o.partitions && this.held.size < target && !this.closing; p++) {
      if (busy.has(p) || this.held.has(p)) continue;
      const got = await db.get<{ epoch: number }>(
        `INSERT INTO ingest_leases (grp, part, owner, epoch, expires_at) VALUES (?, ?, ?, 1, ${NOW_MS} + ?)
         ON CONFLICT (grp, part) DO UPDATE SET owner = excluded.owner, epoch = ingest_leases.epoch + 1,
           expires_at = excluded.expires_at
         WHERE ingest_leases.expires_at <= ${NOW_MS}
         RETURNING epoch`,
        [g, p, this.owner, this.leaseMs],
      );
      if (!got) continue;
      const part = new Partition(p, Number(got.epoch), this);
      this.held.set(p, part);
      try {
        await part.start();
      } catch (e) {
        this.lost(part, `could not start: ${(e as Error).message}`);
        await db
          .run("UPDATE ingest_leases SET expires_at = 0 WHERE grp = ? AND part = ? AND owner = ? AND epoch = ?", [
            g,
            p,
            this.owner,
            part.epoch,
          ])
          .catch(() => {});
        continue;
      }
      this.events.push({ p, what: "taken", epoch: part.epoch });
      this.log(
        `partition ${p}: taken (epoch ${part.epoch}; ${part.restored.streams} signal(s) restored, ` +
          `${part.restored.replayed} reading(s) replayed)`,
      );
    }
  }

  /** Releases every partition (checkpointed) and leaves the group. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    if (this.ticking) await this.ticking;
    for (const [p, part] of [...this.held]) {
      await part.release().catch(() => part.drop());
      this.held.delete(p);
      addStats(this.retired, part.pipeline.stats());
    }
    await this.db
      .run("DELETE FROM ingest_members WHERE grp = ? AND owner = ?", [this.o.group, this.owner])
      .catch(() => {});
    await this.db.close();
  }
}
