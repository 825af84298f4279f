/**
 * `rampart detect ...`: train, run and score telemetry anomaly detectors; NAB benchmark; live MQTT watch.
 * Exit codes: 0 ok, 1 invalid input or failed check, 2 usage error. Bad input never prints a stack trace.
 */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { csvCell, parseCsv, parseFlags, parseLabels, type Table } from "../detect/csv.ts";
import type { DetectorModel } from "../detect/engine.ts";
import type { DetectIssue } from "../detect/errors.ts";
import { readDetectorFile, readTextFile } from "../detect/io/files.ts";
import type { nabCommand as NabCommand } from "../detect/io/nab.ts";
import { runModel, trainTables } from "../detect/pipeline.ts";
import { flagMap, scoreBatadal } from "../detect/score.ts";
import { CliError, command, EXIT_USAGE, invalidInput, optionError } from "./command.ts";

type NabOptions = Parameters<typeof NabCommand>[0];

/** Invalid input (exit 1), located by the detection adapters' issues. */
function fail(issues: DetectIssue[]): never {
  throw invalidInput(issues);
}

export function readText(file: string): string {
  const r = readTextFile(file);
  if (!r.ok) fail(r.issues);
  return r.value;
}

export function loadTable(file: string, labelColumn?: string, requireLabel = true): Table {
  const r = parseCsv(readText(file), file, { labelColumn, requireLabel });
  if (!r.ok) fail(r.issues);
  return r.value;
}

export function loadModelFile(file: string): DetectorModel {
  const r = readDetectorFile(file);
  if (!r.ok) fail(r.issues);
  return r.value;
}

function writeOut(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (e) {
    fail([{ code: "FILE_UNWRITABLE", message: `cannot write: ${(e as NodeJS.ErrnoException).code ?? "error"}`, file }]);
  }
}

const collect = (v: string, prev: string[]) => [...prev, v];

/** `--params <json>`: detector parameters (advanced); not JSON is a usage error. */
function parseParams(text: string | undefined): Record<string, unknown> {
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw optionError("--params", "JSON", text);
  }
}

function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0 || n > 65535) throw optionError(name, "a whole number from 1 to 65535", v);
  return n;
}

export function registerDetect(program: Command): void {
  const detect = program.command("detect").description("real-time anomaly detection on SCADA and IoT telemetry");

  detect
    .command("train")
    .description("learn a detector from CSV history (timestamp first column, numeric signals)")
    .requiredOption("--input <file>", "training CSV (repeatable)", collect, [] as string[])
    .option("--label-column <name>", "label column: 1 attack, 0 normal, else unknown; never a feature")
    .requiredOption("--out <file>", "detector JSON to write")
    .option("--params <json>", "detector parameters as JSON (advanced)")
    .action(
      command((o: { input: string[]; labelColumn?: string; out: string; params?: string }) => {
        if (o.input.length === 0) throw new CliError("option --input: at least one is required", EXIT_USAGE);
        const params = parseParams(o.params);
        // the label column is optional per file (dataset03 has one, a plain history may not)
        const tables = o.input.map((f) => loadTable(f, o.labelColumn, false));
        const r = trainTables(tables, params);
        if (!r.ok) fail(r.issues);
        writeOut(o.out, JSON.stringify(r.value.model));
        const rep = r.value.report;
        process.stderr.write(
          `trained on ${rep.rows} normal rows (${rep.attackRowsExcluded} attack rows excluded), ${r.value.model.signals.length} signals, ` +
            `${r.value.model.relations.length} relations, ${r.value.model.rules.length} control rules` +
            (rep.thresholdsFromLabels
              ? `; thresholds chosen from labels (in-sample S ${rep.labelledS?.toFixed(3)})`
              : "") +
            "\n",
        );
        for (const d of rep.disabled)
          process.stderr.write(`  off: ${d.component}${d.signal ? ` (${d.signal})` : ""}: ${d.reason}\n`);
      }),
    );

  detect
    .command("run")
    .description("judge every row of a CSV online; writes timestamp,score,flag")
    .requiredOption("--detector <file>", "detector JSON")
    .requiredOption("--input <file>", "CSV to judge")
    .requiredOption("--out <file>", "flags CSV to write")
    .option("--alerts <file>", "also write the explained alerts as JSON")
    .option("--label-column <name>", "a label column to ignore (never used)", "ATT_FLAG")
    .action(
      command((o: { detector: string; input: string; out: string; alerts?: string; labelColumn: string }) => {
        const model = loadModelFile(o.detector);
        const t = loadTable(o.input, o.labelColumn, false);
        const r = runModel(model, t);
        if (!r.ok) fail(r.issues);
        const { score, flag, alerts } = r.value;
        const lines = ["timestamp,score,flag"];
        for (let i = 0; i < score.length; i++)
          lines.push(`${csvCell(t.rawTimes[i])},${score[i].toFixed(4)},${flag[i]}`);
        writeOut(o.out, `${lines.join("\n")}\n`);
        if (o.alerts) writeOut(o.alerts, JSON.stringify(alerts, null, 1));
        let flagged = 0;
        for (const f of flag) flagged += f;
        process.stderr.write(`${score.length} rows judged, ${flagged} flagged, ${alerts.length} alerts\n`);
      }),
    );

  detect
    .command("score")
    .description("BATADAL score of a flags CSV against labels")
    .requiredOption("--flags <file>", "flags CSV (timestamp,score,flag)")
    .requiredOption("--labels <file>", "labelled CSV")
    .option("--label-column <name>", "label column", "ATT_FLAG")
    .option("--json", "print JSON")
    .action(
      command((o: { flags: string; labels: string; labelColumn: string; json?: boolean }) => {
        const f = parseFlags(readText(o.flags), o.flags);
        if (!f.ok) fail(f.issues);
        const l = parseLabels(readText(o.labels), o.labels, o.labelColumn);
        if (!l.ok) fail(l.issues);
        const fm = flagMap(f.value.keys, f.value.flags, o.flags);
        if (!fm.ok) fail(fm.issues);
        const s = scoreBatadal(l.value.keys, l.value.labels, fm.value);
        if (o.json) process.stdout.write(`${JSON.stringify(s)}\n`);
        else
          process.stdout.write(
            `S=${s.S.toFixed(4)} S_TTD=${s.S_TTD.toFixed(4)} S_CM=${s.S_CM.toFixed(4)} TPR=${s.TPR.toFixed(4)} TNR=${s.TNR.toFixed(4)} ` +
              `attacks_detected=${s.attacksDetected}/${s.attacks}${s.unmatched ? ` unmatched_hours=${s.unmatched}` : ""}\n`,
          );
        if (s.unmatched > 0)
          process.stderr.write(
            `warning: ${s.unmatched} labelled hours have no row in ${o.flags} (counted as not flagged)\n`,
          );
      }),
    );

  detect
    .command("nab")
    .description("run the detector over a Numenta Anomaly Benchmark tree and (with --score) score it by NAB's rules")
    .requiredOption("--data <dir>", "NAB data directory (category folders of timestamp,value CSVs)")
    .requiredOption("--out <dir>", "results directory (same tree, timestamp,value,anomaly_score)")
    .option("--labels <file>", "combined_windows.json (default: <data>/../labels/combined_windows.json)")
    .option("--profiles <file>", "profiles.json (default: <data>/../config/profiles.json)")
    .option("--score", "score the results with NAB's rules")
    .option("--json", "print the score as JSON")
    .action(
      command(async (o: NabOptions) => {
        const { nabCommand } = await import("../detect/io/nab.ts");
        const r = await nabCommand(o);
        if (!r.ok) fail(r.issues);
      }),
    );

  detect
    .command("validate")
    .description(
      "run the validation protocols that cannot leak (BATADAL split, NAB leave-one-category-out, short history)",
    )
    .option("--batadal <dir>", "folder with BATADAL_dataset03.csv and dataset04_fully_labeled.csv")
    .option("--nab <dir>", "NAB folder (data/, labels/combined_windows.json)")
    .option("--twin <dir>", "twin campaigns: train-*.csv (no attacks), tune-*.csv, report-*.csv (`twin dataset`)")
    .option("--only <protocol>", "batadal, nab, short or twin (repeatable; default all given)", collect, [] as string[])
    .option("--params <json>", "detector parameters as JSON (advanced)")
    .option("--json", "print the report as JSON")
    .action(
      command(
        async (o: {
          batadal?: string;
          nab?: string;
          twin?: string;
          only: string[];
          params?: string;
          json?: boolean;
        }) => {
          for (const p of o.only)
            if (!["batadal", "nab", "short", "twin"].includes(p))
              throw optionError("--only", "batadal, nab, short or twin", p);
          const params = parseParams(o.params);
          const { validateCommand } = await import("../detect/io/validate.ts");
          const r = validateCommand({ batadal: o.batadal, nab: o.nab, twin: o.twin, only: o.only, params });
          if (!r.ok) fail(r.issues);
          const v = r.value;
          if (o.json) {
            process.stdout.write(`${JSON.stringify(v)}\n`);
            return;
          }
          const f = (x: number) => x.toFixed(4);
          if (v.batadal) {
            const b = v.batadal.report;
            process.stdout.write(
              `batadal  S=${f(b.S)} S_TTD=${f(b.S_TTD)} S_CM=${f(b.S_CM)} TPR=${f(b.TPR)} TNR=${f(b.TNR)} attacks=${b.attacksDetected}/${b.attacks}` +
                ` (on=${v.batadal.chosen.on} hold=${v.batadal.chosen.hold} chosen on ${v.batadal.tuneRows} rows; ${v.batadal.protocol})\n`,
            );
          }
          if (v.nab) {
            const s = Object.entries(v.nab.scores)
              .map(([k, x]) => `${k}=${x.toFixed(2)}`)
              .join(" ");
            process.stdout.write(`nab      ${s} (${v.nab.protocol})\n`);
            for (const c of v.nab.perCategory)
              process.stdout.write(
                `  held out ${c.category}: setting ${JSON.stringify(v.nab.settings[c.setting])} standard threshold ${c.thresholds.standard?.toFixed(4)}\n`,
              );
          }
          if (v.short) {
            const s = v.short;
            process.stdout.write(
              `short    F1=${f(s.f1)} precision=${f(s.precision)} recall=${f(s.recall)} false_alarm_rate=${f(s.falseAlarmRate)} attacks=${s.attacksDetected}/${s.attacks}` +
                ` (${s.experiments} experiments; ${s.protocol})\n`,
            );
          }
          if (v.twin) {
            const t = v.twin.report;
            process.stdout.write(
              `twin     S=${f(t.S)} S_TTD=${f(t.S_TTD)} S_CM=${f(t.S_CM)} TPR=${f(t.TPR)} TNR=${f(t.TNR)} attacks=${t.attacksDetected}/${t.attacks}` +
                ` (on=${v.twin.chosen.on} hold=${v.twin.chosen.hold}; ${v.twin.protocol})\n`,
            );
          } else if (v.twinNote) process.stdout.write(`twin     ${v.twinNote}\n`);
        },
      ),
    );

  detect
    .command("watch")
    .description("live detection on MQTT topics rampart/<site>/<asset>/<signal> (and HTTP NDJSON)")
    .argument("<model>", "city model file (assets, zones, services)")
    .option("--broker <url>", "external MQTT broker URL (default: an embedded broker)")
    .option("--port <n>", "embedded broker port", "1883")
    .option("--http-port <n>", "HTTP NDJSON ingestion port (0 = off)", "0")
    .option("--detector <file>", "detector JSON per asset: <asset>=<file>, repeatable", collect, [] as string[])
    .option("--db <file>", "SQLite file for alerts", "rampart-alerts.sqlite")
    .option("--train-rows <n>", "rows to learn from per asset when no detector is given", "168")
    .option(
      "--partitions <n>",
      "share the broker's telemetry with other watch processes: topics rampart-p/<p>/<site>/<asset>/<signal>, " +
        "partitions leased in PostgreSQL (DATABASE_URL), verdicts and alerts stored there",
    )
    .option("--group <name>", "consumer group of partitioned watch processes", "rampart")
    .option("--lease-ms <n>", "partition lease: taken over when not renewed for this long", "15000")
    .option("--checkpoint-ms <n>", "detector state written to PostgreSQL at most this often", "30000")
    .action(
      command(
        async (
          modelPath: string,
          o: {
            broker?: string;
            port: string;
            httpPort: string;
            detector: string[];
            db: string;
            trainRows: string;
            partitions?: string;
            group: string;
            leaseMs: string;
            checkpointMs: string;
          },
        ) => {
          const { watchCommand } = await import("../detect/io/watch.ts");
          const detectors = o.detector.map((spec) => {
            const eq = spec.indexOf("=");
            if (eq <= 0 || eq === spec.length - 1) throw optionError("--detector", "<asset>=<file>", spec);
            return { asset: spec.slice(0, eq), file: spec.slice(eq + 1) };
          });
          const port = positiveInt("--port", o.port);
          const httpPort = o.httpPort === "0" ? 0 : positiveInt("--http-port", o.httpPort);
          const trainRows = positiveInt("--train-rows", o.trainRows);
          let partitioned: Parameters<typeof watchCommand>[0]["partitioned"];
          if (o.partitions !== undefined) {
            const databaseUrl = process.env.DATABASE_URL;
            if (!databaseUrl)
              throw new CliError("option --partitions: needs DATABASE_URL (a PostgreSQL store)", EXIT_USAGE);
            if (!o.broker) throw new CliError("option --partitions: needs --broker (an external broker)", EXIT_USAGE);
            partitioned = {
              partitions: positiveInt("--partitions", o.partitions),
              group: o.group,
              databaseUrl,
              leaseMs: positiveInt("--lease-ms", o.leaseMs),
              checkpointMs: positiveInt("--checkpoint-ms", o.checkpointMs),
            };
          }
          const r = await watchCommand({
            partitioned,
            modelPath,
            broker: o.broker,
            port,
            httpPort,
            detectors,
            db: o.db,
            trainRows,
          });
          if (!r.ok) fail(r.issues);
        },
      ),
    );

  detect
    .command("replay")
    .description("publish a CSV to MQTT at a chosen speed (rampart/<site>/<asset>/<signal>, QoS 1)")
    .requiredOption("--input <file>", "CSV to replay")
    .requiredOption("--broker <url>", "MQTT broker URL, e.g. mqtt://127.0.0.1:1883")
    .requiredOption("--site <site>", "site id")
    .requiredOption("--asset <asset>", "asset id")
    .option("--speed <x>", "time compression (3600 = one hour of data per second; 0 = as fast as possible)", "3600")
    .option("--label-column <name>", "a label column to skip", "ATT_FLAG")
    .option(
      "--inflight <n>",
      "most QoS 1 messages unacknowledged at once (capped by the broker's receive maximum)",
      "20",
    )
    .action(
      command(
        async (o: {
          input: string;
          broker: string;
          site: string;
          asset: string;
          speed: string;
          labelColumn: string;
          inflight: string;
        }) => {
          const speed = Number(o.speed);
          if (!Number.isFinite(speed) || speed < 0) throw optionError("--speed", "a number >= 0", o.speed);
          const inflight = positiveInt("--inflight", o.inflight);
          const t = loadTable(o.input, o.labelColumn, false);
          const { replayTable } = await import("../detect/io/replay.ts");
          const r = await replayTable(t, { broker: o.broker, site: o.site, asset: o.asset, speed, inflight });
          if (!r.ok) fail(r.issues);
          process.stderr.write(
            `published ${r.value.messages} messages (${t.epoch.length} rows), ${r.value.acked} acknowledged, ` +
              `at most ${r.value.window} in flight, following ${r.value.watchers} watcher(s), ${r.value.ms} ms\n`,
          );
        },
      ),
    );
}
