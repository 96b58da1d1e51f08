// The sign-flip permutation test of paired differences d (d[i] = left − right of seed i, or
// left − value). Under "no effect", each d[i] is as likely to have come out with the other
// sign, so the observed mean is compared with the means of every sign pattern.
//
// Flipping the signs of a subset S of seeds makes the sum of (d − δ) no smaller exactly when
// mean over S of d ≤ δ. So every p-value and interval the test gives is read off the sorted
// means of d over the flipped subsets: exact over all 2^n patterns when that is at most
// `resamples`, else over `resamples` random patterns drawn from `rng` (plus the observed one).
import type { RandomStream } from '../engine/rng.js';

export interface SignFlipNull {
  /** Means of d over the nonempty flipped subsets, ascending. */
  means: Float64Array;
  /** Patterns that flip nothing (they count toward every p-value): 1 when exact; 1 + empty draws when sampled. */
  unflipped: number;
  /** All patterns counted: 2^n when exact, resamples + 1 when sampled. */
  total: number;
  exact: boolean;
}

export function signFlipNull(d: readonly number[], resamples: number, rng: RandomStream): SignFlipNull {
  const n = d.length;
  if (n <= 30 && 2 ** n <= resamples) {
    const count = 2 ** n;
    // sums[mask] built from mask without its lowest bit: one addition per subset.
    const sums = new Float64Array(count);
    const sizes = new Uint8Array(count);
    const means = new Float64Array(count - 1);
    for (let mask = 1; mask < count; mask++) {
      const low = mask & -mask;
      const rest = mask ^ low;
      sums[mask] = sums[rest]! + d[31 - Math.clz32(low)]!;
      sizes[mask] = sizes[rest]! + 1;
      means[mask - 1] = sums[mask]! / sizes[mask]!;
    }
    return { means: means.sort(), unflipped: 1, total: count, exact: true };
  }
  const drawn: number[] = [];
  let unflipped = 1; // the observed pattern
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    let size = 0;
    for (let i = 0; i < n; i++) {
      if (rng.next() < 0.5) {
        sum += d[i]!;
        size++;
      }
    }
    if (size === 0) unflipped++;
    else drawn.push(sum / size);
  }
  return { means: Float64Array.from(drawn).sort(), unflipped, total: resamples + 1, exact: false };
}

/** Number of sorted values ≤ x (`orEqual`) or < x. */
function countBelow(sorted: Float64Array, x: number, orEqual: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x || (orEqual && sorted[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** p-value of "the effect is above δ": the share of patterns whose mean of (d − δ) is at least the observed one. */
export function pAbove(nul: SignFlipNull, delta = 0): number {
  return (nul.unflipped + countBelow(nul.means, delta, true)) / nul.total;
}

/** p-value of "the effect is below δ". */
export function pBelow(nul: SignFlipNull, delta = 0): number {
  return (nul.unflipped + nul.means.length - countBelow(nul.means, delta, false)) / nul.total;
}

/**
 * How many nonempty patterns may sit at or beyond the observed one while p still comes out ≤ alpha:
 * the largest c with (unflipped + c) / total ≤ alpha, decided by the same division pAbove and
 * pBelow make, so that the interval and the p-value agree even where alpha·total is an integer
 * (alpha = 1/32 with 5 seeds: c = 0, and p = 1/32 rejects). −1 when no pattern count can reach alpha.
 */
export function allowedBeyond(nul: SignFlipNull, alpha: number): number {
  let c = Math.floor(alpha * nul.total) - nul.unflipped;
  while ((nul.unflipped + c + 1) / nul.total <= alpha) c++;
  while (c >= 0 && (nul.unflipped + c) / nul.total > alpha) c--;
  return Math.max(c, -1);
}

/**
 * The shifts δ that neither one-sided test rejects at `alpha` (each side a one-sided test at
 * alpha: together a (1 − 2·alpha) interval). pAbove(δ) ≤ alpha exactly when at most c subset
 * means are ≤ δ, i.e. when δ < the (c + 1)-th smallest mean; so the interval runs from the
 * (c + 1)-th smallest subset mean to the (c + 1)-th largest, with c = allowedBeyond(alpha), and
 *   low > δ  ⇔  pAbove(δ) ≤ alpha,    high < δ  ⇔  pBelow(δ) ≤ alpha.
 * When c < 0 no shift can be rejected (too few seeds) and the ends are infinite.
 */
export function signFlipInterval(nul: SignFlipNull, alpha: number): { low: number; high: number } {
  const c = allowedBeyond(nul, alpha);
  const m = nul.means.length;
  if (c < 0) return { low: -Infinity, high: Infinity };
  return { low: nul.means[c]!, high: nul.means[m - 1 - c]! };
}
