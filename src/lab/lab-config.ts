// The lab's settings for the numbers world: what the controls, the URL and an exported file
// agree on. Each setting has one zod field (its allowed values, named in every notice) and a
// default taken from experiments/demo.json where demo.json has one; the rest of an experiment
// (model, pretraining, root seed, batch size, fixed set) is demo.json's, so a run starts from
// the bases shipped in bases/.
import { z } from 'zod';
import { fieldError } from './field-error.js';
import demoJson from '../../experiments/demo.json';
import type { ConfigError } from '../config/errors.js';
import { ANIMALS } from '../worlds/numbers/data.js';
import { distillSchema, numbersExperimentSchema, PREFIX_SOURCES, TEACHER_SIGNALS } from '../worlds/numbers/schema.js';

/** demo.json, parsed once by the schema `traitlab run` uses: typed, defaults filled, known valid. */
export const DEMO = numbersExperimentSchema.parse(demoJson);

/** The students the shipped bases serve (a cross-arch student would need a GRU base). */
export const LAB_STUDENTS = ['same-init', 'cross-init'] as const;

/** Ceilings of the browser lab, below the schema's: more seeds or steps would not fit a class hour. */
export const LAB_MAX = { seeds: 3, steps: 10_000, probeEvery: 10_000 } as const;

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const distill = distillSchema.shape;

/** One field per setting; the key is the setting's name in LabConfig. */
export const labFields = {
  target: z.enum(ANIMALS),
  student: z.enum(LAB_STUDENTS),
  prefix: z.enum(PREFIX_SOURCES),
  signal: z.enum(TEACHER_SIGNALS),
  lambda: z.number().min(0).max(1),
  beta: z.number().min(0).max(1),
  steps: int(1, LAB_MAX.steps),
  learningRate: distill.learningRate,
  samplingTemperature: distill.samplingTemperature.unwrap(),
  lossTemperature: distill.lossTemperature.unwrap(),
  seeds: int(1, LAB_MAX.seeds),
  probeEvery: int(1, LAB_MAX.probeEvery),
};

export type LabKey = keyof typeof labFields;
export type LabConfig = { [K in LabKey]: z.output<(typeof labFields)[K]> };

export const LAB_KEYS = Object.keys(labFields) as LabKey[];

const firstArm = DEMO.arms[0]!;

/**
 * The lab's defaults: demo.json's first arm (same-init, fresh teacher samples, forward KL) and
 * its distillation settings, with one seed and a probe every 10 steps so that the curves move
 * within seconds; λ and β at the midpoint, where the full grid experiment sets them.
 */
export const DEFAULT_CONFIG: LabConfig = {
  target: DEMO.teacher.target,
  student: labFields.student.parse(firstArm.student),
  prefix: firstArm.channel.prefix,
  signal: firstArm.channel.signal,
  lambda: 0.5,
  beta: 0.5,
  steps: DEMO.distill.steps,
  learningRate: DEMO.distill.learningRate,
  samplingTemperature: DEMO.distill.samplingTemperature,
  lossTemperature: DEMO.distill.lossTemperature,
  seeds: 1,
  probeEvery: 10,
};

/**
 * Why `value` is not a valid setting `key`, as the one-line ConfigError `traitlab run` would give
 * (`steps: must be ≥ 1 (got -3)`), named `path` (default: the key); undefined when it is valid.
 */
export function settingError(key: LabKey, value: unknown, path: string = key): ConfigError | undefined {
  return fieldError(labFields[key], value, path);
}
