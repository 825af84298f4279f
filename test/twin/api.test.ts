import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type TestServer, testServer } from "../server/helpers.ts";
import { CTOWN, cpaPath, haveCtown } from "./helpers.ts";

let s: TestServer;
beforeAll(async () => {
  s = await testServer();
});
afterAll(async () => {
  await s?.close();
});

describe.skipIf(!haveCtown)("the twin's API (needs ../shared/data/batadal/ctown)", () => {
  test("[TWN-19] operators watch, analysts start and attack, viewers are refused; bad input is a located 400", async () => {
    const body = {
      network: { file: "CTOWN.INP", text: readFileSync(join(CTOWN, "CTOWN.INP"), "utf8") },
      cpa: { file: "no_attacks.cpa", text: readFileSync(cpaPath("no_attacks"), "utf8") },
      hours: 48,
      speed: 3600,
    };
    expect((await s.req(s.as.viewer, "GET", "/api/twin")).status).toBe(403);
    expect((await s.req(s.as.operator, "POST", "/api/twin", body)).status).toBe(403);
    const idle = await s.req(s.as.operator, "GET", "/api/twin");
    expect(idle.status).toBe(200);
    expect(idle.json.running).toBe(false);
    // a broken .cpa: 400 naming the line
    const bad = await s.req(s.as.analyst, "POST", "/api/twin", {
      ...body,
      cpa: { file: "b.cpa", text: "[CYBERNODES]\nPLC1\n" },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.issues[0]).toMatchObject({ file: "b.cpa", line: 2 });
    const started = await s.req(s.as.analyst, "POST", "/api/twin", body);
    expect(started.status).toBe(200);
    expect(started.json.running).toBe(true);
    expect(started.json.plcs).toHaveLength(9);
    expect((await s.req(s.as.analyst, "POST", "/api/twin", body)).status).toBe(409);
    expect((await s.req(s.as.operator, "POST", "/api/twin/attacks", { spec: "write:PLC1:coil:1=0@0" })).status).toBe(
      403,
    );
    const badSpec = await s.req(s.as.analyst, "POST", "/api/twin/attacks", { spec: "write:PLC1:coil:1=7@0" });
    expect(badSpec.status).toBe(400);
    expect(badSpec.json.error.parameter).toBe("body.spec");
    const launched = await s.req(s.as.admin, "POST", "/api/twin/attacks", { spec: "write:PLC1:coil:1=0@0" });
    expect(launched.status).toBe(200);
    // within a few simulated hours PU2 is held off in manual, and the timeline shows the launch and the write
    type State = {
      actuators: { id: string; manual: boolean }[];
      timeline: { text: string }[];
      tanks: { id: string }[];
    };
    let st = launched.json as unknown as State;
    for (let i = 0; i < 100 && !st.actuators.find((a) => a.id === "PU2")?.manual; i++) {
      await new Promise((r) => setTimeout(r, 100));
      st = (await s.req(s.as.operator, "GET", "/api/twin")).json as unknown as State;
    }
    const pu2 = st.actuators.find((a) => a.id === "PU2");
    expect(pu2).toMatchObject({ manual: true });
    expect(st.timeline.map((e) => e.text).join("\n")).toContain("attacker wrote coil 1=0 on PLC1");
    expect(st.tanks.map((t) => t.id)).toEqual(["T1", "T2", "T3", "T4", "T5", "T6", "T7"]);
    expect((await s.req(s.as.analyst, "DELETE", "/api/twin", {})).json.ok).toBe(true);
    expect((await s.req(s.as.operator, "GET", "/api/twin")).json.running).toBe(false);
  });
});
