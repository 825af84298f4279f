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
  /** Weighted loss per day ([CON-2]: essential-service weight x person-hours); the ranking key ([RNK-1]). */
  weightedLossPerDay: z.number(),
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
  /** Joint person-hours per day minus the two single losses (> 0: the pair interacts). */
  excess: z.number(),
  /** Joint weighted loss per day ([CON-2]). */
  weightedLossPerDay: z.number(),
  /** Joint weighted loss minus the worse member's alone: what the pair adds, the ranking key ([RNK-2]). */
  added: z.number(),
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
  /** The product family the group is named after, e.g. "Microsoft Windows" (the shortest KEV product matched). */
  family: z.string(),
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

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: "expected a date YYYY-MM-DD" });

/** An accepted risk: who accepts a finding's risk, why, and until when ([FND-3]). */
export const AcceptedRisk = z.object({
  /** A rule id, or a group id such as "kev:Microsoft Windows" (then every finding of the group). */
  rule: z.string().min(1).max(200),
  /** The finding's first target (asset, conduit, zone, vendor access, service); absent = every finding of it. */
  target: z.string().min(1).max(300).optional(),
  owner: z.string().min(1).max(200),
  justification: z.string().min(1).max(2000),
  /** Last day the acceptance holds. */
  expires: Day,
  id: z.string().optional(),
  acceptedBy: z.string().optional(),
  acceptedAt: z.string().optional(),
});
export type AcceptedRisk = z.infer<typeof AcceptedRisk>;

export const Acceptance = z.object({
  status: z.enum(["accepted", "expired"]),
  owner: z.string(),
  justification: z.string(),
  expires: z.string(),
  id: z.string().optional(),
  /** For an expired acceptance: why the finding is raised again. */
  note: z.string().optional(),
});
export type Acceptance = z.infer<typeof Acceptance>;

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
  /** Zones where the finding sits: its assets' zones, a conduit's ends, a vendor access's zone ([FND-4]). */
  zones: z.array(z.string()),
  /** People who answer for the services at risk (named, else the overall leads) ([FND-4]). */
  owners: z.array(z.string()),
  /** The group (root cause and fix) the finding belongs to ([FND-1]). */
  group: z.string(),
  /** Set when an accepted risk covers the finding ([FND-3]). */
  acceptance: Acceptance.optional(),
});
export type Finding = z.infer<typeof Finding>;

/** Findings that share a root cause and the fix that closes them ([FND-1], [FND-2]). */
export const FindingGroup = z.object({
  /** Stable id: the theme (`backups`, `vendor-access`, ...) or `kev:<product family>`. */
  id: z.string(),
  title: z.string(),
  /** The highest severity among its open findings (accepted ones do not count). */
  severity: Severity,
  /** Rank from consequence; higher first. */
  score: z.number(),
  /** How far the internet reaches its targets: exposed, reachable from an exposed zone, or internal only. */
  exposure: z.enum(["internet", "reachable", "internal"]),
  rules: z.array(z.string()),
  /** Indexes into `findings`. */
  findings: z.array(z.number()),
  /** Findings not covered by a current acceptance. */
  open: z.number(),
  accepted: z.number(),
  /** Findings whose acceptance expired. */
  reraised: z.number(),
  /** Each finding's first target, once. */
  targets: z.array(z.string()),
  /** Services at risk, high-impact first. */
  services: z.array(z.string()),
  zones: z.array(z.string()),
  owners: z.array(z.string()),
  /** What closes the group, said once. */
  remediation: z.string(),
  /** Said once for the group, e.g. that KEV names no fixed versions. */
  note: z.string().optional(),
  /** Candidate or planned controls in the model that would close some of its findings. */
  controls: z.array(z.string()),
  /** [FND-5] A KEV class group: each product family it gathers, with its hosts. */
  families: z.array(z.object({ family: z.string(), targets: z.array(z.string()) })).optional(),
});
export type FindingGroup = z.infer<typeof FindingGroup>;

export const ReportWarning = z.object({ code: z.string(), message: z.string() });
export type ReportWarning = z.infer<typeof ReportWarning>;

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
  /** Weighted loss per day with the target down ([RNK-1]): the consequence. */
  consequence: z.number(),
  /** probability x consequence: the ranking key ([RNK-3]). */
  risk: z.number(),
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
  /** The KEV catalogue's release date (YYYY-MM-DD, "" when unknown). */
  kevReleased: z.string(),
  /** Report-level warnings, e.g. a KEV catalogue older than 30 days ([KEV-3]). */
  warnings: z.array(ReportWarning),
  categorization: z.array(Categorization),
  criticality: z.array(Criticality),
  pairs: z.array(Pair),
  findings: z.array(Finding),
  /** Findings grouped by root cause and fix, most important first ([FND-1], [FND-2]). */
  groups: z.array(FindingGroup),
  actors: z.array(ActorSummary),
  crownJewels: z.array(z.string()),
  paths: z.array(AttackPath),
  chokepoints: z.array(ChokePoint),
  /** Display names by id: assets, services, zones, vendors and their accesses, people. */
  names: z.record(z.string(), z.string()),
  /** Zones with their IEC 62443 target and achieved security levels as the model gives them (null: not given). */
  zones: z
    .array(
      z.object({
        id: z.string(),
        name: z.string(),
        assets: z.number(),
        target: z.number().nullable(),
        achieved: z.number().nullable(),
      }),
    )
    .optional(),
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

/** An assessment as the server runs it: the request resolved, the server's date and the model's accepted risks. */
export const AssessmentRun = AssessmentRequest.required().extend({
  /** The server's date, YYYY-MM-DD: ages the KEV catalogue ([KEV-3]). */
  today: z.string(),
  accepted: z.array(AcceptedRisk),
});
export type AssessmentRun = z.infer<typeof AssessmentRun>;
