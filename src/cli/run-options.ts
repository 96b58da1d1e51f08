// The options of `traitlab run` and what a run starts from: shared by a fresh start (run.ts)
// and a resumed one (resume-start.ts), in a file of its own so neither imports the other.
import { z } from 'zod';
import { BACKEND_CHOICES } from '../engine/backend.js';
import type { RunRequest } from './execute-run.js';
import type { ShardSpec } from '../run/shard.js';
import { jobsOption, parseOptions } from './options.js';
import { shardFromScheduler, type Env } from './scheduler-shard.js';
import { shardOption } from './shard-option.js';

export const runOptions = z
  .object({
    // Range is checked against the experiment schema's `seeds` when the file is loaded.
    seeds: z.string().regex(/^[0-9]+$/, 'use a whole number, e.g. --seeds 3').transform(Number).optional(),
    backend: z.enum(BACKEND_CHOICES).default('auto'),
    out: z.string().min(1).optional(),
    jobs: jobsOption.optional(),
    json: z.boolean().optional(),
    shard: shardOption.optional(),
    resume: z.string().min(1).optional(),
  })
  .strict();

/** The options as a run uses them: `--shard auto` already read from the scheduler's variables. */
export type RunCommandOptions = Omit<z.output<typeof runOptions>, 'shard'> & { shard?: ShardSpec };

/** Parses `traitlab run`'s options; `--shard auto[/n]` becomes the slice `env` (a job array's variables) names. */
export function parseRunOptions(raw: unknown, env: Env): RunCommandOptions {
  const { shard, ...rest } = parseOptions(runOptions, raw);
  if (shard === undefined) return rest;
  return { ...rest, shard: 'auto' in shard ? shardFromScheduler(shard, env) : shard };
}

/** What a run starts from: a new run or an interrupted one, its directory and backend chosen. */
export type RunStart = Pick<RunRequest, 'exp' | 'experimentFile' | 'dir' | 'backend' | 'shard' | 'resume'>;
