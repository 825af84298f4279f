/**
 * The facilitator's clock [EXR-10]: pure; the caller passes the wall time (ms) in. Exercise hours advance by
 * `speed` exercise seconds per wall second while running.
 */
import type { ExerciseClock } from "../contracts/exercise.ts";

export const SPEED_MAX = 3600;

export function newClock(speed = 60): ExerciseClock {
  return { running: false, speed, base: 0, anchor: 0, started: false };
}

/** Exercise hours at wall time `wall` (ms). */
export function clockNow(c: ExerciseClock, wall: number): number {
  return c.running ? c.base + ((wall - c.anchor) / 3_600_000) * c.speed : c.base;
}

export function runClock(c: ExerciseClock, wall: number): ExerciseClock {
  if (c.running) return c;
  return { ...c, running: true, started: true, anchor: wall };
}

export function pauseClock(c: ExerciseClock, wall: number): ExerciseClock {
  if (!c.running) return c;
  return { ...c, running: false, base: clockNow(c, wall), anchor: wall };
}

/** A new speed from now on (the time reached so far is kept). */
export function setSpeed(c: ExerciseClock, speed: number, wall: number): ExerciseClock {
  return { ...c, base: clockNow(c, wall), anchor: wall, speed };
}

/** Wall ms until the clock reaches exercise hour `at` (Infinity when paused or never). */
export function wallUntil(c: ExerciseClock, at: number, wall: number): number {
  const now = clockNow(c, wall);
  if (at <= now) return 0;
  if (!c.running || c.speed <= 0) return Number.POSITIVE_INFINITY;
  return ((at - now) * 3_600_000) / c.speed;
}
