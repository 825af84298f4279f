/**
 * Every registered command runs through the one wrapper and prints errors in the one form ([CLI-2], [CLI-3]):
 * walked over the whole command tree, so a command added later is checked without being listed here.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, afterEach, describe, expect, test, vi } from "vitest";
import { isWrapped } from "../../src/cli/command.ts";
import { buildCli, main } from "../../src/cli/main.ts";

const dir = mkdtempSync(join(tmpdir(), "rampart-commands-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every command that runs (has no subcommands), with its full name. */
function leaves(cmd: Command, prefix: string[] = []): { name: string[]; cmd: Command }[] {
  if (cmd.commands.length === 0) return [{ name: prefix, cmd }];
  return cmd.commands.flatMap((c) => leaves(c, [...prefix, c.name()]));
}

/** Runs the CLI in this process; returns the exit code and what it printed. */
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

afterEach(() => {
  // commands leave their exit code to main; none may set the process's own
  expect(process.exitCode ?? 0).toBe(0);
});

describe("one command wrapper", () => {
  /** Builds a command tree, recording each command's action; returns the commands whose action is not wrapped. */
  function unwrapped(build: () => Command): string[] {
    const actions = new Map<Command, unknown>();
    const spy = vi.spyOn(Command.prototype, "action").mockImplementation(function (this: Command, fn) {
      actions.set(this, fn);
      return this;
    });
    let cli: Command;
    try {
      cli = build();
    } finally {
      spy.mockRestore();
    }
    const all = leaves(cli);
    expect(all.length).toBeGreaterThan(25);
    return all.filter((l) => !isWrapped(actions.get(l.cmd))).map((l) => l.name.join(" "));
  }

  test("[CLI-3] every registered command's action is made by command() (the one wrapper)", () => {
    expect(unwrapped(buildCli)).toEqual([]);
  });

  test("[CLI-3] the check sees what it guards: a planted command with a plain action is reported", () => {
    const planted = () => {
      const cli = buildCli();
      cli.command("planted").action(() => {});
      cli.command("no-action");
      return cli;
    };
    expect(unwrapped(planted)).toEqual(["planted", "no-action"]);
  });

  test("[CLI-2] [CLI-3] an unknown option is a usage error (exit 2, `rampart: ...`) for every command", async () => {
    for (const l of leaves(buildCli())) {
      const r = await run(...l.name, "--no-such-option-here");
      expect(r.code, l.name.join(" ")).toBe(2);
      expect(r.err, l.name.join(" ")).toMatch(/^rampart: /);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });
});

describe("one error form", () => {
  const badModel = join(dir, "bad.yaml");
  writeFileSync(
    badModel,
    "rampart: 1\ncity: { name: T, population: 10 }\nzones: [ { id: ot } ]\nassets:\n  - { id: plc-1, name: P, kind: plc, layer: ot, zone: ot, auth: defualt }\n",
  );
  const badCsv = join(dir, "bad.csv");
  writeFileSync(badCsv, "timestamp,F_PU1\n2014-01-06 00,1\n2014-01-06 01,one\n");
  const badAnswers = join(dir, "answers.yaml");
  writeFileSync(badAnswers, "answers: [\n");
  const badBundle = join(dir, "bundle.json");
  writeFileSync(badBundle, '{"type": "bundle", "objects": [{"type": "indicator"}]}');
  const located = (file: string) =>
    new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: error: `, "m");

  test.each([
    ["validate", [badModel]],
    ["describe", [badModel]],
    ["assess", [badModel]],
    ["inventory", [badModel]],
    ["govern", [badModel]],
    ["simulate", [badModel, "--scenario", "ransomware"]],
    ["invest", [badModel, "--budget", "1000"]],
  ])("[CLI-2] %s: an invalid model exits 1, every error located as file:line:col: error:", async (cmd, args) => {
    const r = await run(cmd, ...args);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(located(badModel));
    expect(r.err).toContain('found "defualt"');
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  test("[CLI-2] detection and governance inputs are located in the same form", async () => {
    const d = await run("detect", "train", "--input", badCsv, "--out", join(dir, "d.json"));
    expect(d.code).toBe(1);
    expect(d.err).toMatch(new RegExp(`^${badCsv.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:3:\\d+: error: `, "m"));
    const g = await run(
      "govern",
      join(import.meta.dirname, "..", "..", "examples", "harborview"),
      "--answers",
      badAnswers,
    );
    expect(g.code).toBe(1);
    expect(g.err).toMatch(located(badAnswers));
  });

  test("[CLI-2] a file that cannot be read names the file (exit 1); a bad option value names the option (exit 2)", async () => {
    const missing = join(dir, "nope.csv");
    const d = await run("detect", "score", "--flags", missing, "--labels", badCsv);
    expect(d.code).toBe(1);
    expect(d.err).toMatch(new RegExp(`^${missing.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(:\\d+:\\d+)?: error: `, "m"));
    const t = await run(
      "twin",
      "run",
      "--network",
      join(dir, "none.inp"),
      "--cpa",
      join(dir, "none.cpa"),
      "--out",
      join(dir, "o.csv"),
    );
    expect(t.code).toBe(1);
    expect(t.err).toContain(`${join(dir, "none.inp")}: error: the network file does not exist`);
    const s = await run("share", "import", badBundle, "--data", join(dir, "store"));
    expect(s.code).toBe(1);
    expect(s.err).toMatch(new RegExp(`^${badBundle.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: error: `, "m"));
    for (const [args, option] of [
      [
        [
          "detect",
          "replay",
          "--input",
          badCsv,
          "--broker",
          "mqtt://127.0.0.1:1",
          "--site",
          "s",
          "--asset",
          "a",
          "--speed",
          "-1",
        ],
        "--speed",
      ],
      [["twin", "run", "--network", "n", "--cpa", "c", "--out", "o", "--seed", "x"], "--seed"],
      [["simulate", badModel, "--scenario", "ransomware", "--runs", "0"], "--runs"],
      [["invest", badModel, "--budget", "lots"], "--budget"],
      [["assess", badModel, "--as-of", "tomorrow"], "--as-of"],
      [["detect", "train", "--input", badCsv, "--out", "x", "--params", "{"], "--params"],
    ] as const) {
      const r = await run(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err, args.join(" ")).toMatch(new RegExp(`^rampart: option ${option}: expected `, "m"));
    }
  });

  test("[CLI-2] an engine's refusal names this CLI's option for the engine's parameter", async () => {
    const r = await run(
      "simulate",
      join(import.meta.dirname, "..", "..", "examples", "harborview"),
      "--scenario",
      "ransomware",
      "--runs",
      "2",
      "--workers",
      "1",
      "--with",
      "no-such-control",
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^rampart: option --with: unknown control "no-such-control"/m);
  });
});
