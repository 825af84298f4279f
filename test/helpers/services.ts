/**
 * The services tests run against (PostgreSQL and Mosquitto on 127.0.0.1): whether they answer. Under CI=true
 * their tests must run, never skip, so a service counts as present there whether or not it answers (a missing
 * one then fails the tests). The benchmarks use the probe too.
 */
import { connect } from "node:net";

export const CI = process.env.CI === "true";

/** Whether something accepts TCP connections on this port. */
export function reachable(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((res) => {
    const s = connect(port, host);
    s.once("connect", () => {
      s.destroy();
      res(true);
    });
    s.once("error", () => res(false));
  });
}

/** Mosquitto on 127.0.0.1:1883: always under CI=true, else when it answers. */
export async function mosquittoPresent(): Promise<boolean> {
  return CI || (await reachable(1883));
}
