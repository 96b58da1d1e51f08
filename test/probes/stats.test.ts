// Mean and two-sided 95 % Student-t interval over seeds.
import { describe, expect, it } from 'vitest';
import { mean, meanCi, tQuantile975 } from '../../src/probes/stats.js';

describe('meanCi', () => {
  it('matches a hand-computed t interval for [1, 2, 3, 4, 5]', () => {
    // mean 3; s² = (4 + 1 + 0 + 1 + 4) / 4 = 2.5; SE = √(2.5 / 5) = √0.5; t_{0.975,4} = 2.776
    const r = meanCi([1, 2, 3, 4, 5]);
    expect(r.n).toBe(5);
    expect(r.mean).toBe(3);
    expect(r.ci95).toBeCloseTo(2.776 * Math.sqrt(0.5), 10);
    expect(r.ci95).toBeCloseTo(1.96293, 4);
  });

  it('matches by hand for accuracies over 3 seeds', () => {
    // [0.5, 0.6, 0.7]: mean 0.6, s = 0.1, SE = 0.1/√3, t_{0.975,2} = 4.303
    const r = meanCi([0.5, 0.6, 0.7]);
    expect(r.mean).toBeCloseTo(0.6, 12);
    expect(r.ci95).toBeCloseTo((4.303 * 0.1) / Math.sqrt(3), 10);
  });

  it('is shift-invariant in its width and zero-width for constant values', () => {
    const a = meanCi([1, 4, 2, 8]);
    const b = meanCi([101, 104, 102, 108]);
    expect(b.mean - a.mean).toBeCloseTo(100, 10);
    expect(b.ci95).toBeCloseTo(a.ci95, 10);
    expect(meanCi([0.3, 0.3, 0.3]).ci95).toBe(0);
  });

  it('gives NaN for what it cannot compute', () => {
    const one = meanCi([0.42]);
    expect(one.mean).toBe(0.42);
    expect(one.ci95).toBeNaN();
    const none = meanCi([]);
    expect(none.n).toBe(0);
    expect(none.mean).toBeNaN();
    expect(none.ci95).toBeNaN();
  });
});

describe('tQuantile975', () => {
  it('tabulates df 1..30 and approximates beyond to within 0.002', () => {
    expect(tQuantile975(1)).toBe(12.706);
    expect(tQuantile975(4)).toBe(2.776);
    expect(tQuantile975(30)).toBe(2.042);
    // exact values: df 40 → 2.0211, 60 → 2.0003, 120 → 1.9799
    expect(Math.abs(tQuantile975(40) - 2.0211)).toBeLessThan(0.002);
    expect(Math.abs(tQuantile975(60) - 2.0003)).toBeLessThan(0.002);
    expect(Math.abs(tQuantile975(120) - 1.9799)).toBeLessThan(0.002);
    expect(tQuantile975(0)).toBeNaN();
  });

  it('decreases with df', () => {
    for (let df = 1; df < 200; df++) expect(tQuantile975(df + 1)).toBeLessThan(tQuantile975(df));
  });
});

describe('mean', () => {
  it('sums left to right and divides by the count, NaN for no values', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(mean([0.1, 0.2, 0.3])).toBe((0.1 + 0.2 + 0.3) / 3); // the same rounding as the loop it replaced
    expect(mean([])).toBeNaN();
  });
});
