/**
 * End to end in headless Chromium: log in, open Harborview, run a simulation and see its curves, publish
 * readings over MQTT and see the alert appear. Screenshots go to test-results/.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import mqtt from "mqtt";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

const CHROMIUM = "/usr/bin/chromium";
const CI = process.env.CI === "true";
const enabled = existsSync(CHROMIUM) || CI;
if (!enabled) console.log(`skip: e2e tests: no ${CHROMIUM} (apt-get install chromium; they run under CI=true)`);

const ROOT = resolve(import.meta.dirname, "..", "..");
const SHOTS = join(ROOT, "test-results");
const PASSWORD = "e2e admin password";

describe.skipIf(!enabled)("web UI end to end", () => {
  const dir = mkdtempSync(join(tmpdir(), "rampart-e2e-"));
  let child: ChildProcess;
  let exited: Promise<unknown>;
  let base = "";
  let mqttPort = 0;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(ROOT, "test", "server", "fixtures", "serve-child.ts"),
        "serve",
        "--demo",
        "--port",
        "0",
        "--mqtt-port",
        "0",
        "--data",
        dir,
      ],
      { env: { ...process.env, RAMPART_ADMIN_PASSWORD: PASSWORD }, stdio: ["ignore", "pipe", "pipe"] },
    );
    exited = new Promise((r) => child.once("exit", r));
    await new Promise<void>((res, rej) => {
      let out = "";
      const t = setTimeout(() => rej(new Error(`server did not start: ${out}`)), 90_000);
      const on = (d: Buffer) => {
        out += d;
        const m = /serving (http:\/\/[^/]+)\//.exec(out);
        const q = /MQTT broker on port (\d+)/.exec(out);
        if (m && q) {
          base = m[1];
          mqttPort = Number(q[1]);
          clearTimeout(t);
          res();
        }
      };
      child.stdout?.on("data", on);
      child.stderr?.on("data", on);
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
      ],
    });
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const csp: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" && /Content Security Policy/i.test(m.text())) csp.push(m.text());
    });
    (page as unknown as { cspErrors: string[] }).cspErrors = csp;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    child?.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  });

  test("[UI-1] log in and open Harborview: services with their objectives", async () => {
    await page.goto(`${base}/`);
    await page.fill("input[name=username]", "admin");
    await page.fill("input[name=password]", PASSWORD);
    await page.click("button[type=submit]");
    await page.waitForSelector(".card");
    expect(await page.textContent("main h2")).toContain("Harborview");
    expect(await page.locator(".card").count()).toBeGreaterThan(5);
    await page.screenshot({ path: join(SHOTS, "overview.png"), fullPage: true });
    await page.click("text=Dependency map");
    await page.waitForSelector("svg.graph g.node");
    expect(await page.locator("svg.graph g.node").count()).toBeGreaterThan(50);
    await page.screenshot({ path: join(SHOTS, "map.png") });
    expect((page as unknown as { cspErrors: string[] }).cspErrors).toEqual([]);
  });

  test("[UI-2] run a simulation and see its resilience curves", async () => {
    await page.click("header >> text=Simulation");
    await page.waitForSelector("select[aria-label=scenario] option", { state: "attached" });
    await page.selectOption("select[aria-label=scenario]", "ransomware");
    await page.fill("input[aria-label=runs]", "100");
    await page.click("text=Run simulation");
    await page.waitForSelector(".set svg.curve polyline.median", { state: "attached", timeout: 120_000 });
    expect(await page.getAttribute(".progress", "data-status")).toBe("done");
    const pts = await page.getAttribute(".set svg.curve polyline.median", "points");
    expect((pts ?? "").split(" ").length).toBeGreaterThan(10);
    await page.screenshot({ path: join(SHOTS, "simulation.png"), fullPage: true });
  });

  test("[UI-3] publish readings over MQTT and see the alert appear with the services at risk", async () => {
    await page.click("header >> text=Monitoring");
    await page.waitForSelector("text=● live");
    const model = await page.evaluate(async () => (await fetch("/api/models/harborview/versions/latest")).json());
    const asset =
      (model.model.assets as { id: string; monitored: boolean }[]).find((a) => a.monitored)?.id ??
      model.model.assets[0].id;
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`);
    const t0 = Date.parse("2026-01-01T00:00:00Z");
    for (let i = 0; i < 300; i++) {
      await client.publishAsync(
        `rampart/harborview/${asset}/pressure`,
        JSON.stringify({ t: t0 + i * 60_000, v: 50 + (i % 10) }),
      );
    }
    await client.publishAsync(`rampart/harborview/${asset}/pressure`, JSON.stringify({ t: t0 + 300 * 60_000, v: 900 }));
    await client.endAsync();
    const li = page.locator(`.alerts li[data-asset="${asset}"]`).first();
    await li.waitFor({ timeout: 30_000 });
    expect(await li.textContent()).toContain("pressure");
    expect(await li.textContent()).toMatch(/Services at risk/);
    await page.screenshot({ path: join(SHOTS, "monitoring.png"), fullPage: true });
  });
});
