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
import { EXIT_INVALID, EXIT_OK } from "./io.ts";

type Where = { data: string; key?: string };

function fail(message: string): void {
  process.stderr.write(`rampart: ${message}\n`);
  process.exitCode = EXIT_INVALID;
}

/** Opens the store read-only, or prints why it cannot be read (exit 1). */
async function openForAudit(o: Where): Promise<{ store: SqlStore; where: string } | undefined> {
  const opts = { dataDir: o.data, databaseUrl: process.env.DATABASE_URL || undefined };
  // Verifying must not create a store: a mistyped --data would otherwise verify an empty, new log.
  if (!opts.databaseUrl && !existsSync(join(o.data, "rampart.db"))) {
    fail(`option --data: no Rampart store in ${o.data} (expected ${join(o.data, "rampart.db")})`);
    return undefined;
  }
  try {
    return { store: await openStoreReadOnly(opts), where: describeStore(opts) };
  } catch (e) {
    fail(`${describeStore(opts)}: ${(e as Error).message}`);
    return undefined;
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
    return undefined;
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
    .action(async (o: Where & { anchor?: string; json?: boolean }) => {
      const opened = await openForAudit(o);
      if (!opened) return;
      const { store, where } = opened;
      try {
        let v: Awaited<ReturnType<SqlStore["verifyAudit"]>>;
        let anchorProblem: { code: string; message: string } | null = null;
        let anchored: SignedHead | undefined;
        try {
          v = await store.verifyAudit();
          if (o.anchor) {
            const key = keyOf(o);
            if (!key) return;
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
        process.exitCode = ok ? EXIT_OK : EXIT_INVALID;
      } finally {
        await store.close();
      }
    });
  audit
    .command("anchor")
    .description("Sign the audit log's head and append it to an anchor file kept outside the store")
    .option("--data <dir>", "data folder of the embedded store", ".rampart")
    .requiredOption("--to <file>", "the anchor file to append the signed head to (JSON lines)")
    .option("--key <file>", "the audit signing key (default RAMPART_AUDIT_KEY or <data>/audit-signing.key)")
    .action(async (o: Where & { to: string }) => {
      const key = keyOf(o);
      if (!key) return;
      const opened = await openForAudit(o);
      if (!opened) return;
      const { store, where } = opened;
      try {
        const v = await store.verifyAudit().catch(() => undefined);
        if (!v) return fail(`${where}: cannot read the audit log`);
        if (!v.ok) return fail(`${where}: the audit log is broken (${v.problems[0]?.message}); not anchoring it`);
        const head = await store.auditHead();
        const signed = signHead(key, head, new Date().toISOString());
        appendAnchor(o.to, signed);
        process.stdout.write(`anchored entry ${head.seq} (head ${head.hash}) in ${o.to}\n`);
        process.exitCode = EXIT_OK;
      } finally {
        await store.close();
      }
    });
}
