// Longest first (issue 17): the arm pool's lanes start the costliest tasks first, so no core
// idles at the tail behind a long arm started last. Only the starting order depends on the
// cost; results and metrics stay in input order (worker-threads.test.ts and the shard tests run
// the threaded pool against the in-thread one).
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { distillCost } from '../../src/distill/distill-cost.js';
import { longestFirst } from '../../src/run/pool/arm-task.js';
import { loadExperimentFile } from '../../src/registry/load-experiment.js';
import { checkRegistryNames } from '../../src/registry/worlds.js';
import { numbersArmTask, type NumbersArmInput } from '../../src/worlds/numbers/arm.js';
import { emFineTuneTask, type EmFineTuneInput } from '../../src/worlds/em/fine-tune.js';
import type { NumbersExperiment } from '../../src/worlds/numbers/schema.js';

describe('longestFirst', () => {
  test('costliest first, ties in input order; input order when the task has no cost', () => {
    const task = { cost: (x: number) => x };
    expect(longestFirst(task, [1, 5, 3, 5, 2], [0, 1, 2, 3, 4])).toEqual([1, 3, 2, 4, 0]);
    expect(longestFirst(task, [1, 5, 3, 5, 2], [0, 2, 4])).toEqual([2, 4, 0]);
    expect(longestFirst({}, [1, 5, 3], [0, 1, 2])).toEqual([0, 1, 2]);
  });

  test('distillation work: fixed teacher tokens < fixed prefixes with a teacher signal < sampled prefixes; linear in steps and rows', () => {
    const run = { steps: 100, batchSize: 64 };
    const fixedTokens = distillCost(run, { prefix: 'teacher-fixed', signal: 'tokens' });
    const fixedKl = distillCost(run, { prefix: 'teacher-fixed', signal: 'forward-kl' });
    const student = distillCost(run, { prefix: 'student', signal: 'reverse-kl' });
    expect([fixedTokens, fixedKl, student]).toEqual([100 * 64 * 3, 100 * 64 * 4, 100 * 64 * 7]);
    expect(distillCost({ steps: 200, batchSize: 32 }, { prefix: 'mix', signal: 'pg' })).toBe(student);
  });

  test("numbers-owl's arms: the on-policy and fresh-sample arms start before the fixed-sample ones", () => {
    const exp = loadExperimentFile(join(import.meta.dirname, '../../experiments/numbers-owl.json'), {}, process.cwd(), checkRegistryNames) as NumbersExperiment;
    const inputs = exp.arms.map((arm) => ({ exp, arm }) as unknown as NumbersArmInput);
    const order = longestFirst(numbersArmTask, inputs, exp.arms.map((_, i) => i)).map((i) => exp.arms[i]!.channel.prefix);
    const firstFixed = order.indexOf('teacher-fixed');
    expect(firstFixed).toBeGreaterThan(0);
    expect(order.slice(firstFixed).every((p) => p === 'teacher-fixed')).toBe(true);
  });

  test('an EM fine-tune costs its steps × rows × variants', () => {
    const input = (steps: number, variants: number) => ({ fineTune: { steps, batchSize: 32 }, variants: Array.from({ length: variants }, () => 'narrow') }) as unknown as EmFineTuneInput;
    expect(emFineTuneTask.cost!(input(300, 4))).toBe(300 * 32 * 4);
    expect(longestFirst(emFineTuneTask, [input(300, 2), input(300, 4), input(600, 2)], [0, 1, 2])).toEqual([1, 2, 0]);
  });
});
