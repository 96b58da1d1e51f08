// `traitlab pretrain`: writes exactly the bases an experiment's students need into --out, does
// not redo one already there, and a run that finds them there reads them instead of training;
// an MNIST file is refused with a one-line error.
import { restoreCacheEnvAfterAll } from '../support/cache-env.js';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { tinyNumbers } from '../support/tiny-numbers.js';
import { cli, tempDir, tinyExperiment, writeJson } from '../support/cli.js';

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
