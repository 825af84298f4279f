/** SQLite store for judged readings and alerts (better-sqlite3, batched inserts in transactions). */
import Database from "better-sqlite3";
import type { LiveAlert, LiveVerdict } from "../ingest.ts";
import type { AssetContext } from "./city.ts";

export class AlertStore {
  private readonly db: Database.Database;
  private readonly insReading: Database.Statement;
  private readonly insAlert: Database.Statement;
  private readonly flushReadings: (rows: LiveVerdict[]) => void;
  private buf: LiveVerdict[] = [];
  readingsStored = 0;
  alertsStored = 0;

  constructor(
    file: string,
    private readonly storeReadings = true,
  ) {
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.exec(`CREATE TABLE IF NOT EXISTS readings (site TEXT, asset TEXT, signal TEXT, t REAL, v REAL, score REAL, flag INTEGER);
      CREATE TABLE IF NOT EXISTS alerts (id INTEGER PRIMARY KEY, site TEXT, asset TEXT, t REAL, score REAL, zone TEXT, services TEXT, findings TEXT);`);
    this.insReading = this.db.prepare("INSERT INTO readings VALUES (?, ?, ?, ?, ?, ?, ?)");
    this.insAlert = this.db.prepare(
      "INSERT INTO alerts (site, asset, t, score, zone, services, findings) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    this.flushReadings = this.db.transaction((rows: LiveVerdict[]) => {
      for (const r of rows) this.insReading.run(r.site, r.asset, r.signal, r.t, r.v, r.score, r.flag);
    });
  }

  addReadings(rows: LiveVerdict[]): void {
    if (!this.storeReadings) {
      this.readingsStored += rows.length;
      return;
    }
    for (const r of rows) this.buf.push(r);
    if (this.buf.length >= 5000) this.flush();
  }

  flush(): void {
    if (this.buf.length === 0) return;
    const rows = this.buf;
    this.buf = [];
    this.flushReadings(rows);
    this.readingsStored += rows.length;
  }

  addAlert(a: LiveAlert, ctx: AssetContext | null): number {
    const info = this.insAlert.run(
      a.site,
      a.asset,
      a.t,
      a.score,
      ctx?.zone ?? null,
      JSON.stringify(ctx?.services ?? []),
      JSON.stringify(a.findings),
    );
    this.alertsStored++;
    return Number(info.lastInsertRowid);
  }

  count(table: "readings" | "alerts"): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  }

  close(): void {
    this.flush();
    this.db.close();
  }
}
