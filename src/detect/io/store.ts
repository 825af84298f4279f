/**
 * The command line's sink of the live pipeline: SQLite (better-sqlite3) for judged readings and alerts.
 * Readings are buffered in columns (no object per reading) and written in one transaction per batch with
 * prepared multi-row INSERT statements. Alerts are kept in their stored form (`toStoredAlert`), the same
 * fields the server's store keeps, plus the findings.
 */
import Database from "better-sqlite3";
import type { LiveVerdict } from "../ingest.ts";
import { type LiveAlert, toStoredAlert } from "../live/alert.ts";
import type { LiveSink } from "../live/pipeline.ts";

const ALERT_COLUMNS: [string, string][] = [
  ["at", "TEXT"],
  ["site", "TEXT"],
  ["asset", "TEXT"],
  ["zone", "TEXT"],
  ["signal", "TEXT"],
  ["severity", "TEXT"],
  ["score", "REAL"],
  ["message", "TEXT"],
  ["services", "TEXT"],
  ["findings", "TEXT"],
  ["t", "REAL"],
];

/** Rows per multi-row INSERT statement (7 parameters each; SQLite allows 32766 parameters). */
const ROWS_PER_STATEMENT = 128;

export class AlertStore implements LiveSink {
  private readonly db: Database.Database;
  private readonly insReading: Database.Statement;
  private readonly insMany: Database.Statement;
  private readonly insAlert: Database.Statement;
  private readonly writeBatch: (n: number) => void;
  private readonly site: string[];
  private readonly asset: string[];
  private readonly signal: string[];
  private readonly t: Float64Array;
  private readonly v: Float64Array;
  private readonly score: Float64Array;
  private readonly flag: Uint8Array;
  private readonly args: unknown[] = new Array(7 * ROWS_PER_STATEMENT);
  private n = 0;
  readingsStored = 0;
  /** Readings lost because a batch could not be written (counted, never silent). */
  readingsFailed = 0;
  alertsStored = 0;

  constructor(
    file: string,
    private readonly storeReadings = true,
    readonly batch = 5000,
  ) {
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.exec(`CREATE TABLE IF NOT EXISTS readings (site TEXT, asset TEXT, signal TEXT, t REAL, v REAL, score REAL, flag INTEGER);
      CREATE TABLE IF NOT EXISTS alerts (id INTEGER PRIMARY KEY, ${ALERT_COLUMNS.map(([c, t]) => `${c} ${t}`).join(", ")});`);
    // files written by an older version lack some alert columns: add them
    const have = new Set((this.db.prepare("PRAGMA table_info(alerts)").all() as { name: string }[]).map((c) => c.name));
    for (const [c, t] of ALERT_COLUMNS) if (!have.has(c)) this.db.exec(`ALTER TABLE alerts ADD COLUMN ${c} ${t}`);
    this.insReading = this.db.prepare("INSERT INTO readings VALUES (?, ?, ?, ?, ?, ?, ?)");
    this.insMany = this.db.prepare(
      `INSERT INTO readings VALUES ${Array.from({ length: ROWS_PER_STATEMENT }, () => "(?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
    );
    this.insAlert = this.db.prepare(
      `INSERT INTO alerts (${ALERT_COLUMNS.map(([c]) => c).join(", ")}) VALUES (${ALERT_COLUMNS.map(() => "?").join(", ")})`,
    );
    this.site = new Array(batch);
    this.asset = new Array(batch);
    this.signal = new Array(batch);
    this.t = new Float64Array(batch);
    this.v = new Float64Array(batch);
    this.score = new Float64Array(batch);
    this.flag = new Uint8Array(batch);
    this.writeBatch = this.db.transaction((n: number) => {
      const a = this.args;
      let i = 0;
      for (; i + ROWS_PER_STATEMENT <= n; i += ROWS_PER_STATEMENT) {
        for (let k = 0, p = 0; k < ROWS_PER_STATEMENT; k++) {
          const r = i + k;
          a[p++] = this.site[r];
          a[p++] = this.asset[r];
          a[p++] = this.signal[r];
          a[p++] = this.t[r];
          a[p++] = this.v[r];
          a[p++] = this.score[r];
          a[p++] = this.flag[r];
        }
        this.insMany.run(a);
      }
      for (; i < n; i++)
        this.insReading.run(
          this.site[i],
          this.asset[i],
          this.signal[i],
          this.t[i],
          this.v[i],
          this.score[i],
          this.flag[i],
        );
    });
  }

  /** One judged reading (buffered; written when the batch is full or on `flush`). */
  verdict(site: string, asset: string, signal: string, t: number, v: number, score: number, flag: 0 | 1): void {
    if (!this.storeReadings) {
      this.readingsStored++;
      return;
    }
    const i = this.n++;
    this.site[i] = site;
    this.asset[i] = asset;
    this.signal[i] = signal;
    this.t[i] = t;
    this.v[i] = v;
    this.score[i] = score;
    this.flag[i] = flag;
    if (this.n === this.batch) this.flush();
  }

  addReadings(rows: LiveVerdict[]): void {
    for (const r of rows) this.verdict(r.site, r.asset, r.signal, r.t, r.v, r.score, r.flag);
  }

  /** Readings buffered but not yet written. */
  get pending(): number {
    return this.n;
  }

  flush(): void {
    const n = this.n;
    if (n === 0) return;
    this.n = 0;
    try {
      this.writeBatch(n);
      this.readingsStored += n;
    } catch {
      this.readingsFailed += n; // disk full, file removed: counted and reported, the pipeline goes on
    }
  }

  /** LiveSink: an alert in its stored form (and its findings). */
  alert(a: LiveAlert): void {
    const s = toStoredAlert(a, "mqtt", null);
    this.insAlert.run(
      s.at,
      a.site,
      s.assetId,
      s.zone,
      s.signal,
      s.severity,
      s.score,
      s.message,
      JSON.stringify(s.services),
      JSON.stringify(a.findings),
      a.t,
    );
    this.alertsStored++;
  }

  count(table: "readings" | "alerts"): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  }

  close(): void {
    this.flush();
    this.db.close();
  }
}
