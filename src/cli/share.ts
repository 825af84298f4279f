/**
 * `rampart share ...`: STIX 2.1 export and import, TAXII collections and partners in the store, watch rules
 * from indicators, and a TAXII 2.1 client (push, pull). Exit codes: 0 ok, 1 invalid input or a refused
 * request, 2 usage error.
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { assess } from "../assess/assess.ts";
import { buildIndex } from "../model/graph.ts";
import { hashPassword } from "../server/auth.ts";
import { exportBundle } from "../share/export.ts";
import { parseStix, parseStixValue, type WatchRule, watchRuleOf } from "../share/import.ts";
import { TaxiiClient, TaxiiError } from "../share/io/taxii-client.ts";
import { parseTlp, type StixObject, TLP_LEVELS } from "../share/stix.ts";
import { openStore, type SqlStore, type StoreOptions } from "../store/index.ts";
import { CliError, command, EXIT_INVALID, EXIT_OK, EXIT_USAGE, invalidInput, optionError } from "./command.ts";
import { loadOrExit } from "./io.ts";

const out = (s: string) => process.stdout.write(s);
const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

type StoreOpt = { data: string };
const storeOpts = (o: StoreOpt): StoreOptions => ({
  dataDir: o.data,
  databaseUrl: process.env.DATABASE_URL || undefined,
});

async function withStore<T>(o: StoreOpt, fn: (s: SqlStore) => Promise<T>): Promise<T> {
  const s = await openStore(storeOpts(o));
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

function idOption(name: string, v: string): string {
  if (!ID.test(v)) throw optionError(name, 'an id of lowercase letters, digits, ".", "_" or "-"', v);
  return v;
}

function secret(envVar: string | undefined, what: string): string | undefined {
  if (!envVar) return undefined;
  const v = process.env[envVar];
  if (v === undefined || v === "")
    throw new CliError(`option --password-env: environment variable ${envVar} (${what}) is not set`, EXIT_USAGE);
  return v;
}

async function readBundleFile(file: string): Promise<StixObject[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw invalidInput([{ file, message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? "error"}` }]);
  }
  const r = parseStix(text);
  if (!r.ok)
    throw invalidInput(
      r.issues.slice(0, 20).map((i) => ({ file, message: `${i.path ? `${i.path}: ` : ""}${i.message}` })),
      `${file}: ${r.issues.length} error(s); nothing imported`,
    );
  return r.objects.map((o) => JSON.parse(o.json) as StixObject);
}

function clientOf(o: { server: string; user?: string; passwordEnv?: string }): TaxiiClient {
  try {
    new URL(o.server);
  } catch {
    throw optionError("--server", "a URL such as http://host:8080/taxii2/", o.server);
  }
  return new TaxiiClient(o.server, { user: o.user, password: secret(o.passwordEnv, "the TAXII password") });
}

async function taxii<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof TaxiiError) throw new CliError(e.message, EXIT_INVALID);
    throw e;
  }
}

function describeRule(r: WatchRule): string {
  const m = Object.entries(r.match)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  return `${r.kind}\t${m}\t${r.validFrom}${r.validUntil ? `..${r.validUntil}` : ""}\t${r.indicator}`;
}

export function registerShare(program: Command): void {
  const share = program.command("share").description("Share threat information: STIX 2.1 export and import, TAXII 2.1");
  const dataOpt = (c: Command) =>
    c.option("--data <dir>", "data folder of the embedded store (or DATABASE_URL)", ".rampart");

  share
    .command("export")
    .description("Export an assessment (findings, attack techniques, KEV CVEs, controls) as a STIX 2.1 bundle")
    .argument("<model>", "model file or folder")
    .requiredOption("--tlp <level>", `sharing level: ${TLP_LEVELS.join(", ")} (CLEAR and GREEN are sanitised)`)
    .requiredOption("--out <file>", "bundle file to write")
    .option("--incidents", "also export the model's alerts from the store (as sightings)")
    .option("--data <dir>", "data folder of the store the alerts come from", ".rampart")
    .option("--as-of <date>", "assessment date YYYY-MM-DD (default: today)")
    .action(
      command(
        async (path: string, o: { tlp: string; out: string; incidents?: boolean; data: string; asOf?: string }) => {
          const tlp = parseTlp(o.tlp);
          if (!tlp) throw optionError("--tlp", `one of ${TLP_LEVELS.join(", ")}`, o.tlp);
          const now = new Date().toISOString();
          const asOf = o.asOf ?? now.slice(0, 10);
          if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw optionError("--as-of", "YYYY-MM-DD", asOf);
          const { model } = await loadOrExit(path);
          const report = assess(buildIndex(model), { asOf });
          let alerts: Awaited<ReturnType<SqlStore["listAlerts"]>> = [];
          if (o.incidents) {
            if (!process.env.DATABASE_URL && !existsSync(join(o.data, "rampart.db")))
              throw new CliError(`option --data: no Rampart store in ${o.data} (needed for --incidents)`, EXIT_USAGE);
            alerts = await withStore(o, async (s) => {
              const models = await s.listModels();
              const ids = new Set(
                models
                  .filter((m) => m.name === model.city.name || m.id === path.split("/").filter(Boolean).pop())
                  .map((m) => m.id),
              );
              return (await s.listAlerts({ limit: 10_000 })).filter((a) => a.modelId !== null && ids.has(a.modelId));
            });
          }
          const r = exportBundle({ model, report, tlp, now, alerts });
          if (!r.ok) {
            // the exporter refused: something internal would have left the city (a bug, never a partial file)
            throw new CliError(
              `export refused: ${r.leaks.length} internal term(s) in the sanitised bundle`,
              EXIT_INVALID,
            );
          }
          try {
            await writeFile(o.out, `${JSON.stringify(r.bundle)}\n`);
          } catch (e) {
            throw invalidInput([
              { file: o.out, message: `cannot write: ${(e as NodeJS.ErrnoException).code ?? "error"}` },
            ]);
          }
          const counts = Object.entries(r.counts)
            .map(([k, v]) => `${v} ${k}`)
            .join(", ");
          out(`${o.out}: ${r.bundle.objects.length} STIX objects at TLP:${tlp.toUpperCase()} (${counts})\n`);
          return EXIT_OK;
        },
      ),
    );

  dataOpt(
    share
      .command("import")
      .description("Import a STIX 2.1 bundle into a collection of the store (same id and version: kept once)")
      .argument("<file>", "STIX bundle (JSON)")
      .option("--collection <id>", "collection to add to (created if absent)", "imported"),
  ).action(
    command(async (file: string, o: StoreOpt & { collection: string }) => {
      const collection = idOption("--collection", o.collection);
      const objects = await readBundleFile(file);
      const parsed = parseStixValue({ objects });
      if (!parsed.ok) throw new CliError(`${file}: invalid`, EXIT_INVALID);
      const res = await withStore(o, async (s) => {
        if (!(await s.share.getCollection(collection)))
          await s.share.putCollection({ id: collection, title: collection }, { user: "cli" });
        return s.share.addObjects(collection, parsed.objects, `file:${file.split("/").pop()}`, { user: "cli" });
      });
      const rules = objects.map(watchRuleOf).filter((r) => r !== null).length;
      out(
        `${file}: ${res.added.length} new, ${res.duplicates.length + parsed.repeats} already present, into collection ${collection}; ${rules} indicator(s) usable as watch rules (rampart share rules)\n`,
      );
    }),
  );

  dataOpt(
    share
      .command("rules")
      .description("List the watch rules the stored indicators become (telemetry, ports, addresses, domains, hashes)")
      .option("--collection <id>", "only this collection")
      .option("--json", "print as JSON"),
  ).action(
    command(async (o: StoreOpt & { collection?: string; json?: boolean }) => {
      const rules = await withStore(o, async (s) => {
        const cols = o.collection ? [o.collection] : (await s.share.listCollections()).map((c) => c.id);
        const rs: (WatchRule & { collection: string })[] = [];
        for (const c of cols) {
          let after: number | undefined;
          for (;;) {
            const page = await s.share.queryObjects(c, { types: ["indicator"], limit: 1000, after });
            for (const row of page.rows) {
              const r = watchRuleOf(JSON.parse(row.json));
              if (r) rs.push({ ...r, collection: c });
            }
            if (!page.more) break;
            after = page.rows[page.rows.length - 1].seq;
          }
        }
        return rs;
      });
      if (o.json) out(`${JSON.stringify(rules, null, 1)}\n`);
      else {
        for (const r of rules) out(`${r.collection}\t${describeRule(r)}\n`);
        out(`${rules.length} watch rule(s)\n`);
      }
    }),
  );

  dataOpt(
    share
      .command("collection")
      .description("Create or retitle a TAXII collection")
      .argument("<id>", "collection id")
      .option("--title <text>", "title", ""),
  ).action(
    command(async (id: string, o: StoreOpt & { title: string }) => {
      const cid = idOption("<id>", id);
      await withStore(o, (s) => s.share.putCollection({ id: cid, title: o.title || cid }, { user: "cli" }));
      out(`collection ${cid} saved\n`);
    }),
  );

  dataOpt(
    share
      .command("partner")
      .description("Create or update a TAXII partner (HTTP Basic) and its rights per collection")
      .argument("<name>", "partner user name")
      .requiredOption("--password-env <var>", "environment variable holding the partner's password (>= 12 characters)")
      .option("--read <ids>", "collections it may read (comma-separated)", "")
      .option("--write <ids>", "collections it may write (comma-separated)", ""),
  ).action(
    command(async (name: string, o: StoreOpt & { passwordEnv: string; read: string; write: string }) => {
      const pname = idOption("<name>", name);
      const pw = secret(o.passwordEnv, "the partner's password") as string;
      if (pw.length < 12)
        throw new CliError("option --password-env: the password must have at least 12 characters", EXIT_USAGE);
      const list = (s: string, opt: string) =>
        s
          .split(",")
          .map((x) => x.trim())
          .filter(Boolean)
          .map((x) => idOption(opt, x));
      const read = new Set(list(o.read, "--read"));
      const write = new Set(list(o.write, "--write"));
      await withStore(o, async (s) => {
        for (const c of [...read, ...write])
          if (!(await s.share.getCollection(c)))
            throw new CliError(`no collection ${c} (create it: rampart share collection ${c})`, EXIT_INVALID);
        await s.share.putPartner({ name: pname, passwordHash: await hashPassword(pw) }, { user: "cli" });
        for (const c of new Set([...read, ...write]))
          await s.share.setRight(
            { collection: c, principal: pname, read: read.has(c), write: write.has(c) },
            { user: "cli" },
          );
      });
      out(`partner ${pname} saved (read: ${[...read].join(",") || "-"}; write: ${[...write].join(",") || "-"})\n`);
    }),
  );

  const clientOpts = (c: Command) =>
    c
      .requiredOption("--server <url>", "TAXII discovery or API root URL, e.g. http://host:8080/taxii2/")
      .requiredOption("--collection <id>", "collection id")
      .option("--user <name>", "HTTP Basic user")
      .option("--password-env <var>", "environment variable holding the password");

  clientOpts(
    share
      .command("push")
      .description("Add a STIX bundle's objects to a collection of a TAXII 2.1 server")
      .argument("<file>", "STIX bundle"),
  ).action(
    command(async (file: string, o: { server: string; collection: string; user?: string; passwordEnv?: string }) => {
      const objects = await readBundleFile(file);
      const r = await taxii(clientOf(o).push(o.collection, objects));
      out(
        `${r.total} object(s) sent in ${r.requests} request(s): ${r.success} accepted, ${r.failure} refused, ${r.pending} pending\n`,
      );
      return r.failure ? EXIT_INVALID : EXIT_OK;
    }),
  );

  dataOpt(
    clientOpts(share.command("pull").description("Get a collection's objects from a TAXII 2.1 server"))
      .option("--added-after <time>", "only objects added after this RFC 3339 time")
      .option("--out <file>", "write them as a bundle")
      .option("--into <id>", "import them into this local collection"),
  ).action(
    command(
      async (
        o: StoreOpt & {
          server: string;
          collection: string;
          user?: string;
          passwordEnv?: string;
          addedAfter?: string;
          out?: string;
          into?: string;
        },
      ) => {
        if (!o.out && !o.into) throw new CliError("share pull: give --out FILE, --into COLLECTION or both", EXIT_USAGE);
        const objects = await taxii(clientOf(o).pull(o.collection, { addedAfter: o.addedAfter }));
        if (o.out) {
          const bundle = { type: "bundle", id: `bundle--${crypto.randomUUID()}`, objects };
          await writeFile(o.out, `${JSON.stringify(bundle)}\n`);
          out(`${o.out}: ${objects.length} object(s)\n`);
        }
        if (o.into) {
          const into = idOption("--into", o.into);
          const parsed = parseStixValue({ objects });
          if (!parsed.ok) {
            throw invalidInput(
              parsed.issues.slice(0, 20).map((i) => ({ file: o.server, message: `${i.path}: ${i.message}` })),
              "the server sent invalid STIX objects; nothing imported",
            );
          }
          const res = await withStore(o, async (s) => {
            if (!(await s.share.getCollection(into)))
              await s.share.putCollection({ id: into, title: into }, { user: "cli" });
            return s.share.addObjects(into, parsed.objects, `taxii:${new URL(o.server).host}/${o.collection}`, {
              user: "cli",
            });
          });
          out(
            `${res.added.length} new, ${res.duplicates.length + parsed.repeats} already present, into collection ${into}\n`,
          );
        }
      },
    ),
  );
}
