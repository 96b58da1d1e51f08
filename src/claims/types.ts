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
  /** Mean of the differences. */
  effect: number | null;
  /**
   * The smallest effect of interest, in the metric's units: the claim is about the effect lying
   * beyond the boundary it sets (greater: > +margin; at-least: > −margin; less: < −margin;
   * at-most: < +margin).
   */
  margin: number;
  /** The interval of the effect (level as stated); a null end is unbounded (or there is no interval). */
  interval: { low: number | null; high: number | null; level: number };
  /** One-sided sign-flip permutation p-value of the effect beyond the margin's boundary, toward the claimed side. */
  pValue: number | null;
  /**
   * pValue adjusted by Holm's step-down method over the claims of the file that have a p-value
   * (monotone in pValue, capped at 1); null without a pValue.
   */
  pHolm: number | null;
  verdict: Verdict;
  /** SUPPORTED and still so after Holm: pHolm ≤ alpha. */
  survivesHolm: boolean;
  /**
   * INCONCLUSIVE only because n seeds cannot reach p ≤ alpha (2^-n > alpha) while the interval
   * lies beyond the margin on the claimed side: a result to rerun with more seeds, not a finding.
   */
  indicative: boolean;
  /** Why this verdict, in words (e.g. "the interval lies entirely above +0.05 and p = 1/32 ≤ 0.05"). */
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
