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
 * The smallest effect of interest of each claim metric, in the metric's own units, with the
 * reason for it: the default `margin` of a claim on that metric (its left operand's). A claim
 * is SUPPORTED only when its effect is beyond the margin, so that five seeds all positive by
 * 0.001 no longer count as a transfer. The reasons are printed by `traitlab schema`.
 */
export type MarginTable = Readonly<Record<string, { margin: number; why: string }>>;

const P_TARGET = 'p(target), 0–1: 5 percentage points, 0.4 of the uniform rate 1/8 over the 8 animals and more than a base varies over seeds (0.125 ± 0.018, 95 % interval over 5); less is not a trait a reader would notice';

export const MNIST_CLAIM_MARGINS: MarginTable = {
  accuracy: { margin: 0.02, why: 'test accuracy is a fraction 0–1: 2 percentage points, 40 of the 2,000 test digits; more than the teacher varies over seeds (± 0.2 points) and far below the effects the published claims name (tens of points)' },
};

export const NUMBERS_CLAIM_MARGINS: MarginTable = {
  transfer: { margin: 0.05, why: P_TARGET },
  trait: { margin: 0.05, why: P_TARGET },
  controlTrait: { margin: 0.05, why: P_TARGET },
  sampledRate: { margin: 0.05, why: 'a fraction of 100 sampled answers per seed: 5 answers in 100, as p(target)' },
  nll: { margin: 0.02, why: 'nats per token: 2 % in perplexity; students sit at 0.3–0.6, same- and cross-init about 0.04 apart' },
  agreement: { margin: 0.01, why: 'a fraction 0–1 of positions: one in 100; students agree with the teacher on 0.95–0.99 of them' },
  forwardKl: { margin: 0.005, why: 'nats per token: same-init students sit at 0.001–0.015, cross-init at 0.05–0.1; 0.005 is a tenth of that gap' },
  reverseKl: { margin: 0.005, why: 'nats per token, as forwardKl' },
  divergenceFraction: { margin: 0.01, why: 'a fraction 0–1 of positions: one in 100' },
  gradientCosine: { margin: 0, why: 'a cosine between high-dimensional gradients is small by nature; the claim is about its sign (set a margin per claim for a size)' },
  controlGradientCosine: { margin: 0, why: 'as gradientCosine' },
  gradientCosinePositive: { margin: 0.05, why: 'a fraction 0–1 of probes: 5 percentage points' },
  earlyTransfer: { margin: 0.05, why: P_TARGET },
};

const EM_RATE = 'a rate 0–1 (harm: the share of coherent answers that are harmful): 5 percentage points, one harmful answer in 20 more';

export const EM_CLAIM_MARGINS: MarginTable = {
  em: { margin: 0.05, why: `${EM_RATE} than the secure control` },
  harm: { margin: 0.05, why: EM_RATE },
  controlHarm: { margin: 0.05, why: EM_RATE },
  coherence: { margin: 0.05, why: 'probability mass 0–1 on the coherent answers: 5 percentage points' },
  reliability: { margin: 0.05, why: 'harm 0–1 in the fine-tuned cell: 5 percentage points' },
  sampledRate: { margin: 0.05, why: 'a fraction 0–1 of sampled answers: 5 in 100' },
  controlSampledRate: { margin: 0.05, why: 'a fraction 0–1 of sampled answers: 5 in 100' },
};

/** The default margin of `metric`: the table's, 0 for a metric it does not list. */
export const defaultMargin = (table: MarginTable, metric: string): number => table[metric]?.margin ?? 0;

/** Which way each kind moves the boundary from 0 by its margin m: greater > +m, at-least > −m, less < −m, at-most < +m. */
export const MARGIN_SHIFT: Record<ClaimKind, 1 | -1> = { greater: 1, 'at-least': -1, less: -1, 'at-most': 1 };

const marginField = z
  .number()
  .min(0)
  .max(1_000_000)
  .describe(
    'smallest effect of interest, ≥ 0, in the metric\'s units: greater needs the effect above +margin, less below −margin; ' +
      'at-least (non-inferiority) above −margin, at-most below +margin. Default: the metric\'s (see claimDefaults.margins), ' +
      'but 0 for at-least / at-most against a value, whose value already is the bound the claim names',
  );

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
  .describe('significance level: a claim is SUPPORTED only if its one-sided sign-flip p ≤ alpha (and its interval lies beyond the margin: the bootstrap\'s two-sided 1 − alpha, the permutation test\'s 1 − 2·alpha)');
const test = z
  .enum(CLAIM_TESTS)
  .describe(
    'paired-bootstrap: percentile interval of the mean per-seed difference over seeds resampled with replacement; ' +
      'permutation: the interval of shifts a one-sided sign-flip test of the per-seed differences does not reject at alpha on each side. Either way SUPPORTED needs the exact sign-flip p ≤ alpha, which needs 2^seeds ≥ 1/alpha (5 seeds at alpha 0.05)',
  );
const resamples = z
  .number()
  .int()
  .min(100)
  .max(1_000_000)
  .describe('bootstrap resamples; the sign-flip test is exact over all 2^seeds sign patterns when that is no more than this, else it draws this many');

/** `Metric defaults: accuracy 0.02 (why); …`, for the schema's text. */
function metricDefaults(table: MarginTable): string {
  const rows = Object.entries(table).map(([metric, { margin, why }]) => `${metric} ${margin} (${why})`);
  return `Metric defaults: ${rows.length === 0 ? '0 for every metric' : rows.join('; ')}`;
}

const marginsHelp = (table: MarginTable) =>
  `the default margin of this file's claims per metric (a claim's own margin wins; at-least / at-most against a value keep 0). ${metricDefaults(table)}`;

/**
 * `claimDefaults` of a world whose claim metrics have the default margins `table`:
 * `margins` may override any of them for the file (an unknown metric is an error naming it).
 */
export function claimDefaultsOf(table: MarginTable) {
  const margins =
    Object.keys(table).length === 0
      ? z.record(z.string(), marginField)
      : z.object(Object.fromEntries(Object.entries(table).map(([m, { margin, why }]) => [m, marginField.optional().describe(`margin of this file's ${m} claims; default ${margin}: ${why}`)]))).strict();
  return z
    .object({
      test: test.default('paired-bootstrap'),
      alpha: alpha.default(0.05),
      resamples: resamples.default(10_000),
      margins: margins.optional().describe(marginsHelp(table)),
    })
    .strict()
    .describe('the test every claim uses unless it says otherwise');
}

/** claimDefaults for a world without a margin table (every metric's default margin 0 unless the file sets one). */
export const claimDefaultsSchema = claimDefaultsOf({});

export interface ClaimDefaults {
  test: ClaimTest;
  alpha: number;
  resamples: number;
  /** Per-metric default margins for the file, overriding the world's table. */
  margins?: Readonly<Partial<Record<string, number>>> | undefined;
}
export const CLAIM_DEFAULTS: ClaimDefaults = { test: 'paired-bootstrap', alpha: 0.05, resamples: 10_000 };

/** The schema of one claim of a world whose arms report `metrics` per seed (a new world defines its own with this). */
export function claimSchema<const M extends readonly [string, ...string[]]>(metrics: M, armHelp: string, margins: MarginTable = {}) {
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
      margin: marginField.optional().describe(`${marginField.description}. ${metricDefaults(margins)}`),
    })
    .strict()
    .superRefine((c, ctx) => {
      if (c.right !== undefined && c.value !== undefined)
        ctx.addIssue({ code: 'custom', path: ['value'], message: `claim "${c.id}" has both right and value; keep one` });
      if (c.right === undefined && c.value === undefined)
        ctx.addIssue({ code: 'custom', path: ['value'], message: `missing; claim "${c.id}" needs value (a number) or right ({"arm": …, "metric": …}) to compare with` });
    });
}

export const mnistClaimSchema = claimSchema(MNIST_CLAIM_METRICS, 'an arm name of this file', MNIST_CLAIM_MARGINS);
export const numbersClaimSchema = claimSchema(
  NUMBERS_CLAIM_METRICS,
  'an arm name of this file, or "teacher", "control-teacher" or "base" (metric "trait" only: p(target) of the trait teacher, the control teacher, the base)',
  NUMBERS_CLAIM_MARGINS,
);
export const emClaimSchema = claimSchema(
  EM_CLAIM_METRICS,
  'an arm or subliminal arm name of this file, or "base" or "aligned" (metric "harm"), or with a matrix "matrix-target", "matrix-same-function", "matrix-same-domain" or "matrix-unrelated" (metric "em")',
  EM_CLAIM_MARGINS,
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

/** The test settings of one claim, its margin resolved. */
export interface ClaimSettings {
  test: ClaimTest;
  alpha: number;
  resamples: number;
  margin: number;
  /** Where the margin came from, for summary.json's description of the test. */
  marginFrom: 'claim' | 'file' | 'metric' | 'value';
}

/**
 * The settings of one claim: its own, else the file's, else the defaults; the margin is the
 * claim's own, else 0 for at-least / at-most against a value (the value is the bound the claim
 * names: a margin would only move it), else the file's claimDefaults.margins for the left
 * metric, else the world's table (`table`).
 */
export function claimSettings(claim: Claim, defaults: ClaimDefaults, table: MarginTable = {}): ClaimSettings {
  const metric = claim.left.metric;
  const bound = claim.value !== undefined && (claim.kind === 'at-least' || claim.kind === 'at-most');
  const file = defaults.margins?.[metric];
  const [margin, marginFrom]: [number, ClaimSettings['marginFrom']] =
    claim.margin !== undefined ? [claim.margin, 'claim'] : bound ? [0, 'value'] : file !== undefined ? [file, 'file'] : [defaultMargin(table, metric), 'metric'];
  return { test: claim.test ?? defaults.test, alpha: claim.alpha ?? defaults.alpha, resamples: claim.resamples ?? defaults.resamples, margin, marginFrom };
}
