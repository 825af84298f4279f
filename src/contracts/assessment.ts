/**
 * The assessment report: what `assess` returns, what `rampart assess --json` prints, what the API stores and
 * serves, and what the web UI reads. The schemas are the single source: the engine's types are inferred from
 * them, so a field added, renamed or removed here is checked at every producer and consumer.
 */
import { z } from "zod";

export const Rating = z.enum(["low", "moderate", "high"]);
export type Rating = z.infer<typeof Rating>;
export const Severity = z.enum(["critical", "high", "medium", "low"]);
export type Severity = z.infer<typeof Severity>;

export const Categorization = z.object({
  id: z.string(),
  type: z.enum(["asset", "service"]),
  confidentiality: Rating,
  integrity: Rating,
  availability: Rating,
});
export type Categorization = z.infer<typeof Categorization>;

export const Criticality = z.object({
  id: z.string(),
  /** Person-hours lost per day with this asset alone down, buffers exhausted, no fallback ([CRI-1]). */
  personHoursPerDay: z.number(),
  spof: z.boolean(),
  /** Services whose level drops below 1, worst first. */
  services: z.array(z.string()),
  /** The level each of those services falls to. */
  levels: z.record(z.string(), z.number()),
});
export type Criticality = z.infer<typeof Criticality>;

export const Pair = z.object({
  ids: z.tuple([z.string(), z.string()]),
  personHoursPerDay: z.number(),
  excess: z.number(),
  reason: z.string(),
});
export type Pair = z.infer<typeof Pair>;

export const Frameworks = z.object({
  csf: z.array(z.string()),
  caf: z.array(z.string()),
  iec62443: z.array(z.string()),
});
export type Frameworks = z.infer<typeof Frameworks>;

export const KevDetail = z.object({
  /** The software as the model names it (vendor, product, version). */
  software: z.string(),
  /** The KEV vendor and product names it matched, e.g. "Microsoft Windows". */
  kevProducts: z.array(z.string()),
  count: z.number(),
  /** How many of the entries are known to be used in ransomware campaigns. */
  ransomware: z.number(),
  /** Exposed, or in or one conduit from an internet-exposed zone. */
  internetReachable: z.boolean(),
  cves: z.array(z.string()),
});
export type KevDetail = z.infer<typeof KevDetail>;

export const Finding = z.object({
  rule: z.string(),
  severity: Severity,
  targets: z.array(z.string()),
  /** Services put at risk through dependencies. */
  services: z.array(z.string()),
  frameworks: Frameworks,
  message: z.string(),
  remediation: z.string(),
  /** Rule `kev` only: the matched software, the KEV products and every matched CVE, newest first. */
  kev: KevDetail.optional(),
});
export type Finding = z.infer<typeof Finding>;

export const PathStep = z.object({
  /** The asset taken at this step. */
  asset: z.string(),
  technique: z.string(),
  techniqueName: z.string(),
  /** Probability that this step succeeds (including the conduit or vendor access crossed to reach it). */
  probability: z.number(),
  /** What the step exploits (e.g. "default credentials", "exposed to the internet"). */
  weakness: z.string(),
  /** Conduits and vendor accesses crossed to reach this asset's zone. */
  through: z.array(z.string()),
});
export type PathStep = z.infer<typeof PathStep>;

export const AttackPath = z.object({
  actor: z.string(),
  /** "internet", "phishing", "physical", "insider" or a vendor access path such as vendors.acme.remote_access[0]. */
  entry: z.string(),
  target: z.string(),
  probability: z.number(),
  steps: z.array(PathStep),
  /** High-integrity or high-availability services the target supports. */
  services: z.array(z.string()),
});
export type AttackPath = z.infer<typeof AttackPath>;

export const ChokePoint = z.object({
  /** Actor id, or "all-remote" for one cut that stops every actor entering from the internet, phishing or a vendor. */
  actor: z.string(),
  /**
   * Which minimum cut: the one nearest the entry points, or the one nearest the crown jewels (reported only when
   * its elements differ from the entry-side cut).
   */
  side: z.enum(["entry", "target"]),
  ids: z.array(z.string()),
  pathsCut: z.number(),
  /** Target side only: what differs from the same actor's entry-side cut. */
  vsEntry: z.object({ dropped: z.array(z.string()), added: z.array(z.string()) }).optional(),
  /** Candidate or planned controls whose patch fixes an element of the set: element id -> control ids. */
  controls: z.record(z.string(), z.array(z.string())),
  /** Targets the actor reaches with no element to cut in between (fix the entry or the target itself). */
  uncuttable: z.array(z.object({ target: z.string(), entry: z.string() })),
});
export type ChokePoint = z.infer<typeof ChokePoint>;

export const ActorSummary = z.object({
  id: z.string(),
  name: z.string(),
  skill: z.number(),
  entries: z.array(z.string()),
  source: z.enum(["built-in", "model", "file"]),
  /** Crown jewels this actor reaches at all, and the probability of its most likely path. */
  crownJewelsReached: z.number(),
  bestProbability: z.number(),
});
export type ActorSummary = z.infer<typeof ActorSummary>;

export const AssessReport = z.object({
  model: z.object({
    name: z.string(),
    assets: z.number(),
    services: z.number(),
    zones: z.number(),
    conduits: z.number(),
    vendors: z.number(),
  }),
  asOf: z.string(),
  kevCatalogue: z.string(),
  categorization: z.array(Categorization),
  criticality: z.array(Criticality),
  pairs: z.array(Pair),
  findings: z.array(Finding),
  actors: z.array(ActorSummary),
  crownJewels: z.array(z.string()),
  paths: z.array(AttackPath),
  chokepoints: z.array(ChokePoint),
  timings: z.record(z.string(), z.number()),
});
export type AssessReport = z.infer<typeof AssessReport>;

/** What a client asks of an assessment run (the server's request body). */
export const AssessmentRequest = z.strictObject({
  asOf: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "expected a date YYYY-MM-DD" })
    .optional(),
});
export type AssessmentRequest = z.infer<typeof AssessmentRequest>;
