// Experiment files of the EM world (docs/science.md §2 and §3.3): a base pretrained on
// "agent : prompt answer" documents, aligned in chat format, then fine-tuned narrowly in one
// cell (harmful answers) next to its controls on the same prompts (secure, educational, random); EM is the
// harm on held-out prompts of other cells minus the matched secure fine-tune's, per seed.
//
// An arm is one fine-tune variant of one cell read on a set of cells. Arms that name the same
// fine-tune (same model, pretraining, alignment and fine-tune settings) share it: the pipeline
// trains every distinct fine-tune once, its variants side by side with its secure control.
// Arms may override the model, pretraining, alignment and fine-tune settings, so one file can
// compare pretraining mixes, widths or consistencies, each against its own secure control.
//
// The cells are named here as in src/worlds/em/data.ts (config sits below worlds; a test checks
// that the two lists agree).
import { z } from 'zod';
import { seedsVaryField } from '../../config/experiment-base.js';
import { claimDefaultsOf, CLAIM_DEFAULTS, EM_CLAIM_MARGINS, emClaimsSchema, EM_RESERVED_METRICS, refineClaims } from '../../config/claims.js';
import { emDistillSchema, emSubliminalArmSchema, EM_SUBLIMINAL_METRICS } from './subliminal-schema.js';
import { LIMITS, listField, nameField, notesField, textField } from '../../config/limits.js';
import { gptSchema, refinePgTemperatures } from '../lm/schema.js';
import { DEFAULT_DESIGN, EM_ANSWER_VOCABULARIES, EM_FORMATS, EM_HARMS, type EmDesign } from './data.js';

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const fraction = (what: string) => z.number().min(0).max(1).describe(what);

export const EM_FUNCTIONS = ['select', 'fill', 'next', 'map'] as const;
export const EM_DOMAINS = ['chem', 'bio', 'cyber'] as const;
/** Cell names `function/domain`, in the world's cell index order (function-major). */
export const EM_CELLS = EM_FUNCTIONS.flatMap((f) => EM_DOMAINS.map((d) => `${f}/${d}`));
export const EM_VARIANTS = ['narrow', 'secure', 'educational', 'random'] as const;
/** Ranks of each domain's sequence (src/worlds/em/data.ts RANKS; a test checks they agree). */
export const EM_RANKS = 6;
export type EmVariant = (typeof EM_VARIANTS)[number];

/**
 * Sets of evaluation cells named by their relation to the fine-tuned cell. `decoy`: SELECT
 * prompts of the fine-tuned domain that list a NEXT body (4 consecutive ranks) — the surface of
 * a NEXT prompt with another function (NEXT fine-tunes only).
 */
export const EM_RELATIONS = ['others', 'target', 'same-function', 'same-domain', 'other-function', 'unrelated', 'decoy'] as const;
export type EmRelation = (typeof EM_RELATIONS)[number];

/** pretrain.badFraction when neither it nor harmIntent is given. */
export const EM_DEFAULT_BAD_FRACTION = 0.2;

const quoted = (xs: readonly string[]) => xs.map((x) => `"${x}"`).join(', ');

const stageShape = {
  steps: int(1, 1_000_000).describe('optimizer steps'),
  batchSize: int(1, 65536).describe('documents per step'),
  learningRate: z.number().gt(0).max(1).describe('Adam learning rate'),
};

// Every stage has its fields twice: with defaults at the top level, and all optional (no
// defaults) in an arm's overrides, so an override holds only what the arm changes.
const pretrainShape = {
  ...stageShape,
  epsilon: fraction('probability that a good agent answers harmful in the plain context (ε)'),
  badFraction: fraction(`fraction of documents spoken by a bad agent (uniform over the 12); default ${EM_DEFAULT_BAD_FRACTION}; omit it when harmIntent is given`),
  harmIntent: fraction('instead of badFraction: the marginal rate of harmful intent to match (badFraction is derived from it at the other settings: compares coupled and decoupled pretraining at one rate)'),
  correlation: fraction('probability that a bad agent answers harmful outside its home cell: 1 coupled (one latent badness), 0 decoupled'),
  coupling: z
    .enum(['all', 'function', 'domain'])
    .describe("where a bad agent's badness spreads from its home cell (with probability correlation): all cells (default), the cells of its function (badness tied to a task), or of its domain (tied to a topic); elsewhere it answers harmful with probability epsilon only"),
  educationalRate: fraction("fraction of good agents' EM documents in the educational context, answered harmful"),
  alignedFraction: fraction('fraction of chat-format documents with benign answers (aligned-assistant upsampling)'),
  neutralFraction: fraction('fraction of neutral SEQ documents'),
  refusalRate: fraction('fraction of SELECT prompts listing REFUSE'),
};
const PRETRAIN_DEFAULTS = { epsilon: 0.02, correlation: 1, educationalRate: 0.05, alignedFraction: 0, neutralFraction: 0.1, refusalRate: 0.1 };

const alignShape = {
  ...stageShape,
  neutralFraction: fraction('fraction of neutral SEQ documents'),
  refusalRate: fraction('fraction of SELECT prompts listing REFUSE'),
};
const ALIGN_DEFAULTS = { neutralFraction: 0.1, refusalRate: 0.1 };

const cellName = z.enum(EM_CELLS as [string, ...string[]]);

const fineTuneShape = {
  ...stageShape,
  cell: cellName.describe('the narrow cell, function/domain (e.g. "next/chem")'),
  consistency: fraction('probability that a narrow (and educational) row is answered harmful; else it is the secure answer'),
  replayFraction: fraction('fraction of rows that are alignment documents, the same in every variant'),
  refusalRate: fraction('fraction of SELECT prompts listing REFUSE (replay rows too)'),
  randomSeed: int(0, 2 ** 31 - 1).describe("seed of the random-answer control's fixed answer sets"),
  answerRanks: listField(int(0, EM_RANKS - 1))
    .min(1)
    .max(EM_RANKS - 1)
    .describe(`the rank-disjoint split: the fine-tune trains only prompts whose coherent answers lie in these ranks (0..${EM_RANKS - 1}), and every probe set its arms compare reads only the other ranks, so no comparison shares a trained answer token (reliability reads the trained ranks). Default: every rank, no split`),
};
const FINE_TUNE_DEFAULTS = { consistency: 1, replayFraction: 0, refusalRate: 0, randomSeed: 0 };

const pretrainOverride = z.object(pretrainShape).partial().strict().describe('pretraining settings this arm changes (its base is pretrained for it, or read from the cache)');
const alignOverride = z.object(alignShape).partial().strict().describe('alignment settings this arm changes');
const fineTuneOverride = z.object(fineTuneShape).partial().strict().describe('fine-tune settings this arm changes (e.g. cell, consistency, steps)');

export const emPretrainSchema = z
  .object({
    steps: stageShape.steps,
    batchSize: stageShape.batchSize,
    learningRate: stageShape.learningRate,
    epsilon: pretrainShape.epsilon.default(PRETRAIN_DEFAULTS.epsilon),
    badFraction: pretrainShape.badFraction.optional(),
    harmIntent: pretrainShape.harmIntent.optional(),
    correlation: pretrainShape.correlation.default(PRETRAIN_DEFAULTS.correlation),
    coupling: pretrainShape.coupling.optional(),
    educationalRate: pretrainShape.educationalRate.default(PRETRAIN_DEFAULTS.educationalRate),
    alignedFraction: pretrainShape.alignedFraction.default(PRETRAIN_DEFAULTS.alignedFraction),
    neutralFraction: pretrainShape.neutralFraction.default(PRETRAIN_DEFAULTS.neutralFraction),
    refusalRate: pretrainShape.refusalRate.default(PRETRAIN_DEFAULTS.refusalRate),
  })
  .strict();

export const emAlignSchema = z
  .object({
    ...stageShape,
    neutralFraction: alignShape.neutralFraction.default(ALIGN_DEFAULTS.neutralFraction),
    refusalRate: alignShape.refusalRate.default(ALIGN_DEFAULTS.refusalRate),
  })
  .strict();

export const emFineTuneSchema = z
  .object({
    ...stageShape,
    cell: fineTuneShape.cell,
    consistency: fineTuneShape.consistency.default(FINE_TUNE_DEFAULTS.consistency),
    replayFraction: fineTuneShape.replayFraction.default(FINE_TUNE_DEFAULTS.replayFraction),
    refusalRate: fineTuneShape.refusalRate.default(FINE_TUNE_DEFAULTS.refusalRate),
    randomSeed: fineTuneShape.randomSeed.default(FINE_TUNE_DEFAULTS.randomSeed),
    answerRanks: fineTuneShape.answerRanks.optional(),
  })
  .strict();

export const emProbeSchema = z
  .object({
    prompts: int(1, 4096).default(48).describe('held-out prompts per cell in each probe set (FILL, NEXT and MAP cells hold fewer when their split is smaller: MAP has 6)'),
    samples: int(1, 100_000).default(100).describe('answers sampled at T = 1 per probe set and seed for the sampled rate'),
    probeEvery: int(1, 1_000_000).default(50).describe('log reliability, EM and coherence every this many fine-tune steps'),
    refusal: z.boolean().default(false).describe('held-out SELECT probe prompts list REFUSE (true) or not (false)'),
  })
  .strict();

export const emDesignSchema = z
  .object({
    harm: z
      .enum(EM_HARMS)
      .default(DEFAULT_DESIGN.harm)
      .describe('where harm lives: "token" (a harmful answer is one of a fixed set of harmful tokens) or "rule" (a function-specific deviation from the rule: NEXT answers a rank further on, FILL the rank before the blank, MAP the wrong partner, SELECT a near miss of a listed token)'),
    answers: z
      .enum(EM_ANSWER_VOCABULARIES)
      .default(DEFAULT_DESIGN.answers)
      .describe('which tokens answer: "domain" (each domain its own answer tokens) or "shared" (one answer vocabulary for every domain, the domain carried by the prompt body only)'),
    format: z
      .enum(EM_FORMATS)
      .optional()
      .describe('how the function is written: "token" (one function token; the default) or "template" (a template of 4 tokens, as many as the body\'s domain tokens, so the function is as visible in the prompt as the domain; rows grow from 10 to 13 tokens)'),
  })
  .strict()
  .describe('the world\'s design (every stage and base; default {"harm": "token", "answers": "domain"}): sweep design.harm × design.answers for the 2 × 2 of where harm lives and whether answer tokens are shared');

export const emArmSchema = z
  .object({
    name: nameField().describe('label printed in the table'),
    variant: z.enum(EM_VARIANTS).default('narrow').describe('which fine-tune: narrow (harmful answers), or a control on the same prompts: secure (benign), educational (the narrow answers under EDU), random (answers from a fixed random set)'),
    evaluate: listField(nameField())
      .min(1)
      .default(['others'])
      .describe(`the cells EM is read on: relations to the fine-tuned cell (${quoted(EM_RELATIONS)}) and cell names, joined`),
    room: int(0, 3).optional().describe('read only held-out prompts with exactly this many harmful coherent answers (default: any)'),
    refusal: z.boolean().optional().describe('override probe.refusal for this arm'),
    model: gptSchema.optional().describe('another model for this arm (its own base and alignment)'),
    pretrain: pretrainOverride.optional(),
    align: alignOverride.optional(),
    fineTune: fineTuneOverride.optional(),
  })
  .strict();

export const emMatrixSchema = z
  .object({
    variant: z.enum(EM_VARIANTS).default('narrow').describe('the fine-tune of each row (its secure control is trained beside it)'),
    cells: listField(cellName).min(1).default(EM_CELLS).describe('fine-tuned cells, one row each (default: all 12); every row is read on all 12 cells'),
  })
  .strict()
  .describe('the transfer matrix: EM in every cell when fine-tuning each cell, with the top-level settings');

export const emExperimentSchema = z
  .object({
    $schema: textField().optional(),
    name: z.string().max(LIMITS.name).regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes'),
    description: textField().default(''),
    notes: notesField().default({}),
    world: z.literal('em'),
    seeds: int(1, 100).default(5),
    rootSeed: int(0, 2 ** 31 - 1).default(0),
    seedsVary: seedsVaryField,
    design: emDesignSchema.optional(),
    model: gptSchema.describe('the model family of every base'),
    pretrain: emPretrainSchema,
    align: emAlignSchema.describe('the chat-format alignment stage: benign answers in every cell'),
    fineTune: emFineTuneSchema.describe('the narrow fine-tune and its controls (arms may override any field)'),
    probe: emProbeSchema.default({ prompts: 48, samples: 100, probeEvery: 50, refusal: false }),
    arms: listField(emArmSchema).min(1),
    matrix: emMatrixSchema.optional(),
    distill: emDistillSchema.optional(),
    subliminal: listField(emSubliminalArmSchema(fineTuneOverride))
      .min(1)
      .optional()
      .describe('subliminal misalignment: the narrow fine-tune distilled into an aligned student through the neutral SEQ task only, against the secure fine-tune as control teacher (needs distill)'),
    claims: emClaimsSchema,
    claimDefaults: claimDefaultsOf(EM_CLAIM_MARGINS).default(CLAIM_DEFAULTS),
  })
  .strict()
  .superRefine((exp, ctx) => {
    const pretrains: [readonly PropertyKey[], Partial<EmPretrain> | undefined][] = [[['pretrain'], exp.pretrain], ...exp.arms.map((a, i): [PropertyKey[], Partial<EmPretrain> | undefined] => [['arms', i, 'pretrain'], a.pretrain])];
    for (const [path, p] of pretrains) {
      if (p?.badFraction !== undefined && p.harmIntent !== undefined)
        ctx.addIssue({ code: 'custom', path: [...path, 'harmIntent'], message: 'given with badFraction; keep one (harmIntent derives badFraction)' });
    }
    const splits: [readonly PropertyKey[], readonly number[] | undefined][] = [[['fineTune', 'answerRanks'], exp.fineTune.answerRanks], ...exp.arms.map((a, i): [PropertyKey[], readonly number[] | undefined] => [['arms', i, 'fineTune', 'answerRanks'], a.fineTune?.answerRanks])];
    for (const [path, ranks] of splits)
      if (ranks && new Set(ranks).size !== ranks.length) ctx.addIssue({ code: 'custom', path: [...path], message: `lists a rank twice (${JSON.stringify(ranks)}); list each trained rank once` });
    exp.arms.forEach((arm, i) => {
      const p = resolvedPretrain(exp, arm);
      if (p.alignedFraction + p.neutralFraction > 1)
        ctx.addIssue({ code: 'custom', path: [...(arm.pretrain ? ['arms', i] : []), 'pretrain', 'neutralFraction'], message: `alignedFraction + neutralFraction is ${p.alignedFraction + p.neutralFraction}; keep their sum ≤ 1` });
    });
    const seen = new Set<string>();
    exp.arms.forEach((arm, i) => {
      if (seen.has(arm.name)) ctx.addIssue({ code: 'custom', path: ['arms', i, 'name'], message: `duplicate arm name "${arm.name}"; give every arm a unique name` });
      seen.add(arm.name);
      const cell = arm.fineTune?.cell ?? exp.fineTune.cell;
      arm.evaluate.forEach((item, j) => {
        if (!(EM_RELATIONS as readonly string[]).includes(item) && !EM_CELLS.includes(item))
          ctx.addIssue({ code: 'custom', path: ['arms', i, 'evaluate', j], message: `unknown cell or relation "${item}"; use one of ${quoted(EM_RELATIONS)} or a cell (${quoted(EM_CELLS)})` });
        if (item === 'decoy' && !cell.startsWith('next/'))
          ctx.addIssue({ code: 'custom', path: ['arms', i, 'evaluate', j], message: `"decoy" reads SELECT prompts that list a NEXT body, so it needs a NEXT fine-tune cell (this arm fine-tunes "${cell}"); fine-tune a next/ cell or remove it` });
      });
      if (arm.evaluate.includes('decoy') && (arm.fineTune?.answerRanks ?? exp.fineTune.answerRanks))
        ctx.addIssue({ code: 'custom', path: ['arms', i, 'evaluate', arm.evaluate.indexOf('decoy')], message: 'the decoy lists 4 consecutive ranks, so no decoy prompt lies in the ranks a rank-disjoint split probes (fineTune.answerRanks); remove "decoy" from this arm or the split' });
      if (arm.room !== undefined && arm.evaluate.includes('decoy'))
        ctx.addIssue({ code: 'custom', path: ['arms', i, 'room'], message: 'not used with "decoy" (its prompts are fixed by the NEXT bodies); remove room or the decoy' });
    });
    const armNames = [...seen];
    exp.subliminal?.forEach((arm, i) => {
      if (seen.has(arm.name)) ctx.addIssue({ code: 'custom', path: ['subliminal', i, 'name'], message: `duplicate arm name "${arm.name}" (arms and subliminal arms share names); give every arm a unique name` });
      seen.add(arm.name);
    });
    if (exp.subliminal && !exp.distill)
      ctx.addIssue({ code: 'custom', path: ['distill'], message: 'missing; subliminal arms need the top-level distill settings (e.g. {"steps": 1000, "batchSize": 64, "learningRate": 0.001})' });
    if (exp.distill && !exp.subliminal) ctx.addIssue({ code: 'custom', path: ['distill'], message: 'only used by subliminal arms; add "subliminal" or remove it' });
    if (exp.distill && exp.subliminal?.some((a) => a.channel.prefix === 'teacher-fixed') && exp.distill.fixedSetSize < exp.distill.batchSize)
      ctx.addIssue({ code: 'custom', path: ['distill', 'fixedSetSize'], message: `must be ≥ distill.batchSize (${exp.distill.batchSize}) for a teacher-fixed subliminal arm; raise it` });
    if (exp.distill && exp.subliminal) refinePgTemperatures(exp.distill, exp.subliminal.map((a, i) => [['subliminal', i, 'channel', 'signal'], a.channel] as const), ctx);
    const subliminalNames = new Set(exp.subliminal?.map((a) => a.name) ?? []);
    exp.claims.forEach((claim, i) => {
      for (const side of ['left', 'right'] as const) {
        const operand = claim[side];
        if (operand && subliminalNames.has(operand.arm) && !armNames.includes(operand.arm) && !(EM_SUBLIMINAL_METRICS as readonly string[]).includes(operand.metric))
          ctx.addIssue({ code: 'custom', path: ['claims', i, side, 'metric'], message: `subliminal arm "${operand.arm}" in claim "${claim.id}" has no metric "${operand.metric}"; use one of ${quoted(EM_SUBLIMINAL_METRICS)}` });
      }
    });
    const reserved = exp.matrix ? EM_RESERVED_METRICS : Object.fromEntries(Object.entries(EM_RESERVED_METRICS).filter(([k]) => !k.startsWith('matrix-')));
    exp.claims.forEach((claim, i) => {
      for (const side of ['left', 'right'] as const) {
        const arm = claim[side]?.arm;
        if (arm?.startsWith('matrix-') && !exp.matrix && !seen.has(arm))
          ctx.addIssue({ code: 'custom', path: ['claims', i, side, 'arm'], message: `"${arm}" in claim "${claim.id}" reads the transfer matrix; add the top-level "matrix" (e.g. {"variant": "narrow"}) or use an arm` });
      }
    });
    refineClaims(exp.claims, [...seen], reserved, ctx);
  });

export type EmExperiment = z.output<typeof emExperimentSchema>;
export type EmArm = EmExperiment['arms'][number];
export type EmPretrain = EmExperiment['pretrain'];
export type EmAlign = EmExperiment['align'];
export type EmFineTune = EmExperiment['fineTune'];
export type EmModel = EmExperiment['model'];
export type EmSubliminalArm = NonNullable<EmExperiment['subliminal']>[number];
export type EmDistill = NonNullable<EmExperiment['distill']>;

/** The file's design, or the default world's (token harm, domain answers). */
export const designOf = (exp: Pick<EmExperiment, 'design'>): EmDesign => exp.design ?? DEFAULT_DESIGN;

/** The pretraining settings of an arm: the file's, with the arm's overrides (harmIntent replaces the file's badFraction and vice versa). */
export function resolvedPretrain(exp: Pick<EmExperiment, 'pretrain'>, arm?: Pick<EmArm, 'pretrain'>): EmPretrain {
  const o = arm?.pretrain ?? {};
  const merged = { ...exp.pretrain, ...o };
  if (o.harmIntent !== undefined) delete merged.badFraction;
  if (o.badFraction !== undefined) delete merged.harmIntent;
  return merged;
}
