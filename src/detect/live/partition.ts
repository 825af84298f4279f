/**
 * Partitions of the telemetry ([PRT-1]): an asset's readings always go to one partition, chosen by a stable
 * hash of `site/asset` (FNV-1a, 32 bits) modulo the partition count, so that one process at a time judges
 * an asset, in the order its readings were published. Publishers write to
 * `rampart-p/<partition>/<site>/<asset>/<signal>`; the process holding partition p subscribes to
 * `rampart-p/<p>/#`. Pure.
 */

export const PARTITION_PREFIX = "rampart-p/";

/** FNV-1a over the UTF-16 code units of `site/asset`, as an unsigned 32-bit integer. */
export function assetHash(site: string, asset: string): number {
  let h = 0x811c9dc5;
  const s = `${site}/${asset}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function partitionOf(site: string, asset: string, partitions: number): number {
  return assetHash(site, asset) % partitions;
}

/** The topic a publisher writes a reading to when the telemetry is partitioned. */
export function partitionTopic(partitions: number, site: string, asset: string, signal: string): string {
  return `${PARTITION_PREFIX}${partitionOf(site, asset, partitions)}/${site}/${asset}/${signal}`;
}

/**
 * The reading topic (`rampart/<site>/<asset>/<signal>`) inside a partitioned topic received on partition
 * `p`, or why it is refused: not partitioned, another partition, or an asset that hashes elsewhere (a
 * publisher configured with another partition count would split an asset's readings).
 */
export function unpartition(topic: string, p: number, partitions: number): string | { message: string } {
  const head = `${PARTITION_PREFIX}${p}/`;
  if (!topic.startsWith(head)) return { message: `expected ${head}<site>/<asset>/<signal>` };
  const rest = topic.slice(head.length);
  const a = rest.indexOf("/");
  const b = a < 0 ? -1 : rest.indexOf("/", a + 1);
  if (a <= 0 || b < 0) return { message: "expected <site>/<asset>/<signal> after the partition" };
  const want = partitionOf(rest.slice(0, a), rest.slice(a + 1, b), partitions);
  if (want !== p) return { message: `asset hashes to partition ${want} of ${partitions}, published on ${p}` };
  return `rampart/${rest}`;
}

/**
 * How many partitions each of `members` live processes should hold: the first `partitions % members`
 * (by their sorted ids) one more than the others, so that the shares add up to the partition count.
 */
export function fairShare(partitions: number, members: string[], me: string): number {
  const sorted = [...new Set([...members, me])].sort();
  const n = sorted.length;
  const base = Math.floor(partitions / n);
  return base + (sorted.indexOf(me) < partitions % n ? 1 : 0);
}
