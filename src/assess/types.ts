/**
 * The assessment report (the `--json` shape) and its parts. The schemas and types live in the contract
 * (src/contracts/assessment.ts): a field is added or renamed there, once, and checked everywhere.
 */
import type { Severity } from "../contracts/assessment.ts";

export type {
  Acceptance,
  AcceptedRisk,
  ActorSummary,
  AssessReport,
  AttackPath,
  Categorization,
  ChokePoint,
  Criticality,
  Finding,
  FindingGroup,
  Frameworks,
  KevDetail,
  Pair,
  PathStep,
  Rating,
  ReportWarning,
  Severity,
} from "../contracts/assessment.ts";

export const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low"];
