// The trait chart's data, gathered from metrics records as the worker posts them (the lines of
// metrics.jsonl): probes of the arm become points summarised over seeds, the teacher record
// gives the reference levels, everything else is ignored.
import { describe, expect, test } from 'vitest';
import { spread, TraitSeries } from '../../src/lab/page/trait-series.js';
import { ticks } from '../../src/lab/page/scales.js';

const probe = (step: number, trait: number[], controlTrait: number[]) => ({ stage: 'arm', step, trait, controlTrait, transfer: trait.map((t, i) => t - controlTrait[i]!) });

describe('trait series', () => {
  test('probes of the arm become points in step order, one per step; mean, min and max over seeds', () => {
    const s = new TraitSeries();
    expect(s.add(probe(10, [0.2, 0.4, 0.3], [0.1, 0.1, 0.2]), 'arm')).toBe(true);
    expect(s.add(probe(0, [0.1, 0.1, 0.1], [0.1, 0.1, 0.1]), 'arm')).toBe(true);
    expect(s.add(probe(10, [0.5, 0.5, 0.5], [0.1, 0.1, 0.1]), 'arm')).toBe(true);
    expect(s.points.map((p) => p.step)).toEqual([0, 10]);
    expect(s.points[1]!.trait).toEqual({ mean: 0.5, min: 0.5, max: 0.5 });
    expect(spread([0.2, 0.4, 0.3])).toEqual({ mean: (0.2 + 0.4 + 0.3) / 3, min: 0.2, max: 0.4 });
  });

  test('step records, other stages and malformed probes leave the chart as it is', () => {
    const s = new TraitSeries();
    expect(s.add({ stage: 'arm', step: 1, source: 'teacher', loss: [0.3] }, 'arm')).toBe(false);
    expect(s.add(probe(10, [0.2], [0.1]), 'other-arm')).toBe(false);
    expect(s.add({ stage: 'arm', step: 2, trait: [], controlTrait: [], transfer: [] }, 'arm')).toBe(false);
    expect(s.points).toEqual([]);
  });

  test('the teacher record gives the levels, averaged over seeds; clear forgets everything', () => {
    const s = new TraitSeries();
    expect(s.add({ stage: 'teacher', step: 0, baseTrait: [0.1, 0.15], teacherTrait: [0.9, 0.96], controlTrait: [0.14, 0.15] }, 'arm')).toBe(true);
    expect(s.levels!.teacher).toBeCloseTo(0.93, 12);
    expect(s.levels!.controlTeacher).toBeCloseTo(0.145, 12);
    expect(s.levels!.base).toBeCloseTo(0.125, 12);
    s.add(probe(0, [0.1], [0.1]), 'arm');
    s.clear();
    expect([s.points, s.levels]).toEqual([[], undefined]);
  });

  test('chart ticks are round multiples, printed without float noise', () => {
    expect(ticks(0, 1, 6)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks(-0.3, 1, 6)).toEqual([0, 0.5, 1]);
    expect(ticks(-0.2, 1, 6)).toEqual([-0.2, 0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks(0, 300, 6)).toEqual([0, 50, 100, 150, 200, 250, 300]);
    expect(ticks(0, 7, 6)).toEqual([0, 2, 4, 6]);
  });
});
