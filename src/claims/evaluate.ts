// One claim over seeds: the per-seed differences d (left − right, paired by seed, or
// left − value), their mean (the effect), an interval by the claim's test, the one-sided
// sign-flip p-value against the claim's boundary, and the verdict.
//
// The boundary is where the claim's margin (its smallest effect of interest m ≥ 0) puts it:
// greater: effect > +m; at-least (non-inferiority): effect > −m; less: effect < −m; at-most:
// effect < +m. The boundary itself never decides a claim.
//   SUPPORTED      the interval lies entirely beyond the boundary on the claimed side AND the
//                  exact sign-flip p toward that side is ≤ alpha (a bootstrap interval cannot
//                  support what the exact test cannot reject);
//   NOT SUPPORTED  it lies entirely on the other side AND the opposite one-sided p is ≤ alpha;
//   INCONCLUSIVE   otherwise — and `indicative` when the interval lies beyond the boundary but
//                  n seeds cannot reach p ≤ alpha at all (2^-n > alpha).
//   paired-bootstrap: the two-sided (1 − alpha) percentile interval.
//   permutation: each side a one-sided sign-flip test at alpha, so the (1 − 2·alpha) inversion;
//     its low end lies above δ exactly when the one-sided p of δ is ≤ alpha.
import { claimSettings, MARGIN_SHIFT, type Claim, type ClaimDefaults, type ClaimKind, type ClaimSettings, type MarginTable } from '../config/claims.js';
import type { RandomStream } from '../engine/rng.js';
import { bootstrapInterval } from './bootstrap.js';
import { pAbove, pBelow, signFlipInterval, signFlipNull, type SignFlipNull } from './sign-flip.js';
import type { ClaimResult, Verdict } from './types.js';

/** The per-seed values of a claim's operands; undefined when the summary has no such arm. */
export interface ClaimData {
  left: readonly number[] | undefined;
  /** Only for claims with `right`. */
  right?: readonly number[] | undefined;
}

/** Whether the claim puts the effect above its boundary (greater, at-least) or below it. */
export const claimsAbove = (kind: ClaimKind): boolean => kind === 'greater' || kind === 'at-least';

/** The boundary of a claim of `kind` with margin m (0, never −0, when m is 0). */
export const boundaryOf = (kind: ClaimKind, margin: number): number => (margin === 0 ? 0 : MARGIN_SHIFT[kind] * margin);

/** `0`, `+0.05`, `−0.02`. */
export const boundaryText = (b: number): string => (b === 0 ? '0' : `${b > 0 ? '+' : '−'}${Math.abs(b)}`);

/** The fewest seeds whose smallest sign-flip p, 2^-n, is ≤ alpha. */
export function seedsToReach(alpha: number): number {
  let n = 1;
  while (2 ** -n > alpha) n++;
  return n;
}

/** What the verdict is read from. */
export interface Evidence {
  /** The effect's interval; ±Infinity where unbounded. */
  low: number;
  high: number;
  /** One-sided sign-flip p of the effect beyond the boundary toward the claimed side, and toward the other. */
  p: number;
  pOther: number;
  n: number;
  /** Every seed's difference lies beyond the boundary on the claimed side (the permutation test's "interval" when it cannot have one). */
  allBeyond: boolean;
  /** A p-value as reasons write it: `1/32` when exact. */
  show: (p: number) => string;
}

export interface Decision {
  verdict: Verdict;
  reason: string;
  indicative: boolean;
}

/** The verdict of a claim of `kind` with margin `margin`, tested at `alpha` (rules at the top of this file). */
export function verdictOf(kind: ClaimKind, margin: number, alpha: number, e: Evidence): Decision {
  const above = claimsAbove(kind);
  const b = boundaryOf(kind, margin);
  const at = boundaryText(b);
  const [claimed, other] = above ? ['above', 'below'] : ['below', 'above'];
  const onClaimed = above ? e.low > b : e.high < b;
  const onOther = above ? e.high < b : e.low > b;
  const decided = (verdict: Verdict, reason: string, indicative = false): Decision => ({ verdict, reason, indicative });

  if (onClaimed && e.p <= alpha) return decided('SUPPORTED', `the interval lies entirely ${claimed} ${at} and p = ${e.show(e.p)} ≤ ${alpha}`);
  if (onOther && e.pOther <= alpha) {
    const why =
      margin === 0
        ? ''
        : kind === 'greater' || kind === 'less'
          ? `: the effect, if any, is smaller than the smallest of interest (margin ${margin})`
          : `: beyond what the claim allows by more than its margin (${margin})`;
    return decided('NOT SUPPORTED', `the interval lies entirely ${other} ${at}${why}`);
  }
  const unbounded = !Number.isFinite(e.low) && !Number.isFinite(e.high);
  if (2 ** -e.n > alpha) {
    const need = seedsToReach(alpha);
    const cannot = `${e.n} seed${e.n === 1 ? '' : 's'} cannot reach p ≤ ${alpha} (smallest p 1/${2 ** e.n}); run ${need}+ seeds`;
    if (onClaimed || (unbounded && e.allBeyond)) return decided('INCONCLUSIVE', `INDICATIVE — ${cannot}`, true);
    if (onOther) return decided('INCONCLUSIVE', `the interval lies entirely ${other} ${at}, but ${cannot}`);
    return decided('INCONCLUSIVE', unbounded ? cannot : `the interval reaches both sides of ${at}, and ${cannot}`);
  }
  if (onClaimed) return decided('INCONCLUSIVE', `the interval lies entirely ${claimed} ${at}, but the exact sign-flip test does not reject: p = ${e.show(e.p)} > ${alpha}`);
  if (onOther) return decided('INCONCLUSIVE', `the interval lies entirely ${other} ${at}, but the opposite sign-flip test does not reject: p = ${e.show(e.pOther)} > ${alpha}`);
  if (unbounded) return decided('INCONCLUSIVE', `too few of the sampled sign patterns fall beyond alpha = ${alpha} for an interval; raise resamples`);
  return decided('INCONCLUSIVE', `the interval reaches both sides of ${at}`);
}

const pct = (alpha: number) => `${+(100 * (1 - alpha)).toFixed(4)} %`;

const MARGIN_FROM: Record<ClaimSettings['marginFrom'], string> = {
  claim: "the claim's own",
  file: "the file's claimDefaults.margins",
  metric: "the metric's default",
  value: 'at-least / at-most against a value: the value is the bound',
};

/** The test in words, exactly as run, for summary.json. */
export function describeTest(claim: Claim, settings: ClaimSettings, n: number, nul: SignFlipNull | undefined): string {
  const { test, alpha, resamples, margin, marginFrom } = settings;
  const scaled = (o: { scale?: number | undefined }, name: string) => (o.scale === undefined ? name : `${o.scale}·${name}`);
  const left = scaled(claim.left, 'left_i');
  const d = claim.right ? `d_i = ${left} − ${scaled(claim.right, 'right_i')} for seed i (paired)` : `d_i = ${left} − ${claim.value} for seed i`;
  const above = claimsAbove(claim.kind);
  const at = boundaryText(boundaryOf(claim.kind, margin));
  const [claimed, other] = above ? ['above', 'below'] : ['below', 'above'];
  const patterns = nul?.exact === false ? `${resamples} random sign patterns (plus the observed one)` : `all 2^${n} sign patterns (exact)`;
  const interval =
    test === 'paired-bootstrap'
      ? `${pct(alpha)} interval = the percentiles sorted[⌊R·α/2⌋] and sorted[⌈R·(1−α/2)⌉−1] of mean d over R = ${resamples} resamples of the ${n} seeds with replacement (seeded stream claims/${claim.id} of the run's root seed)`
      : `${pct(2 * alpha)} interval = the shifts δ that neither one-sided sign-flip test of mean(d − δ) rejects at α = ${alpha} (each side a one-sided test at α, as the claim is directional), over ${patterns}`;
  return [
    `${test}: ${d}; effect = mean d; margin ${margin} (${MARGIN_FROM[marginFrom]}), so the claim is effect ${above ? '>' : '<'} ${at}`,
    interval,
    `p = one-sided sign-flip permutation p-value of mean(d − (${at})) ${above ? '> 0' : '< 0'}, over ${patterns}`,
    `SUPPORTED if the interval lies entirely ${claimed} ${at} and p ≤ ${alpha}; NOT SUPPORTED if it lies entirely ${other} ${at} and the opposite one-sided p ≤ ${alpha}; else INCONCLUSIVE (indicative when the interval lies ${claimed} ${at} but n seeds cannot reach p ≤ ${alpha}: 2^-n > ${alpha})`,
  ].join('; ');
}

const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

/** `1/32` for an exact sign-flip p, else 3 significant digits. */
const pShower = (nul: SignFlipNull) => (p: number) => (nul.exact ? `${Math.round(p * nul.total)}/${nul.total}` : p.toPrecision(3));

/**
 * Evaluates one claim. `margins` is the world's default margin per metric. A claim alone is a
 * family of one: pHolm = pValue here; evaluateRunClaims adjusts it over the file's claims.
 */
export function evaluateClaim(claim: Claim, defaults: ClaimDefaults, data: ClaimData, rng: RandomStream, margins: MarginTable = {}): ClaimResult {
  const settings = claimSettings(claim, defaults, margins);
  const { test, alpha, resamples, margin } = settings;
  type Fields = Pick<ClaimResult, 'differences' | 'n' | 'effect' | 'interval' | 'pValue' | 'verdict' | 'indicative' | 'reason' | 'test'>;
  const result = ({ differences, n, effect, interval, pValue, verdict, indicative, reason, test: description }: Fields): ClaimResult => ({
    id: claim.id,
    text: claim.text,
    kind: claim.kind,
    left: claim.left,
    right: claim.right ?? null,
    value: claim.value ?? null,
    differences,
    n,
    effect,
    margin,
    interval,
    pValue,
    pHolm: pValue,
    verdict,
    survivesHolm: verdict === 'SUPPORTED' && pValue !== null && pValue <= alpha,
    indicative,
    reason,
    method: test,
    alpha,
    resamples,
    test: description,
  });
  const level = test === 'permutation' ? 1 - 2 * alpha : 1 - alpha;
  const untested = (reason: string, differences: (number | null)[] = [], n = 0, effect: number | null = null) =>
    result({ differences, n, effect, interval: { low: null, high: null, level }, pValue: null, verdict: 'INCONCLUSIVE', indicative: false, reason, test: describeTest(claim, settings, n, undefined) });

  const missing = data.left === undefined ? claim.left.arm : claim.right && data.right === undefined ? claim.right.arm : undefined;
  if (missing !== undefined) return untested(`the summary has no per-seed values of "${missing}", so the claim was not tested`);
  const left = data.left!;
  const right = data.right;
  if (right && right.length !== left.length) return untested(`"${claim.left.arm}" has ${left.length} seeds and "${claim.right!.arm}" ${right.length}; they must be paired seed by seed`);
  const d = left.map((x, i) => x - (right ? right[i]! : claim.value!));
  const n = d.length;
  const differences = d.map(finiteOrNull);
  if (n === 0) return untested('no seeds');
  if (d.some((x) => !Number.isFinite(x))) return untested('a per-seed value is missing (NaN or null), so the claim was not tested', differences, n);
  const effect = d.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return untested('only 1 seed, so there is no interval over seeds; run with --seeds 2 or more (5 or more for a useful interval)', differences, n, effect);

  const nul = signFlipNull(d, resamples, rng.child('sign-flip'));
  const above = claimsAbove(claim.kind);
  const b = boundaryOf(claim.kind, margin);
  const [pValue, pOther] = above ? [pAbove(nul, b), pBelow(nul, b)] : [pBelow(nul, b), pAbove(nul, b)];
  const { low, high } = test === 'paired-bootstrap' ? bootstrapInterval(d, alpha, resamples, rng.child('bootstrap')) : signFlipInterval(nul, alpha);
  const allBeyond = d.every((x) => (above ? x > b : x < b));
  const { verdict, reason, indicative } = verdictOf(claim.kind, margin, alpha, { low, high, p: pValue, pOther, n, allBeyond, show: pShower(nul) });
  return result({ differences, n, effect, interval: { low: finiteOrNull(low), high: finiteOrNull(high), level }, pValue, verdict, indicative, reason, test: describeTest(claim, settings, n, nul) });
}
