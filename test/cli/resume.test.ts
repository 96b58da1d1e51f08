// Interrupt and resume through the CLI. A run is stopped as Ctrl-C would stop it — in-process
// through TRAITLAB_STOP_AFTER_STEPS, or by a real SIGINT / SIGTERM to the built CLI in a child
// process (npm test builds it first) — and exits 130 / 143 with one line naming the command
// that continues it, its partial directory kept with the checkpoint. `traitlab run --resume`
// then ends with summary.json and metrics.jsonl byte-identical to an uninterrupted run's, for
// both worlds and for 1 and 2 jobs. Then every refusal of --resume.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tinyNumbers } from '../support/tiny-numbers.js';
import { builtBin, cli, tempDir, tinyExperiment, writeJson, type CliResult } from '../support/cli.js';

const savedCache = process.env.TRAITLAB_CACHE;
afterAll(() => {
  if (savedCache === undefined) delete process.env.TRAITLAB_CACHE;
  else process.env.TRAITLAB_CACHE = savedCache;
});

async function stoppedRun(cwd: string, file: string, out: string, jobs: number, stopAfter: number): Promise<CliResult> {
  process.env.TRAITLAB_STOP_AFTER_STEPS = String(stopAfter);
  try {
    return await cli(cwd, 'run', file, '--backend', 'wasm', '--jobs', String(jobs), '--out', out);
  } finally {
    delete process.env.TRAITLAB_STOP_AFTER_STEPS;
  }
}

const bin = builtBin();

/** `traitlab run` in a child process, sent `signal` once its checkpoint says the arm stage has begun. */
async function signalled(cwd: string, out: string, jobs: number, signal: NodeJS.Signals): Promise<CliResult> {
  const env = { ...process.env };
  delete env.TRAITLAB_STOP_AFTER_STEPS;
  const child = spawn(process.execPath, [bin, 'run', 'tiny.json', '--backend', 'wasm', '--jobs', String(jobs), '--out', out], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const ended = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const record = join(cwd, `${out}.partial`, 'checkpoint', 'run.json');
  for (let t = 0; t < 3000; t++) {
    if (existsSync(record) && JSON.parse(readFileSync(record, 'utf8')).stage === 'arms') break;
    await sleep(10);
  }
  child.kill(signal);
  const code = (await ended) ?? -1;
  const lines = (text: string) => text.split('\n').filter((l) => l !== '');
  return { code, out: lines(stdout), err: lines(stderr) };
}

const read = (cwd: string, dir: string, name: string) => readFileSync(join(cwd, dir, name), 'utf8');

function expectStopped(r: CliResult, cwd: string, out: string, signal = 'SIGINT'): void {
  expect(r.code).toBe(signal === 'SIGINT' ? 130 : 143);
  expect(r.out).toEqual([]);
  expect(r.err.at(-1)).toBe(`traitlab: interrupted (${signal}); the run is saved in ${out}.partial; continue it with: traitlab run --resume ${out}.partial`);
  expect(existsSync(join(cwd, out))).toBe(false);
  expect(readdirSync(join(cwd, `${out}.partial`)).sort()).toEqual(['checkpoint', 'manifest.json', 'metrics.jsonl']);
}

function expectSameAsPlain(r: CliResult, cwd: string, out: string): void {
  expect(r.err.filter((l) => l.startsWith('traitlab:'))).toEqual([]);
  expect(r.code).toBe(0);
  expect(r.err[0]).toMatch(/^resuming tiny[-a-z]*: \d of \d arms finished, \d stopped mid-way; 2 seeds, root seed 3, backend wasm → /);
  expect(r.out.join('\n')).toContain(`run directory: ${out}`);
  expect(readdirSync(join(cwd, out)).sort()).toEqual(['manifest.json', 'metrics.jsonl', 'report.html', 'summary.json']);
  expect(existsSync(join(cwd, `${out}.partial`))).toBe(false);
  expect(read(cwd, out, 'summary.json')).toBe(read(cwd, 'plain', 'summary.json'));
  expect(read(cwd, out, 'metrics.jsonl')).toBe(read(cwd, 'plain', 'metrics.jsonl'));
  expect(JSON.parse(read(cwd, out, 'manifest.json')).resumes).toHaveLength(1);
}

describe('MNIST, by signals to the built CLI', () => {
  let cwd: string;
  // Two student arms of 64 steps: still running when the signal arrives.
  const file = tinyExperiment({ distill: { noiseImages: 4096, epochs: 1, batchSize: 64, learningRate: 0.003 } });
  beforeAll(async () => {
    cwd = tempDir();
    writeJson(cwd, 'tiny.json', file);
    expect((await cli(cwd, 'run', 'tiny.json', '--backend', 'wasm', '--jobs', '2', '--out', 'plain')).code).toBe(0);
  });

  test('SIGINT (2 jobs) and SIGTERM (1 job) mid-arm; the file edited meanwhile; resumed from the manifest → identical files', async () => {
    const [int, term] = await Promise.all([signalled(cwd, 'sigint', 2, 'SIGINT'), signalled(cwd, 'sigterm', 1, 'SIGTERM')]);
    expectStopped(int, cwd, 'sigint');
    expectStopped(term, cwd, 'sigterm', 'SIGTERM');
    cpSync(join(cwd, 'sigterm.partial'), join(cwd, 'kept.partial'), { recursive: true }); // for the tests below
    writeJson(cwd, 'tiny.json', { ...file, rootSeed: 4 }); // ignored: the config is the manifest's
    expectSameAsPlain(await cli(cwd, 'run', '--resume', 'sigint', '--jobs', '2'), cwd, 'sigint');
    expectSameAsPlain(await cli(cwd, 'run', '--resume', 'sigterm.partial', '--jobs', '1'), cwd, 'sigterm');
    writeJson(cwd, 'tiny.json', file);
  });

  test('killed before its arms started (no handler yet): resume runs it from the start → identical files', async () => {
    // What a kill during the teacher stage leaves: the first checkpoint, half a line of metrics.
    const dir = join(cwd, 'killed.partial');
    cpSync(join(cwd, 'kept.partial'), dir, { recursive: true });
    for (const f of readdirSync(join(dir, 'checkpoint'))) if (f !== 'run.json') rmSync(join(dir, 'checkpoint', f));
    writeFileSync(join(dir, 'checkpoint', 'run.json'), JSON.stringify({ format: 1, stage: 'before-arms', metricsBytes: 0, pid: 4194000, host: 'elsewhere' }));
    truncateSync(join(dir, 'metrics.jsonl'), 30);
    expectSameAsPlain(await cli(cwd, 'run', '--resume', 'killed', '--jobs', '2'), cwd, 'killed');
  });

  describe('refusals (exit 2, one line, nothing changed)', () => {
    let stopped: string;
    beforeAll(() => {
      stopped = join(cwd, 'kept.partial'); // a copy of the first test's interrupted run
    });
    /** A copy of the interrupted run, changed by `damage`, given to --resume. */
    const copy = (name: string, damage: (dir: string) => void) => {
      cpSync(stopped, join(cwd, `${name}.partial`), { recursive: true });
      damage(join(cwd, `${name}.partial`));
    };

    test.each<[string, () => string[], string | RegExp]>([
      ['a directory that does not exist', () => ['--resume', 'nope'], 'traitlab: nope: not found; give the directory an interrupted run named (runs/<experiment>-<time>-<hash>.partial)'],
      ['a finished run', () => ['--resume', 'plain'], 'traitlab: plain: has already finished, so there is nothing to resume; traitlab show plain prints its result'],
      [
        'a partial directory without a checkpoint',
        () => {
          mkdirSync(join(cwd, 'bare.partial'));
          cpSync(join(stopped, 'manifest.json'), join(cwd, 'bare.partial', 'manifest.json'));
          return ['--resume', 'bare.partial'];
        },
        'traitlab: bare.partial: has no checkpoint to resume from (its run was stopped before it wrote one, or by an older traitlab); delete bare.partial and rerun',
      ],
      [
        'a damaged arm file',
        () => {
          copy('damaged', (dir) => {
            const f = join(dir, 'checkpoint', readdirSync(join(dir, 'checkpoint')).find((n) => n.startsWith('partial-'))!);
            writeFileSync(f, readFileSync(f, 'utf8').replace('"steps":', '"steps": '));
          });
          return ['--resume', 'damaged'];
        },
        /^traitlab: damaged\.partial: the checkpoint is corrupt \(partial-student-(same|cross)\.json: its checksum does not match its contents\); delete damaged\.partial and rerun$/,
      ],
      [
        'a run.json that is not one',
        () => {
          copy('garbled', (dir) => writeFileSync(join(dir, 'checkpoint', 'run.json'), '{"format": 1'));
          return ['--resume', 'garbled.partial'];
        },
        /^traitlab: garbled\.partial: the checkpoint is corrupt \(run\.json: .*\); delete garbled\.partial and rerun$/,
      ],
      [
        'a run another process is still writing',
        () => {
          copy('busy', (dir) => {
            const f = join(dir, 'checkpoint', 'run.json');
            const { interrupted: _, ...record } = JSON.parse(readFileSync(f, 'utf8'));
            writeFileSync(f, JSON.stringify({ ...record, pid: process.ppid }));
          });
          return ['--resume', 'busy.partial'];
        },
        `traitlab: busy.partial: a run (pid ${process.ppid}) is still writing it; wait for it to end or stop it (Ctrl-C) before resuming`,
      ],
      ['an experiment file as well', () => ['tiny.json', '--resume', 'kept'], 'traitlab: --resume: takes the config from the run directory, so give no experiment file (remove tiny.json)'],
      ['--seeds with --resume', () => ['--resume', 'kept', '--seeds', '3'], 'traitlab: --seeds: cannot be used with --resume: the run continues with the settings it started with (see its manifest.json); remove it'],
      ['another backend', () => ['--resume', 'kept', '--backend', 'cpu'], 'traitlab: --backend: the run started on wasm; resume it on wasm (or leave --backend out)'],
      ['neither a file nor --resume', () => [], 'traitlab: <file>: missing; give an experiment file (traitlab run <file>), or --resume <run-dir> to continue an interrupted run'],
    ])('%s', async (_name, args, message) => {
      const before = readFileSync(join(stopped, 'checkpoint', 'run.json'), 'utf8');
      const r = await cli(cwd, 'run', ...args());
      expect(r.code).toBe(2);
      expect(r.out).toEqual([]);
      expect(r.err).toHaveLength(1);
      if (typeof message === 'string') expect(r.err[0]).toBe(message);
      else expect(r.err[0]).toMatch(message);
      expect(readFileSync(join(stopped, 'checkpoint', 'run.json'), 'utf8')).toBe(before);
    });
  });
});

describe('numbers', () => {
  let cwd: string;
  // Every scenario pretrains its bases in a cache of its own, as the plain run did: the bases'
  // metrics lines are then in the first attempt's metrics.jsonl, and the resumed attempt, which
  // finds the bases cached, must keep them.
  const coldCache = () => (process.env.TRAITLAB_CACHE = tempDir('traitlab-resume-cache-'));
  beforeAll(async () => {
    cwd = tempDir();
    // Two same-init arms (one base to pretrain): the fixed set and on-policy sampling.
    writeJson(cwd, 'tiny.json', tinyNumbers({ arms: (tinyNumbers().arms as unknown[]).slice(0, 2) }));
    coldCache();
    expect((await cli(cwd, 'run', 'tiny.json', '--backend', 'wasm', '--jobs', '2', '--out', 'plain')).code).toBe(0);
  });

  test.each([1, 2])('%i job(s): stopped mid-arm with cold bases, resumed with them cached → identical files', async (jobs) => {
    coldCache();
    expectStopped(await stoppedRun(cwd, 'tiny.json', `j${jobs}`, jobs, 3), cwd, `j${jobs}`);
    expect(read(cwd, `j${jobs}.partial`, 'metrics.jsonl')).toContain('"stage":"pretrain"');
    expectSameAsPlain(await cli(cwd, 'run', '--resume', `j${jobs}.partial`, '--jobs', String(jobs)), cwd, `j${jobs}`);
  });
});
