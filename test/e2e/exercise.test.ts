/**
 * An exercise end to end in headless Chromium with two browsers at once: the facilitator (admin) creates and
 * runs it, a participant (operator) joins under a role; injects arrive, a decision is taken, the review shows it.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { spawnServer } from "../server/fixtures/spawn-server.ts";

const CHROMIUM = "/usr/bin/chromium";
const CI = process.env.CI === "true";
const enabled = existsSync(CHROMIUM) || CI;
if (!enabled) console.log(`skip: exercise e2e: no ${CHROMIUM} (they run under CI=true)`);
const SHOTS = join(resolve(import.meta.dirname, "..", ".."), "test-results");
const PASSWORD = "e2e keeper phrase 42";

async function login(browser: Browser, base: string, user: string, password: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await ctx.newPage();
  await page.goto(`${base}/`);
  await page.fill("input[name=username]", user);
  await page.fill("input[name=password]", password);
  await page.click("button[type=submit]");
  await page.waitForSelector(".card");
  return page;
}

describe.skipIf(!enabled)("exercise in two browsers", () => {
  const dir = mkdtempSync(join(tmpdir(), "rampart-e2e-ex-"));
  let child: ChildProcess;
  let exited: Promise<unknown>;
  let base = "";
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const server = await spawnServer({ dataDir: dir, password: PASSWORD, args: ["--demo"], timeoutMs: 120_000 });
    child = server.child;
    exited = server.exited;
    base = server.base;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    child?.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  });

  test("[EXR-11][EXR-10][EXR-8] facilitator and participant: injects arrive, a decision is taken, the review shows it", async () => {
    const fac = await login(browser, base, "admin", PASSWORD);
    // a participant account (operator), made by the admin through the API
    const made = await fac.evaluate(async (pw) => {
      const me = await (await fetch("/api/auth/me")).json();
      const r = await fetch("/api/users", {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": me.csrfToken },
        body: JSON.stringify({ username: "olga", password: pw, role: "operator" }),
      });
      return r.status;
    }, PASSWORD);
    expect(made).toBe(201);
    await fac.getByRole("button", { name: "Exercises", exact: true }).click();
    await fac.click("#new-exercise");
    await fac.waitForSelector("#facilitator");
    expect(await fac.locator("#injects .inject").count()).toBeGreaterThan(3);

    const pat = await login(browser, base, "olga", PASSWORD);
    await pat.getByRole("button", { name: "Exercises", exact: true }).click();
    await pat.click(".open-exercise");
    await pat.waitForSelector("#join");
    expect(await pat.locator("#injects .inject").count()).toBe(0);
    await pat.selectOption("#join-role", "ot-operations");
    await pat.click("#join");
    await pat.waitForSelector("#my-role");

    // the facilitator runs the clock fast: injects reach the participant over the event stream
    await fac.click("#clock-fast");
    await fac.click("#clock-run");
    await pat.waitForSelector("#injects .inject", { timeout: 60_000 });
    await pat.screenshot({ path: join(SHOTS, "exercise-participant.png"), fullPage: true });

    await pat.selectOption("select[name=kind]", "fallback");
    await pat.fill("input[name=targets]", "water-supply");
    await pat.fill("input[name=text]", "manual pumping at Ashford");
    await pat.click("#decide button[type=submit]");
    await pat.waitForSelector("#decisions .decision");
    // the facilitator sees it live
    await fac.waitForSelector("#decisions .decision", { timeout: 30_000 });
    expect(await fac.textContent("#decisions")).toContain("manual pumping at Ashford");

    await fac.click("#clock-pause");
    await fac.click("#review");
    await fac.waitForSelector("#review-report", { timeout: 120_000 });
    const rv = await fac.textContent("#review-report");
    expect(rv).toContain("ot-operations");
    expect(rv).toContain("fallback water-supply");
    expect(rv).toContain("best response");
    await fac.screenshot({ path: join(SHOTS, "exercise-review.png"), fullPage: true });
  }, 300_000);
});
