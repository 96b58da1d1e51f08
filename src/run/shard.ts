// Shards: a slice of an experiment's arms, run as an ordinary run, so a sweep can be spread
// over independent jobs (a Slurm array, a Kubernetes indexed Job) and merged afterwards.
// deal.ts says which arm goes where: costliest first to the least-loaded shard where the world
// estimates each arm's work (numbers, EM), else round-robin.
import { ConfigError } from '../config/errors.js';
import type { ExperimentBase as Experiment } from '../config/experiment-base.js';
import { dealUnits } from './deal.js';
import type { RunWorld } from './run-world.js';

export interface ShardSpec {
  /** 1-based, as typed: `--shard 1/2`. */
  index: number;
  count: number;
  /**
   * The arms this slice runs, when they are not the file's own deal (deal.ts): a sweep shares its (point,
   * arm) pairs out over the shards as one list (sweep-shard.ts), so a point's slice is a pick.
   */
  arms?: readonly string[];
}

/** What a shard's manifest.json records: which slice it is and of what. */
export interface ShardRecord extends ShardSpec {
  /** The arms this shard ran, in file order. */
  arms: string[];
  /** Every arm of the experiment, in file order (the merged run's order). */
  of: string[];
  /** Present (true) when `arms` is a sweep point's pick rather than the file's own deal */
  sweep?: true;
}

export const shardLabel = (s: ShardSpec): string => `${s.index}/${s.count}`;

/** What --shard deals out: the world's units (EM: its fine-tunes and subliminal arms), else the arms, in file order. */
export const shardUnits = (exp: Experiment, world: RunWorld): string[] => world.shardUnits?.units(exp) ?? exp.arms.map((a) => a.name);

export function shardArms(exp: Experiment, s: ShardSpec, world: RunWorld): string[] {
  const units = shardUnits(exp, world);
  if (s.arms) {
    const picked = new Set(s.arms);
    return units.filter((u) => picked.has(u));
  }
  const deal = dealUnits(units.length, s.count, world.unitCosts?.(exp));
  return units.filter((_, i) => deal[i] === s.index - 1);
}

export function shardRecord(exp: Experiment, s: ShardSpec, world: RunWorld): ShardRecord {
  return { index: s.index, count: s.count, arms: shardArms(exp, s, world), of: shardUnits(exp, world), ...(s.arms ? { sweep: true as const } : {}) };
}

/**
 * Refuses a shard count the experiment cannot fill, and arm names a merge could not tell from
 * shared stages. `pool` is what is dealt out when it is more than this file's units (a sweep's
 * (point, unit) pairs): how many, and how the message says where they come from.
 */
export function checkShardable(exp: Experiment, s: ShardSpec, world: RunWorld, pool?: { size: number; what: string }): void {
  if (world.unshardable !== null) throw new ConfigError('--shard', `invalid value "${shardLabel(s)}"; ${world.unshardable}`);
  const units = world.shardUnits;
  const n = pool?.size ?? shardUnits(exp, world).length;
  const unit = units?.unit ?? 'arm';
  const shared = units ? ` to share out (${units.unitsAre})` : '';
  if (s.count > n)
    throw new ConfigError('--shard', `invalid value "${shardLabel(s)}"; ${pool?.what ?? 'the experiment has'} ${n} ${unit}${n === 1 ? '' : 's'}${shared}, so use at most ${n} shard${n === 1 ? '' : 's'} (n ≤ ${n})`);
  if (units) return;
  const clash = world.loggingArms(exp).find((name) => world.sharedStages.includes(name));
  if (clash !== undefined) {
    const i = exp.arms.findIndex((a) => a.name === clash);
    throw new ConfigError(`arms[${i}].name`, `"${clash}" is also the name of a shared stage in metrics.jsonl, so shards of this file could not be merged; rename the arm`);
  }
}

/**
 * The experiment a shard actually runs: only its arms, and no claims (they compare arms that
 * may sit in other shards; `traitlab merge` evaluates them on the whole summary). Arms are
 * independent, so each arm's numbers are those of the unsharded run.
 */
export function shardExperiment<E extends Experiment>(exp: E, s: ShardSpec, world: RunWorld): E {
  const names = shardArms(exp, s, world);
  if (world.shardUnits) return { ...(world.shardUnits.experiment(exp, names) as E), claims: [] };
  const picked = new Set(names);
  return { ...exp, arms: exp.arms.filter((a) => picked.has(a.name)), claims: [] };
}
