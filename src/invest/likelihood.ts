/**
 * Default annual likelihoods of the built-in scenarios ([BUY-1], docs/invest.md "Likelihoods"): expected
 * occurrences per year for a city of a few hundred thousand people. Every value is a judgement (no published
 * frequency fixes it for one city); a scenario file's own `likelihood`, or `--likelihood ID=X`, replaces it.
 */
export const DEFAULT_LIKELIHOOD: Readonly<Record<string, number>> = {
  ransomware: 0.1,
  "grid-attack": 0.01,
  "traffic-signals": 0.02,
  "water-manipulation": 0.02,
  "sensor-poisoning": 0.01,
  "supply-chain": 0.03,
  "ddos-citizen-services": 0.5,
};
