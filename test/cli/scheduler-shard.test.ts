// `--shard auto` (and `auto/n`): a job of a Slurm array, a Kubernetes Indexed Job or an AWS Batch
// array job takes its slice from the scheduler's own variables. The index arithmetic of each
// scheduler, every mismatch as one line naming the variable, and an array simulated in-process
// (the variables set as the scheduler would) whose merged shards equal the unsharded run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { shardFromScheduler, type Env } from '../../src/cli/scheduler-shard.js';
import { cli, tempDir, tinyExperiment, writeJson } from '../support/cli.js';
import { configErrorOf } from '../support/problem.js';

const error = configErrorOf;

describe('shardFromScheduler', () => {
  test('Slurm: index = ID − MIN + 1 over COUNT, whatever the array starts at', () => {
    const slurm = (id: number, min: number, count: number): Env => ({ SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_MIN: String(min), SLURM_ARRAY_TASK_COUNT: String(count) });
    expect(shardFromScheduler({ auto: true }, slurm(0, 0, 3))).toEqual({ index: 1, count: 3 });
    expect(shardFromScheduler({ auto: true }, slurm(3, 1, 3))).toEqual({ index: 3, count: 3 });
    expect(shardFromScheduler({ auto: true, count: 3 }, slurm(12, 10, 3))).toEqual({ index: 3, count: 3 });
  });

  test('Kubernetes and AWS Batch: a 0-based index, the count from auto/n or TRAITLAB_SHARD_COUNT', () => {
    expect(shardFromScheduler({ auto: true, count: 4 }, { JOB_COMPLETION_INDEX: '0' })).toEqual({ index: 1, count: 4 });
    expect(shardFromScheduler({ auto: true }, { JOB_COMPLETION_INDEX: '3', TRAITLAB_SHARD_COUNT: '4' })).toEqual({ index: 4, count: 4 });
    expect(shardFromScheduler({ auto: true, count: 2 }, { AWS_BATCH_JOB_ARRAY_INDEX: '1', TRAITLAB_SHARD_COUNT: '2' })).toEqual({ index: 2, count: 2 });
  });

  test('every missing or mismatched variable is one line naming it', () => {
    expect(error(() => shardFromScheduler({ auto: true }, {}))).toBe(
      '--shard: auto: no job-array variable is set (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX); run inside the array job, or give --shard i/n',
    );
    expect(error(() => shardFromScheduler({ auto: true }, { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_MIN: '0' }))).toBe(
      '--shard: auto: SLURM_ARRAY_TASK_COUNT is not set; run inside the array job, or give --shard i/n',
    );
    expect(error(() => shardFromScheduler({ auto: true }, { SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_COUNT: '3' }))).toBe(
      '--shard: auto: SLURM_ARRAY_TASK_ID 7 − SLURM_ARRAY_TASK_MIN 0 + 1 gives shard 8 of 3; the index must be ≤ the count (is the array contiguous, starting at its minimum?)',
    );
    expect(error(() => shardFromScheduler({ auto: true, count: 4 }, { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_COUNT: '3' }))).toBe(
      '--shard: auto/4 disagrees with SLURM_ARRAY_TASK_COUNT=3; give --shard auto, or submit an array of 4 tasks',
    );
    expect(error(() => shardFromScheduler({ auto: true }, { JOB_COMPLETION_INDEX: '1' }))).toBe(
      '--shard: auto: JOB_COMPLETION_INDEX gives the index but not the count; give it as --shard auto/n or in TRAITLAB_SHARD_COUNT',
    );
    expect(error(() => shardFromScheduler({ auto: true, count: 2 }, { JOB_COMPLETION_INDEX: '1', TRAITLAB_SHARD_COUNT: '3' }))).toBe(
      '--shard: auto/2 disagrees with TRAITLAB_SHARD_COUNT=3; give the shard count once',
    );
    expect(error(() => shardFromScheduler({ auto: true, count: 2 }, { AWS_BATCH_JOB_ARRAY_INDEX: 'one' }))).toBe('--shard: auto: AWS_BATCH_JOB_ARRAY_INDEX is "one", not a whole number');
    expect(error(() => shardFromScheduler({ auto: true, count: 2 }, { JOB_COMPLETION_INDEX: '0', AWS_BATCH_JOB_ARRAY_INDEX: '0' }))).toBe(
      '--shard: auto: both JOB_COMPLETION_INDEX and AWS_BATCH_JOB_ARRAY_INDEX are set; unset the one that does not belong to this job',
    );
  });
});

describe('traitlab run --shard auto inside a simulated array', () => {
  const VARIABLES = ['SLURM_ARRAY_TASK_ID', 'SLURM_ARRAY_TASK_MIN', 'SLURM_ARRAY_TASK_COUNT', 'JOB_COMPLETION_INDEX', 'AWS_BATCH_JOB_ARRAY_INDEX', 'TRAITLAB_SHARD_COUNT'];
  const saved = Object.fromEntries(VARIABLES.map((v) => [v, process.env[v]]));
  afterEach(() => {
    for (const v of VARIABLES) {
      if (saved[v] === undefined) delete process.env[v];
      else process.env[v] = saved[v];
    }
  });
  /** Runs the CLI with the scheduler's variables set as they are in one task of the array. */
  async function inTask(env: Env, cwd: string, ...argv: string[]) {
    for (const v of VARIABLES) delete process.env[v];
    Object.assign(process.env, env);
    return cli(cwd, ...argv);
  }
  const read = (...p: string[]) => readFileSync(join(...p), 'utf8');

  test('a Slurm array of 2 (IDs 1 and 2) and an Indexed Job of 2 each merge to the unsharded run, byte for byte', async () => {
    const cwd = tempDir();
    writeJson(cwd, 'tiny.json', tinyExperiment());
    expect((await cli(cwd, 'run', 'tiny.json', '--backend', 'wasm', '--out', 'whole')).code).toBe(0);
    for (const id of [1, 2]) {
      const r = await inTask({ SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '2' }, cwd, 'run', 'tiny.json', '--backend', 'wasm', '--shard', 'auto', '--out', `slurm-${id}`);
      expect(r.code, r.err.join('\n')).toBe(0);
      expect(r.err[0]).toContain(`shard ${id}/2`);
    }
    for (const index of [0, 1]) {
      const r = await inTask({ JOB_COMPLETION_INDEX: String(index) }, cwd, 'run', 'tiny.json', '--backend', 'wasm', '--shard', 'auto/2', '--out', `k8s-${index}`);
      expect(r.code, r.err.join('\n')).toBe(0);
    }
    expect(read(cwd, 'k8s-0', 'summary.json')).toBe(read(cwd, 'slurm-1', 'summary.json'));
    for (const [a, b, out] of [['slurm-1', 'slurm-2', 'merged-slurm'], ['k8s-0', 'k8s-1', 'merged-k8s']]) {
      expect((await cli(cwd, 'merge', a!, b!, '--out', out!)).code).toBe(0);
      expect(read(cwd, out!, 'summary.json')).toBe(read(cwd, 'whole', 'summary.json'));
      expect(read(cwd, out!, 'metrics.jsonl')).toBe(read(cwd, 'whole', 'metrics.jsonl'));
    }
  });

  test('outside an array, --shard auto is one line, exit 2, nothing written', async () => {
    const cwd = tempDir();
    writeJson(cwd, 'tiny.json', tinyExperiment());
    const r = await inTask({}, cwd, 'run', 'tiny.json', '--backend', 'wasm', '--shard', 'auto', '--out', 'bad');
    expect(r.code).toBe(2);
    expect(r.err).toEqual(['traitlab: --shard: auto: no job-array variable is set (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX); run inside the array job, or give --shard i/n']);
    expect(existsSync(join(cwd, 'bad'))).toBe(false);
  });
});
