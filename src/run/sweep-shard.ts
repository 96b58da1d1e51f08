// `--shard i/n` of a sweep: the (point, unit) pairs are one list — point 0's units in file
// order, then point 1's, … — dealt out as shard.ts deals the units of one file (deal.ts:
// costliest first to the least-loaded shard when every point's world estimates its units'
// work, else round-robin, pair k to shard (k mod n) + 1). A unit is an arm, or the world's unit of shared work (EM: a
// distinct fine-tune or a subliminal arm; shard.ts's shardUnits). Each point's share is then an
// ordinary shard run of that point whose units are a pick (ShardSpec.arms); a shard with no unit
// of a point does not run that point.
import type { ExperimentBase as Experiment } from '../config/experiment-base.js';
import { dealUnits } from './deal.js';
import type { ShardSpec } from './shard.js';

/** A point's units in file order: its arms unless the caller's world deals out other units. */
export type UnitsOf = (exp: Experiment) => string[];
/** The estimated work of a point's units, in their order, or undefined when its world has no estimate. */
export type CostsOf = (exp: Experiment) => number[] | undefined;

const armNames: UnitsOf = (exp) => exp.arms.map((a) => a.name);

/** For each point, the units shard `s` runs of it (empty: the point is not run by this shard). */
export function sweepShardPicks(points: readonly Experiment[], s: ShardSpec, unitsOf: UnitsOf = armNames, costsOf: CostsOf = () => undefined): string[][] {
  const units = points.map(unitsOf);
  const costs = points.map(costsOf);
  const deal = dealUnits(
    units.flat().length,
    s.count,
    costs.every((c) => c !== undefined) ? costs.flat() : undefined,
  );
  let k = 0;
  return units.map((us) => us.filter(() => deal[k++] === s.index - 1));
}

/** The ShardSpec a point runs under in shard `s`, or null when it has no unit there. */
export function pointShard(picks: readonly string[][], index: number, s: ShardSpec): ShardSpec | null {
  const arms = picks[index]!;
  return arms.length === 0 ? null : { index: s.index, count: s.count, arms };
}

/** (point, unit) pairs of the whole sweep: the most shards it can be split into. */
export const sweepPairs = (points: readonly Experiment[], unitsOf: UnitsOf = armNames): number => points.reduce((n, exp) => n + unitsOf(exp).length, 0);
