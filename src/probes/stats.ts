// Statistics over seeds: mean and a two-sided 95 % Student-t confidence interval.

// Two-sided 97.5 % quantiles of Student's t for df = 1..30; beyond 30 the normal 1.96 is used
// with a small-sample correction that is exact to 3 decimals up to df = 120.
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tQuantile975(df: number): number {
  if (df < 1) return Number.NaN;
  if (df <= 30) return T975[df - 1]!;
  return 1.96 + 2.4 / df; // within 0.002 of the exact quantile for 30 < df ≤ 120
}

export interface MeanCi {
  mean: number;
  /** Half-width of the 95 % t interval; NaN for a single value. */
  ci95: number;
  n: number;
}

/** The arithmetic mean, summed left to right (NaN for no values). */
export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

export function meanCi(values: readonly number[]): MeanCi {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, ci95: Number.NaN, n };
  const m = mean(values);
  if (n === 1) return { mean: m, ci95: Number.NaN, n };
  const variance = values.reduce((a, v) => a + (v - m) ** 2, 0) / (n - 1);
  return { mean: m, ci95: tQuantile975(n - 1) * Math.sqrt(variance / n), n };
}

/** Per seed m < M, the mean over lists of per-seed values: lists[i][m] averaged over i. */
export const meanOver = (lists: readonly (readonly number[])[], M: number): number[] => Array.from({ length: M }, (_, m) => mean(lists.map((l) => l[m]!)));
