// The base cache: a pretrained base is trained once and read back bit-identical afterwards,
// keyed by everything that made it; a damaged cache file (truncated, or weights whose bytes no
// longer match their SHA-256) is a one-line CheckpointError that says to delete it, never used.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { rootStream } from '../../../src/engine/rng.js';
import { selectBackend } from '../../../src/engine/backend.js';
import { CheckpointError } from '../../../src/models/checkpoint.js';
import type { LmFamily } from '../../../src/models/lm.js';
import { cacheDir, cachedBase, damagedBaseFix, shippedBasesDir, type CacheKey } from '../../../src/run/base-cache.js';
import { initLm, lmConfig, resolvedModelConfig, type LmSpec } from '../../../src/worlds/lm/lm-factory.js';
import { CONTEXT, VOCAB_SIZE } from '../../../src/worlds/numbers/data.js';
import { tempDir } from '../../support/cli.js';

/** What reading the cached base throws (undefined when it loads). */
function loadError(key: CacheKey, train: Parameters<typeof cachedBase>[1]): unknown {
  try {
    cachedBase(key, train).family.dispose();
  } catch (e) {
    return e;
  }
  return undefined;
}

const GPT: LmSpec = { kind: 'gpt', layers: 1, dModel: 16, heads: 2 };
const GRU: LmSpec = { kind: 'gru', hidden: 16, embedding: 8 };

const saved = process.env.TRAITLAB_CACHE;
let dir: string;

beforeAll(async () => {
  await selectBackend('cpu');
});
beforeEach(() => {
  dir = tempDir('traitlab-cache-');
  process.env.TRAITLAB_CACHE = dir;
});
afterEach(() => {
  if (saved === undefined) delete process.env.TRAITLAB_CACHE;
  else process.env.TRAITLAB_CACHE = saved;
});

const paramsOf = (f: LmFamily) => Array.from({ length: f.members }, (_, m) => f.memberParams(m));

/** A cache key and a "training" callback that counts its calls (an init stands in for training). */
function setup(spec: LmSpec, recipe: object = { version: 1, steps: 40 }) {
  const c = lmConfig(spec, VOCAB_SIZE, CONTEXT);
  const key: CacheKey = { kind: c.kind, modelConfig: resolvedModelConfig(c), recipe };
  let calls = 0;
  const train = () => {
    calls++;
    return initLm(c, 2, (m) => rootStream(1).child('init').child(String(m)));
  };
  return { key, train, calls: () => calls };
}

describe('cachedBase', () => {
  test.each([GPT, GRU])('trains on the first call, reads from disk on the second, bit-identical ($kind)', (spec) => {
    const { key, train, calls } = setup(spec);
    const first = cachedBase(key, train);
    expect(calls()).toBe(1);
    expect(first.cached).toBe(false);
    expect(first.file.startsWith(join(dir, 'bases'))).toBe(true);
    expect(existsSync(first.file)).toBe(true);
    expect(readdirSync(join(dir, 'bases'))).toEqual([first.file.slice(join(dir, 'bases').length + 1)]); // no .tmp left behind

    const second = cachedBase(key, train);
    expect(calls()).toBe(1);
    expect(second.cached).toBe(true);
    expect(second.file).toBe(first.file);
    expect(second.family.kind).toBe(spec.kind);
    expect(second.family.members).toBe(2);
    expect(paramsOf(second.family)).toEqual(paramsOf(first.family));
    first.family.dispose();
    second.family.dispose();
  });

  test('another recipe or another model is another cache entry', () => {
    const a = setup(GPT, { version: 1, steps: 40 });
    const b = setup(GPT, { version: 1, steps: 41 });
    const c = setup({ ...GPT, dModel: 8 } as LmSpec);
    const fa = cachedBase(a.key, a.train);
    const fb = cachedBase(b.key, b.train);
    const fc = cachedBase(c.key, c.train);
    expect([a.calls(), b.calls(), c.calls()]).toEqual([1, 1, 1]);
    expect(new Set([fa.file, fb.file, fc.file]).size).toBe(3);
    for (const f of [fa, fb, fc]) f.family.dispose();
  });

  test('a truncated cache file is a one-line CheckpointError that says to delete it', () => {
    const { key, train, calls } = setup(GPT);
    const first = cachedBase(key, train);
    first.family.dispose();
    const bytes = readFileSync(first.file);
    writeFileSync(first.file, bytes.subarray(0, bytes.length - 100));
    const error = loadError(key, train);
    expect(error).toBeInstanceOf(CheckpointError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toContain(first.file);
    expect(message).toMatch(/truncated/);
    expect(message).toMatch(/delete it/);
    expect(calls()).toBe(1); // a damaged file is reported, not silently retrained over

    // Cut inside the header, too.
    writeFileSync(first.file, bytes.subarray(0, 20));
    expect(() => cachedBase(key, train)).toThrow(CheckpointError);
    expect(() => cachedBase(key, train)).toThrow(/delete it/);
  });

  test('64 flipped bytes in a cached base (same size) are a one-line CheckpointError naming the file and the fix, not a different model', () => {
    const { key, train, calls } = setup(GPT);
    const first = cachedBase(key, train);
    first.family.dispose();
    const bytes = readFileSync(first.file);
    const flipped = Buffer.from(bytes);
    for (let i = 0; i < 64; i++) flipped[flipped.length - 4000 + i]! ^= 0x5a;
    writeFileSync(first.file, flipped);
    const error = loadError(key, train);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toBe(
      `checkpoint ${first.file}: ${(error as CheckpointError).problem}; delete it to rebuild it (the next run pretrains it again, or npx traitlab pretrain <experiment file> --out ${join(dir, 'bases')} does now)`,
    );
    expect((error as CheckpointError).problem).toMatch(/^its weights are corrupted \(their SHA-256 is [0-9a-f]{16}…, the header records [0-9a-f]{16}…\)$/);
    expect(calls()).toBe(1);
    // deleting it, as the message says, rebuilds the same base
    rmSync(first.file);
    const again = cachedBase(key, train);
    expect(calls()).toBe(2);
    expect(readFileSync(again.file).equals(bytes)).toBe(true);
    again.family.dispose();
  });

  test('a damaged shipped base says to reinstall traitlab or rebuild it there (it is not the user\'s to just delete)', () => {
    const shipped = join(shippedBasesDir(), 'gpt-0123456789abcdef.ckpt');
    expect(damagedBaseFix(shipped)).toBe(
      `it ships with traitlab: reinstall traitlab to restore it, or delete it and rebuild it with npx traitlab pretrain <experiment file> --out ${shippedBasesDir()}`,
    );
    expect(damagedBaseFix(join(dir, 'bases', 'gpt-0123456789abcdef.ckpt'))).toMatch(/^delete it to rebuild it/);
  });

  test('TRAITLAB_CACHE chooses the directory; unset, it is .traitlab-cache under the working directory', () => {
    expect(cacheDir()).toBe(dir);
    delete process.env.TRAITLAB_CACHE;
    expect(cacheDir()).toBe(join(process.cwd(), '.traitlab-cache'));
  });
});
