// `--shard i/n`: which slice of the arms a run takes (see src/run/shard.ts), validated
// like every option, with a message that shows the form to type.
import { z } from 'zod';
import type { ShardSpec } from '../run/shard.js';

export const shardOption = z
  .string()
  .regex(/^[0-9]+\/[0-9]+$/, 'use i/n with whole numbers 1 ≤ i ≤ n, e.g. --shard 1/2 for the first of two shards')
  .transform((s): ShardSpec => {
    const [index, count] = s.split('/').map(Number) as [number, number];
    return { index, count };
  })
  .refine((s) => s.count >= 1 && s.index >= 1 && s.index <= s.count, {
    error: (issue) => {
      const s = issue.input as ShardSpec;
      return `invalid value "${s.index}/${s.count}"; i must be between 1 and n (${s.count < 1 ? 'n ≥ 1' : `1 to ${s.count}`}), e.g. --shard 1/${Math.max(1, s.count)}`;
    },
  });
