/**
 * Labelled attack campaigns on demand: `count` attacks drawn from documented ranges (docs/twin.md, "Dataset
 * ranges") for a network and its .cpa, placed without overlap. Pure: the same seed gives the same campaign.
 */
import { type Rng, streamFor } from "../model/rng.ts";
import type { Attack, AttackAction, Condition, CpaSpec } from "./cpa.ts";
import type { PlcRule } from "./engine.ts";
import type { NetworkSpec } from "./inp.ts";

export const DATASET_RANGES = {
  /** Hours without attacks at the start of the run (the detector's warm-up). */
  warmupHours: 24,
  /** Hours between the end of one attack and the start of the next. */
  gapHours: 12,
  durationHours: { min: 6, max: 48 },
  /** Offsets added to a tank level reading, metres (sign drawn at random). */
  offsetMetres: { min: 1, max: 3 },
  /** Replay delay for concealment, hours. */
  replayDelayHours: { min: 24, max: 72 },
  replayNoiseSd: 0.05,
  /** Probability that a physical attack is concealed from SCADA by replaying the tank's level. */
  concealProbability: 0.5,
} as const;

export const ATTACK_KINDS = [
  "spoof-constant",
  "spoof-offset",
  "link-dos",
  "actuator-override",
  "logic-change",
] as const;
export type AttackKind = (typeof ATTACK_KINDS)[number];

export interface PlannedAttack {
  kind: AttackKind;
  startHour: number;
  endHour: number;
  attacks: Attack[];
  description: string;
}

const timeEq = (h: number): Condition => ({ kind: "cmp", variable: "TIME", op: "==", value: h });

function between(rng: Rng, min: number, max: number): number {
  return min + rng.next() * (max - min);
}

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)] as T;
}

export type PlanResult = { ok: true; plan: PlannedAttack[] } | { ok: false; message: string };

/** Draws `count` non-overlapping attacks within `hours`; fails if they cannot fit. */
export function planCampaign(
  network: NetworkSpec,
  cpa: CpaSpec,
  rules: PlcRule[],
  count: number,
  hours: number,
  seed: number,
): PlanResult {
  const R = DATASET_RANGES;
  const slot = R.durationHours.max + R.gapHours;
  if (count < 0 || !Number.isInteger(count)) return { ok: false, message: "attacks must be a whole number >= 0" };
  if (R.warmupHours + count * slot > hours)
    return {
      ok: false,
      message: `${count} attacks need at least ${R.warmupHours + count * slot} hours (warm-up ${R.warmupHours} h + ${slot} h each); got ${hours}`,
    };
  const rng = streamFor(seed, 7);
  const tanks = new Map(network.tanks.map((t) => [t.id, t]));
  // readings of tank levels that reach a PLC which runs a rule on them
  const levelFeeds = rules.map((r) => {
    const link = cpa.links.find((l) => l.destination === r.plc && l.sensors.includes(r.sensor));
    return { source: link ? link.source : "NULL", sensor: r.sensor, destination: r.plc, tank: r.sensor.slice(2) };
  });
  const uniqueFeeds = levelFeeds.filter(
    (f, i) => levelFeeds.findIndex((g) => g.sensor === f.sensor && g.destination === f.destination) === i,
  );
  const plcLinks = uniqueFeeds.filter((f) => f.source !== "NULL");
  const toScada = (sensor: string) => cpa.links.find((l) => l.destination === "SCADA" && l.sensors.includes(sensor));
  // spread the free time over the gaps at random
  const durations = Array.from(
    { length: count },
    () => R.durationHours.min + rng.int(R.durationHours.max - R.durationHours.min + 1),
  );
  let free = hours - R.warmupHours - durations.reduce((a, b) => a + b, 0) - count * R.gapHours;
  const plan: PlannedAttack[] = [];
  let cursor = R.warmupHours;
  for (let i = 0; i < count; i++) {
    const shift = rng.int(Math.floor(free / (count - i)) + 1);
    free -= shift;
    const start = cursor + shift;
    const dur = durations[i] as number;
    const end = start + dur;
    cursor = end + R.gapHours;
    const kinds = plcLinks.length ? ATTACK_KINDS : ATTACK_KINDS.filter((k) => k !== "link-dos");
    const kind = pick(rng, kinds);
    const line = 0;
    const mk = (action: AttackAction, target: string): Attack => ({
      action,
      start: timeEq(start),
      end: timeEq(end),
      line,
      target,
    });
    const attacks: Attack[] = [];
    let description = "";
    let tank: string | undefined;
    switch (kind) {
      case "spoof-constant":
      case "spoof-offset": {
        const f = pick(rng, uniqueFeeds);
        tank = f.tank;
        const max = tanks.get(f.tank)?.maxLevel ?? 5;
        const high = rng.next() < 0.5;
        const how =
          kind === "spoof-constant"
            ? {
                kind: "constant" as const,
                value: Number((high ? between(rng, 0.9 * max, max) : between(rng, 0, 0.1 * max)).toFixed(2)),
              }
            : {
                kind: "offset" as const,
                value: Number(((high ? 1 : -1) * between(rng, R.offsetMetres.min, R.offsetMetres.max)).toFixed(2)),
              };
        attacks.push(
          mk(
            { type: "communication", source: f.source, sensor: f.sensor, destination: f.destination, how },
            `${f.source}-${f.sensor}-${f.destination}`,
          ),
        );
        description = `${how.kind} ${how.value} on ${f.source}-${f.sensor}-${f.destination}`;
        break;
      }
      case "link-dos": {
        const f = pick(rng, plcLinks);
        tank = f.tank;
        attacks.push(
          mk(
            {
              type: "communication",
              source: f.source,
              sensor: f.sensor,
              destination: f.destination,
              how: { kind: "dos" },
            },
            `${f.source}-${f.sensor}-${f.destination}`,
          ),
        );
        description = `DoS on ${f.source}-${f.sensor}-${f.destination}`;
        break;
      }
      case "actuator-override": {
        const r = pick(rng, rules);
        tank = r.control.node;
        const value = rng.next() < 0.5 ? 1 : 0;
        attacks.push(mk({ type: "actuator", actuator: r.control.link, value }, r.control.link));
        description = `${r.control.link} forced ${value ? "open" : "closed"}`;
        break;
      }
      case "logic-change": {
        const r = pick(rng, rules);
        tank = r.control.node;
        const t = tanks.get(r.control.node);
        const level = Number(between(rng, t?.minLevel ?? 0, t?.maxLevel ?? 5).toFixed(2));
        attacks.push(
          mk({ type: "control", control: r.control.index, field: "level", value: level }, `CTRL${r.control.index}n`),
        );
        description = `CTRL${r.control.index} (${r.control.link}) level ${r.control.level} -> ${level}`;
        break;
      }
    }
    if (tank && rng.next() < R.concealProbability) {
      const link = toScada(`P_${tank}`);
      if (link) {
        const t = tanks.get(tank);
        const delay = R.replayDelayHours.min + rng.int(R.replayDelayHours.max - R.replayDelayHours.min + 1);
        attacks.push(
          mk(
            {
              type: "communication",
              source: link.source,
              sensor: `P_${tank}`,
              destination: "SCADA",
              how: {
                kind: "replay",
                delayHours: delay,
                noiseSd: R.replayNoiseSd,
                max: t?.maxLevel ?? 10,
                min: t?.minLevel ?? 0,
              },
            },
            `${link.source}-P_${tank}-SCADA`,
          ),
        );
        description += `; concealed by replaying ${link.source}-P_${tank}-SCADA from ${delay} h before`;
      }
    }
    plan.push({ kind, startHour: start, endHour: end, attacks, description });
  }
  return { ok: true, plan };
}
