// How `--shard i/n` deals units (arms, or a world's tasks) to shards. With the world's estimate
// of each unit's work, costliest first, each to the shard with the least estimated work so far
// (the longest-processing-time rule: no shard ends far behind the others); ties go to the shard
// with fewer units, then the lower index, so every shard gets a unit when there are n or more.
// Without an estimate, round-robin: unit i to shard i mod n, which spreads a file written in
// groups (same-init block, cross-init block, …) evenly. Both depend only on the file, so every
// shard of a split computes the same deal.

/** The 0-based shard of each unit, in the units' order. */
export function dealUnits(count: number, shards: number, costs?: readonly number[]): number[] {
  if (costs === undefined) return Array.from({ length: count }, (_, i) => i % shards);
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => costs[b]! - costs[a]! || a - b);
  const load = new Array<number>(shards).fill(0);
  const held = new Array<number>(shards).fill(0);
  const out = new Array<number>(count);
  for (const i of order) {
    let best = 0;
    for (let k = 1; k < shards; k++) if (load[k]! < load[best]! || (load[k] === load[best] && held[k]! < held[best]!)) best = k;
    out[i] = best;
    load[best]! += costs[i]!;
    held[best]! += 1;
  }
  return out;
}
