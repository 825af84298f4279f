import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";

const dir = join(import.meta.dirname, "..", "..", "src", "detect");

test("[ENG-1] detect engines use no Math.random, Date.now, new Date() or I/O (io/ holds the I/O)", () => {
  const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));
  expect(files.length).toBeGreaterThan(5);
  for (const f of files) {
    const src = readFileSync(join(dir, f), "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
    expect(src, f).not.toMatch(/Math\.random|Date\.now|new Date\(|performance\.now|from "node:fs"|from "node:net"/);
  }
});
