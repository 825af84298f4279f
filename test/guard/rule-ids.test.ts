import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { checkRuleIds, citedIds, definedIds } from "./rule-ids.ts";

const root = join(import.meta.dirname, "..", "..");

test("[SPEC-1] every rule id a test cites is defined exactly once in docs/specs/", () => {
  const r = checkRuleIds(join(root, "test"), join(root, "docs", "specs"));
  expect(r.cited).toBeGreaterThan(100);
  expect(r.undefinedIds).toEqual([]);
  expect(r.duplicates).toEqual([]);
});

/** Builds "[ID]" without writing it literally, so this file cites no made-up ids itself. */
const b = (id: string) => `[${id}]`;

const tmp = mkdtempSync(join(tmpdir(), "rampart-ids-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test("[SPEC-1] a test citing an undefined id, or an id defined twice, fails the check", () => {
  mkdirSync(join(tmp, "test", "x"), { recursive: true });
  mkdirSync(join(tmp, "specs"), { recursive: true });
  writeFileSync(
    join(tmp, "test", "x", "a.test.ts"),
    `test("${b("ABC-1")} defined", () => {});\ntest("${b("ABC-2,3")} a list", () => {});\n// ${b("XYZ-M7")} in a comment\n`,
  );
  writeFileSync(
    join(tmp, "specs", "a.md"),
    `# A\n- ${b("ABC-1")} one\n- **${b("ABC-2")}** two\n\nSee ${b("ABC-3")}.\n`,
  );
  writeFileSync(join(tmp, "specs", "b.md"), `* ${b("ABC-1")} again\n`);
  const r = checkRuleIds(join(tmp, "test"), join(tmp, "specs"));
  expect(r.undefinedIds.map((s) => s.split(" ")[0])).toEqual(["ABC-3", "XYZ-M7"]);
  expect(r.duplicates.map((s) => s.split(" ")[0])).toEqual(["ABC-1"]);
});

test("[SPEC-1] cited and defined forms", () => {
  expect(citedIds(`test("${b("QQ-2,3")} x ${b("QQ-M12")} [ARCH] [\${c.rule}] [kev]")`)).toEqual([
    "QQ-2",
    "QQ-3",
    "QQ-M12",
  ]);
  expect(definedIds(`- ${b("QQ-1")} a\n  - ${b("QQ-2")} b\ntext ${b("QQ-3")}\n${b("QQ-4")} not a list item\n`)).toEqual(
    ["QQ-1", "QQ-2"],
  );
});
