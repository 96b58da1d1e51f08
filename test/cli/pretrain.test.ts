// `traitlab pretrain`: writes exactly the bases an experiment's students need into --out, does
// not redo one already there, and a run that finds them there reads them instead of training;
// an MNIST file is refused with a one-line error.
import { restoreCacheEnvAfterAll } from '../support/cache-env.js';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { tinyNumbers } from '../support/tiny-numbers.js';
import { cli, tempDir, tinyExperiment, writeJson } from '../support/cli.js';
import { tinyEmRun } from '../support/tiny-em.js';

const numbersFile = tinyNumbers({
  name: 'tiny-pretrain',
  rootSeed: 9,
  model: { kind: 'gpt', layers: 1, dModel: 8, heads: 2 },
  pretrain: { steps: 10, batchSize: 16, learningRate: 0.01 },
  arms: [
    { name: 'same', student: 'same-init', channel: { prefix: 'teacher-fixed', signal: 'forward-kl' } },
    { name: 'cross', student: 'cross-init', channel: { prefix: 'student', signal: 'reverse-kl' } },
  ],
});

restoreCacheEnvAfterAll();

describe('traitlab pretrain', () => {
  test('writes the own-seed and other-seed bases to --out, then finds them there', async () => {
    const dir = tempDir();
    process.env.TRAITLAB_CACHE = join(dir, 'cache'); // stays empty: everything goes to --out
    const file = writeJson(dir, 'exp.json', numbersFile);
    const first = await cli(dir, 'pretrain', file, '--out', 'shipped', '--backend', 'wasm');
    expect(first.code).toBe(0);
    expect(first.out).toHaveLength(2);
    expect(first.out[0]).toMatch(/^own: shipped\/gpt-[0-9a-f]{16}\.ckpt$/);
    expect(first.out[1]).toMatch(/^other-seed: shipped\/gpt-[0-9a-f]{16}\.ckpt$/);
    const files = readdirSync(join(dir, 'shipped')).sort();
    expect(files).toHaveLength(2);
    const mtimes = files.map((f) => statSync(join(dir, 'shipped', f)).mtimeMs);
    const again = await cli(dir, 'pretrain', file, '--out', 'shipped', '--backend', 'wasm');
    expect(again.out.every((l) => l.endsWith(' (already there)'))).toBe(true);
    expect(files.map((f) => statSync(join(dir, 'shipped', f)).mtimeMs)).toEqual(mtimes);
    expect(existsSync(join(dir, 'cache'))).toBe(false);
  });

  test('a base already made elsewhere (the cache) is copied into --out byte for byte, not retrained', async () => {
    const dir = tempDir();
    process.env.TRAITLAB_CACHE = join(dir, 'cache');
    const file = writeJson(dir, 'exp.json', numbersFile);
    const first = await cli(dir, 'pretrain', file, '--backend', 'wasm'); // into the cache
    expect(first.out.every((l) => l.includes('cache/bases/gpt-') && !l.includes('('))).toBe(true);
    const copied = await cli(dir, 'pretrain', file, '--out', 'shipped', '--backend', 'wasm');
    expect(copied.code).toBe(0);
    expect(copied.out[0]).toMatch(/^own: shipped\/(gpt-[0-9a-f]{16}\.ckpt) \(copied from cache\/bases\/\1\)$/);
    for (const f of readdirSync(join(dir, 'cache', 'bases')))
      expect(readFileSync(join(dir, 'shipped', f)).equals(readFileSync(join(dir, 'cache', 'bases', f)))).toBe(true);
    expect(readdirSync(join(dir, 'shipped')).some((f) => f.endsWith('.tmp'))).toBe(false);
  });

  test('an MNIST experiment has no bases to pretrain: one line naming the field, exit 2', async () => {
    const dir = tempDir();
    const file = writeJson(dir, 'mnist.json', tinyExperiment());
    const r = await cli(dir, 'pretrain', file);
    expect(r.code).toBe(2);
    expect(r.err).toEqual(['traitlab: world: "mnist" experiments have no pretrained bases; pretrain a numbers-world or EM-world experiment']);
  });

  test('--jobs must be a whole number ≥ 1: one line naming the option, exit 2, nothing written', async () => {
    const dir = tempDir();
    const file = writeJson(dir, 'numbers.json', numbersFile);
    const out = join(dir, 'bases');
    const r = await cli(dir, 'pretrain', file, '--jobs', '0', '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toEqual(['traitlab: --jobs: invalid value "0"; use a whole number ≥ 1, e.g. --jobs 2']);
    expect(existsSync(out)).toBe(false);
  });
});

describe('traitlab pretrain of a sweep', () => {
  test("makes every point's bases and aligned models, point after point; the sweep then pretrains nothing", async () => {
    const dir = tempDir();
    process.env.TRAITLAB_CACHE = join(dir, 'cache');
    // Two designs: a base and an aligned model each. fineTune.steps varies too, which shares the bases.
    const file = writeJson(
      dir,
      'sweep.json',
      tinyEmRun({
        pretrain: { steps: 20, batchSize: 32, learningRate: 0.01 },
        fineTune: { cell: 'next/chem', steps: 4, batchSize: 16, learningRate: 0.01 },
        probe: { prompts: 4, samples: 8, probeEvery: 2 },
        sweep: [
          { path: 'design.harm', values: ['token', 'rule'] },
          { path: 'fineTune.steps', values: [4, 6] },
        ],
      }),
    );
    const made = await cli(dir, 'pretrain', file, '--backend', 'wasm', '--jobs', '1');
    expect(made.code, made.err.join('\n')).toBe(0);
    expect(made.err[0]).toContain('pretraining the bases of tiny-em (a sweep: the bases of its 4 points)');
    // Listed once each, where made: 2 bases and 2 aligned models, none found already there.
    expect(made.out).toHaveLength(4);
    expect(made.out.filter((l) => l.startsWith('pretrain')).length).toBe(2);
    expect(made.out.filter((l) => l.startsWith('align')).length).toBe(2);
    expect(made.out.some((l) => l.endsWith('(already there)'))).toBe(false);
    expect(readdirSync(join(dir, 'cache', 'bases'))).toHaveLength(4);
    const run = await cli(dir, 'run', file, '--backend', 'wasm', '--jobs', '1', '--out', 'swept');
    expect(run.code, run.err.join('\n')).toBe(0);
    const points = readdirSync(join(dir, 'swept', 'points'));
    expect(points).toHaveLength(4);
    for (const p of points) {
      const stages = new Set(readFileSync(join(dir, 'swept', 'points', p, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).stage as string));
      expect([...stages].filter((s) => s === 'pretrain' || s === 'align'), p).toEqual([]);
    }
  }, 300_000);
});
