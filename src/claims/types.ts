// What evaluating a claim gives: one object per claim in summary.json's `claims`, read by the
// terminal table, the HTML report and scripts. JSON has no NaN or Infinity, so every number
// that may be missing (no seeds, one seed, an unbounded interval) is null instead.
import type { ClaimKind, ClaimOperand, ClaimTest } from '../config/claims.js';

export const VERDICTS = ['SUPPORTED', 'NOT SUPPORTED', 'INCONCLUSIVE'] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface ClaimResult {
  id: string;
  text: string;
  kind: ClaimKind;
  left: ClaimOperand;
  /** The other arm (compared seed by seed), or null when the claim compares with `value`. */
  right: ClaimOperand | null;
  /** The fixed number compared with, or null when the claim compares with `right`. */
  value: number | null;
  /** Per seed (index i = seed i): left − right, or left − value. */
  differences: (number | null)[];
  /** Seeds the claim was tested on. */
  n: number;
  /** Mean of the differences; the claim is about its sign (greater: > 0, at-most: ≤ 0, …). */
  effect: number | null;
  /** The (1 − alpha) interval of the effect; a null end is unbounded (or there is no interval). */
  interval: { low: number | null; high: number | null; level: number };
  /** One-sided sign-flip permutation p-value of the effect toward the claimed side. */
  pValue: number | null;
  verdict: Verdict;
  /** Why this verdict, in words (e.g. "the interval lies entirely above 0"). */
  reason: string;
  /** Which test decided the verdict, with its settings. */
  method: ClaimTest;
  alpha: number;
  resamples: number;
  /** The test, exactly, for readers of summary.json. */
  test: string;
}

/** A run summary with its evaluated claims (every summary.json written by a run has them). */
export type WithClaims<S> = S & { claims: ClaimResult[] };
