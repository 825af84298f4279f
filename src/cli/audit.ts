/**
 * `rampart audit verify` and `rampart audit anchor`. Both open the store read-only ([AUD-4]): they never
 * write to it, not even to an empty file. Exit 1 when the log was edited, inserted into, truncated, wiped
 * or rewritten (against the last anchor), or when the store is empty, damaged or not a Rampart store.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import {
  appendAnchor,
  auditKeyPath,
  checkAnchor,
  lastAnchor,
  loadAuditKey,
  type SignedHead,
  signHead,
} from "../store/anchor.ts";
import { describeStore, openStoreReadOnly, type SqlStore } from "../store/index.ts";
import { CliError, command, EXIT_INVALID, EXIT_OK } from "./command.ts";

type Where = { data: string; key?: string };

/** The store cannot be read, or the log cannot be checked or anchored: exit 1. */
function fail(message: string): never {
  throw new CliError(message, EXIT_INVALID);
}

/** Opens the store read-only, or throws why it cannot be read (exit 1). */
async function openForAudit(o: Where): Promise<{ store: SqlStore; where: string }> {
  const opts = { dataDir: o.data, databaseUrl: process.env.DATABASE_URL || undefined };
  // Verifying must not create a store: a mistyped --data would otherwise verify an empty, new log.
  if (!opts.databaseUrl && !existsSync(join(o.data, "rampart.db"))) {
    fail(`option --data: no Rampart store in ${o.data} (expected ${join(o.data, "rampart.db")})`);
  }
  try {
    return { store: await openStoreReadOnly(opts), where: describeStore(opts) };
  } catch (e) {
    fail(`${describeStore(opts)}: ${(e as Error).message}`);
  }
}

function keyOf(o: Where) {
  const path = o.key ?? auditKeyPath(o.data);
  try {
    return loadAuditKey(path);
  } catch (e) {
    fail(
      `option --key: cannot read the audit signing key ${path} (${(e as NodeJS.ErrnoException).code ?? "not a key"})`,
    );
  }
}

export function registerAudit(program: Command): void {
  const audit = program.command("audit").description("The audit log of every change");
  audit
    .command("verify")
    .description("Verify the audit log's hash chain, and against the last anchor with --anchor (exit 1 if broken)")
    .option("--data <dir>", "data folder of the embedded store", ".rampart")
    .option("--anchor <file>", "check the log against the last signed head in this anchor file")
    .option("--key <file>", "the audit signing key (default RAMPART_AUDIT_KEY or <data>/audit-signing.key)")
    .option("--json", "print the result as JSON")
    .action(
      command(async (o: Where & { anchor?: string; json?: boolean }) => {
        const { store, where } = await openForAudit(o);
        try {
          let v: Awaited<ReturnType<SqlStore["verifyAudit"]>>;
          let anchorProblem: { code: string; message: string } | null = null;
          let anchored: SignedHead | undefined;
          try {
            v = await store.verifyAudit();
            if (o.anchor) {
              const key = keyOf(o);
              const a = lastAnchor(o.anchor);
              if (typeof a === "string") return fail(`option --anchor: ${a}`);
              anchored = a;
              const hashes = new Map<number, string | null>([[a.seq, await store.auditHashAt(a.seq)]]);
              anchorProblem = checkAnchor(a, key, await store.auditHead(), (s) => hashes.get(s) ?? null);
            }
          } catch (e) {
            return fail(`${where}: cannot read the audit log (${(e as { code?: string }).code ?? "damaged"})`);
          }
          const ok = v.ok && !anchorProblem;
          if (o.json) {
            const out = {
              ...v,
              ok,
              anchor: anchored ? { seq: anchored.seq, at: anchored.at, problem: anchorProblem } : undefined,
            };
            process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
          } else {
            for (const p of v.problems) process.stdout.write(`entry ${p.seq}: ${p.code}: ${p.message}\n`);
            if (anchorProblem) process.stdout.write(`anchor: ${anchorProblem.code}: ${anchorProblem.message}\n`);
            const against = anchored ? `, anchored entry ${anchored.seq} matches` : "";
            process.stdout.write(
              ok
                ? `audit log intact: ${v.entries} entries, head ${v.head}${against} (${where})\n`
                : `audit log BROKEN: ${v.problems.length + (anchorProblem ? 1 : 0)} problem(s) in ${v.entries} entries (${where})\n`,
            );
          }
          return ok ? EXIT_OK : EXIT_INVALID;
        } finally {
          await store.close();
        }
      }),
    );
  audit
    .command("anchor")
    .description("Sign the audit log's head and append it to an anchor file kept outside the store")
    .option("--data <dir>", "data folder of the embedded store", ".rampart")
    .requiredOption("--to <file>", "the anchor file to append the signed head to (JSON lines)")
    .option("--key <file>", "the audit signing key (default RAMPART_AUDIT_KEY or <data>/audit-signing.key)")
    .action(
      command(async (o: Where & { to: string }) => {
        const key = keyOf(o);
        const { store, where } = await openForAudit(o);
        try {
          const v = await store.verifyAudit().catch(() => undefined);
          if (!v) return fail(`${where}: cannot read the audit log`);
          if (!v.ok) return fail(`${where}: the audit log is broken (${v.problems[0]?.message}); not anchoring it`);
          const head = await store.auditHead();
          const signed = signHead(key, head, new Date().toISOString());
          appendAnchor(o.to, signed);
          process.stdout.write(`anchored entry ${head.seq} (head ${head.hash}) in ${o.to}\n`);
          return EXIT_OK;
        } finally {
          await store.close();
        }
      }),
    );
}
