// The MNIST teacher in parts (teacher-parts.ts): with jobs > 1 the teacher's seeds train on
// worker threads in contiguous parts, and the run must not tell: summary and metrics.jsonl equal
// the one-family run's, with shared and with per-seed data. The merge of the parts' records, the
// warning and the numeric fault the whole family would give, and the split itself, unit by unit.
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/engine/backend.js';
import { LossWatch, NumericFault } from '../../../src/engine/numeric.js';
import { armWorkersStarted } from '../../../src/run/pool/arm-pool.js';
import { runExperiment } from '../../../src/registry/run-experiment.js';
import type { MetricsRecord } from '../../../src/run/types.js';
import { mnistExperimentSchema } from '../../../src/worlds/mnist/schema.js';
import type { MnistRunSummary } from '../../../src/worlds/mnist/summary.js';
import { mergeTeacherParts, seedParts, teacherInParts, type TeacherPartResult } from '../../../src/worlds/mnist/teacher-parts.js';
import { tinyExperiment } from '../../support/cli.js';

async function run(overrides: Record<string, unknown>, jobs: number): Promise<{ summary: MnistRunSummary; metrics: MetricsRecord[] }> {
  const exp = mnistExperimentSchema.parse(tinyExperiment({ seeds: 3, teacher: { name: 'mnist-aux', epochs: 2, batchSize: 400, learningRate: 0.003 }, ...overrides }));
  const metrics: MetricsRecord[] = [];
  const summary = (await runExperiment(exp, { onMetrics: (r) => metrics.push(r), onProgress: () => undefined }, { jobs })) as MnistRunSummary;
  return { summary, metrics };
}

describe('the MNIST teacher in parts', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  for (const seedsVary of ['init', 'init-and-data'] as const) {
    it(`3 seeds on 2 threads (seeds 0–1 and 2) give the one-family run's summary and metrics exactly (seedsVary ${seedsVary})`, async () => {
      const overrides = { seedsVary };
      const one = await run(overrides, 1);
      const before = armWorkersStarted();
      const parts = await run(overrides, 2);
      expect(armWorkersStarted() - before, 'the 2 teacher parts and the 2 students on worker threads (is dist/ built?)').toBe(4);
      expect(parts.summary).toEqual(one.summary);
      expect(parts.metrics).toEqual(one.metrics);
      // every logged teacher step carries all 3 members' losses, and they differ (3 inits)
      const losses = one.metrics.filter((r) => r.stage === 'teacher' && Array.isArray(r.loss));
      expect(losses.length).toBeGreaterThan(3);
      for (const r of losses) expect((r.loss as number[]).length).toBe(3);
      expect(new Set((losses.at(-1)!.loss as number[]).map(String)).size).toBe(3);
      expect(one.summary.arms.find((a) => a.name === 'teacher')!.accuracy).toHaveLength(3);
    });
  }

  it('splits the seeds into contiguous parts, larger first, no more parts than seeds', () => {
    expect(seedParts(5, 2)).toEqual([[0, 1, 2], [3, 4]]);
    expect(seedParts(4, 2)).toEqual([[0, 1], [2, 3]]);
    expect(seedParts(2, 8)).toEqual([[0], [1]]);
    expect(seedParts(7, 3)).toEqual([[0, 1, 2], [3, 4], [5, 6]]);
  });

  it('runs in parts only with more than one job, more than one seed and a teacher to train', () => {
    const exp = (o: Record<string, unknown>) => mnistExperimentSchema.parse(tinyExperiment(o));
    expect(teacherInParts(exp({}), 2)).toBe(true);
    expect(teacherInParts(exp({}), 1)).toBe(false);
    expect(teacherInParts(exp({ seeds: 1 }), 2)).toBe(false);
    expect(teacherInParts(exp({ arms: [{ name: 'reference', kind: 'reference' }] }), 2)).toBe(false);
  });

  const part = (losses: Array<[number, number[]]>, extra: Partial<TeacherPartResult> = {}, warning?: MetricsRecord): TeacherPartResult => ({
    records: losses.flatMap(([step, loss]) => [{ stage: 'teacher', step, loss }, ...(warning && warning.step === step ? [warning] : [])]),
    accuracy: losses.length > 0 ? losses[0]![1].map(() => 0.5) : [],
    logits: [],
    ...extra,
  });

  it('merges the losses member by member per step, and keeps the earliest warning (the lowest part on a tie)', () => {
    const warnA = { stage: 'teacher', step: 4, warning: 'member 1 diverges' };
    const warnB = { stage: 'teacher', step: 2, warning: 'member 2 diverges' };
    const out: MetricsRecord[] = [];
    const merged = mergeTeacherParts(
      [
        part([[2, [1, 2]], [4, [3, 4]]], {}, warnA),
        part([[2, [5]], [4, [6]]], {}, warnB),
      ],
      (r) => out.push(r),
    );
    expect(out).toEqual([{ stage: 'teacher', step: 2, loss: [1, 2, 5] }, warnB, { stage: 'teacher', step: 4, loss: [3, 4, 6] }]);
    expect(merged.accuracy).toEqual([0.5, 0.5, 0.5]);
  });

  it("throws the numeric fault the whole family would: the earliest step's, the lower part's on a tie, after the steps before it", () => {
    const fault = (step: number, value: number) => ({ stage: 'teacher', setting: 'teacher.learningRate', step, what: 'loss', value });
    const out: MetricsRecord[] = [];
    const merge = () =>
      mergeTeacherParts(
        [
          part([[2, [1, 2]]], { fault: fault(4, Infinity) }),
          part([[2, [5]]], { fault: fault(4, NaN) }),
          part([[2, [7]], [4, [8]], [6, [9]]], { fault: fault(8, NaN) }),
        ],
        (r) => out.push(r),
      );
    expect(merge).toThrow(NumericFault);
    expect(merge).toThrow('numeric fault: the loss of stage teacher is Infinity at step 4; the setting most likely responsible is teacher.learningRate (change it and run again)');
    expect(out.filter((r) => r.step === 2)[0]).toEqual({ stage: 'teacher', step: 2, loss: [1, 2, 5, 7] });
    expect(out.every((r) => (r.step as number) < 4)).toBe(true);
  });

  it("a part's divergence warning names the run's member, not the part's", () => {
    const watch = new LossWatch({ stage: 'teacher', setting: 'teacher.learningRate', firstMember: 3 });
    expect(watch.observe(1, [1, 1])).toBeNull();
    expect(watch.observe(2, [1, 50])).toBe('the loss of stage teacher (member 4) rose to 50 at step 2, over 10× its first 1: training is diverging; lower teacher.learningRate');
  });
});
