/**
 * Accepting a risk from the findings page [UI-13] [FND-3]: the form's body is what the API's contract accepts;
 * a refusal is shown next to the field it names; nothing is stored on a refusal.
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ENDPOINTS } from "../../src/contracts/api.ts";
import { ApiError } from "../../web/src/api.ts";
import { AcceptRiskForm, acceptRiskBody } from "../../web/src/pages/AcceptRisk.tsx";
import { fieldErrors } from "../../web/src/pages/Forms.tsx";
import { fixtureFiles, type TestServer, testServer } from "../server/helpers.ts";

let s: TestServer;
beforeAll(async () => {
  s = await testServer();
  const r = await s.req(s.as.analyst, "POST", "/api/models", { id: "tiny", files: fixtureFiles() });
  expect(r.status).toBe(201);
});
afterAll(async () => {
  await s.close();
});

const PATH = "/api/models/tiny/accepted-risks";

test("[UI-13] the form offers owner, justification and expiry, names what is accepted and offers the model's people", () => {
  const html = renderToStaticMarkup(
    createElement(AcceptRiskForm, {
      modelId: "tiny",
      rule: "kev:network-devices",
      what: "Network boundary devices",
      people: [["ciso", "Chief Information Security Officer"]],
      onDone: () => {},
      onCancel: () => {},
    }),
  );
  for (const name of ["owner", "justification", "expires"]) expect(html).toContain(`name="${name}"`);
  expect(html).toContain("every finding of this group");
  expect(html).toContain('value="ciso"');
  // the default expiry is a real date a quarter ahead
  const expires = /<input[^>]*name="expires"[^>]*value="(\d{4}-\d{2}-\d{2})"/.exec(html)?.[1];
  expect(expires && !Number.isNaN(Date.parse(expires))).toBe(true);
});

test("[UI-13] [FND-3] the form's body passes the contract and is stored; a whole group leaves the target out", async () => {
  const body = acceptRiskBody("default-credentials", " plc-1 ", {
    owner: " ciso ",
    justification: " compensating control: jump host only ",
    expires: "2027-03-31",
  });
  expect(body).toEqual({
    rule: "default-credentials",
    target: " plc-1 ",
    owner: "ciso",
    justification: "compensating control: jump host only",
    expires: "2027-03-31",
  });
  const contract = ENDPOINTS["POST /api/models/:model/accepted-risks"].body;
  expect(contract.safeParse(body).success).toBe(true);
  const group = acceptRiskBody("kev:network-devices", undefined, {
    owner: "ciso",
    justification: "x",
    expires: "2027-03-31",
  });
  expect("target" in group).toBe(false);
  expect(contract.safeParse(group).success).toBe(true);
  const r = await s.req(s.as.analyst, "POST", PATH, group);
  expect(r.status).toBe(201);
  expect(r.json).toMatchObject({ rule: "kev:network-devices", owner: "ciso", acceptedBy: "analyst" });
});

test("[UI-13] a refused field is shown next to it and nothing is stored", async () => {
  const before = (await s.req(s.as.viewer, "GET", PATH)).json.risks;
  const cases: [Record<string, string>, string][] = [
    [{ expires: "2027-31-12" }, "expires"],
    [{ justification: "  " }, "justification"],
    [{ owner: "" }, "owner"],
  ];
  for (const [change, field] of cases) {
    const body = acceptRiskBody("default-credentials", "plc-1", {
      owner: "ciso",
      justification: "compensating control",
      expires: "2027-03-31",
      ...change,
    });
    const r = await s.req(s.as.analyst, "POST", PATH, body);
    expect(r.status).toBe(400);
    const e = r.json.error as unknown as { message: string; parameter?: string; issues?: [] };
    const shown = fieldErrors(new ApiError(r.status, e.message, e.parameter, e.issues ?? []));
    expect(Object.keys(shown.fields)).toEqual([field]);
    expect(shown.general).toBe("");
  }
  // a viewer may not accept a risk at all
  const denied = await s.req(s.as.viewer, "POST", PATH, {
    rule: "default-credentials",
    owner: "ciso",
    justification: "x",
    expires: "2027-03-31",
  });
  expect(denied.status).toBe(403);
  expect((await s.req(s.as.viewer, "GET", PATH)).json.risks).toEqual(before);
});
