/** `rampart audit verify`: checks the audit log's hash chain; exit 1 when an entry was edited or removed. */
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
