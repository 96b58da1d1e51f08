// Claims evaluated on synthetic per-seed values: the verdict follows where the interval lies
// against the claim's margin and what the exact sign-flip test can reject, never rounding an
// INCONCLUSIVE up; the sign-flip p-value and interval are exact for few seeds and agree with
// each other at every boundary; everything is deterministic for a given stream.
import { describe, expect, test } from 'vitest';
import { bootstrapInterval } from '../../src/claims/bootstrap.js';
import { evaluateClaim, verdictOf, type Evidence } from '../../src/claims/evaluate.js';
import { pAbove, pBelow, signFlipInterval, signFlipNull } from '../../src/claims/sign-flip.js';
import { CLAIM_DEFAULTS, MNIST_CLAIM_MARGINS, type Claim, type ClaimDefaults } from '../../src/config/claims.js';
import { rootStream } from '../../src/engine/rng.js';

const A = { arm: 'a', metric: 'accuracy' } as const;
const B = { arm: 'b', metric: 'accuracy' } as const;
const greater: Claim = { id: 'a-beats-b', text: 'a beats b', kind: 'greater', left: A, right: B };
const stream = () => rootStream(0).child('claims').child('test');
/** A claim on MNIST accuracy, with the MNIST world's default margins (accuracy: 0.02). */
const evaluate = (claim: Claim, left: number[] | undefined, right?: number[], defaults: ClaimDefaults = CLAIM_DEFAULTS) => evaluateClaim(claim, defaults, { left, right }, stream(), MNIST_CLAIM_MARGINS);

const b = [0.1, 0.12, 0.09, 0.11, 0.1];

describe('verdicts on synthetic seeds', () => {
  test('a clear positive difference is SUPPORTED, with the paired mean as effect and p = 1/2^5', () => {
    const r = evaluate(greater, [0.8, 0.82, 0.79, 0.81, 0.8], b);
    expect(r.verdict).toBe('SUPPORTED');
    // accuracy's default margin: 2 percentage points
    expect(r.margin).toBe(0.02);
    expect(r.reason).toBe('the interval lies entirely above +0.02 and p = 1/32 ≤ 0.05');
    expect(r.n).toBe(5);
    expect(r.effect).toBeCloseTo(0.7, 12);
    expect(r.differences.map((d) => +d!.toFixed(12))).toEqual([0.7, 0.7, 0.7, 0.7, 0.7]);
    expect(r.interval).toEqual({ low: expect.closeTo(0.7, 12), high: expect.closeTo(0.7, 12), level: 0.95 });
    expect(r.pValue).toBe(1 / 32);
    expect(r).toMatchObject({ right: B, value: null, method: 'paired-bootstrap', alpha: 0.05, resamples: 10_000 });
    expect(r.test).toContain('over R = 10000 resamples of the 5 seeds with replacement');
    expect(r.test).toContain('over all 2^5 sign patterns (exact)');
  });

  test('a clear negative difference is NOT SUPPORTED', () => {
    const r = evaluate(greater, [0.05, 0.04, 0.06, 0.05, 0.03], b);
    expect(r.verdict).toBe('NOT SUPPORTED');
    expect(r.reason).toBe('the interval lies entirely below +0.02: the effect, if any, is smaller than the smallest of interest (margin 0.02)');
    expect(r.interval.high!).toBeLessThan(0);
    expect(r.pValue).toBe(1); // every sign pattern is at least as large as the observed mean
  });

  test('mixed signs are INCONCLUSIVE, with an interval across 0', () => {
    const r = evaluate({ ...greater, margin: 0 }, [0.15, 0.08, 0.12, 0.09, 0.11], b); // d = +.05 −.04 +.03 −.02 +.01
    expect(r.verdict).toBe('INCONCLUSIVE');
    expect(r.reason).toBe('the interval reaches both sides of 0');
    expect(r.effect).toBeCloseTo(0.006, 12);
    expect(r.interval.low!).toBeLessThan(0);
    expect(r.interval.high!).toBeGreaterThan(0);
    // Subsets of seeds whose mean difference is ≤ 0 (plus flipping none) over 32 patterns.
    expect(r.pValue).toBe(13 / 32);
  });

  test('value claims test left − value: at-least and at-most', () => {
    const learns: Claim = { id: 'learns', text: 'learns', kind: 'at-least', left: A, value: 0.5 };
    const atMost: Claim = { id: 'chance', text: 'near chance', kind: 'at-most', left: A, value: 0.2 };
    const high = [0.72, 0.79, 0.67, 0.77, 0.64];
    // Against a value, at-least / at-most keep margin 0: the value is the bound the claim names.
    expect(evaluate(learns, high)).toMatchObject({ verdict: 'SUPPORTED', value: 0.5, right: null, margin: 0, effect: expect.closeTo(0.218, 12) });
    expect(evaluate(atMost, high)).toMatchObject({ verdict: 'NOT SUPPORTED', reason: 'the interval lies entirely above 0' });
    expect(evaluate(atMost, b)).toMatchObject({ verdict: 'SUPPORTED', reason: 'the interval lies entirely below 0 and p = 1/32 ≤ 0.05' });
    expect(evaluate({ ...learns, value: 0.7 }, high).verdict).toBe('INCONCLUSIVE');
  });

  test('less is the mirror of greater', () => {
    const less: Claim = { ...greater, kind: 'less' };
    expect(evaluate(less, b, [0.8, 0.82, 0.79, 0.81, 0.8]).verdict).toBe('SUPPORTED');
    expect(evaluate(less, [0.8, 0.82, 0.79, 0.81, 0.8], b).verdict).toBe('NOT SUPPORTED');
  });

  test('the boundary itself never decides: greater and at-least differ only in where the margin puts it', () => {
    // An exact 5-seed test that can reject on either side (p and pOther 1/32), so the interval decides.
    const e = (low: number, high: number): Evidence => ({ low, high, p: 1 / 32, pOther: 1 / 32, n: 5, allBeyond: true, show: String });
    expect(verdictOf('greater', 0, 0.05, e(0, 0.1)).verdict).toBe('INCONCLUSIVE');
    expect(verdictOf('at-least', 0, 0.05, e(0, 0.1)).verdict).toBe('INCONCLUSIVE');
    expect(verdictOf('greater', 0, 0.05, e(1e-9, 0.1)).verdict).toBe('SUPPORTED');
    expect(verdictOf('greater', 0, 0.05, e(-0.1, 0)).verdict).toBe('INCONCLUSIVE');
    expect(verdictOf('at-most', 0, 0.05, e(-0.1, 0)).verdict).toBe('INCONCLUSIVE');
    expect(verdictOf('less', 0, 0.05, e(0, 0.1)).verdict).toBe('INCONCLUSIVE');
    expect(verdictOf('greater', 0, 0.05, e(-Infinity, Infinity)).verdict).toBe('INCONCLUSIVE');
  });
});

describe('what cannot be tested stays INCONCLUSIVE', () => {
  test('one seed: the effect, but no interval', () => {
    const r = evaluate(greater, [0.9], [0.1]);
    expect(r).toMatchObject({ verdict: 'INCONCLUSIVE', n: 1, effect: 0.8, interval: { low: null, high: null, level: 0.95 }, pValue: null });
    expect(r.reason).toBe('only 1 seed, so there is no interval over seeds; run with --seeds 2 or more (5 or more for a useful interval)');
  });

  test('a missing arm, a NaN seed, and unpaired lengths', () => {
    expect(evaluate(greater, [0.9, 0.8], undefined).reason).toBe('the summary has no per-seed values of "b", so the claim was not tested');
    const nan = evaluate(greater, [0.9, Number.NaN], [0.1, 0.1]);
    expect(nan).toMatchObject({ verdict: 'INCONCLUSIVE', differences: [0.8, null], effect: null });
    expect(evaluate(greater, [0.9, 0.8], [0.1]).reason).toBe('"a" has 2 seeds and "b" 1; they must be paired seed by seed');
  });

  test('the permutation test is one-sided at alpha (claims are directional): 4 seeds cannot reject, and it says the claim is indicative', () => {
    const r = evaluate({ ...greater, test: 'permutation' }, [0.8, 0.82, 0.79, 0.81], [0.1, 0.1, 0.1, 0.1]);
    expect(r).toMatchObject({ verdict: 'INCONCLUSIVE', indicative: true, method: 'permutation', interval: { low: null, high: null, level: 0.9 }, pValue: 1 / 16 });
    expect(r.reason).toBe('INDICATIVE — 4 seeds cannot reach p ≤ 0.05 (smallest p 1/16); run 5+ seeds');
  });

  test('with 5 seeds it can: all differences positive → SUPPORTED (p = 1/32), the 90 % interval from the smallest to the largest difference', () => {
    const d = [0.3, 0.1, 0.2, 0.5, 0.4];
    const r = evaluate({ ...greater, right: undefined, value: 0, test: 'permutation' }, d);
    expect(r).toMatchObject({ verdict: 'SUPPORTED', interval: { low: 0.1, high: 0.5, level: 0.9 }, pValue: 1 / 32 });
  });

  test('one seed against the claim out of 5 → p = 2/32 > 0.05 → INCONCLUSIVE under either test (the bootstrap interval alone cannot support it)', () => {
    const d = [0.13, -0.09, 0.45, 0.37, 0.14]; // the hard-token same-init transfers of numbers-owl
    const perm = evaluate({ ...greater, right: undefined, value: 0, margin: 0, test: 'permutation' }, d);
    expect(perm).toMatchObject({ verdict: 'INCONCLUSIVE', pValue: 2 / 32 });
    expect(perm.interval.low!).toBeLessThan(0);
    const boot = evaluate({ ...greater, right: undefined, value: 0, margin: 0, test: 'paired-bootstrap' }, d);
    expect(boot.interval.low!).toBeGreaterThan(0);
    expect(boot).toMatchObject({ verdict: 'INCONCLUSIVE', indicative: false, pValue: 2 / 32, reason: 'the interval lies entirely above 0, but the exact sign-flip test does not reject: p = 2/32 > 0.05' });
  });
});

describe('the tests themselves', () => {
  test('exact sign-flip null: p-values and the inverted interval from subset means', () => {
    const nul = signFlipNull([1, 2, 3], 1000, stream());
    expect(nul.exact).toBe(true);
    expect(Array.from(nul.means)).toEqual([1, 1.5, 2, 2, 2, 2.5, 3]); // {1} {1,2} {2} {1,3} {1,2,3} {2,3} {3}
    expect(pAbove(nul)).toBe(1 / 8);
    expect(pBelow(nul)).toBe(1);
    expect(pAbove(nul, 2)).toBe(6 / 8); // flip none, or one of the 5 subsets with mean ≤ 2
    // alpha 1/4 per side (8 · 1/4 an integer): δ < 1.5 has p = (1 + 1)/8 ≤ 1/4, so the interval starts at the 2nd smallest mean.
    expect(signFlipInterval(nul, 0.25)).toEqual({ low: 1.5, high: 2.5 });
    expect([pAbove(nul, 1.4999), pAbove(nul, 1.5)]).toEqual([2 / 8, 3 / 8]);
    // alpha 1/8: p = 1/8 for δ below every subset mean → the extreme subset means.
    expect(signFlipInterval(nul, 0.125)).toEqual({ low: 1, high: 3 });
    expect(signFlipInterval(nul, 0.1)).toEqual({ low: -Infinity, high: Infinity });
  });

  test('beyond resamples patterns the sign-flip test samples them, close to the exact p', () => {
    const d = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? -1 : 1) * (1 + i / 10));
    const exact = pAbove(signFlipNull(d, 4096, stream()));
    const sampled = signFlipNull(d, 2000, stream());
    expect(sampled.exact).toBe(false);
    expect(sampled.total).toBe(2001);
    expect(Math.abs(pAbove(sampled) - exact)).toBeLessThan(0.03);
  });

  test('the bootstrap interval is the stated percentiles of resampled means', () => {
    expect(bootstrapInterval([0.2, 0.2, 0.2], 0.05, 1000, stream())).toEqual({ low: expect.closeTo(0.2, 15), high: expect.closeTo(0.2, 15) });
    const { low, high } = bootstrapInterval([0, 1], 0.05, 10_000, stream());
    // Means of 2 draws from {0, 1} are 0, 0.5 or 1 with chance 1/4, 1/2, 1/4.
    expect([low, high]).toEqual([0, 1]);
    const narrow = bootstrapInterval([0, 1], 0.6, 10_000, stream());
    expect([narrow.low, narrow.high]).toEqual([0.5, 0.5]);
  });
});

describe('determinism', () => {
  test('the same input and stream give identical results, byte for byte', () => {
    const left = [0.15, 0.08, 0.12, 0.09, 0.11];
    const first = evaluate(greater, left, b);
    const again = evaluate(greater, left, b);
    expect(JSON.stringify(again)).toBe(JSON.stringify(first));
  });

  test('another stream resamples differently (the interval depends on the seeded draws)', () => {
    const left = [0.15, 0.08, 0.12, 0.09, 0.11];
    const a = evaluateClaim(greater, { ...CLAIM_DEFAULTS, resamples: 200 }, { left, right: b }, rootStream(0).child('x'));
    const c = evaluateClaim(greater, { ...CLAIM_DEFAULTS, resamples: 200 }, { left, right: b }, rootStream(1).child('x'));
    expect(a.effect).toBe(c.effect);
    expect(a.interval).not.toEqual(c.interval);
  });
});
