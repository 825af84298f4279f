/**
 * Model benchmark: load + validate a generated 100,000-asset city from YAML (aim < 3 s on 2 cores),
 * then the levels engine figures (bench/levels.ts: the incremental update after one more asset goes down).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { generateFiles } from "../src/model/generate.ts";
import { loadModel } from "../src/model/load.ts";

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
    const times: number[] = [];
    let ok = false;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const r = await loadModel(dir);
      times.push((performance.now() - t0) / 1000);
      ok = r.ok;
    }
    times.sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        bench: "model.validate",
        value: Number(times[1].toFixed(3)),
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
