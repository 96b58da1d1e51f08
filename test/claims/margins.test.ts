// The margin (smallest effect of interest) decides where a claim's boundary lies: greater > +m,
// at-least > −m, less < −m, at-most < +m. Checked at, just inside and just outside each
// boundary under both tests; all-zero differences; which margin a claim gets; and claims that
// few seeds can only make indicative.
import { describe, expect, test } from 'vitest';
import { evaluateClaim } from '../../src/claims/evaluate.js';
import { CLAIM_DEFAULTS, CLAIM_TESTS, NUMBERS_CLAIM_MARGINS, type Claim, type ClaimDefaults } from '../../src/config/claims.js';
import { rootStream } from '../../src/engine/rng.js';

const stream = () => rootStream(1).child('claims').child('margins');
const transfer = { arm: 'same', metric: 'transfer' } as const;
const valueClaim = (kind: Claim['kind'], margin?: number, extra: Partial<Claim> = {}): Claim => ({ id: 'c', text: 'c', kind, left: transfer, value: 0, ...(margin === undefined ? {} : { margin }), ...extra });
const evaluate = (claim: Claim, left: number[], defaults: ClaimDefaults = CLAIM_DEFAULTS, right?: number[]) =>
  evaluateClaim(claim, defaults, { left, right }, stream(), NUMBERS_CLAIM_MARGINS);
const five = (x: number) => [x, x, x, x, x];

describe('the boundary each kind puts at its margin (m = 0.05, 5 seeds)', () => {
  // Five equal differences x: both tests give the interval [x, x], and p is 1/32 or 1.
  test.each(CLAIM_TESTS)('%s: beyond the boundary SUPPORTED, on it INCONCLUSIVE, short of it NOT SUPPORTED', (test) => {
    const verdicts = (kind: Claim['kind'], xs: number[]) => xs.map((x) => evaluate(valueClaim(kind, 0.05, { test }), five(x)).verdict);
    expect(verdicts('greater', [0.06, 0.05, 0.04])).toEqual(['SUPPORTED', 'INCONCLUSIVE', 'NOT SUPPORTED']);
    expect(verdicts('at-least', [-0.04, -0.05, -0.06])).toEqual(['SUPPORTED', 'INCONCLUSIVE', 'NOT SUPPORTED']);
    expect(verdicts('less', [-0.06, -0.05, -0.04])).toEqual(['SUPPORTED', 'INCONCLUSIVE', 'NOT SUPPORTED']);
    expect(verdicts('at-most', [0.04, 0.05, 0.06])).toEqual(['SUPPORTED', 'INCONCLUSIVE', 'NOT SUPPORTED']);
  });

  test('p is taken against the boundary: one seed on it makes p = 2/32 and the claim INCONCLUSIVE', () => {
    const above = evaluate(valueClaim('greater', 0.05, { test: 'permutation' }), [0.06, 0.07, 0.08, 0.09, 0.051]);
    expect(above).toMatchObject({ verdict: 'SUPPORTED', pValue: 1 / 32, interval: { low: 0.051, high: 0.09 }, reason: 'the interval lies entirely above +0.05 and p = 1/32 ≤ 0.05' });
    const on = evaluate(valueClaim('greater', 0.05, { test: 'permutation' }), [0.06, 0.07, 0.08, 0.09, 0.05]);
    expect(on).toMatchObject({ verdict: 'INCONCLUSIVE', pValue: 2 / 32, reason: 'the interval reaches both sides of +0.05' });
    // The same seeds at margin 0: every seed above 0.
    expect(evaluate(valueClaim('greater', 0, { test: 'permutation' }), [0.06, 0.07, 0.08, 0.09, 0.05]).verdict).toBe('SUPPORTED');
  });

  test('five seeds all positive by 0.001 are no longer a transfer: NOT SUPPORTED, smaller than the smallest of interest', () => {
    const r = evaluate(valueClaim('greater', undefined, { test: 'permutation' }), [0.001, 0.0012, 0.0009, 0.0011, 0.001]);
    expect(r).toMatchObject({ verdict: 'NOT SUPPORTED', margin: 0.05, pValue: 1 });
    expect(r.reason).toBe('the interval lies entirely below +0.05: the effect, if any, is smaller than the smallest of interest (margin 0.05)');
    expect(r.test).toContain("margin 0.05 (the metric's default), so the claim is effect > +0.05");
  });

  test('at-least beyond its margin says the claim is exceeded by more than it allows', () => {
    const r = evaluate(valueClaim('at-least', 0.05, { test: 'permutation' }), five(-0.2));
    expect(r.reason).toBe('the interval lies entirely below −0.05: beyond what the claim allows by more than its margin (0.05)');
  });
});

describe('all-zero differences', () => {
  test.each(CLAIM_TESTS)('%s: at-least and at-most with margin 0 are INCONCLUSIVE with p = 1, never SUPPORTED', (test) => {
    for (const kind of ['at-least', 'at-most'] as const) {
      const r = evaluate(valueClaim(kind, undefined, { test, value: 0.9 }), five(0.9));
      expect(r).toMatchObject({ verdict: 'INCONCLUSIVE', margin: 0, pValue: 1, effect: 0, indicative: false });
      expect(r.interval.low === null || r.interval.low <= 0).toBe(true);
    }
  });

  test('with a margin, zero differences show non-inferiority (at-least) and a too-small effect (greater)', () => {
    expect(evaluate(valueClaim('at-least', 0.05), five(0))).toMatchObject({ verdict: 'SUPPORTED', pValue: 1 / 32 });
    expect(evaluate(valueClaim('greater', 0.05), five(0))).toMatchObject({ verdict: 'NOT SUPPORTED', pValue: 1 });
  });
});

describe('which margin a claim gets', () => {
  const right = { arm: 'cross', metric: 'transfer' } as const;
  const armClaim = (kind: Claim['kind'], margin?: number): Claim => ({ id: 'c', text: 'c', kind, left: transfer, right, ...(margin === undefined ? {} : { margin }) });
  const fileMargins: ClaimDefaults = { ...CLAIM_DEFAULTS, margins: { transfer: 0.1 } };
  const d = five(0.2);
  const zero = five(0);

  test("the metric's default, the file's claimDefaults.margins, the claim's own, in that order", () => {
    expect(evaluate(armClaim('greater'), d, CLAIM_DEFAULTS, zero).margin).toBe(NUMBERS_CLAIM_MARGINS.transfer!.margin);
    expect(evaluate(armClaim('greater'), d, fileMargins, zero).margin).toBe(0.1);
    expect(evaluate(armClaim('greater', 0.3), d, fileMargins, zero)).toMatchObject({ margin: 0.3, verdict: 'NOT SUPPORTED' });
    expect(evaluate(armClaim('at-least'), d, fileMargins, zero).margin).toBe(0.1);
  });

  test('at-least / at-most against a value keep 0 (the value is the bound) unless the claim sets its own', () => {
    expect(evaluate(valueClaim('at-least', undefined, { value: 0.9 }), d, fileMargins).margin).toBe(0);
    expect(evaluate(valueClaim('at-most', undefined, { value: 0.9 }), d, fileMargins).margin).toBe(0);
    expect(evaluate(valueClaim('greater', undefined, { value: 0.9 }), d, fileMargins).margin).toBe(0.1);
    expect(evaluate(valueClaim('at-least', 0.02, { value: 0.9 }), d, fileMargins).margin).toBe(0.02);
  });

  test('a metric the table does not list defaults to 0', () => {
    const r = evaluateClaim({ ...valueClaim('greater'), left: { arm: 'a', metric: 'score' } }, CLAIM_DEFAULTS, { left: d }, stream(), NUMBERS_CLAIM_MARGINS);
    expect(r.margin).toBe(0);
  });
});

describe('few seeds: indicative, not SUPPORTED', () => {
  // The demo's off-policy same-init transfers (3 seeds).
  const demo = [0.2378, 0.1374, 0.3599];

  test('3 seeds beyond the margin under the bootstrap: INCONCLUSIVE and indicative, p = 1/8', () => {
    const r = evaluate(valueClaim('greater'), demo);
    expect(r).toMatchObject({ verdict: 'INCONCLUSIVE', indicative: true, pValue: 1 / 8, survivesHolm: false });
    expect(r.interval.low!).toBeGreaterThan(0.05);
    expect(r.reason).toBe('INDICATIVE — 3 seeds cannot reach p ≤ 0.05 (smallest p 1/8); run 5+ seeds');
  });

  test('the permutation test says the same when every seed is beyond the margin', () => {
    expect(evaluate(valueClaim('greater', undefined, { test: 'permutation' }), demo)).toMatchObject({ verdict: 'INCONCLUSIVE', indicative: true, interval: { low: null, high: null } });
  });

  test('not indicative when a seed falls short of the margin, or all of them do', () => {
    const short = evaluate(valueClaim('greater'), [0.2, 0.03, 0.3]);
    expect(short).toMatchObject({ verdict: 'INCONCLUSIVE', indicative: false, reason: 'the interval reaches both sides of +0.05, and 3 seeds cannot reach p ≤ 0.05 (smallest p 1/8); run 5+ seeds' });
    const below = evaluate(valueClaim('greater'), [0.01, 0.02, 0.03]);
    expect(below).toMatchObject({ verdict: 'INCONCLUSIVE', indicative: false, reason: 'the interval lies entirely below +0.05, but 3 seeds cannot reach p ≤ 0.05 (smallest p 1/8); run 5+ seeds' });
  });

  test('at alpha 0.2, 3 seeds can reach it (1/8 ≤ 0.2): SUPPORTED', () => {
    expect(evaluate(valueClaim('greater', undefined, { alpha: 0.2 }), demo)).toMatchObject({ verdict: 'SUPPORTED', indicative: false, pValue: 1 / 8 });
  });
});
