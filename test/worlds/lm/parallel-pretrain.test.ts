// Missing bases pretrained side by side on worker threads give the same files, the same
// metrics in the same order and the same progress as pretraining them one after another
// (the workers run the build: npm test builds first).
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseExperiment } from '../../../src/registry/load-experiment.js';
import type { NumbersExperiment } from '../../../src/worlds/numbers/schema.js';
import { selectBackend } from '../../../src/engine/backend.js';
import type { EmExperiment } from '../../../src/worlds/em/schema.js';
import { pretrainEmBases } from '../../../src/worlds/em/experiment.js';
import { pretrainNumbersBases } from '../../../src/worlds/numbers/experiment.js';
import { checkRegistryNames } from '../../../src/registry/worlds.js';
import type { MetricsRecord } from '../../../src/run/types.js';
import { tempDir } from '../../support/cli.js';
import { tinyEmRecipe } from '../../support/tiny-em.js';
import { tinyNumbers } from '../../support/tiny-numbers.js';

const saved = process.env.TRAITLAB_CACHE;
afterEach(() => {
  if (saved === undefined) delete process.env.TRAITLAB_CACHE;
  else process.env.TRAITLAB_CACHE = saved;
});

async function pretrain(exp: NumbersExperiment, jobs: number, writeDir: string) {
  process.env.TRAITLAB_CACHE = tempDir('traitlab-cache-'); // empty: nothing is found, all is trained
  const metrics: MetricsRecord[] = [];
  const progress: number[] = [];
  const files = await pretrainNumbersBases(exp, { onMetrics: (r) => metrics.push(r), onProgress: (d) => progress.push(d) }, writeDir, jobs);
  return { files, metrics, progress };
}

describe('pretraining bases side by side', () => {
  let exp: NumbersExperiment;
  beforeAll(async () => {
    await selectBackend('wasm');
    // A cross-init arm: two bases (own seeds, other seeds).
    exp = parseExperiment(tinyNumbers({ pretrain: { steps: 20, batchSize: 16, learningRate: 0.01 } }), {}, checkRegistryNames) as NumbersExperiment;
  });

  it('matches one-after-another exactly: checkpoint bytes, metrics and their order, progress', async () => {
    const inThread = await pretrain(exp, 1, tempDir('traitlab-bases-'));
    const threaded = await pretrain(exp, 2, tempDir('traitlab-bases-'));
    expect(inThread.files.map((f) => f.base)).toEqual(['own', 'other-seed']);
    expect(threaded.files.map((f) => [f.base, f.cached])).toEqual([
      ['own', false],
      ['other-seed', false],
    ]);
    threaded.files.forEach((f, i) => expect(readFileSync(f.file).equals(readFileSync(inThread.files[i]!.file))).toBe(true));
    expect(threaded.metrics).toEqual(inThread.metrics);
    expect(inThread.metrics.map((r) => r.stage)).toContain('pretrain-other-seed');
    // every step reported once, counting up to the total
    expect(threaded.progress).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(inThread.progress).toEqual(threaded.progress);
    // the two bases differ (different inits): the comparison is not vacuous
    expect(readFileSync(inThread.files[0]!.file).equals(readFileSync(inThread.files[1]!.file))).toBe(false);
  });

  it('a second call finds both bases and trains nothing', async () => {
    const dir = tempDir('traitlab-bases-');
    await pretrain(exp, 2, dir);
    const again = await pretrainNumbersBases(exp, { onMetrics: () => {}, onProgress: () => {} }, dir, 2);
    expect(again.map((f) => f.cached)).toEqual([true, true]);
  });
});

describe('pretraining EM bases side by side', () => {
  it('a cross-init subliminal arm (two bases, two aligned models): same files and metrics as one after another', async () => {
    await selectBackend('wasm');
    const exp = parseExperiment(
      {
        name: 'tiny-em-two-bases',
        ...tinyEmRecipe(),
        arms: [{ name: 'narrow' }],
        distill: { steps: 4, batchSize: 8, learningRate: 0.01, fixedSetSize: 16, probeEvery: 2 },
        subliminal: [{ name: 'cross', student: 'cross-init', channel: { prefix: 'teacher-fixed', signal: 'forward-kl' } }],
      },
      {},
      checkRegistryNames,
    ) as EmExperiment;
    const run = async (jobs: number) => {
      process.env.TRAITLAB_CACHE = tempDir('traitlab-cache-');
      const metrics: MetricsRecord[] = [];
      const files = await pretrainEmBases(exp, { onMetrics: (r) => metrics.push(r), onProgress: () => {} }, tempDir('traitlab-bases-'), jobs);
      return { files, metrics };
    };
    const inThread = await run(1);
    const threaded = await run(2);
    expect(threaded.files.map((f) => f.cached)).toEqual([false, false, false, false]); // 2 bases, 2 aligned
    threaded.files.forEach((f, i) => expect(readFileSync(f.file).equals(readFileSync(inThread.files[i]!.file))).toBe(true));
    expect(threaded.metrics).toEqual(inThread.metrics);
    expect(readFileSync(inThread.files[0]!.file).equals(readFileSync(inThread.files[1]!.file))).toBe(false);
  });
});
