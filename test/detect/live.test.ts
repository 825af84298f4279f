/** The one live pipeline: no silent loss, unknown assets refused, one alert, pacing through Mosquitto. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { parseCsv } from "../../src/detect/csv.ts";
import { train } from "../../src/detect/engine.ts";
import { replayTable } from "../../src/detect/io/replay.ts";
import { startWatch, watchCommand } from "../../src/detect/io/watch.ts";
import { severityOf, toStoredAlert } from "../../src/detect/live/alert.ts";
import { assetPlaces } from "../../src/detect/live/city.ts";
import { DROP_REASONS, LivePipeline, type LiveSink } from "../../src/detect/live/pipeline.ts";
import { synthNetwork } from "../../src/detect/synth.ts";
import { loadModelFromSources } from "../../src/model/load.ts";
import { streamFor } from "../../src/model/rng.ts";
import { mosquittoPresent } from "../helpers/services.ts";

const dir = mkdtempSync(join(tmpdir(), "rampart-live-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CITY = `rampart: 1
city: { name: Livetown, population: 1000 }
zones:
  - { id: ot, level: 1 }
assets:
  - { id: tank-1, name: Tank, kind: sensor, layer: ot, zone: ot }
  - { id: plc-1, name: PLC, kind: plc, layer: ot, zone: ot, requires: [ { asset: tank-1 } ] }
services:
  - id: water
    name: Water
    sector: water
    population: 1000
    impact: { confidentiality: low, integrity: high, availability: high }
    requires: [ { asset: plc-1 } ]
`;

function counting(): LiveSink & { verdicts: number; alerts: unknown[] } {
  const s = {
    verdicts: 0,
    alerts: [] as unknown[],
    verdict() {
      s.verdicts++;
    },
    alert(a: unknown) {
      s.alerts.push(a);
    },
  };
  return s;
}

describe("live pipeline", () => {
  test("[LIV-1] every reading is judged or dropped under one reason (random mixes, 20 seeds)", () => {
    const loaded = loadModelFromSources([{ file: "c.yaml", text: CITY }]);
    if (!loaded.ok) throw new Error("fixture");
    const places = assetPlaces(loaded.model);
    for (let seed = 1; seed <= 20; seed++) {
      const rng = streamFor(seed);
      const sink = counting();
      const p = new LivePipeline({
        sink,
        now: () => 0,
        catalog: (site, asset) => (site !== "city" ? "unknown-model" : (places.get(asset) ?? "unknown-asset")),
      });
      const expected = Object.fromEntries(DROP_REASONS.map((r) => [r, 0]));
      let good = 0;
      for (let i = 0; i < 500; i++) {
        const k = rng.int(6);
        const t = 1.7e12 + i * 60_000;
        if (k === 0) {
          p.message("rampart/city/tank-1", "1");
          expected.topic++;
        } else if (k === 1) {
          p.message("rampart/city/tank-1/level", "not a number");
          expected.payload++;
        } else if (k === 2) {
          p.message("rampart/city/ghost/level", `{"t":${t},"v":1}`);
          expected["unknown-asset"]++;
        } else if (k === 3) {
          p.message("rampart/elsewhere/tank-1/level", `{"t":${t},"v":1}`);
          expected["unknown-model"]++;
        } else {
          p.message(`rampart/city/${k === 4 ? "tank-1" : "plc-1"}/s${i % 3}`, `{"t":${t},"v":${rng.next()}}`);
          good++;
        }
      }
      p.flush();
      const s = p.stats();
      expect(s.dropped).toEqual(expected);
      expect(s.received).toBe(500);
      expect(s.accepted).toBe(good);
      expect(s.judged).toBe(good);
      expect(sink.verdicts).toBe(good);
      expect(s.received).toBe(s.accepted + Object.values(s.dropped).reduce((a, b) => a + b, 0));
    }
  });

  test("[LIV-1] a sink that fails loses readings counted under sink, not silently", () => {
    let n = 0;
    const p = new LivePipeline({
      now: () => 0,
      sink: {
        verdict() {
          if (++n % 2 === 0) throw new Error("disk full");
        },
        alert() {},
      },
    });
    for (let i = 0; i < 10; i++) p.message("rampart/s/a/x", `{"t":${1.7e12 + i},"v":${i}}`);
    expect(p.stats()).toMatchObject({ received: 10, accepted: 10, judged: 5, dropped: { sink: 5 } });
  });

  test("[LIV-2] a detector for an asset the model does not have is an error at start, naming it", async () => {
    const model = join(dir, "city.yaml");
    writeFileSync(model, CITY);
    const syn = synthNetwork(streamFor(2), 24 * 7 * 3, 1, 1);
    const det = join(dir, "det.json");
    writeFileSync(det, JSON.stringify(train(syn.signals, [{ wall: syn.wall, values: syn.values }])));
    const r = await watchCommand({
      modelPath: model,
      port: 0,
      httpPort: 0,
      detectors: [{ asset: "pump-9", file: det }],
      db: join(dir, "x.sqlite"),
      trainRows: 168,
      log: () => {},
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toMatchObject({ code: "UNKNOWN_ASSET", file: model });
    if (!r.ok) expect(r.issues[0].message).toContain('"pump-9"');
  });

  test("[LIV-3] one alert: zone and services at risk from the model, the same stored fields for both stores", () => {
    const loaded = loadModelFromSources([{ file: "c.yaml", text: CITY }]);
    if (!loaded.ok) throw new Error("fixture");
    const places = assetPlaces(loaded.model);
    expect(places.get("tank-1")).toEqual({ zone: "ot", services: ["water"] });
    const sink = counting();
    const p = new LivePipeline({ sink, now: () => 0, catalog: (_s, a) => places.get(a) ?? "unknown-asset" });
    for (let i = 0; i < 400; i++)
      p.message(
        "rampart/north/tank-1/level",
        `{"t":${1.7e12 + i * 3_600_000},"v":${i === 300 ? 500 : 2 + (i % 5) * 0.1}}`,
      );
    expect(sink.alerts.length).toBeGreaterThan(0);
    const a = sink.alerts[0] as Parameters<typeof toStoredAlert>[0];
    expect(a).toMatchObject({ site: "north", asset: "tank-1", zone: "ot", services: ["water"], detector: "stream" });
    const stored = toStoredAlert(a, "mqtt", "north");
    expect(Object.keys(stored).sort()).toEqual(
      ["assetId", "at", "message", "modelId", "score", "services", "severity", "signal", "source", "zone"].sort(),
    );
    expect(stored).toMatchObject({ assetId: "tank-1", zone: "ot", signal: "level", services: ["water"] });
    expect(stored.message).not.toContain("500"); // no reading values in messages
    expect(severityOf({ detector: "trained", score: 1.6 })).toBe("warning");
    expect(severityOf({ detector: "trained", score: 3.2 })).toBe("critical");
  });
});

const mosquitto = await mosquittoPresent();
const BATADAL = join(import.meta.dirname, "..", "..", "..", "shared", "data", "batadal", "BATADAL_dataset04.csv");

describe.skipIf(!mosquitto)("through Mosquitto on 127.0.0.1:1883 (runs when CI=true)", () => {
  test("[LIV-6] replay paces itself to the watcher: a burst of 20,000 at --speed 0 is stored whole", async () => {
    const site = `p${process.pid}`;
    const h = await startWatch({ db: join(dir, "m.sqlite"), port: 0, broker: "mqtt://127.0.0.1:1883" });
    expect(h.ok).toBe(true);
    if (!h.ok) return;
    const n = 2000;
    const csv = ["timestamp,a,b,c,d,e,f,g,h,i,j"];
    for (let i = 0; i < n; i++)
      csv.push(
        `${new Date(1.7e12 + i * 60_000).toISOString()},${Array.from({ length: 10 }, (_, j) => (i * j) % 7).join(",")}`,
      );
    const t = parseCsv(csv.join("\n"), "burst.csv", { requireLabel: false });
    if (!t.ok) throw new Error("fixture");
    const r = await replayTable(t.value, { broker: "mqtt://127.0.0.1:1883", site, asset: "m-1", speed: 0 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ messages: n * 10, acked: n * 10, window: 20 });
    expect(r.value.watchers).toBeGreaterThanOrEqual(1);
    for (let k = 0; k < 500 && h.value.live.received < n * 10; k++) await new Promise((res) => setTimeout(res, 10));
    h.value.live.flush();
    expect(h.value.live.store.count("readings")).toBe(n * 10);
    await h.value.close();
  }, 120_000);

  test.skipIf(!existsSync(BATADAL))(
    "[LIV-6] BATADAL dataset04 at --speed 0 into detect watch: every one of 179,611 readings stored",
    async () => {
      const loaded = loadModelFromSources([{ file: "c.yaml", text: CITY }]);
      if (!loaded.ok) throw new Error("fixture");
      const places = assetPlaces(loaded.model);
      const h = await startWatch({
        db: join(dir, "batadal.sqlite"),
        port: 0,
        broker: "mqtt://127.0.0.1:1883",
        catalog: (_s, a) => places.get(a) ?? "unknown-asset",
      });
      expect(h.ok).toBe(true);
      if (!h.ok) return;
      const { readFileSync } = await import("node:fs");
      const t = parseCsv(readFileSync(BATADAL, "utf8"), BATADAL, { labelColumn: "ATT_FLAG", requireLabel: false });
      if (!t.ok) throw new Error("BATADAL");
      const r = await replayTable(t.value, {
        broker: "mqtt://127.0.0.1:1883",
        site: `b${process.pid}`,
        asset: "tank-1",
        speed: 0,
      });
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.value.messages).toBe(179_611);
      // wait while readings still arrive (a loaded machine can leave the watcher up to `lead` behind)
      let last = -1;
      for (let k = 0; k < 600 && h.value.live.received < r.value.messages; k++) {
        if (k % 100 === 0) {
          if (h.value.live.received === last) break;
          last = h.value.live.received;
        }
        await new Promise((res) => setTimeout(res, 10));
      }
      h.value.live.flush();
      const s = h.value.live.stats();
      expect(s.received, JSON.stringify({ replay: r.value, stats: s })).toBe(179_611);
      expect(Object.values(s.dropped).every((x) => x === 0)).toBe(true);
      expect(h.value.live.store.count("readings")).toBe(179_611);
      await h.value.close();
    },
    300_000,
  );
});
