/**
 * The contract between engines, server and web: zod schemas, and the types inferred from them. Nothing here
 * imports an engine, the store, the server or the CLI; the web imports it type-only.
 */
export * from "./alerts.ts";
export * from "./api.ts";
export * from "./assessment.ts";
export * from "./cases.ts";
export * from "./exercise.ts";
export * from "./jobs.ts";
export * from "./params.ts";
export * from "./recover.ts";
export * from "./simulation.ts";
export * from "./worker.ts";
