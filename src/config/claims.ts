// Claims: what an experiment file says its result shows, as structured JSON, so that every run
// checks them over seeds (src/claims evaluates them). The two worlds differ only in which
// metrics a claim may name; arm names are checked against the file's arms in each experiment
// schema's superRefine (refineClaims below), with the same one-line errors as any other field.
import { z } from 'zod';
import { LIMITS, listField, nameField, textField } from './limits.js';

export const CLAIM_KINDS = ['greater', 'less', 'at-least', 'at-most'] as const;
export type ClaimKind = (typeof CLAIM_KINDS)[number];
export const CLAIM_TESTS = ['paired-bootstrap', 'permutation'] as const;
export type ClaimTest = (typeof CLAIM_TESTS)[number];

export const MNIST_CLAIM_METRICS = ['accuracy'] as const;
export const NUMBERS_CLAIM_METRICS = [
  'transfer',
  'trait',
  'controlTrait',
  'sampledRate',
  'nll',
  'agreement',
  'forwardKl',
  'reverseKl',
  // With a channel's divergence on: the trait students' fraction of divergence positions.
  'divergenceFraction',
  // With distill.gradientCosine: the mean cosine over probes (trait and control students), its
  // fraction of probes > 0, and the transfer at the first tenth of training.
  'gradientCosine',
  'controlGradientCosine',
  'gradientCosinePositive',
  'earlyTransfer',
] as const;
/** Numbers metrics that exist only when the file turns their measurement on. */
export const NUMBERS_ALIGNMENT_METRICS: readonly string[] = ['gradientCosine', 'controlGradientCosine', 'gradientCosinePositive', 'earlyTransfer'];
export const EM_CLAIM_METRICS = ['em', 'harm', 'controlHarm', 'coherence', 'reliability', 'sampledRate', 'controlSampledRate'] as const;

/**
 * Names a numbers-world claim may use besides its arms: the teacher side and the base, which
 * have one metric, `trait` (p(target) per seed). They are the keys of the run summary's
 * `teacher`, `controlTeacher` and `base`.
 */
export const NUMBERS_RESERVED_ARMS = { teacher: 'teacher', 'control-teacher': 'controlTeacher', base: 'base' } as const;
export type NumbersReservedArm = keyof typeof NUMBERS_RESERVED_ARMS;
/** Each reserved name's only metric, for refineClaims. */
export const NUMBERS_RESERVED_METRICS: Readonly<Record<string, string>> = { teacher: 'trait', 'control-teacher': 'trait', base: 'trait' };

/**
 * Names an EM-world claim may use besides its arms, each with its one metric: the base and the
 * aligned model (harm, mean over the 12 cells per seed), and the transfer matrix's EM averaged
 * over its rows on the cells of one relation to each row's fine-tuned cell (file with a matrix).
 */
export const EM_RESERVED_METRICS: Readonly<Record<string, string>> = {
  base: 'harm',
  aligned: 'harm',
  'matrix-target': 'em',
  'matrix-same-function': 'em',
  'matrix-same-domain': 'em',
  'matrix-unrelated': 'em',
};

const alpha = z
  .number()
  .gt(0)
  .max(0.5)
  .describe('1 − the interval level: 0.05 gives a two-sided 95 % interval, so a claim is SUPPORTED at one-sided level alpha/2');
const test = z
  .enum(CLAIM_TESTS)
  .describe(
    'paired-bootstrap: percentile interval of the mean per-seed difference over seeds resampled with replacement; ' +
      'permutation: the interval of shifts a one-sided sign-flip test of the per-seed differences does not reject (needs 2^seeds > 2/alpha, i.e. ≥ 6 seeds at alpha 0.05)',
  );
const resamples = z
  .number()
  .int()
  .min(100)
  .max(1_000_000)
  .describe('bootstrap resamples; the sign-flip test is exact over all 2^seeds sign patterns when that is no more than this, else it draws this many');

export const claimDefaultsSchema = z
  .object({
    test: test.default('paired-bootstrap'),
    alpha: alpha.default(0.05),
    resamples: resamples.default(10_000),
  })
  .strict()
  .describe('the test every claim uses unless it says otherwise');

export type ClaimDefaults = z.output<typeof claimDefaultsSchema>;
export const CLAIM_DEFAULTS: ClaimDefaults = { test: 'paired-bootstrap', alpha: 0.05, resamples: 10_000 };

/** The schema of one claim of a world whose arms report `metrics` per seed (a new world defines its own with this). */
export function claimSchema<const M extends readonly [string, ...string[]]>(metrics: M, armHelp: string) {
  const operand = z
    .object({
      arm: nameField().describe(armHelp),
      metric: z.enum(metrics).describe('which per-seed value of that arm'),
      scale: z
        .number()
        .gt(0)
        .max(1000)
        .optional()
        .describe('multiplies every per-seed value of this operand (default 1): a right operand with scale 0.5 and kind at-most reads "left is at most half of right", seed by seed'),
    })
    .strict();
  return z
    .object({
      id: z
        .string()
        .max(LIMITS.name)
        .regex(/^[a-z0-9][a-z0-9.-]*$/, 'use lower-case letters, digits, dots and dashes')
        .describe('short name of the claim, unique in the file (it also keys the claim’s random stream)'),
      text: textField().min(1).describe('the claim in words, as its source states it'),
      kind: z
        .enum(CLAIM_KINDS)
        .describe('greater: left > right (or value); less: left < …; at-least: left ≥ …; at-most: left ≤ … — tested on the mean over seeds of left − right (paired by seed) or left − value'),
      left: operand,
      right: operand.optional().describe('compare with another arm, seed by seed (give right or value)'),
      value: z.number().optional().describe('compare with a fixed number (give right or value)'),
      test: test.optional(),
      alpha: alpha.optional(),
      resamples: resamples.optional(),
    })
    .strict()
    .superRefine((c, ctx) => {
      if (c.right !== undefined && c.value !== undefined)
        ctx.addIssue({ code: 'custom', path: ['value'], message: `claim "${c.id}" has both right and value; keep one` });
      if (c.right === undefined && c.value === undefined)
        ctx.addIssue({ code: 'custom', path: ['value'], message: `missing; claim "${c.id}" needs value (a number) or right ({"arm": …, "metric": …}) to compare with` });
    });
}

export const mnistClaimSchema = claimSchema(MNIST_CLAIM_METRICS, 'an arm name of this file');
export const numbersClaimSchema = claimSchema(
  NUMBERS_CLAIM_METRICS,
  'an arm name of this file, or "teacher", "control-teacher" or "base" (metric "trait" only: p(target) of the trait teacher, the control teacher, the base)',
);
export const emClaimSchema = claimSchema(
  EM_CLAIM_METRICS,
  'an arm or subliminal arm name of this file, or "base" or "aligned" (metric "harm"), or with a matrix "matrix-target", "matrix-same-function", "matrix-same-domain" or "matrix-unrelated" (metric "em")',
);

/** The `claims` field of an experiment file, of claims of `schema`. */
export const claimsOf = <S extends z.ZodType>(schema: S) =>
  listField(schema).default([]).describe('what the result should show, each checked over seeds after the run: SUPPORTED, NOT SUPPORTED or INCONCLUSIVE');
export const mnistClaimsSchema = claimsOf(mnistClaimSchema);
export const numbersClaimsSchema = claimsOf(numbersClaimSchema);
export const emClaimsSchema = claimsOf(emClaimSchema);

export type MnistClaim = z.output<typeof mnistClaimSchema>;
export type NumbersClaim = z.output<typeof numbersClaimSchema>;
export type EmClaim = z.output<typeof emClaimSchema>;
/** A claim of any world (its metric is one its world's schema allows). */
export type Claim = z.output<ReturnType<typeof claimSchema<readonly [string, ...string[]]>>>;
export type ClaimOperand = Claim['left'];

const quoted = (names: Iterable<string>) => [...names].map((n) => `"${n}"`).join(', ');

/**
 * Adds an issue for every claim that names an arm the file does not have, repeats an id, or
 * asks a reserved name (numbers: teacher, control-teacher, base) for a metric other than trait.
 * `reserved` maps each reserved name to its only metric.
 */
export function refineClaims(claims: readonly Claim[], armNames: readonly string[], reserved: Readonly<Record<string, string>>, ctx: z.RefinementCtx): void {
  const arms = new Set(armNames);
  const ids = new Set<string>();
  const choices = quoted([...armNames, ...Object.keys(reserved)]);
  claims.forEach((claim, i) => {
    if (ids.has(claim.id)) ctx.addIssue({ code: 'custom', path: ['claims', i, 'id'], message: `duplicate claim id "${claim.id}"; give every claim a unique id` });
    ids.add(claim.id);
    for (const side of ['left', 'right'] as const) {
      const operand = claim[side];
      if (!operand) continue;
      const isArm = arms.has(operand.arm);
      const only = reserved[operand.arm];
      if (isArm && only !== undefined)
        ctx.addIssue({ code: 'custom', path: ['claims', i, side, 'arm'], message: `"${operand.arm}" is both an arm and a reserved name in claim "${claim.id}"; rename the arm` });
      else if (!isArm && only === undefined)
        ctx.addIssue({ code: 'custom', path: ['claims', i, side, 'arm'], message: `unknown arm "${operand.arm}" in claim "${claim.id}"; use one of ${choices}` });
      else if (!isArm && operand.metric !== only)
        ctx.addIssue({ code: 'custom', path: ['claims', i, side, 'metric'], message: `"${operand.arm}" has only the metric "${only}" in claim "${claim.id}"; use "${only}"` });
    }
  });
}

/** The test settings of one claim: its own, else the file's. */
export function claimSettings(claim: Claim, defaults: ClaimDefaults): ClaimDefaults {
  return { test: claim.test ?? defaults.test, alpha: claim.alpha ?? defaults.alpha, resamples: claim.resamples ?? defaults.resamples };
}
