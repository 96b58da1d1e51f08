// What a sweep shard deals out of each point (sweep-shard.ts): its world's units of shared work
// (EM: its distinct fine-tunes and subliminal arms), else its arms, in file order.
import { worldOf } from '../registry/worlds.js';
import { shardUnits } from '../run/shard.js';
import type { ShardSpec } from '../run/shard.js';
import { sweepShardPicks, type CostsOf, type UnitsOf } from '../run/sweep-shard.js';

export const sweepUnitsOf: UnitsOf = (exp) => shardUnits(exp, worldOf(exp));

/** The world's estimate of each unit's work (what the deal weighs), where it has one. */
export const sweepCostsOf: CostsOf = (exp) => worldOf(exp).unitCosts?.(exp);

/** What the sweep's units are called in messages: "task" for EM, else "arm". */
export const sweepUnitName = (exp: Parameters<UnitsOf>[0]): string => worldOf(exp).shardUnits?.unit ?? 'arm';

/** Each point's units in shard `s`, dealt by the worlds' units and costs: the one deal run, resume and plan all use. */
export const sweepPicks = (points: readonly Parameters<UnitsOf>[0][], s: ShardSpec): string[][] => sweepShardPicks(points, s, sweepUnitsOf, sweepCostsOf);
