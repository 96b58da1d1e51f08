// `--shard i/n`: which slice of the arms a run takes (see src/run/shard.ts), validated
// like every option, with a message that shows the form to type. `--shard auto` (or `auto/n`)
// leaves the slice to a scheduler's job-array variables (scheduler-shard.ts).
import { z } from 'zod';
import type { ShardSpec } from '../run/shard.js';
import type { AutoShard } from './scheduler-shard.js';

const isAuto = (s: ShardSpec | AutoShard): s is AutoShard => 'auto' in s;

export const shardOption = z
  .string()
  .regex(/^([0-9]+\/[0-9]+|auto(\/[1-9][0-9]*)?)$/, 'use i/n with whole numbers 1 ≤ i ≤ n, e.g. --shard 1/2 for the first of two shards (or auto inside a job array)')
  .transform((s): ShardSpec | AutoShard => {
    if (s === 'auto') return { auto: true };
    if (s.startsWith('auto/')) return { auto: true, count: Number(s.slice(5)) };
    const [index, count] = s.split('/').map(Number) as [number, number];
    return { index, count };
  })
  .refine((s) => isAuto(s) || (s.count >= 1 && s.index >= 1 && s.index <= s.count), {
    error: (issue) => {
      const s = issue.input as ShardSpec;
      return `invalid value "${s.index}/${s.count}"; i must be between 1 and n (${s.count < 1 ? 'n ≥ 1' : `1 to ${s.count}`}), e.g. --shard 1/${Math.max(1, s.count)}`;
    },
  });
