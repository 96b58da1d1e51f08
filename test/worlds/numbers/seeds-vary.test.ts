// What a seed varies in the numbers world. With seedsVary "init-and-data" seed i has its own
// fine-tune rows, prompts, fixed teacher set and its order, sampling and relabelling draws and
// probe samples: seed i's trait and control students end the same, bit for bit, in a run of 1,
// 2 or 3 seeds (same-init arms: a cross-init student's init depends on the number of seeds). The
// summary and the terminal header say which; "init" summaries carry no seedsVary field.
import { restoreCacheEnvAfterAll } from '../../support/cache-env.js';
import { beforeAll, describe, expect, test } from 'vitest';
import { selectBackend } from '../../../src/engine/backend.js';
import { parseExperiment } from '../../../src/registry/load-experiment.js';
import { runExperiment } from '../../../src/registry/run-experiment.js';
import { checkRegistryNames } from '../../../src/registry/worlds.js';
import type { MetricsRecord } from '../../../src/run/types.js';
import type { NumbersRunSummary } from '../../../src/worlds/numbers/experiment.js';
import type { NumbersExperiment } from '../../../src/worlds/numbers/schema.js';
import { formatNumbersTable } from '../../../src/worlds/numbers/table.js';
import { tempDir } from '../../support/cli.js';
import { tinyNumbers } from '../../support/tiny-numbers.js';

restoreCacheEnvAfterAll();
beforeAll(async () => {
  await selectBackend('wasm');
  process.env.TRAITLAB_CACHE = tempDir('traitlab-seeds-vary-cache-');
});

const tiny = (seeds: number, seedsVary?: string) =>
  parseExperiment(
    tinyNumbers({
      seeds,
      ...(seedsVary ? { seedsVary } : {}),
      pretrain: { steps: 10, batchSize: 32, learningRate: 0.01 },
      distill: { steps: 4, batchSize: 16, learningRate: 0.01, fixedSetSize: 32, probeEvery: 2 },
      arms: [
        { name: 'same-fixed-tokens', student: 'same-init', channel: { prefix: 'teacher-fixed', signal: 'tokens' } },
        { name: 'same-student-pg', student: 'same-init', channel: { prefix: 'student', signal: 'pg' } },
        { name: 'same-mix-relabel', student: 'same-init', channel: { prefix: 'mix', signal: 'relabel', lambda: 0.5 } },
      ],
    }),
    {},
    checkRegistryNames,
  ) as NumbersExperiment;

async function run(exp: NumbersExperiment) {
  const records: MetricsRecord[] = [];
  const summary = (await runExperiment(exp, { onMetrics: (r) => records.push(structuredClone(r)), onProgress: () => {} }, { jobs: 1 })) as NumbersRunSummary;
  return { records, summary, M: exp.seeds };
}

/** Seed i's view of a run: its trait and control members' losses, every per-seed metric of every arm, its teachers' traits. */
function seedTrace(r: Awaited<ReturnType<typeof run>>, i: number) {
  const pick = (xs: unknown) => (Array.isArray(xs) ? (xs.length === 2 * r.M ? [xs[i], xs[r.M + i]] : [xs[i]]) : xs);
  const arms = r.summary.arms.map((a) => [a.name, a.trait[i], a.controlTrait[i], a.sampledRate[i], a.controlSampledRate[i], a.nll[i], a.agreement[i], a.budget.trainedTokens[i], a.budget.filteredRows[i]]);
  const losses = r.records.filter((x) => x.loss !== undefined && x.stage !== 'pretrain').map((x) => [x.stage, x.step, pick(x.loss)]);
  return { arms, losses, teacher: r.summary.teacher.trait[i], control: r.summary.controlTeacher.trait[i] };
}

describe('numbers seedsVary', () => {
  test('init-and-data: seed i trains the same in a run of 1, 2 or 3 seeds', async () => {
    const runs = [];
    for (const M of [1, 2, 3]) runs.push(await run(tiny(M, 'init-and-data')));
    for (const [k, r] of runs.entries()) {
      expect(r.summary.seedsVary).toBe('init-and-data');
      for (let i = 0; i <= k; i++) expect(seedTrace(r, i), `seed ${i} in a run of ${k + 1}`).toEqual(seedTrace(runs[i]!, i));
    }
    expect(formatNumbersTable(runs[1]!.summary, 'runs/x').split('\n')[0]).toBe('tiny-numbers · 2 seeds (init and data) · root seed 3 · backend wasm');
  }, 120_000);

  test('init: the summary has no seedsVary field and the header no note', async () => {
    const r = await run(tiny(1));
    expect('seedsVary' in r.summary).toBe(false);
    expect(formatNumbersTable(r.summary, 'runs/x').split('\n')[0]).toBe('tiny-numbers · 1 seed · root seed 3 · backend wasm');
  }, 60_000);
});
