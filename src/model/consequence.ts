/**
 * The consequence model (docs/model.md "Consequence weights", [CON-1]..[CON-3]): how much an hour of a person
 * without a service weighs, by the service's sector unless the service sets its own `weight`. Weighted loss is
 * the one figure later planning optimises: the sum over services of weight x person-hours lost ([DEP-7]).
 * Pure; no I/O.
 */
import type { Sector } from "./primitives.ts";

/**
 * Default weight per sector [CON-1]. Life-critical services first (an hour without acute care or emergency
 * dispatch can cost a life), then those whose loss harms health within hours and on which most others depend
 * (drinking water, electricity), then public health within days and the means to call for help (wastewater,
 * telecom), then safety on the street (flood defence sits under environment, traffic signals), then
 * convenience and the economy, then administration that can wait (portal, payments, city IT).
 */
export const SECTOR_WEIGHTS: Readonly<Record<Sector, number>> = {
  health: 10,
  emergency: 10,
  water: 8,
  power: 8,
  wastewater: 5,
  telecom: 5,
  environment: 4,
  traffic: 3,
  transport: 2,
  lighting: 2,
  port: 2,
  other: 2,
  finance: 1,
  government: 1,
};

/** A service with at least this weight is essential [CON-3]: the council figures are given for it. */
export const ESSENTIAL_WEIGHT = 5;

/** Share of a service's population without it above which it counts as severely lost [CON-3]. */
export const SEVERE_LOSS = 0.1;

/** The weight of a service [CON-1]: its own `weight` if the model sets one, else its sector's. */
export function serviceWeight(svc: { sector: Sector; weight?: number }): number {
  return svc.weight ?? SECTOR_WEIGHTS[svc.sector];
}

/** True when the service is essential [CON-3]. */
export function isEssential(svc: { sector: Sector; weight?: number }): boolean {
  return serviceWeight(svc) >= ESSENTIAL_WEIGHT;
}

/**
 * Weighted loss [CON-2]: sum over services s of weight(s) x personHours[offset + s]. `personHours` holds one value
 * per service in model order (from `offset`). This is the figure criticality, N-2 pairs, attack paths and
 * simulation reports rank by, and the one a restoration or investment planner should minimise.
 */
export function weightedLoss(
  services: readonly { sector: Sector; weight?: number }[],
  personHours: ArrayLike<number>,
  offset = 0,
): number {
  let sum = 0;
  for (let s = 0; s < services.length; s++) {
    const ph = personHours[offset + s];
    if (ph > 0) sum += serviceWeight(services[s]) * ph;
  }
  return sum;
}
