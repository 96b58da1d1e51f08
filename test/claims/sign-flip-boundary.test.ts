// The sign-flip interval and p-value agree at every boundary: for every shift δ, the interval's
// low end lies above δ exactly when the one-sided p of "the effect is above δ" is ≤ alpha (and
// the high end below δ exactly when the other side's p is). Checked exhaustively for 2 to 6
// seeds — every subset mean as δ, and between them — at every alpha = j/2^n, where the old
// rank ⌈total·alpha⌉ − unflipped was one short (alpha = 1/32 with 5 seeds: an unbounded
// interval beside p = 1/32), and at the usual levels; then through evaluateClaim under both tests.
import { describe, expect, test } from 'vitest';
import { evaluateClaim } from '../../src/claims/evaluate.js';
import { pAbove, pBelow, signFlipInterval, signFlipNull, type SignFlipNull } from '../../src/claims/sign-flip.js';
import { CLAIM_KINDS, CLAIM_TESTS, type Claim } from '../../src/config/claims.js';
import { rootStream } from '../../src/engine/rng.js';

const stream = () => rootStream(7).child('boundary');

/** Per n: random values, integers with ties, all equal, and mixed signs. */
function vectors(n: number): number[][] {
  const rng = rootStream(n).child('d');
  const random = Array.from({ length: n }, () => rng.next() - 0.3);
  const ties = Array.from({ length: n }, (_, i) => Math.floor(i / 2) - 1);
  const equal = Array.from({ length: n }, () => 0.25);
  const mixed = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : -0.5) * (i + 1));
  return [random, ties, equal, mixed];
}

function alphas(n: number): number[] {
  const dyadic = Array.from({ length: 2 ** (n - 1) }, (_, j) => (j + 1) / 2 ** n);
  return [...dyadic, 0.01, 0.05, 0.1, 0.2, 0.3];
}

/** Every subset mean, the points between neighbours, and beyond both ends. */
function shifts(nul: SignFlipNull): number[] {
  const m = [...new Set(nul.means)];
  const between = m.slice(1).map((x, i) => (x + m[i]!) / 2);
  return [...m, ...between, m[0]! - 1, m.at(-1)! + 1];
}

describe('signFlipInterval agrees with pAbove / pBelow at every shift', () => {
  test('exact nulls, 2 to 6 seeds, every alpha j/2^n and the usual levels', () => {
    let checked = 0;
    const disagree: string[] = [];
    for (let n = 2; n <= 6; n++) {
      for (const d of vectors(n)) {
        const nul = signFlipNull(d, 10_000, stream());
        expect(nul.exact).toBe(true);
        for (const alpha of alphas(n)) {
          const { low, high } = signFlipInterval(nul, alpha);
          for (const delta of shifts(nul)) {
            if (low > delta !== pAbove(nul, delta) <= alpha || high < delta !== pBelow(nul, delta) <= alpha) disagree.push(`n ${n} d ${d} alpha ${alpha} δ ${delta}`);
            checked++;
          }
        }
      }
    }
    expect(disagree).toEqual([]);
    expect(checked).toBeGreaterThan(10_000);
  });

  test('a sampled null (12 seeds, 200 patterns: several of them flip nothing) agrees too', () => {
    const d = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? -1 : 1) * (1 + i / 10));
    const nul = signFlipNull(d, 200, stream());
    expect(nul.exact).toBe(false);
    for (const alpha of [1 / 201, 2 / 201, 0.01, 0.05, 10 / 201, 0.25]) {
      const { low, high } = signFlipInterval(nul, alpha);
      for (const delta of shifts(nul)) {
        expect(low > delta).toBe(pAbove(nul, delta) <= alpha);
        expect(high < delta).toBe(pBelow(nul, delta) <= alpha);
      }
    }
  });

  test('alpha = 1/32 with 5 seeds all above 0: p = 1/32 rejects, and the interval is bounded and above 0', () => {
    const nul = signFlipNull([0.3, 0.1, 0.2, 0.5, 0.4], 10_000, stream());
    expect(pAbove(nul, 0)).toBe(1 / 32);
    expect(signFlipInterval(nul, 1 / 32)).toEqual({ low: 0.1, high: 0.5 });
  });
});

describe('through evaluateClaim: p ≤ alpha agrees with the verdict', () => {
  const claimOf = (kind: Claim['kind'], margin: number, test: Claim['test']): Claim => ({ id: 'c', text: 'c', kind, left: { arm: 'a', metric: 'x' }, value: 0, margin, test });

  test('every kind, both tests, margins on subset means, 2 to 6 seeds', () => {
    let supported = 0;
    let notSupported = 0;
    for (let n = 2; n <= 6; n++) {
      for (const d of vectors(n)) {
        const nul = signFlipNull(d, 10_000, stream());
        // Margins that put the boundary exactly on a subset mean (or its negative) and between them.
        const margins = [0, ...shifts(nul).map(Math.abs)].filter((m, i, all) => all.indexOf(m) === i).slice(0, 12);
        for (const alpha of [1 / 2 ** n, 2 / 2 ** n, 0.05]) {
          for (const kind of CLAIM_KINDS) {
            for (const margin of margins) {
              for (const test of CLAIM_TESTS) {
                const r = evaluateClaim(claimOf(kind, margin, test), { test: 'permutation', alpha, resamples: 100 }, { left: d }, stream());
                const above = kind === 'greater' || kind === 'at-least';
                const b = margin === 0 ? 0 : (kind === 'greater' || kind === 'at-most' ? 1 : -1) * margin;
                const pOther = above ? pBelow(nul, b) : pAbove(nul, b);
                expect(r.pValue).toBe(above ? pAbove(nul, b) : pBelow(nul, b));
                if (r.verdict === 'SUPPORTED') expect(r.pValue!).toBeLessThanOrEqual(alpha);
                if (r.verdict === 'NOT SUPPORTED') expect(pOther).toBeLessThanOrEqual(alpha);
                // The exact test alone decides the permutation claim's verdict.
                if (test === 'permutation') {
                  expect(r.verdict === 'SUPPORTED', `${kind} m ${margin} α ${alpha} d ${d}`).toBe(r.pValue! <= alpha);
                  expect(r.verdict === 'NOT SUPPORTED', `${kind} m ${margin} α ${alpha} d ${d}`).toBe(pOther <= alpha);
                }
                if (r.verdict === 'SUPPORTED') supported++;
                if (r.verdict === 'NOT SUPPORTED') notSupported++;
              }
            }
          }
        }
      }
    }
    // Both verdicts occur, so the agreement is not checked on INCONCLUSIVE alone.
    expect(supported).toBeGreaterThan(100);
    expect(notSupported).toBeGreaterThan(100);
  });
});
