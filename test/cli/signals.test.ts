// Signals to the built CLI in a child process, where they used to end it silently or leave
// files behind: verify interrupted removes its temporary re-run; a run interrupted before its
// arms (pretraining) and a second signal during the arms each print one line saying what is
// kept and how to go on — and what they keep does go on to the uninterrupted run's files.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, test } from 'vitest';
import { tinyNumbers } from '../support/tiny-numbers.js';
import { builtBin, cli, spawnCli, tempDir, tinyExperiment, writeJson } from '../support/cli.js';

/** Waits (up to a minute) until `ready()` holds. */
async function until(ready: () => boolean): Promise<void> {
  for (let t = 0; t < 6000 && !ready(); t++) await sleep(10);
  expect(ready()).toBe(true);
}

const stageOf = (record: string) => (existsSync(record) ? (JSON.parse(readFileSync(record, 'utf8')) as { stage: string }).stage : null);
const read = (...p: string[]) => readFileSync(join(...p), 'utf8');

// Two student arms of 64 steps each: still running when the signals arrive.
const longMnist = tinyExperiment({ distill: { noiseImages: 4096, epochs: 1, batchSize: 64, learningRate: 0.003 } });

builtBin();

describe('signals', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = tempDir();
    writeJson(cwd, 'long.json', longMnist);
    expect((await cli(cwd, 'run', 'long.json', '--backend', 'wasm', '--jobs', '2', '--out', 'plain')).code).toBe(0);
  });

  test('verify interrupted (SIGINT, SIGTERM): its temporary re-run is removed, one line, 130 / 143', async () => {
    const runs = (['SIGINT', 'SIGTERM'] as const).map(async (signal) => {
      const tmp = join(cwd, `tmp-${signal}`);
      mkdirSync(tmp);
      const child = spawnCli(cwd, ['verify', 'plain', '--jobs', '2'], { env: { TMPDIR: tmp } });
      // The re-run has begun: its partial directory is in the temporary folder.
      await until(() => readdirSync(tmp).some((d) => existsSync(join(tmp, d, 'run.partial', 'manifest.json'))));
      child.kill(signal);
      const r = await child.ended;
      expect(r.err.at(-1)).toBe(`traitlab: interrupted (${signal}); verify stopped and removed its temporary re-run`);
      expect(r.code).toBe(signal === 'SIGINT' ? 130 : 143);
      expect(readdirSync(tmp)).toEqual([]);
    });
    await Promise.all(runs);
  }, 120_000);

  test('a second signal during the arms: "stopping now", the finished arms kept; resumed → the uninterrupted files', async () => {
    const child = spawnCli(cwd, ['run', 'long.json', '--backend', 'wasm', '--jobs', '2', '--out', 'twice']);
    await until(() => stageOf(join(cwd, 'twice.partial', 'checkpoint', 'run.json')) === 'arms');
    // Two different signals, so the kernel cannot merge them into one.
    child.kill('SIGINT');
    child.kill('SIGTERM');
    const r = await child.ended;
    const second = r.err.at(-1)!.match(/^traitlab: (SIGINT|SIGTERM) again: /)?.[1];
    expect(r.err.at(-1)).toBe(`traitlab: ${second} again: stopping now, without saving the arms in progress; the arms finished so far are kept in twice.partial; continue it with: traitlab run --resume twice.partial`);
    expect(r.code).toBe(second === 'SIGINT' ? 130 : 143);
    expect(existsSync(join(cwd, 'twice.partial', 'checkpoint', 'run.json'))).toBe(true);
    const resumed = await cli(cwd, 'run', '--resume', 'twice', '--jobs', '2');
    expect(resumed.code, resumed.err.join('\n')).toBe(0);
    expect(read(cwd, 'twice', 'summary.json')).toBe(read(cwd, 'plain', 'summary.json'));
    expect(read(cwd, 'twice', 'metrics.jsonl')).toBe(read(cwd, 'plain', 'metrics.jsonl'));
  }, 120_000);

  test('SIGINT while pretraining the bases: one line, the run kept; resumed → the files of a run made in one go', async () => {
    const dir = tempDir();
    const cache = join(dir, 'cache');
    // Two bases to pretrain, on worker threads side by side: the signal finds the run setting them up or at them.
    writeJson(dir, 'numbers.json', tinyNumbers({ pretrain: { steps: 200, batchSize: 32, learningRate: 0.01 } }));
    const child = spawnCli(dir, ['run', 'numbers.json', '--backend', 'wasm', '--jobs', '2', '--out', 'r'], { env: { TRAITLAB_CACHE: cache } });
    await until(() => stageOf(join(dir, 'r.partial', 'checkpoint', 'run.json')) === 'before-arms');
    await sleep(300);
    child.kill('SIGINT');
    const r = await child.ended;
    expect(r.err.at(-1)).toMatch(
      /^traitlab: interrupted \(SIGINT\) before the arms started \(stage: (setting up|pretrain|pretrain-other-seed)\); the run is kept in r\.partial and the bases pretrained so far in the cache; continue it with: traitlab run --resume r\.partial$/,
    );
    expect(r.code).toBe(130);
    expect(stageOf(join(dir, 'r.partial', 'checkpoint', 'run.json'))).toBe('before-arms');

    process.env.TRAITLAB_CACHE = cache;
    try {
      const resumed = await cli(dir, 'run', '--resume', 'r', '--jobs', '2');
      expect(resumed.code, resumed.err.join('\n')).toBe(0);
      expect((await cli(dir, 'run', 'numbers.json', '--backend', 'wasm', '--jobs', '2', '--out', 'again')).code).toBe(0);
    } finally {
      delete process.env.TRAITLAB_CACHE;
    }
    expect(read(dir, 'r', 'summary.json')).toBe(read(dir, 'again', 'summary.json'));
  }, 240_000);

  test('SIGINT during `traitlab pretrain`: one line saying where the bases finished so far are', async () => {
    const dir = tempDir();
    writeJson(dir, 'numbers.json', tinyNumbers({ pretrain: { steps: 2000, batchSize: 32, learningRate: 0.01 } }));
    const child = spawnCli(dir, ['pretrain', 'numbers.json', '--backend', 'wasm', '--jobs', '2', '--out', 'bases']);
    await until(() => child.stderr().includes('pretraining the bases of tiny-numbers'));
    await sleep(300);
    child.kill('SIGINT');
    const r = await child.ended;
    expect(r.err.at(-1)).toBe('traitlab: interrupted (SIGINT) while pretraining; the bases finished so far are kept in bases, and the same command makes the rest');
    expect(r.code).toBe(130);
  });
});
