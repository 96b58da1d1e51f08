// `traitlab plan` (issue 17): each shard's share as `run --shard i/n` deals it, and the job files
// of --emit, checked by parsing them and by running their commands here the way the scheduler
// would (its variables set per task, then the merge): a Slurm array of a numbers file and a
// Kubernetes Indexed Job of an MNIST file each merge to the unsharded run, byte for byte.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { shellWord } from '../../src/run/job-scripts.js';
import { builtBin, cli, tempDir, tinyExperiment, writeJson } from '../support/cli.js';
import { tinyNumbers } from '../support/tiny-numbers.js';
import { tinyEmRun } from '../support/tiny-em.js';

const bin = builtBin();
const read = (...p: string[]) => readFileSync(join(...p), 'utf8');

/** Runs an emitted bash script (or `bash -c` text) in `cwd` with the scheduler's variables and traitlab as the built CLI. */
function bash(cwd: string, args: string[], env: Record<string, string>): { code: number; out: string } {
  const r = spawnSync('bash', args, { cwd, encoding: 'utf8', env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? cwd, TRAITLAB: `node ${bin}`, TRAITLAB_CACHE: join(cwd, 'cache'), ...env } });
  return { code: r.status ?? -1, out: `${r.stdout}\n${r.stderr}` };
}

describe('traitlab plan: the shares', () => {
  test("prints every shard's arms as run --shard i/n deals them (round-robin for MNIST, which has no work estimate), and every arm without --shards", async () => {
    const cwd = tempDir();
    writeJson(cwd, 'tiny.json', tinyExperiment());
    const r = await cli(cwd, 'plan', 'tiny.json', '--shards', '2');
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toContain(['tiny (mnist world): 2 seeds, 4 arms', 'shard 1/2: 2 arms', '  reference', '  student-same', 'shard 2/2: 2 arms', '  teacher', '  student-cross'].join('\n'));
    const whole = await cli(cwd, 'plan', 'tiny.json');
    expect(whole.out.join('\n')).toContain(['tiny (mnist world): 2 seeds, 4 arms', '  reference', '  teacher', '  student-same', '  student-cross'].join('\n'));
  });

  test('an EM file is planned by task, and a sweep by (point, arm) pairs', async () => {
    const cwd = tempDir();
    writeJson(cwd, 'em.json', tinyEmRun({ matrix: { cells: ['next/chem', 'map/cyber'] } }));
    const r = await cli(cwd, 'plan', 'em.json', '--shards', '2');
    expect(r.out.join('\n')).toContain(
      ['tiny-em (em world): 2 seeds, 2 tasks', "shard 1/2: 1 task, 50 % of the tasks' estimated work", '  fine-tune next/chem', "shard 2/2: 1 task, 50 % of the tasks' estimated work", '  fine-tune map/cyber'].join('\n'),
    );
    writeJson(cwd, 'sweep.json', tinyExperiment({ sweep: [{ path: 'distill.epochs', values: [1, 2] }] }));
    const s = await cli(cwd, 'plan', 'sweep.json', '--shards', '3');
    expect(s.code).toBe(0);
    const lines = s.out.join('\n').split('\n');
    expect(lines[0]).toBe('tiny (mnist world): 2 seeds, 8 arms over 2 sweep points');
    expect(lines.filter((l) => l.startsWith('shard ')).map((l) => l.split(':')[1]!.trim())).toEqual(['3 arms', '3 arms', '2 arms']);
    expect(lines.slice(1, 5)).toEqual(['shard 1/3: 3 arms', '  epochs-1: reference', '  epochs-1: student-cross', '  epochs-2: student-same']);
  });

  test("a numbers file's shards show their share of the arms' estimated work: sampled prefixes weigh more than fixed teacher tokens", async () => {
    const cwd = tempDir();
    writeJson(cwd, 'n.json', tinyNumbers());
    const r = await cli(cwd, 'plan', 'n.json', '--shards', '2');
    // Per row: fixed teacher tokens 3 (the student's step); student samples with pg and mix with relabel 3 + 1 + 3 = 7.
    // Dealt costliest first to the least-loaded shard: pg (7) to 1, mix (7) to 2, fixed tokens (3) to 1 (a tie; the lower shard).
    expect(r.out.join('\n')).toContain(["shard 1/2: 2 arms, 59 % of the arms' estimated work", '  same-fixed-tokens', '  same-student-pg', "shard 2/2: 1 arm, 41 % of the arms' estimated work", '  cross-mix-relabel'].join('\n'));
  });

  test('bad input is one line naming the option, exit 2, nothing written', async () => {
    const cwd = tempDir();
    writeJson(cwd, 'tiny.json', tinyExperiment());
    mkdirSync(join(cwd, 'taken'));
    writeFileSync(join(cwd, 'taken', 'keep.txt'), 'mine');
    const cases: [string[], RegExp][] = [
      [['--shards', '0'], /^traitlab: --shards: .*whole number ≥ 1/],
      [['--shards', '9'], /^traitlab: --shard: invalid value "1\/9"; the experiment has 4 arms, so use at most 4 shards/],
      [['--shards', '2', '--emit', 'pbs'], /^traitlab: --emit: invalid value "pbs"; use one of "slurm", "k8s"/],
      [['--shards', '2', '--emit', 'slurm', '--out', 'taken'], /^traitlab: --out: taken already exists and is not empty; choose another --out, or remove it$/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(cwd, 'plan', 'tiny.json', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(message);
    }
    expect(readdirSync(cwd).sort()).toEqual(['taken', 'tiny.json']);
    expect(readdirSync(join(cwd, 'taken'))).toEqual(['keep.txt']);
    writeJson(cwd, 'em-sweep.json', tinyEmRun({ sweep: [{ path: 'fineTune.steps', values: [5, 10] }] }));
    const em = await cli(cwd, 'plan', 'em-sweep.json', '--shards', '99');
    expect(em.err).toHaveLength(1);
    expect(em.err[0]).toMatch(/^traitlab: --shard: invalid value "1\/99"; the sweep has 2 points with \d+ tasks to share out \(its distinct fine-tunes and subliminal arms\), so use at most \d+ shards/);
  });

  test('--seeds and --backend are planned with and passed on to every emitted run', async () => {
    const cwd = tempDir();
    writeJson(cwd, 'n.json', tinyNumbers());
    const r = await cli(cwd, 'plan', 'n.json', '--shards', '2', '--seeds', '1', '--backend', 'wasm', '--emit', 'slurm', '--out', 'jobs');
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.out.join('\n').split('\n')[0]).toBe('tiny-numbers (numbers world): 1 seed, 3 arms');
    expect(read(cwd, 'jobs', 'shards.sbatch')).toContain('run n.json --seeds 1 --backend wasm --shard auto');
    const bad = await cli(cwd, 'plan', 'n.json', '--backend', 'gpu');
    expect(bad.code).toBe(2);
    expect(bad.err).toHaveLength(1);
    expect(bad.err[0]).toMatch(/^traitlab: --backend: invalid value "gpu"/);
  });

  test('shell words are quoted only when they must be', () => {
    expect(shellWord('experiments/numbers-owl.json')).toBe('experiments/numbers-owl.json');
    expect(shellWord("my file's.json")).toBe(`'my file'\\''s.json'`);
  });
});

describe('traitlab plan --emit slurm: a numbers file as a Slurm array', () => {
  test('shards.sbatch (an array of 2), merge.sbatch and submit.sh; run per task and merged, byte-identical to the unsharded run', async () => {
    const cwd = tempDir();
    writeJson(
      cwd,
      'n.json',
      tinyNumbers({
        pretrain: { steps: 20, batchSize: 32, learningRate: 0.01 },
        distill: { steps: 4, batchSize: 16, learningRate: 0.01, fixedSetSize: 32, probeEvery: 2 },
        arms: [
          { name: 'same', student: 'same-init', channel: { prefix: 'teacher-fixed', signal: 'tokens' } },
          { name: 'cross', student: 'cross-init', channel: { prefix: 'student', signal: 'reverse-kl' } },
        ],
      }),
    );
    const r = await cli(cwd, 'plan', 'n.json', '--shards', '2', '--emit', 'slurm', '--jobs', '1', '--out', 'jobs');
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(readdirSync(join(cwd, 'jobs')).sort()).toEqual(['merge.sbatch', 'shards.sbatch', 'submit.sh']);
    for (const f of readdirSync(join(cwd, 'jobs'))) expect(statSync(join(cwd, 'jobs', f)).mode & 0o111).not.toBe(0);
    const directives = (f: string) => read(cwd, 'jobs', f).split('\n').filter((l) => l.startsWith('#SBATCH '));
    expect(directives('shards.sbatch')).toEqual(['#SBATCH --job-name=tiny-numbers-shards', '#SBATCH --array=1-2', '#SBATCH --cpus-per-task=1', '#SBATCH --output=runs/tiny-numbers/logs/shard-%a.out']);
    expect(directives('merge.sbatch')).toContain('#SBATCH --job-name=tiny-numbers-merge');

    // The scheduler's part: each task with its variables (an array numbered from 1), then the merge.
    for (const id of [2, 1]) {
      const task = bash(cwd, ['jobs/shards.sbatch'], { SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '2' });
      expect(task.code, task.out).toBe(0);
      expect(task.out).toContain(`shard ${id}/2`);
    }
    const merged = bash(cwd, ['jobs/merge.sbatch'], {});
    expect(merged.code, merged.out).toBe(0);
    const whole = bash(cwd, ['-c', `node ${bin} run n.json --jobs 1 --out whole`], { TRAITLAB_CACHE: join(cwd, 'cache-whole') });
    expect(whole.code, whole.out).toBe(0);
    expect(read(cwd, 'runs/tiny-numbers/merged/summary.json')).toBe(read(cwd, 'whole/summary.json'));
    expect(read(cwd, 'runs/tiny-numbers/merged/metrics.jsonl')).toBe(read(cwd, 'whole/metrics.jsonl'));

    // submit.sh: the array first, then the merge depending on it (sbatch stubbed on the PATH).
    mkdirSync(join(cwd, 'stub'));
    writeFileSync(join(cwd, 'stub', 'sbatch'), '#!/usr/bin/env bash\necho "$*" >> "$SBATCH_LOG"\necho "4242;cluster"\n');
    chmodSync(join(cwd, 'stub', 'sbatch'), 0o755);
    const submit = bash(cwd, ['jobs/submit.sh'], { PATH: `${join(cwd, 'stub')}:${process.env.PATH}`, SBATCH_LOG: join(cwd, 'sbatch.log') });
    expect(submit.code, submit.out).toBe(0);
    expect(read(cwd, 'sbatch.log').trim().split('\n')).toEqual([`--parsable ${join(cwd, 'jobs')}/shards.sbatch`, `--dependency=afterok:4242 ${join(cwd, 'jobs')}/merge.sbatch`]);
    expect(existsSync(join(cwd, 'runs/tiny-numbers/logs'))).toBe(true);
  }, 240_000);
});

describe('traitlab plan --emit k8s: an MNIST file as a Kubernetes Indexed Job', () => {
  test('shards.json is an Indexed Job of 2 and merge.json a Job; their commands, run per index and merged, are byte-identical to the unsharded run', async () => {
    const cwd = tempDir();
    writeJson(cwd, 'tiny.json', tinyExperiment());
    const r = await cli(cwd, 'plan', 'tiny.json', '--shards', '2', '--emit', 'k8s', '--jobs', '1', '--out', 'k8s', '--runs', 'out/tiny');
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(readdirSync(join(cwd, 'k8s')).sort()).toEqual(['apply.sh', 'merge.json', 'shards.json']);
    const shards = JSON.parse(read(cwd, 'k8s', 'shards.json'));
    const merge = JSON.parse(read(cwd, 'k8s', 'merge.json'));
    expect(shards).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'tiny-shards' }, spec: { completionMode: 'Indexed', completions: 2, parallelism: 2 } });
    expect(merge).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'tiny-merge' } });
    expect(read(cwd, 'k8s', 'apply.sh')).toContain('kubectl wait --for=condition=complete --timeout=-1s job/tiny-shards');

    const run = (job: { spec: { template: { spec: { containers: { command: string[]; env: { name: string; value: string }[] }[] } } } }, env: Record<string, string>) => {
      const c = job.spec.template.spec.containers[0]!;
      expect(c.command.slice(0, 2)).toEqual(['bash', '-c']);
      return bash(cwd, ['-c', c.command[2]!], { ...Object.fromEntries(c.env.map((e) => [e.name, e.value])), ...env });
    };
    for (const index of [1, 0]) {
      const task = run(shards, { JOB_COMPLETION_INDEX: String(index) });
      expect(task.code, task.out).toBe(0);
      expect(task.out).toContain(`shard ${index + 1}/2`);
    }
    const merged = run(merge, {});
    expect(merged.code, merged.out).toBe(0);
    const whole = bash(cwd, ['-c', `node ${bin} run tiny.json --jobs 1 --out whole`], {});
    expect(whole.code, whole.out).toBe(0);
    expect(read(cwd, 'out/tiny/merged/summary.json')).toBe(read(cwd, 'whole/summary.json'));
    expect(read(cwd, 'out/tiny/merged/metrics.jsonl')).toBe(read(cwd, 'whole/metrics.jsonl'));
  }, 240_000);
});
