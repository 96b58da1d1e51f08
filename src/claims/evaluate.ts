// One claim over seeds: the per-seed differences d (left − right, paired by seed, or
// left − value), their mean (the effect), an interval by the claim's test, the one-sided
// sign-flip p-value, and the verdict read from where the interval lies. An interval that
// reaches both sides is INCONCLUSIVE: never rounded to either verdict.
//   paired-bootstrap: the two-sided (1 − alpha) percentile interval.
//   permutation: claims are directional, so each side is a one-sided sign-flip test at alpha:
//     the interval is the (1 − 2·alpha) inversion, and it lies on the claimed side exactly when
//     the one-sided test of the claim rejects at alpha (5 seeds can: the smallest p is 1/32).
import { claimSettings, type Claim, type ClaimDefaults, type ClaimKind } from '../config/claims.js';
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

/** Which side of 0 the claim puts the effect on, and whether 0 itself counts as that side. */
const CLAIMED: Record<ClaimKind, { above: boolean; inclusive: boolean }> = {
  greater: { above: true, inclusive: false },
  'at-least': { above: true, inclusive: true },
  less: { above: false, inclusive: false },
  'at-most': { above: false, inclusive: true },
};

const side = (above: boolean, inclusive: boolean) => `${inclusive ? 'at or ' : ''}${above ? 'above' : 'below'} 0`;

/** The verdict of an interval for a claim of `kind`: SUPPORTED only if all of it is on the claimed side. */
export function verdictOf(kind: ClaimKind, low: number, high: number): { verdict: Verdict; reason: string } {
  const { above, inclusive } = CLAIMED[kind];
  const onClaimed = above ? (inclusive ? low >= 0 : low > 0) : inclusive ? high <= 0 : high < 0;
  // The other side takes 0 exactly when the claim does not (greater is refuted by an effect of 0).
  const onOther = above ? (inclusive ? high < 0 : high <= 0) : inclusive ? low > 0 : low >= 0;
  if (onClaimed) return { verdict: 'SUPPORTED', reason: `the interval lies entirely ${side(above, inclusive)}` };
  if (onOther) return { verdict: 'NOT SUPPORTED', reason: `the interval lies entirely ${side(!above, !inclusive)}` };
  return { verdict: 'INCONCLUSIVE', reason: 'the interval is not entirely on either side of 0' };
}

const pct = (alpha: number) => `${+(100 * (1 - alpha)).toFixed(4)} %`;

/** The test in words, exactly as run, for summary.json. */
export function describeTest(claim: Claim, settings: ClaimDefaults, n: number, nul: SignFlipNull | undefined): string {
  const { test, alpha, resamples } = settings;
  const scaled = (o: { scale?: number | undefined }, name: string) => (o.scale === undefined ? name : `${o.scale}·${name}`);
  const left = scaled(claim.left, 'left_i');
  const d = claim.right ? `d_i = ${left} − ${scaled(claim.right, 'right_i')} for seed i (paired)` : `d_i = ${left} − ${claim.value} for seed i`;
  const { above, inclusive } = CLAIMED[claim.kind];
  const patterns = nul?.exact === false ? `${resamples} random sign patterns (plus the observed one)` : `all 2^${n} sign patterns (exact)`;
  const interval =
    test === 'paired-bootstrap'
      ? `${pct(alpha)} interval = the percentiles sorted[⌊R·α/2⌋] and sorted[⌈R·(1−α/2)⌉−1] of mean d over R = ${resamples} resamples of the ${n} seeds with replacement (seeded stream claims/${claim.id} of the run's root seed)`
      : `${pct(2 * alpha)} interval = the shifts δ that neither one-sided sign-flip test of mean(d − δ) rejects at α = ${alpha} (each side a one-sided test at α, as the claim is directional), over ${patterns}`;
  return [
    `${test}: ${d}; effect = mean d`,
    interval,
    `SUPPORTED if the interval lies entirely ${side(above, inclusive)}, NOT SUPPORTED if entirely ${side(!above, !inclusive)}, else INCONCLUSIVE`,
    `p = one-sided sign-flip permutation p-value of mean d ${above ? '> 0' : '< 0'}, over ${patterns}`,
  ].join('; ');
}

const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

export function evaluateClaim(claim: Claim, defaults: ClaimDefaults, data: ClaimData, rng: RandomStream): ClaimResult {
  const settings = claimSettings(claim, defaults);
  const { test, alpha, resamples } = settings;
  const result = ({ test: description, ...fields }: Pick<ClaimResult, 'differences' | 'n' | 'effect' | 'interval' | 'pValue' | 'verdict' | 'reason' | 'test'>): ClaimResult => ({
    id: claim.id,
    text: claim.text,
    kind: claim.kind,
    left: claim.left,
    right: claim.right ?? null,
    value: claim.value ?? null,
    ...fields,
    method: test,
    alpha,
    resamples,
    test: description,
  });
  const level = test === 'permutation' ? 1 - 2 * alpha : 1 - alpha;
  const untested = (reason: string, differences: (number | null)[] = [], n = 0, effect: number | null = null) =>
    result({ differences, n, effect, interval: { low: null, high: null, level }, pValue: null, verdict: 'INCONCLUSIVE', reason, test: describeTest(claim, settings, n, undefined) });

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
  const pValue = CLAIMED[claim.kind].above ? pAbove(nul) : pBelow(nul);
  const { low, high } = test === 'paired-bootstrap' ? bootstrapInterval(d, alpha, resamples, rng.child('bootstrap')) : signFlipInterval(nul, 2 * alpha);
  let { verdict, reason } = verdictOf(claim.kind, low, high);
  if (!Number.isFinite(low) && !Number.isFinite(high)) {
    // Too few sign patterns for any of them to fall beyond alpha.
    const need = Math.floor(Math.log2(1 / alpha)) + 1;
    reason = `with ${n} seeds the one-sided sign-flip test cannot reject at alpha = ${alpha} (its smallest p-value is 1/2^${n}); use ${need} or more seeds, or the paired-bootstrap test`;
  }
  return result({ differences, n, effect, interval: { low: finiteOrNull(low), high: finiteOrNull(high), level }, pValue, verdict, reason, test: describeTest(claim, settings, n, nul) });
}
