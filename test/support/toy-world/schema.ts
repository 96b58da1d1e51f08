// The toy world's experiment files: each arm learns one number (its `rate`) by stochastic
// gradient descent, one learner per seed. A world that exists only in the tests, to show that a
// fourth world is one folder and one registry line (test/registry/fourth-world.test.ts).
import { z } from 'zod';
import { claimDefaultsSchema, CLAIM_DEFAULTS, claimSchema, claimsOf, refineClaims } from '../../../src/config/claims.js';
import { rootSeedField, seedsField } from '../../../src/config/experiment-base.js';
import { listField, nameField, notesField, textField } from '../../../src/config/limits.js';

export const TOY_CLAIM_METRICS = ['score'] as const;

export const toyArmSchema = z
  .object({
    name: nameField().describe('label printed in the table'),
    rate: z.number().min(-1).max(1).describe('the number this arm learns'),
  })
  .strict();

export const toyExperimentSchema = z
  .object({
    $schema: textField().optional(),
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes'),
    description: textField().default(''),
    notes: notesField().default({}),
    world: z.literal('toy'),
    seeds: seedsField.default(3),
    rootSeed: rootSeedField,
    steps: z.number().int().min(1).max(10_000).default(40).describe('SGD steps per arm'),
    learningRate: z.number().gt(0).max(1).default(0.2),
    logEvery: z.number().int().min(1).max(10_000).default(10),
    arms: listField(toyArmSchema).min(1),
    claims: claimsOf(claimSchema(TOY_CLAIM_METRICS, 'an arm name of this file')),
    claimDefaults: claimDefaultsSchema.default(CLAIM_DEFAULTS),
  })
  .strict()
  .superRefine((exp, ctx) => refineClaims(exp.claims, exp.arms.map((a) => a.name), {}, ctx));

export type ToyExperiment = z.output<typeof toyExperimentSchema>;
export type ToyArm = ToyExperiment['arms'][number];
