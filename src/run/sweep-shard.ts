// `--shard i/n` of a sweep: the (point, arm) pairs are one list — point 0's arms in file order,
// then point 1's, … — shared out round-robin, pair k to shard (k mod n) + 1, as shard.ts shares
// the arms of one file. Each point's share is then an ordinary shard run of that point whose
// arms are a pick (ShardSpec.arms); a shard with no arm of a point does not run that point.
import type { ExperimentBase as Experiment } from '../config/experiment-base.js';
import type { ShardSpec } from './shard.js';

/** For each point, the arms shard `s` runs of it (empty: the point is not run by this shard). */
export function sweepShardPicks(points: readonly Experiment[], s: ShardSpec): string[][] {
  let k = 0;
  return points.map((exp) => exp.arms.map((a) => a.name).filter(() => k++ % s.count === s.index - 1));
}

/** The ShardSpec a point runs under in shard `s`, or null when it has no arm there. */
export function pointShard(picks: readonly string[][], index: number, s: ShardSpec): ShardSpec | null {
  const arms = picks[index]!;
  return arms.length === 0 ? null : { index: s.index, count: s.count, arms };
}

/** (point, arm) pairs of the whole sweep: the most shards it can be split into. */
export const sweepPairs = (points: readonly Experiment[]): number => points.reduce((n, exp) => n + exp.arms.length, 0);
