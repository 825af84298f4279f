/** `rampart audit verify`: checks the audit log's hash chain; exit 1 when an entry was edited or removed. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { describeStore, openStore } from "../store/index.ts";
import { EXIT_INVALID, EXIT_OK } from "./io.ts";

export function registerAudit(program: Command): void {
  const audit = program.command("audit").description("The audit log of every change");
  audit
    .command("verify")
    .description("Verify the hash chain of the audit log (exit 1 if any entry was edited, inserted or removed)")
    .option("--data <dir>", "data folder of the embedded store", ".rampart")
    .option("--json", "print the result as JSON")
    .action(async (o: { data: string; json?: boolean }) => {
      const opts = { dataDir: o.data, databaseUrl: process.env.DATABASE_URL || undefined };
      // Verifying must not create a store: a mistyped --data would otherwise verify an empty, new log.
      if (!opts.databaseUrl && !existsSync(join(o.data, "rampart.db"))) {
        process.stderr.write(
          `rampart: option --data: no Rampart store in ${o.data} (expected ${join(o.data, "rampart.db")})\n`,
        );
        process.exitCode = EXIT_INVALID;
        return;
      }
      const store = await openStore(opts);
      try {
        const v = await store.verifyAudit();
        if (o.json) process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
        else {
          for (const p of v.problems) process.stdout.write(`entry ${p.seq}: ${p.code}: ${p.message}\n`);
          process.stdout.write(
            v.ok
              ? `audit log intact: ${v.entries} entries, head ${v.head} (${describeStore(opts)})\n`
              : `audit log BROKEN: ${v.problems.length} problem(s) in ${v.entries} entries (${describeStore(opts)})\n`,
          );
        }
        process.exitCode = v.ok ? EXIT_OK : EXIT_INVALID;
      } finally {
        await store.close();
      }
    });
}
