import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { streamFor } from "../../src/model/rng.ts";
import { parseCondition, parseCpa } from "../../src/twin/cpa.ts";
import { Twin } from "../../src/twin/engine.ts";
import type { TwinIssue } from "../../src/twin/errors.ts";
import { parseInp } from "../../src/twin/inp.ts";
import { buildScenario } from "../../src/twin/load.ts";
import { cpaPath, haveCtown } from "./helpers.ts";

const NET = `[JUNCTIONS]
 J1 10 1
 J2 10 1
[RESERVOIRS]
 R1 50
[TANKS]
 T1 20 2 0 5 10 0
[PIPES]
 P1 R1 J1 100 200 100
 P2 J2 T1 100 200 100
[PUMPS]
 PU1 J1 J2 HEAD 1
[CURVES]
 1 50 30
[CONTROLS]
LINK PU1 OPEN IF NODE T1 BELOW 1
LINK PU1 CLOSED IF NODE T1 ABOVE 4
[TIMES]
 Duration 24:00
 Hydraulic Timestep 0:15
[END]
`;

const CPA = `[CYBERNODES]
PLC1, F_PU1, PU1
PLC2, P_T1,
[CYBERLINKS]
PLC2, PLC1, P_T1
PLC2, SCADA, P_T1
PLC1, SCADA, F_PU1
[CYBERATTACKS]
[CYBEROPTIONS]
verbosity, 1
`;

const where = (i: TwinIssue) => `${i.line}:${i.column} ${i.code}`;

describe("the .cpa and .inp readers", () => {
  test("[TWN-2] a .cpa with broken parts gets one located error per problem", () => {
    const text = `[CYBERNODES]
PLC1, F_PU1, PU1
PLC1, P_T1,
[CYBERLINKS]
PLC9, SCADA, P_T1
[CYBERATTACKS]
Communication, PLC2-P_T1, TIME==1, TIME==2, DoS
Communication, NULL-F_PU1-PLC1, TIME==1, TIME==2, offset x
Control, CTRL99q, TIME==1, TIME==2, 3
Communication, NULL-F_PU1-PLC1, (TIME>1 &&, TIME==2, DoS
Bogus, X, TIME==1, TIME==2, 1
[CYBEROPTIONS]
colour, red
[NOPE]
`;
    const r = parseCpa(text, "bad.cpa");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.every((i) => i.file === "bad.cpa")).toBe(true);
    expect(r.issues.map(where)).toEqual([
      "3:1 CPA_DUPLICATE",
      "7:16 CPA_TARGET",
      "8:58 CPA_ARGUMENT",
      "9:10 CPA_TARGET",
      "10:43 CPA_CONDITION",
      "11:1 CPA_TYPE",
      "13:1 CPA_OPTION",
      "14:1 CPA_SECTION",
      "5:1 CPA_UNKNOWN_PLC",
    ]);
  });

  test("[TWN-2] every C-Town .cpa of epanetCPA is read in full", { skip: !haveCtown }, () => {
    for (const name of [
      "no_attacks",
      "attacks",
      "scenario01",
      "scenario02",
      "scenario03",
      "scenario04",
      "scenario05",
    ]) {
      const r = parseCpa(readFileSync(cpaPath(name), "utf8"), name);
      expect(r.ok, name).toBe(true);
      if (!r.ok) continue;
      expect(r.value.nodes.map((n) => n.name)).toEqual([
        "PLC1",
        "PLC2",
        "PLC3",
        "PLC4",
        "PLC5",
        "PLC6",
        "PLC7",
        "PLC8",
        "PLC9",
      ]);
      expect(r.value.links).toHaveLength(14);
      expect(r.value.options.initialConditions).toEqual([4, 3.75, 3.25, 3.75, 3.5, 3.5, 3]);
    }
    const s4 = parseCpa(readFileSync(cpaPath("scenario04"), "utf8"), "s4");
    expect(s4.ok && s4.value.attacks[0]?.start).toEqual({
      kind: "and",
      left: { kind: "cmp", variable: "TIME", op: ">", value: 50 },
      right: { kind: "cmp", variable: "PU2", op: ">", value: 0 },
    });
    const s5 = parseCpa(readFileSync(cpaPath("scenario05"), "utf8"), "s5");
    expect(s5.ok && s5.value.attacks[1]?.action).toEqual({
      type: "communication",
      source: "PLC2",
      sensor: "P_T1",
      destination: "SCADA",
      how: { kind: "replay", delayHours: 50, noiseSd: 0.05, max: 7, min: 0 },
    });
  });

  test("[TWN-3] an .inp with a broken tank or control gets located errors; EPANET's own rejection is an issue, not a crash", async () => {
    const bad = NET.replace(" T1 20 2 0 5 10 0", " T1 20 two 0 5 10 0").replace("BELOW 1", "BELOW one");
    const r = parseInp(bad, "n.inp");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map(where)).toEqual(["7:8 INP_TANK", "16:1 INP_CONTROL"]);
    // a pipe to an undefined node passes our reader but not EPANET: the twin reports it
    const broken = NET.replace(" P2 J2 T1 100 200 100", " P2 J2 T9 100 200 100");
    const sc = buildScenario({ network: { file: "n.inp", text: broken }, cpa: { file: "c.cpa", text: CPA } });
    expect(sc.ok).toBe(true);
    if (!sc.ok) return;
    const t = await Twin.create({ ...sc.value, hours: 2, seed: 1 });
    expect(t.ok).toBe(false);
    if (!t.ok) expect(t.issues[0]?.code).toBe("EPANET");
  });

  test("[TWN-3] a .cpa naming sensors, actuators or controls the network lacks is refused with the line", async () => {
    const cpa = CPA.replace("PLC1, F_PU1, PU1", "PLC1, F_PU7, PU1 PU9").replace(
      "[CYBERATTACKS]",
      "[CYBERATTACKS]\nControl, CTRL7n, TIME==1, TIME==2, 3",
    );
    const sc = buildScenario({ network: { file: "n.inp", text: NET }, cpa: { file: "c.cpa", text: cpa } });
    expect(sc.ok).toBe(false); // F_PU7 is not carried: the link PLC1->SCADA names F_PU1, which PLC1 no longer has
    const cpa2 = CPA.replace("PLC1, F_PU1, PU1", "PLC1, F_PU1, PU1 PU9").replace(
      "[CYBERATTACKS]",
      "[CYBERATTACKS]\nControl, CTRL7n, TIME==1, TIME==2, 3",
    );
    const sc2 = buildScenario({ network: { file: "n.inp", text: NET }, cpa: { file: "c.cpa", text: cpa2 } });
    expect(sc2.ok).toBe(true);
    if (!sc2.ok) return;
    const t = await Twin.create({ ...sc2.value, hours: 2, seed: 1 });
    expect(t.ok).toBe(false);
    if (!t.ok)
      expect(t.issues.map((i) => `${i.line} ${i.code}`).sort()).toEqual([
        "2 TWIN_UNKNOWN_ACTUATOR",
        "9 TWIN_UNKNOWN_CONTROL",
      ]);
  });

  test("[TWN-3] random garbage never throws: every outcome is a value", () => {
    const rng = streamFor(11, 0);
    const alphabet = "[]CYBERNODESLINKATTACKOPTION,;=&|()<>!-_ \t\n0123456789.TIMEPLCSCADAreplayDoS";
    for (let k = 0; k < 300; k++) {
      let s = "";
      const n = rng.int(300);
      for (let i = 0; i < n; i++) s += alphabet[rng.int(alphabet.length)];
      expect(() => parseCpa(s, "g.cpa")).not.toThrow();
      expect(() => parseInp(s, "g.inp")).not.toThrow();
      const errs: TwinIssue[] = [];
      expect(() =>
        parseCondition(s.slice(0, 60), 1, 1, (line, column, code, message) =>
          errs.push({ line, column, code, message }),
        ),
      ).not.toThrow();
    }
  });

  test("[TWN-2] conditions agree with a direct evaluation on random inputs", () => {
    const rng = streamFor(5, 0);
    const ops = ["==", "!=", "<", "<=", ">", ">="] as const;
    for (let k = 0; k < 500; k++) {
      const a = rng.int(5);
      const b = rng.int(5);
      const o1 = ops[rng.int(ops.length)] as (typeof ops)[number];
      const o2 = ops[rng.int(ops.length)] as (typeof ops)[number];
      const join = rng.next() < 0.5 ? "&&" : "||";
      const text = `(X${o1}${a})${join}(Y${o2}${b})`;
      const c = parseCondition(text, 1, 1, () => {
        throw new Error(text);
      });
      expect(c).toBeDefined();
      const x = rng.int(5);
      const y = rng.int(5);
      const cmp = (v: number, op: string, w: number) =>
        op === "=="
          ? v === w
          : op === "!="
            ? v !== w
            : op === "<"
              ? v < w
              : op === "<="
                ? v <= w
                : op === ">"
                  ? v > w
                  : v >= w;
      const expected = join === "&&" ? cmp(x, o1, a) && cmp(y, o2, b) : cmp(x, o1, a) || cmp(y, o2, b);
      const evalC = (n: NonNullable<typeof c>): boolean =>
        n.kind === "cmp"
          ? cmp(n.variable === "X" ? x : y, n.op, n.value)
          : n.kind === "not"
            ? !evalC(n.inner)
            : n.kind === "and"
              ? evalC(n.left) && evalC(n.right)
              : evalC(n.left) || evalC(n.right);
      expect(evalC(c as NonNullable<typeof c>), text).toBe(expected);
    }
  });

  test("[TWN-1] a small network runs with PLC logic: the pump follows the tank's level rule", async () => {
    const sc = buildScenario({ network: { file: "n.inp", text: NET }, cpa: { file: "c.cpa", text: CPA } });
    expect(sc.ok).toBe(true);
    if (!sc.ok) return;
    const t = await Twin.create({ ...sc.value, hours: 24, seed: 1 });
    expect(t.ok).toBe(true);
    if (!t.ok) return;
    const rows = t.value.runAll();
    t.value.close();
    expect(t.value.columns).toEqual(["L_T1", "F_PU1", "S_PU1"]);
    expect(rows).toHaveLength(24);
    for (const r of rows) {
      const [level, , status] = r.truth as [number, number, number];
      if (level > 4.3) expect(status).toBe(0);
      if (level < 0.7) expect(status).toBe(1);
    }
  });
});

test("[TWN-3] an oversized .cpa or one with an overlong line is refused at the line where the limit is passed", () => {
  const long = `[CYBERNODES]\nPLC1, ${"F_PU1 ".repeat(1000)}, PU1\n`;
  const r = parseCpa(long, "long.cpa");
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.issues[0]).toMatchObject({ file: "long.cpa", line: 2, code: "size-limit" });
  const big = parseInp("x".repeat(9 * 1024 * 1024), "big.inp");
  expect(big.ok).toBe(false);
  if (!big.ok) expect(big.issues[0]).toMatchObject({ line: 1, code: "size-limit" });
});
