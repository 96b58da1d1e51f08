// What a seed varies in the MNIST world. With seedsVary "init-and-data" each seed has its own
// noise set, teacher batch order and student batch order: seed i's teacher loss, student KL and
// accuracies are the same, bit for bit, in a run of 1, 2 or 3 seeds, and two seeds' noise sets
// differ; with "init" (the default, what every older file runs) there is one noise set. The
// summary and the terminal header say which.
import { beforeAll, describe, expect, test } from 'vitest';
import { selectBackend } from '../../../src/engine/backend.js';
import { parseExperiment } from '../../../src/registry/load-experiment.js';
import { runExperiment } from '../../../src/registry/run-experiment.js';
import { checkRegistryNames } from '../../../src/registry/worlds.js';
import type { MetricsRecord } from '../../../src/run/types.js';
import { loadMnist } from '../../../src/worlds/mnist/digit-files.js';
import { prepareMnistArms } from '../../../src/worlds/mnist/prepare-arms.js';
import type { MnistExperiment } from '../../../src/worlds/mnist/schema.js';
import type { MnistRunSummary } from '../../../src/worlds/mnist/summary.js';
import { formatMnistTable } from '../../../src/worlds/mnist/table.js';

const tiny = (seeds: number, seedsVary?: string) =>
  parseExperiment(
    {
      name: 'tiny-mnist',
      world: 'mnist',
      seeds,
      rootSeed: 4,
      ...(seedsVary ? { seedsVary } : {}),
      logEvery: 1,
      model: { hidden: [8], auxLogits: 3 },
      teacher: { name: 'mnist-aux', epochs: 1, batchSize: 800, learningRate: 0.003 }, // 10 steps
      distill: { noiseImages: 160, epochs: 2, batchSize: 32, learningRate: 0.003 }, // 10 steps
      arms: [
        { name: 'teacher', kind: 'teacher' },
        { name: 'student', kind: 'student', student: 'same-init', logits: 'aux' },
      ],
    },
    {},
    checkRegistryNames,
  ) as MnistExperiment;

async function run(exp: MnistExperiment) {
  const records: MetricsRecord[] = [];
  const summary = (await runExperiment(exp, { onMetrics: (r) => records.push(structuredClone(r)), onProgress: () => {} }, { jobs: 1 })) as MnistRunSummary;
  return { records, summary };
}

/** Member i's view of a run: its loss/KL at every logged step and its accuracy in every arm. */
function memberTrace(r: Awaited<ReturnType<typeof run>>, i: number) {
  return {
    losses: r.records.filter((x) => x.loss !== undefined || x.kl !== undefined).map((x) => [x.stage, x.step, ((x.loss ?? x.kl) as number[])[i]]),
    accuracy: r.summary.arms.map((a) => [a.name, a.accuracy[i]]),
  };
}

const progress = { stage: () => {}, step: () => {} };

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('MNIST seedsVary', () => {
  test('init-and-data: seed i trains the same in a run of 1, 2 or 3 seeds', async () => {
    const runs = [];
    for (const M of [1, 2, 3]) runs.push(await run(tiny(M, 'init-and-data')));
    for (const [k, r] of runs.entries()) {
      expect(r.summary.seedsVary).toBe('init-and-data');
      for (let i = 0; i <= k; i++) expect(memberTrace(r, i), `seed ${i} in a run of ${k + 1}`).toEqual(memberTrace(runs[i]!, i));
    }
    expect(formatMnistTable(runs[2]!.summary, 'runs/x').split('\n')[0]).toBe('tiny-mnist · 3 seeds (init and data) · root seed 4 · backend wasm');
  });

  test('init-and-data: one noise set per seed, each its own; init: one set for every seed, and the summary as before', async () => {
    const data = loadMnist();
    const perSeed = prepareMnistArms(tiny(2, 'init-and-data'), data, () => {}, progress).inputs[0]!;
    expect(perSeed.seedsVary).toBe('init-and-data');
    expect(perSeed.noise).toHaveLength(2);
    expect(perSeed.noise[0]).not.toEqual(perSeed.noise[1]);
    // Seed 0's set is the same in a 1-seed run.
    expect(prepareMnistArms(tiny(1, 'init-and-data'), data, () => {}, progress).inputs[0]!.noise[0]).toEqual(perSeed.noise[0]);

    const shared = prepareMnistArms(tiny(2), data, () => {}, progress).inputs[0]!;
    expect(shared.seedsVary).toBe('init');
    expect(shared.noise).toHaveLength(1);
    expect(shared.noise[0]).not.toEqual(perSeed.noise[0]);

    const { summary } = await run(tiny(1, 'init'));
    expect('seedsVary' in summary).toBe(false);
    expect(formatMnistTable(summary, 'runs/x').split('\n')[0]).toBe('tiny-mnist · 1 seed · root seed 4 · backend wasm');
  });
});
