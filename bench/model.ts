/**
 * Model benchmark: load + validate a generated 100,000-asset city from YAML (aim < 3 s on 2 cores; median of 5 fresh processes),
 * then the levels engine figures (bench/levels.ts: the incremental update after one more asset goes down).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateFiles } from "../src/model/generate.ts";

const here = dirname(fileURLToPath(import.meta.url));
/** The Node flags of bin/rampart's shebang line, so the fresh process is the one a user runs. */
const CLI_NODE_FLAGS = (
  readFileSync(join(here, "..", "bin", "rampart"), "utf8")
    .split("\n")[0]
    .match(/node (.*)$/)?.[1] ?? ""
)
  .split(" ")
  .filter(Boolean);

export async function run(): Promise<void> {
  const assets = Number(process.env.BENCH_ASSETS ?? 100_000);
  const dir = mkdtempSync(join(tmpdir(), "rampart-bench-"));
  try {
    const files = generateFiles({ assets, seed: 1 });
    for (const f of files) {
      await mkdir(dirname(join(dir, f.path)), { recursive: true });
      await writeFile(join(dir, f.path), f.text);
    }
    const bytes = files.reduce((a, f) => a + f.text.length, 0);
    // Each load runs in a fresh process, as `rampart validate` does (a long-lived process that loaded
    // models before carries their garbage into the next load's timing).
    const times: number[] = [];
    let ok = false;
    for (let i = 0; i < 5; i++) {
      const out = execFileSync(
        process.execPath,
        [...CLI_NODE_FLAGS, "--import", "tsx", join(here, "_load-once.ts"), dir],
        {
          encoding: "utf8",
        },
      );
      const r = JSON.parse(out.trim().split("\n").pop() as string) as { seconds: number; ok: boolean };
      times.push(r.seconds);
      ok = r.ok;
    }
    times.sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        bench: "model.validate",
        value: Number(times[2].toFixed(3)),
        runs: times.length,
        unit: "s",
        best: Number(times[0].toFixed(3)),
        assets,
        files: files.length,
        mb: Number((bytes / 1e6).toFixed(1)),
        valid: ok,
        node: process.version,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const levels = (await import("./levels.ts").catch(() => undefined)) as { run?: () => Promise<void> } | undefined;
  await levels?.run?.();
}
