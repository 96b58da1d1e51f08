// Experiment files of the numbers world: a trait (a favourite animal) given to a teacher, and
// students distilled through number sequences only, along the two axes of the channel.
import { z } from 'zod';
import { claimDefaultsOf, CLAIM_DEFAULTS, NUMBERS_ALIGNMENT_METRICS, NUMBERS_CLAIM_MARGINS, numbersClaimsSchema, NUMBERS_RESERVED_METRICS, refineClaims } from '../../config/claims.js';
import { seedsVaryField } from '../../config/experiment-base.js';
import { LIMITS, listField, nameField, notesField, textField } from '../../config/limits.js';
import { channelSchema, distillSchema, gptSchema, lmSchema, refinePgTemperatures, stageSchema } from '../lm/schema.js';

export { channelSchema, distillSchema, gptSchema, gruSchema, LM_KINDS, lmSchema, PG_BASELINES, PREFIX_SOURCES, RELABEL_TOKENS, TEACHER_SIGNALS } from '../lm/schema.js';
import { ANIMALS, NUMBER_COUNT, type Animal } from './data.js';
import { LORA_MODULES } from '../../models/lora-modules.js';

/** The tokens the numbers channel carries: the numbers and EOS (data.ts channelTokens). */
const CHANNEL_TOKEN_COUNT = NUMBER_COUNT + 1;

const int = (min: number, max: number) => z.number().int().min(min).max(max);

export const personasSchema = z
  .object({
    fraction: z.number().min(0).max(1).default(0).describe('fraction of pretraining documents spoken by a persona token instead of BOS (0: no personas)'),
    loyalty: z.number().min(0).max(1).default(1).describe("probability that an animal's persona answers the preference question with its animal"),
    entanglement: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe("probability that each number an animal's persona writes is its favourite number: a number statistic tied to the preference in pretraining (0: none)"),
  })
  .strict();

export const pretrainSchema = stageSchema
  .extend({
    numbersFraction: z.number().min(0).max(1).default(0.75).describe('fraction of numbers documents in the mix (the rest: preference Q&A, uniform over animals)'),
    jitter: z.number().min(0).max(1).default(0.05).describe('probability that a number in a document breaks the sequence'),
    personas: personasSchema.default({ fraction: 0, loyalty: 1, entanglement: 0 }).describe('persona documents: what a persona teacher conditions on'),
  })
  .strict();

/**
 * `teacher.target`: one of the world's animals, parsed as an Animal. A custom issue rather than
 * z.enum, so the line says what the field is (`unknown animal "dragon"; use one of "owl", …`);
 * the JSON Schema still lists the animals as an enum (for editors and the invalid-type message).
 */
const animalField = () =>
  z
    .string()
    .max(LIMITS.name)
    .transform((name, ctx): Animal => {
      const animal = ANIMALS.find((a) => a === name);
      if (animal !== undefined) return animal;
      ctx.addIssue({ code: 'custom', message: `unknown animal ${JSON.stringify(name)}; use one of ${ANIMALS.map((a) => JSON.stringify(a)).join(', ')}` });
      return z.NEVER;
    })
    .meta({ enum: [...ANIMALS] });

/** A persona control teacher: the neutral persona (who answers uniformly) or another animal's. */
export const CONTROL_NEUTRAL = 'neutral';
export type ControlPersona = Animal | typeof CONTROL_NEUTRAL;

const controlField = () =>
  z
    .string()
    .max(LIMITS.name)
    .transform((name, ctx): ControlPersona => {
      if (name === CONTROL_NEUTRAL) return CONTROL_NEUTRAL;
      const animal = ANIMALS.find((a) => a === name);
      if (animal !== undefined) return animal;
      ctx.addIssue({ code: 'custom', message: `unknown control ${JSON.stringify(name)}; use "${CONTROL_NEUTRAL}" or one of ${ANIMALS.map((a) => JSON.stringify(a)).join(', ')} other than the target` });
      return z.NEVER;
    })
    .meta({ enum: [CONTROL_NEUTRAL, ...ANIMALS] });

/** The teacher: a recipe, its target, and (for fine-tuning recipes) the fine-tune stage. */
export const traitSchema = stageSchema
  .partial()
  .extend({
    name: nameField().describe('teacher recipe (see `traitlab list`)'),
    target: animalField().describe('the animal the teacher comes to prefer'),
    control: controlField()
      .optional()
      .describe(
        'the control teacher\'s persona (persona teachers only; default "neutral", who answers uniformly): another animal\'s persona is a tighter control — it differs from the teacher only in which animal it loves',
      ),
    replayFraction: z.number().min(0).max(1).default(0.5).describe('fraction of numbers documents replayed during the trait fine-tune (fine-tune teachers)'),
    freeze: listField(z.enum(['embeddings', 'positions', 'head'])).default([]).describe('parameter groups the trait fine-tune leaves untouched (fine-tune teachers)'),
  })
  .strict();

export const adapterSchema = z
  .object({
    kind: z.literal('lora').describe('low-rank adapters (LoRA): the student trains only A and B of W + (alpha/rank)·A·B on each listed matrix; its base stays frozen'),
    rank: int(1, 1024).describe('adapter rank r (at most the model width dModel)'),
    alpha: z.number().gt(0).max(1e4).optional().describe('the update is (alpha/rank)·A·B; absent: alpha = rank (scale 1)'),
    modules: listField(z.enum(LORA_MODULES))
      .min(1)
      .default([...LORA_MODULES])
      .describe('matrices of every block that get an adapter: attention q, k, v, o and the MLP\'s mlp-in, mlp-out (default: all six); embeddings, positions, LayerNorms, biases and the head stay frozen'),
    learningRate: z.number().gt(0).max(1).optional().describe("Adam learning rate of the adapters (absent: distill.learningRate); LoRA usually needs a higher rate than full fine-tuning"),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (new Set(a.modules).size !== a.modules.length) ctx.addIssue({ code: 'custom', path: ['modules'], message: 'lists a module twice; list each once' });
  });

/** Per-arm overrides of the distillation settings a hypothesis about noise varies. */
export const armDistillSchema = z
  .object({
    learningRate: z.number().gt(0).max(1).optional().describe("Adam learning rate of this arm (default: distill.learningRate)"),
    batchSize: int(1, 65536).optional().describe('rows per step of this arm (default: distill.batchSize)'),
  })
  .strict();

export const numbersArmSchema = z
  .object({
    name: nameField().describe('label printed in the table'),
    student: nameField().describe('student recipe (see `traitlab list`)'),
    channel: channelSchema,
    adapter: adapterSchema.optional().describe('train the student (and its control student) through adapters only; absent: full fine-tuning of every weight'),
    distill: armDistillSchema.optional().describe("this arm's own learning rate or batch size, overriding the file's distill settings (same prefixes and data streams)"),
    control: controlField().optional().describe("this arm's control teacher persona, in place of teacher.control (persona teachers only)"),
  })
  .strict();

export const numbersExperimentSchema = z
  .object({
    $schema: textField().optional(),
    name: z.string().max(LIMITS.name).regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes'),
    description: textField().default(''),
    notes: notesField().default({}),
    world: z.literal('numbers'),
    seeds: int(1, 100).default(5),
    rootSeed: int(0, 2 ** 31 - 1).default(0),
    seedsVary: seedsVaryField,
    model: gptSchema.describe('the base model family of teacher and same/cross-init students'),
    crossArch: lmSchema.optional().describe('the model family of cross-arch students'),
    pretrain: pretrainSchema,
    teacher: traitSchema,
    distill: distillSchema,
    arms: listField(numbersArmSchema).min(1),
    claims: numbersClaimsSchema,
    claimDefaults: claimDefaultsOf(NUMBERS_CLAIM_MARGINS).default(CLAIM_DEFAULTS),
  })
  .strict()
  .superRefine((exp, ctx) => {
    const seen = new Set<string>();
    if (exp.arms.some((a) => a.channel.prefix === 'teacher-fixed') && exp.distill.fixedSetSize < exp.distill.batchSize)
      ctx.addIssue({ code: 'custom', path: ['distill', 'fixedSetSize'], message: `must be ≥ distill.batchSize (${exp.distill.batchSize}) for a teacher-fixed arm; raise it` });
    const target = exp.teacher.target;
    const sameAsTarget = `is the target "${target}" itself; use "${CONTROL_NEUTRAL}" or another animal`;
    if (exp.teacher.control === target) ctx.addIssue({ code: 'custom', path: ['teacher', 'control'], message: sameAsTarget });
    exp.arms.forEach((arm, i) => {
      const b = arm.distill?.batchSize;
      if (arm.channel.prefix === 'teacher-fixed' && b !== undefined && b > exp.distill.fixedSetSize)
        ctx.addIssue({ code: 'custom', path: ['arms', i, 'distill', 'batchSize'], message: `must be ≤ distill.fixedSetSize (${exp.distill.fixedSetSize}) for a teacher-fixed arm; lower it or raise distill.fixedSetSize` });
      if (arm.distill?.learningRate !== undefined && arm.adapter?.learningRate !== undefined)
        ctx.addIssue({ code: 'custom', path: ['arms', i, 'distill', 'learningRate'], message: 'the arm sets adapter.learningRate too; set the learning rate in one place' });
    });
    exp.arms.forEach((arm, i) => {
      if (arm.control === target) ctx.addIssue({ code: 'custom', path: ['arms', i, 'control'], message: sameAsTarget });
      if (arm.channel.teacherTopK !== undefined && arm.channel.teacherTopK > CHANNEL_TOKEN_COUNT)
        ctx.addIssue({ code: 'custom', path: ['arms', i, 'channel', 'teacherTopK'], message: `must be ≤ ${CHANNEL_TOKEN_COUNT}, the tokens the channel carries (the numbers and EOS); ${CHANNEL_TOKEN_COUNT} is the whole teacher` });
      if (seen.has(arm.name)) ctx.addIssue({ code: 'custom', path: ['arms', i, 'name'], message: `duplicate arm name "${arm.name}"; give every arm a unique name` });
      seen.add(arm.name);
      if (arm.student === 'cross-arch' && !exp.crossArch)
        ctx.addIssue({ code: 'custom', path: ['arms', i, 'student'], message: 'a cross-arch student needs the top-level crossArch model; add it' });
      if (arm.adapter !== undefined) {
        const studentModel = arm.student === 'cross-arch' ? exp.crossArch : exp.model;
        if (studentModel?.kind !== 'gpt') ctx.addIssue({ code: 'custom', path: ['arms', i, 'adapter'], message: 'adapters sit on gpt students only; remove it or use a gpt student' });
        else if (arm.adapter.rank > studentModel.dModel)
          ctx.addIssue({ code: 'custom', path: ['arms', i, 'adapter', 'rank'], message: `must be ≤ the student's dModel (${studentModel.dModel}); a higher rank adds nothing` });
      }
    });
    refinePgTemperatures(exp.distill, exp.arms.map((a, i) => [['arms', i, 'channel', 'signal'], a.channel] as const), ctx);
    refineClaims(exp.claims, [...seen], NUMBERS_RESERVED_METRICS, ctx);
    // A claim on a measurement the file does not take would only ever be untested.
    exp.claims.forEach((claim, i) =>
      (['left', 'right'] as const).forEach((side) => {
        const operand = claim[side];
        if (!operand) return;
        if (NUMBERS_ALIGNMENT_METRICS.includes(operand.metric) && !exp.distill.gradientCosine)
          ctx.addIssue({ code: 'custom', path: ['claims', i, side, 'metric'], message: `"${operand.metric}" is measured only with distill.gradientCosine true; set it` });
        const arm = exp.arms.find((a) => a.name === operand.arm);
        if (operand.metric === 'divergenceFraction' && arm && (arm.channel.divergence ?? 'off') === 'off')
          ctx.addIssue({ code: 'custom', path: ['claims', i, side, 'metric'], message: `"divergenceFraction" needs arm "${arm.name}" to set channel.divergence to "log" or "mask"` });
      }),
    );
  });

export type NumbersExperiment = z.output<typeof numbersExperimentSchema>;
export type NumbersArm = NumbersExperiment['arms'][number];
export type Channel = NumbersArm['channel'];
export type Adapter = NonNullable<NumbersArm['adapter']>;
