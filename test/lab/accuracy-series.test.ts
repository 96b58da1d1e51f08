// The MNIST accuracy curves from metrics records as the worker posts them (the lines of
// metrics.jsonl): each followed student's probes in step order, the teacher's accuracy, and
// nothing from the loss and KL lines or from other arms.
import { describe, expect, test } from 'vitest';
import { AccuracySeries } from '../../src/lab/page/accuracy-series.js';

const SAME = 'student-aux-same-init';
const CROSS = 'student-aux-cross-init';

describe('AccuracySeries', () => {
  test("keeps each student's probes in step order, one per step, summarised over seeds", () => {
    const s = new AccuracySeries([SAME, CROSS]);
    expect(s.add({ stage: SAME, step: 16, testAccuracy: [0.2, 0.4] })).toBe(true);
    expect(s.add({ stage: SAME, step: 0, testAccuracy: [0.1, 0.1] })).toBe(true);
    expect(s.add({ stage: SAME, step: 16, testAccuracy: [0.3, 0.5] })).toBe(true);
    expect(s.add({ stage: CROSS, step: 0, testAccuracy: [0.09] })).toBe(true);
    expect(s.points.get(SAME)!.map((p) => [p.step, p.accuracy])).toEqual([
      [0, { mean: 0.1, min: 0.1, max: 0.1 }],
      [16, { mean: 0.4, min: 0.3, max: 0.5 }],
    ]);
    expect(s.points.get(CROSS)!.map((p) => p.step)).toEqual([0]);
  });

  test("the teacher's accuracy is the level; loss, KL and other arms' lines change nothing", () => {
    const s = new AccuracySeries([SAME, CROSS]);
    expect(s.add({ stage: 'teacher', step: 20, loss: [1.2, 1.1] })).toBe(false);
    expect(s.add({ stage: SAME, step: 20, kl: [0.01, 0.02] })).toBe(false);
    expect(s.add({ stage: 'student-all-same-init', step: 0, testAccuracy: [0.5] })).toBe(false);
    expect(s.teacher).toBeUndefined();
    expect(s.add({ stage: 'teacher', step: 126, testAccuracy: [0.88, 0.9] })).toBe(true);
    expect(s.teacher!.mean).toBeCloseTo(0.89);
    s.clear();
    expect([s.teacher, s.points.get(SAME), s.points.get(CROSS)]).toEqual([undefined, [], []]);
  });
});
