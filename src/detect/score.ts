import type { DetectIssue, Result } from "./errors.ts";
import { parseTimestamp } from "./time.ts";

/** BATADAL's ranking score (Taormina et al. 2018). */
export interface BatadalScore {
  S: number;
  S_TTD: number;
  S_CM: number;
  TPR: number;
  TNR: number;
  TP: number;
  TN: number;
  FP: number;
  FN: number;
  attacks: number;
  attacksDetected: number;
  /** Per attack: start key, length dT in hours, TTD in hours (dT if never flagged). */
  perAttack: { start: string; dT: number; ttd: number; detected: boolean }[];
  /** Labelled hours with no matching row in the flags. */
  unmatched: number;
}

/**
 * keys/labels: the truth in file order (1 attack, 0 normal, anything else excluded from the confusion
 * matrix and breaking attack runs). flags: map from trimmed timestamp to 0/1.
 */
export function scoreBatadal(labelKeys: string[], labels: ArrayLike<number>, flags: Map<string, number>): BatadalScore {
  const n = labelKeys.length;
  const hours = new Float64Array(n);
  let allTimes = true;
  for (let i = 0; i < n; i++) {
    const t = parseTimestamp(labelKeys[i]);
    if (!t) {
      allTimes = false;
      break;
    }
    hours[i] = t.epoch / 3_600_000;
  }
  if (!allTimes) for (let i = 0; i < n; i++) hours[i] = i;
  let TP = 0;
  let TN = 0;
  let FP = 0;
  let FN = 0;
  let unmatched = 0;
  const f = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = labelKeys[i].trim();
    const v = flags.get(k);
    if (v === undefined) {
      if (labels[i] === 0 || labels[i] === 1) unmatched++;
    } else f[i] = v ? 1 : 0;
    if (labels[i] === 1) {
      if (f[i]) TP++;
      else FN++;
    } else if (labels[i] === 0) {
      if (f[i]) FP++;
      else TN++;
    }
  }
  const perAttack: BatadalScore["perAttack"] = [];
  let i = 0;
  while (i < n) {
    if (labels[i] !== 1) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < n && labels[j + 1] === 1) j++;
    const dT = hours[j] - hours[i] + 1;
    let ttd = dT;
    let detected = false;
    for (let k = i; k <= j; k++) {
      if (f[k]) {
        ttd = hours[k] - hours[i];
        detected = true;
        break;
      }
    }
    perAttack.push({ start: labelKeys[i].trim(), dT, ttd, detected });
    i = j + 1;
  }
  const TPR = TP + FN > 0 ? TP / (TP + FN) : 0;
  const TNR = TN + FP > 0 ? TN / (TN + FP) : 0;
  const S_CM = (TPR + TNR) / 2;
  let sum = 0;
  for (const a of perAttack) sum += a.ttd / a.dT;
  const S_TTD = perAttack.length > 0 ? 1 - sum / perAttack.length : 1;
  return {
    S: 0.5 * S_TTD + 0.5 * S_CM,
    S_TTD,
    S_CM,
    TPR,
    TNR,
    TP,
    TN,
    FP,
    FN,
    attacks: perAttack.length,
    attacksDetected: perAttack.filter((a) => a.detected).length,
    perAttack,
    unmatched,
  };
}

/** Builds the flag map, reporting duplicate timestamps as an issue. */
export function flagMap(keys: string[], flags: ArrayLike<number>, file: string): Result<Map<string, number>> {
  const m = new Map<string, number>();
  const issues: DetectIssue[] = [];
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i].trim();
    if (m.has(k)) {
      issues.push({ code: "FLAGS_DUPLICATE", message: `timestamp "${k}" appears twice`, file });
      if (issues.length > 10) break;
    }
    m.set(k, flags[i] ? 1 : 0);
  }
  return issues.length ? { ok: false, issues } : { ok: true, value: m };
}
