// `--shard auto` (and `--shard auto/n`): the slice a job of a scheduler's array takes, read from
// the scheduler's own variables, so one command line serves every task of the array.
//
//   Slurm job array       SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT
//                         (index = ID − MIN + 1; the array must be contiguous: --array=0-3, 1-4)
//   Kubernetes Indexed Job  JOB_COMPLETION_INDEX (0-based); count from auto/n or TRAITLAB_SHARD_COUNT
//   AWS Batch array job   AWS_BATCH_JOB_ARRAY_INDEX (0-based); count from auto/n or TRAITLAB_SHARD_COUNT
//
// Every mismatch is one line naming the variable. Pure: the environment is passed in.
import { ConfigError } from '../config/errors.js';
import type { ShardSpec } from '../run/shard.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** What `--shard auto[/n]` asks for: the count when the command line gives it. */
export interface AutoShard {
  auto: true;
  count?: number;
}

const COUNT_VARIABLE = 'TRAITLAB_SHARD_COUNT';

function wholeNumber(env: Env, name: string, min: number): number {
  const text = env[name];
  if (text === undefined || text.trim() === '') throw new ConfigError('--shard', `auto: ${name} is not set; run inside the array job, or give --shard i/n`);
  if (!/^[0-9]+$/.test(text.trim())) throw new ConfigError('--shard', `auto: ${name} is "${text}", not a whole number`);
  const n = Number(text.trim());
  if (n < min) throw new ConfigError('--shard', `auto: ${name} is ${n}; it must be ≥ ${min}`);
  return n;
}

/** The count of a scheduler that does not export one: from auto/n, else TRAITLAB_SHARD_COUNT; both must agree. */
function givenCount(request: AutoShard, env: Env, indexVariable: string): number {
  const fromEnv = env[COUNT_VARIABLE] !== undefined ? wholeNumber(env, COUNT_VARIABLE, 1) : undefined;
  if (request.count !== undefined && fromEnv !== undefined && request.count !== fromEnv)
    throw new ConfigError('--shard', `auto/${request.count} disagrees with ${COUNT_VARIABLE}=${fromEnv}; give the shard count once`);
  const count = request.count ?? fromEnv;
  if (count === undefined)
    throw new ConfigError('--shard', `auto: ${indexVariable} gives the index but not the count; give it as --shard auto/n or in ${COUNT_VARIABLE}`);
  return count;
}

function checked(index: number, count: number, from: string): ShardSpec {
  if (index > count) throw new ConfigError('--shard', `auto: ${from} gives shard ${index} of ${count}; the index must be ≤ the count (is the array contiguous, starting at its minimum?)`);
  return { index, count };
}

const SCHEDULERS = [
  { name: 'Slurm', variable: 'SLURM_ARRAY_TASK_ID' },
  { name: 'Kubernetes', variable: 'JOB_COMPLETION_INDEX' },
  { name: 'AWS Batch', variable: 'AWS_BATCH_JOB_ARRAY_INDEX' },
] as const;

/** The 1-based shard this array task runs, from the scheduler's variables. */
export function shardFromScheduler(request: AutoShard, env: Env): ShardSpec {
  const present = SCHEDULERS.filter((s) => env[s.variable] !== undefined);
  if (present.length === 0)
    throw new ConfigError('--shard', `auto: no job-array variable is set (${SCHEDULERS.map((s) => s.variable).join(', ')}); run inside the array job, or give --shard i/n`);
  if (present.length > 1) throw new ConfigError('--shard', `auto: both ${present[0]!.variable} and ${present[1]!.variable} are set; unset the one that does not belong to this job`);
  const scheduler = present[0]!;
  if (scheduler.name === 'Slurm') {
    const id = wholeNumber(env, 'SLURM_ARRAY_TASK_ID', 0);
    const min = wholeNumber(env, 'SLURM_ARRAY_TASK_MIN', 0);
    const count = wholeNumber(env, 'SLURM_ARRAY_TASK_COUNT', 1);
    if (request.count !== undefined && request.count !== count)
      throw new ConfigError('--shard', `auto/${request.count} disagrees with SLURM_ARRAY_TASK_COUNT=${count}; give --shard auto, or submit an array of ${request.count} tasks`);
    if (id < min) throw new ConfigError('--shard', `auto: SLURM_ARRAY_TASK_ID ${id} is below SLURM_ARRAY_TASK_MIN ${min}`);
    return checked(id - min + 1, count, `SLURM_ARRAY_TASK_ID ${id} − SLURM_ARRAY_TASK_MIN ${min} + 1`);
  }
  const index = wholeNumber(env, scheduler.variable, 0) + 1;
  return checked(index, givenCount(request, env, scheduler.variable), `${scheduler.variable} ${index - 1} (0-based)`);
}
