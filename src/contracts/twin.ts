/** The twin's API shapes: start a session from uploaded files, watch it, launch attacks on the wire. */
import { z } from "zod";

const FileText = z.strictObject({
  file: z.string().min(1).max(200, { error: "expected a file name of at most 200 characters" }),
  text: z.string().max(4 * 1024 * 1024, { error: "expected at most 4 MiB of text" }),
});

export const TwinStartRequest = z.strictObject({
  network: FileText,
  cpa: FileText,
  hours: z.number().int().min(1).max(8784, { error: "expected 1 to 8784 hours" }).default(168),
  speed: z.number().min(1).max(3600, { error: "expected a speed from 1 to 3600" }).default(3600),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31)
    .default(1),
});

export const TwinAttackRequest = z.strictObject({
  spec: z.string().min(1).max(300, { error: "expected a wire attack spec (docs/twin.md) of at most 300 characters" }),
});

export const TwinState = z.object({
  running: z.boolean(),
  hour: z.number(),
  hours: z.number(),
  speed: z.number(),
  tanks: z.array(z.object({ id: z.string(), level: z.number(), max: z.number() })),
  actuators: z.array(z.object({ id: z.string(), plc: z.string(), open: z.boolean(), manual: z.boolean() })),
  plcs: z.array(z.object({ plc: z.string(), port: z.number() })),
  timeline: z.array(z.object({ hour: z.number(), text: z.string() })),
  truth: z.array(
    z.object({
      hour: z.number(),
      attack: z.union([z.literal(0), z.literal(1)]),
      levels: z.array(z.number().nullable()),
    }),
  ),
});
