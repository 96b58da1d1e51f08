// Holm's step-down adjustment against hand-computed values (dyadic p-values, so every product
// is exact), its monotonicity, ties and the cap at 1; and a file's claims read as one family.
import { describe, expect, test } from 'vitest';
import { holmAdjust } from '../../src/claims/holm.js';
import { mnistSummary } from '../support/claims-fixtures.js';

describe('holmAdjust', () => {
  test('by hand: sorted p × (m − i + 1), each raised to the largest before it', () => {
    // m = 4; sorted 1/32, 1/16, 1/8, 1/4 → ×4, ×3, ×2, ×1 = 1/8, 3/16, 1/4, 1/4.
    expect(holmAdjust([0.25, 0.0625, 0.125, 0.03125])).toEqual([0.25, 0.1875, 0.25, 0.125]);
  });

  test('monotone: a larger p never gets a smaller adjusted p', () => {
    // sorted 1/32 ×3 = 0.09375, 1/16 ×2 = 0.125, 0.0703125 ×1 = 0.0703125 → raised to 0.125.
    const ps = [0.0703125, 0.03125, 0.0625];
    const adjusted = holmAdjust(ps) as number[];
    expect(adjusted).toEqual([0.125, 0.09375, 0.125]);
    for (let i = 0; i < ps.length; i++) for (let j = 0; j < ps.length; j++) if (ps[i]! <= ps[j]!) expect(adjusted[i]!).toBeLessThanOrEqual(adjusted[j]!);
  });

  test('ties get the same adjusted p; a claim without p is not in the family (m = 3 here)', () => {
    expect(holmAdjust([0.03125, 0.03125, null, 0.5])).toEqual([0.09375, 0.09375, null, 0.5]);
  });

  test('capped at 1, and a family of one is its own p', () => {
    expect(holmAdjust([0.5, 0.75])).toEqual([1, 1]);
    expect(holmAdjust([0.03125])).toEqual([0.03125]);
    expect(holmAdjust([])).toEqual([]);
  });
});

describe("a file's claims", () => {
  test('pHolm over the claims with a p-value; survivesHolm = SUPPORTED and pHolm ≤ alpha', () => {
    const { claims } = mnistSummary();
    // Per claim: [verdict, p, pHolm, survives]; 4 claims, all with a p-value (m = 4).
    expect(claims.map((c) => [c.id, c.verdict, c.pValue, c.pHolm, c.survivesHolm])).toEqual([
      ['same-learns', 'SUPPORTED', 1 / 32, 4 / 32, false],
      ['same-beats-cross', 'SUPPORTED', 1 / 32, 4 / 32, false],
      ['cross-learns', 'NOT SUPPORTED', 1, 1, false],
      ['teacher-near-ref', 'INCONCLUSIVE', 1, 1, false],
    ]);
  });

  test('with fewer claims in the file, the same claims survive', () => {
    const { claims } = mnistSummary(['same-learns', 'same-beats-cross']);
    expect(claims.map((c) => [c.pHolm, c.survivesHolm])).toEqual([
      [2 / 32, false],
      [2 / 32, false],
    ]);
    const one = mnistSummary(['same-learns']).claims[0]!;
    expect([one.pHolm, one.survivesHolm]).toEqual([1 / 32, true]);
  });
});
