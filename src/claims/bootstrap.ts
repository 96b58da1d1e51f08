// The paired bootstrap: resample the seeds with replacement and read the percentile interval
// of the mean per-seed difference. Pairing is in the input: d[i] is already left − right of
// seed i, so both arms of a seed are always drawn together.
import type { RandomStream } from '../engine/rng.js';

/**
 * Percentile interval (two-sided, level 1 − alpha) of mean(d) over `resamples` bootstrap
 * resamples drawn from `rng`: the sorted resample means at ⌊R·alpha/2⌋ and ⌈R·(1 − alpha/2)⌉ − 1
 * (0-based), so as many resamples fall below the interval as above it.
 */
export function bootstrapInterval(d: readonly number[], alpha: number, resamples: number, rng: RandomStream): { low: number; high: number } {
  const n = d.length;
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += d[rng.int(n)]!;
    means[r] = sum / n;
  }
  means.sort();
  // The epsilon keeps R·alpha/2 = 250 from becoming 250.00000000000003 and moving the rank.
  const lowRank = Math.floor((resamples * alpha) / 2 + 1e-9);
  const highRank = Math.ceil(resamples * (1 - alpha / 2) - 1e-9) - 1;
  return { low: means[lowRank]!, high: means[highRank]! };
}
