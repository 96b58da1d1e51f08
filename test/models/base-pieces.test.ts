// A base not stored whole is put together from the members of stored bases holding its seeds.
// That is only sound because a member trains the same whichever family it is in: checked here
// bit for bit on wasm and cpu (a 1-seed base against the same seed inside a 3-seed one), then
// the lookup itself: which files and members a base is read from, and that a 1-seed run reads
// its own and other-seed bases from a stored 3-seed base instead of pretraining.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { selectBackend, type BackendName } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { baseFileName, membersFrom, type CacheKey, type StoredBase } from '../../src/models/base-pieces.js';
import { baseOnDisk } from '../../src/run/base-cache.js';
import { parseExperiment } from '../../src/registry/load-experiment.js';
import { checkRegistryNames } from '../../src/registry/worlds.js';
import { baseCacheKey, plannedNumbersBases } from '../../src/worlds/numbers/base-keys.js';
import { basePieces, numbersBase } from '../../src/worlds/numbers/bases.js';
import type { NumbersExperiment } from '../../src/worlds/numbers/schema.js';
import { tinyNumbers } from '../support/tiny-numbers.js';

// 8 pretraining steps: enough for Adam's moments to differ from their first step; the cpu backend is slow.
const experiment = (seeds: number) =>
  parseExperiment(tinyNumbers({ seeds, pretrain: { steps: 8, batchSize: 32, learningRate: 0.01 } }), {}, checkRegistryNames) as NumbersExperiment;

/** Pretrains (or reads) the planned base `index` of `exp` with the cache at `cache`; returns per-member parameters and whether it was read. */
function base(exp: NumbersExperiment, index: number, cache: string): { params: Float32Array[][]; cached: boolean; from?: string } {
  const saved = process.env.TRAITLAB_CACHE;
  process.env.TRAITLAB_CACHE = cache;
  try {
    const made = numbersBase(exp, plannedNumbersBases(exp)[index]!, rootStream(exp.rootSeed), () => {}, () => {});
    const params = Array.from({ length: made.family.members }, (_, m) => made.family.memberParams(m));
    made.family.dispose();
    return { params, cached: made.cached, ...(made.from ? { from: made.from } : {}) };
  } finally {
    if (saved === undefined) delete process.env.TRAITLAB_CACHE;
    else process.env.TRAITLAB_CACHE = saved;
  }
}

const fresh = () => mkdtempSync(join(tmpdir(), 'traitlab-pieces-'));

describe.each(['wasm', 'cpu'] as BackendName[])('a member trains the same in any family (%s)', (backend) => {
  beforeEach(async () => {
    await selectBackend(backend);
  });

  test('seed 0 alone, seed 1 alone and seeds 0–2 together: the same weights, bit for bit', () => {
    const three = base(experiment(3), 0, fresh()); // own base of 3 seeds: 0, 1, 2
    const one = experiment(1);
    const own = base(one, 0, fresh()); // seed 0
    const other = base(one, 1, fresh()); // the other-seed base of a 1-seed file: seed 1
    expect([three.cached, own.cached, other.cached]).toEqual([false, false, false]);
    expect(own.params).toEqual([three.params[0]]);
    expect(other.params).toEqual([three.params[1]]);
    // and not trivially: the seeds differ
    expect(three.params[0]![0]).not.toEqual(three.params[1]![0]);
  });
});

describe('reading a base from the members of stored ones', () => {
  const key = (recipe: object): CacheKey => ({ kind: 'gpt', modelConfig: { d: 1 }, recipe });
  const stored = (firstSeed: number, members: number): StoredBase => ({ key: key({ firstSeed, members }), firstSeed, members });
  const candidates = [stored(0, 1), stored(0, 3), stored(3, 3), stored(1, 1), stored(2, 2)];

  test('each seed from the stored base holding most of the wanted seeds, in seed order', () => {
    const has = (names: StoredBase[]) => (file: string) => names.some((c) => baseFileName(c.key) === file);
    const all = has(candidates);
    const file = (c: StoredBase) => baseFileName(c.key);
    expect(membersFrom(0, 3, candidates, all)).toEqual([0, 1, 2].map((member) => ({ file: file(stored(0, 3)), member })));
    // seeds 2, 3 span two bases; {2,3} holds both
    expect(membersFrom(2, 2, candidates, all)).toEqual([
      { file: file(stored(2, 2)), member: 0 },
      { file: file(stored(2, 2)), member: 1 },
    ]);
    // without it: seed 2 from 0–2, seed 3 from 3–5
    expect(membersFrom(2, 2, candidates, has([stored(0, 3), stored(3, 3)]))).toEqual([
      { file: file(stored(0, 3)), member: 2 },
      { file: file(stored(3, 3)), member: 0 },
    ]);
    // a seed no stored base holds: none
    expect(membersFrom(5, 2, candidates, all)).toBeNull();
    expect(membersFrom(0, 1, candidates, () => false)).toBeNull();
  });

  test('a 1-seed run reads its own and other-seed bases from a stored 3-seed base, without pretraining', async () => {
    await selectBackend('wasm');
    const cache = fresh();
    const three = base(experiment(3), 0, cache);
    const one = experiment(1);
    const [ownPlan, otherPlan] = plannedNumbersBases(one);
    expect(baseOnDisk(baseCacheKey(one, ownPlan!.config, 0), undefined, basePieces(one, ownPlan!))).toBe(false); // the cache is not yet the env's
    process.env.TRAITLAB_CACHE = cache;
    try {
      expect(baseOnDisk(baseCacheKey(one, otherPlan!.config, 1), undefined, basePieces(one, otherPlan!))).toBe(true);
    } finally {
      delete process.env.TRAITLAB_CACHE;
    }
    const own = base(one, 0, cache);
    const other = base(one, 1, cache);
    const threeFile = baseFileName(baseCacheKey(experiment(3), ownPlan!.config, 0));
    expect(own).toMatchObject({ cached: true, from: join(cache, 'bases', threeFile) });
    expect(other).toMatchObject({ cached: true, from: join(cache, 'bases', threeFile) });
    expect(own.params).toEqual([three.params[0]]);
    expect(other.params).toEqual([three.params[1]]);
    // each is stored whole from then on
    expect(readdirSync(join(cache, 'bases')).sort()).toEqual(
      [threeFile, baseFileName(baseCacheKey(one, ownPlan!.config, 0)), baseFileName(baseCacheKey(one, otherPlan!.config, 1))].sort(),
    );
  });
});
