/**
 * `rampart invest` at the edges [BUY-7] [BUY-13]: a candidates file's unknown id is located at its line and
 * column (exit 1), bad per-year budgets are a usage error (exit 2), and --html writes the council report with
 * the frontier chart and the recommendation.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test, vi } from "vitest";
import { parseCandidatesFile } from "../../src/cli/invest.ts";
import { main } from "../../src/cli/main.ts";

const dir = mkdtempSync(join(tmpdir(), "rampart-invest-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...args: string[]) {
  let err = "";
  let out = "";
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  try {
    const code = await main(["node", "rampart", ...args]);
    return { code, err, out };
  } finally {
    e.mockRestore();
    o.mockRestore();
  }
}

test("[BUY-13] a candidates file: ids with line and column, comments and blank lines skipped", () => {
  expect(parseCandidatesFile("# list\nctl-a\n\n   ctl-b  # why\r\nctl-c")).toEqual([
    { id: "ctl-a", line: 2, column: 1 },
    { id: "ctl-b", line: 4, column: 4 },
    { id: "ctl-c", line: 5, column: 1 },
  ]);
});

test("[BUY-13] an unknown candidate in a file is located there; bad year budgets are a usage error", async () => {
  const f = join(dir, "cands.txt");
  writeFileSync(f, "ctl-immutable-backups\n\n  ctl-immutable-backup\n");
  const r = await run("invest", "examples/harborview", "--budget", "100000", "--candidates-file", f, "--runs", "5");
  expect(r.code).toBe(1);
  expect(r.err).toContain(`${f}:3:3`);
  expect(r.err).toContain("did you mean ctl-immutable-backups");
  const y = await run("invest", "examples/harborview", "--budget", "100000", "--year-budgets", "5000,-1");
  expect(y.code).toBe(2);
  expect(y.err).toContain("--year-budgets");
});

test("[BUY-13] --html writes the council report: recommendation, frontier chart, ratio comparison, plan", async () => {
  const html = join(dir, "r.html");
  const r = await run(
    "invest",
    "examples/harborview",
    "--budget",
    "200000",
    "--years",
    "2",
    "--candidates",
    "ctl-immutable-backups,ctl-vendor-access-mfa,ctl-default-credentials",
    "--scenarios",
    "ransomware",
    "--runs",
    "20",
    "--workers",
    "1",
    "--html",
    html,
  );
  expect(r.code).toBe(0);
  const text = readFileSync(html, "utf8");
  expect(text).toContain("<svg");
  expect(text).toContain("Frontier: cost against expected annual loss");
  expect(text).toContain("ratio order");
  expect(text).toContain("Plan over 2 years");
  expect(text).not.toContain("<script");
  expect(r.out).toContain("optimality:");
}, 120_000);
