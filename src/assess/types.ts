/** The assessment report (the `--json` shape) and its parts. */

export type Rating = "low" | "moderate" | "high";
export type Severity = "critical" | "high" | "medium" | "low";
export const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low"];

export type Categorization = {
  id: string;
  type: "asset" | "service";
  confidentiality: Rating;
  integrity: Rating;
  availability: Rating;
};

export type Criticality = {
  id: string;
  /** Person-hours lost per day with this asset alone down, buffers exhausted, no fallback ([CRI-1]). */
  personHoursPerDay: number;
  spof: boolean;
  /** Services whose level drops below 1, worst first. */
  services: string[];
  /** The level each of those services falls to. */
  levels: Record<string, number>;
};

export type Pair = { ids: [string, string]; personHoursPerDay: number; excess: number; reason: string };

export type Frameworks = { csf: string[]; caf: string[]; iec62443: string[] };

export type Finding = {
  rule: string;
  severity: Severity;
  targets: string[];
  /** Services put at risk through dependencies. */
  services: string[];
  frameworks: Frameworks;
  message: string;
  remediation: string;
  /** Rule `kev` only: the matched software, the KEV products and every matched CVE, newest first. */
  kev?: KevDetail;
};

export type KevDetail = {
  /** The software as the model names it (vendor, product, version). */
  software: string;
  /** The KEV vendor and product names it matched, e.g. "Microsoft Windows". */
  kevProducts: string[];
  count: number;
  /** How many of the entries are known to be used in ransomware campaigns. */
  ransomware: number;
  /** Exposed, or in or one conduit from an internet-exposed zone. */
  internetReachable: boolean;
  cves: string[];
};

export type PathStep = {
  /** The asset taken at this step. */
  asset: string;
  technique: string;
  techniqueName: string;
  /** Probability that this step succeeds (including the conduit or vendor access crossed to reach it). */
  probability: number;
  /** What the step exploits (e.g. "default credentials", "exposed to the internet"). */
  weakness: string;
  /** Conduits and vendor accesses crossed to reach this asset's zone. */
  through: string[];
};

export type AttackPath = {
  actor: string;
  /** "internet", "phishing", "physical", "insider" or a vendor access path such as vendors.acme.remote_access[0]. */
  entry: string;
  target: string;
  probability: number;
  steps: PathStep[];
  /** High-integrity or high-availability services the target supports. */
  services: string[];
};

export type ChokePoint = {
  /** Actor id, or "all-remote" for one cut that stops every actor entering from the internet, phishing or a vendor. */
  actor: string;
  /**
   * Which minimum cut: the one nearest the entry points, or the one nearest the crown jewels (reported only when
   * its elements differ from the entry-side cut).
   */
  side: "entry" | "target";
  ids: string[];
  pathsCut: number;
  /** Target side only: what differs from the same actor's entry-side cut. */
  vsEntry?: { dropped: string[]; added: string[] };
  /** Candidate or planned controls whose patch fixes an element of the set: element id -> control ids. */
  controls: Record<string, string[]>;
  /** Targets the actor reaches with no element to cut in between (fix the entry or the target itself). */
  uncuttable: { target: string; entry: string }[];
};

export type ActorSummary = {
  id: string;
  name: string;
  skill: number;
  entries: string[];
  source: "built-in" | "model" | "file";
  /** Crown jewels this actor reaches at all, and the probability of its most likely path. */
  crownJewelsReached: number;
  bestProbability: number;
};

export type AssessReport = {
  model: { name: string; assets: number; services: number; zones: number; conduits: number; vendors: number };
  asOf: string;
  kevCatalogue: string;
  categorization: Categorization[];
  criticality: Criticality[];
  pairs: Pair[];
  findings: Finding[];
  actors: ActorSummary[];
  crownJewels: string[];
  paths: AttackPath[];
  chokepoints: ChokePoint[];
  timings: Record<string, number>;
};
