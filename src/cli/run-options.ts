// The options of `traitlab run` and what a run starts from: shared by a fresh start (run.ts)
// and a resumed one (resume-start.ts), in a file of its own so neither imports the other.
import { z } from 'zod';
import { BACKEND_CHOICES } from '../engine/backend.js';
import type { RunRequest } from './execute-run.js';
import { jobsOption } from './options.js';
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

export type RunCommandOptions = z.output<typeof runOptions>;

/** What a run starts from: a new run or an interrupted one, its directory and backend chosen. */
export type RunStart = Pick<RunRequest, 'exp' | 'experimentFile' | 'dir' | 'backend' | 'shard' | 'resume'>;
