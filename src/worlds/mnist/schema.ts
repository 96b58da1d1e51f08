// MNIST experiment files: JSON validated by this zod schema. Every object is .strict()
// (unknown keys are errors) and every field documents itself and its range.
import { z } from 'zod';
import { claimDefaultsOf, CLAIM_DEFAULTS, MNIST_CLAIM_MARGINS, mnistClaimsSchema, refineClaims } from '../../config/claims.js';
import { rootSeedField, seedsField, seedsVaryField } from '../../config/experiment-base.js';
import { LIMITS, listField, nameField, notesField, textField } from '../../config/limits.js';

const describedInt = (min: number, max: number, what: string) => z.number().int().min(min).max(max).describe(what);

/** The MLP used by the MNIST world: 784 → hidden… → (10 + auxLogits). */
export const mnistModelSchema = z
  .object({
    hidden: z.array(describedInt(1, 4096, 'width of one hidden layer')).min(1).max(8).default([256, 256]).describe('hidden layer widths'),
    auxLogits: describedInt(1, 100, 'auxiliary logits, never supervised').default(3).describe('number of auxiliary logits m (output is 10 + m)'),
  })
  .strict();

export const trainingSchema = z
  .object({
    epochs: describedInt(1, 1000, 'passes over the data').describe('passes over the data'),
    batchSize: describedInt(1, 65536, 'examples per step').describe('examples per optimizer step'),
    learningRate: z.number().gt(0).max(1).describe('Adam learning rate'),
  })
  .strict();

export const mnistDistillSchema = trainingSchema
  .extend({
    noiseImages: describedInt(1, 1_000_000, 'noise images').describe('size of the fixed uniform-noise set in [-1, 1] the students are distilled on'),
    temperature: z.number().min(0.05).max(100).default(1).describe('softmax temperature of teacher and student in the KL (below 0.05 the softmax saturates and the loss is NaN)'),
    probeEvery: describedInt(1, 1_000_000, 'steps').optional().describe("also log each student's test accuracy at step 0 and every this many steps (default: only at the end)"),
  })
  .strict();

export const ARM_KINDS = ['reference', 'teacher', 'student'] as const;
export const LOGIT_SUBSETS = ['aux', 'all'] as const;
export const HEAD_SOURCES = ['own', 'teacher-init'] as const;
export const TRAINED_LAYERS = ['all', 'head'] as const;

/** A CNN student: conv k×k stride 2 → ReLU → dense to the last hidden width → ReLU → output layer. */
export const mnistCnnSchema = z
  .object({
    channels: describedInt(1, 64, 'conv channels').default(4).describe('convolution channels (each costs about as much as a quarter of the MLP student on wasm)'),
    kernel: z.union([z.literal(1), z.literal(3), z.literal(5), z.literal(7)]).default(3).describe('convolution kernel side (odd)'),
  })
  .strict();

export const mnistArmSchema = z.discriminatedUnion('kind', [
  z
    .object({
      name: nameField().describe('label printed in the table'),
      kind: z.literal('reference').describe('the untrained initialisation (the chance baseline)'),
    })
    .strict(),
  z
    .object({
      name: nameField(),
      kind: z.literal('teacher').describe('the trained teacher'),
    })
    .strict(),
  z
    .object({
      name: nameField(),
      kind: z.literal('student').describe('a student distilled from the teacher'),
      student: nameField().describe('student recipe name (see `traitlab list`)'),
      logits: z.enum(LOGIT_SUBSETS).describe('which teacher logits the KL is taken over: aux (the m auxiliary ones) or all (10 + m)'),
      head: z
        .enum(HEAD_SOURCES)
        .optional()
        .describe("where the output layer (all 10 + m logits) starts: own (default: the student's own init) or teacher-init (a copy of the teacher's initial output layer, whatever the rest)"),
      train: z.enum(TRAINED_LAYERS).optional().describe('which layers train: all (default) or head (only the output layer; every other layer stays at its random init, frozen; not with logits "aux", whose loss never reaches the digit rows)'),
      cnn: mnistCnnSchema
        .optional()
        .describe('absent: the student is the MLP of `model`; present: a small CNN (conv k×k stride 2 → ReLU → dense to the last hidden width → ReLU → output layer), drawn from its own seeds; `student` must be cross-init'),
    })
    .strict(),
]);

export const mnistExperimentSchema = z
  .object({
    $schema: textField().optional().describe('path to the JSON Schema, for editors'),
    name: z.string().max(LIMITS.name).regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes').describe('experiment name, used in the run directory name'),
    description: textField().default('').describe('what question the experiment asks'),
    notes: notesField().default({}).describe('why each non-default value was chosen, keyed by field'),
    world: z.literal('mnist').describe('the data world'),
    seeds: seedsField.default(5).describe('independent seeds (members trained side by side)'),
    rootSeed: rootSeedField,
    seedsVary: seedsVaryField,
    logEvery: describedInt(1, 100_000, 'steps').default(20).describe('write a metrics line every this many optimizer steps'),
    model: mnistModelSchema.default({ hidden: [256, 256], auxLogits: 3 }),
    teacher: trainingSchema.extend({ name: nameField().describe('teacher recipe name (see `traitlab list`)') }).strict(),
    distill: mnistDistillSchema,
    arms: listField(mnistArmSchema).min(1).describe('what to train and evaluate'),
    claims: mnistClaimsSchema,
    claimDefaults: claimDefaultsOf(MNIST_CLAIM_MARGINS).default(CLAIM_DEFAULTS),
  })
  .strict()
  .superRefine((exp, ctx) => {
    const seen = new Set<string>();
    exp.arms.forEach((arm, i) => {
      if (seen.has(arm.name)) ctx.addIssue({ code: 'custom', path: ['arms', i, 'name'], message: `duplicate arm name "${arm.name}"; give every arm a unique name` });
      seen.add(arm.name);
      // The loss reads only the auxiliary logits, whose output rows are not the digit rows: with
      // every other layer frozen, nothing a head-only student learns reaches its digit logits.
      if (arm.kind === 'student' && arm.train === 'head' && arm.logits === 'aux')
        ctx.addIssue({ code: 'custom', path: ['arms', i, 'train'], message: 'a student that trains only its output layer on the auxiliary logits cannot change its digit logits (their rows get no gradient); use logits "all", or train "all"' });
      if (arm.kind === 'student' && arm.cnn !== undefined && arm.student !== 'cross-init')
        ctx.addIssue({ code: 'custom', path: ['arms', i, 'student'], message: `a CNN student shares no layer with the MLP teacher's init; use "cross-init" (got "${arm.student}")` });
    });
    refineClaims(exp.claims, [...seen], {}, ctx);
  });

export type MnistExperiment = z.output<typeof mnistExperimentSchema>;
export type MnistArm = MnistExperiment['arms'][number];
export type StudentArm = Extract<MnistArm, { kind: 'student' }>;
