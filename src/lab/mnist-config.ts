// The lab's MNIST settings ⇄ an experiment file. The lab runs experiments/mnist-aux-logits.json
// (Cloud et al.'s auxiliary-logit experiment) with three of its arms, the teacher and the two
// students distilled on the auxiliary logits only (same-init, cross-init), at a size that trains
// in a page in a minute or two; Export writes that file, which `traitlab run` runs as is. Import
// reads a file with the CLI's checks (experiment-json.ts) and then refuses, in one line naming
// the field, what the panel cannot show or has no control for.
import { z } from 'zod';
import { fieldError } from './field-error.js';
import mnistJson from '../../experiments/mnist-aux-logits.json';
import { ConfigError } from '../config/errors.js';
import { mnistDistillSchema, mnistExperimentSchema, type MnistArm, type MnistExperiment } from '../worlds/mnist/schema.js';
import { parseBySchema, readExperimentJson, sameJson } from './experiment-json.js';

/** experiments/mnist-aux-logits.json, parsed once by the schema `traitlab run` uses. */
export const MNIST_FILE = mnistExperimentSchema.parse(mnistJson);
const FILE_NAME = 'experiments/mnist-aux-logits.json';

/** The arms the panel draws: the teacher's accuracy line, and one curve and one digit grid per student. */
export const MNIST_ARMS = { teacher: 'teacher', sameInit: 'student-aux-same-init', crossInit: 'student-aux-cross-init' } as const;

/** Those arms exactly as the file has them, in its order (the students train in this order). */
const LAB_ARMS: MnistArm[] = Object.values(MNIST_ARMS).map((name) => MNIST_FILE.arms.find((a) => a.name === name)!);

/** Ceilings of the browser lab, below the schema's: more would not train in a class hour, or not fit a tab's memory. */
export const MNIST_MAX = { seeds: 3, teacherEpochs: 20, noiseImages: 60_000, distillEpochs: 20, probeEvery: 10_000 } as const;

const int = (min: number, max: number) => z.number().int().min(min).max(max);

/** One field per setting; the key is the setting's name in MnistConfig. */
export const mnistFields = {
  seeds: int(1, MNIST_MAX.seeds),
  teacherEpochs: int(1, MNIST_MAX.teacherEpochs),
  noiseImages: int(1, MNIST_MAX.noiseImages),
  distillEpochs: int(1, MNIST_MAX.distillEpochs),
  learningRate: mnistDistillSchema.shape.learningRate,
  probeEvery: int(1, MNIST_MAX.probeEvery),
};

export type MnistKey = keyof typeof mnistFields;
export type MnistConfig = { [K in MnistKey]: z.output<(typeof mnistFields)[K]> };
export const MNIST_KEYS = Object.keys(mnistFields) as MnistKey[];

/**
 * The lab's size. Transfer grows with the distillation's steps and, above all, with how many
 * distinct noise images they see: one pass over 49,152 images (192 steps of 256) took the
 * same-init students to 57 % and 63 % (2 seeds, `traitlab run`, wasm), where 8,192 images seen
 * 4 times (128 steps) stopped near 20 %; and 3e-4 (the file's rate) was half as fast as 1e-3.
 * A 2-epoch teacher (88 %) transfers about as well as a 5-epoch one (90 %) and costs far less.
 * So: the published noise set, 60,000 images, seen once (235 steps), at 1e-3.
 * MEASURED in the built page, headless Chromium 143 on a 2-core machine (wasm with SIMD, one
 * thread), Play to done: 67 s and 76 s cross-origin isolated, 64 s without (teacher 5 s, the
 * noise and the teacher's logits on it 11–12 s, each student 23–26 s). Same-init 66.5 %,
 * cross-init 10.6 % (mean of the 2 seeds), teacher 88.2 %: the numbers the caption quotes.
 */
export const DEFAULT_MNIST_CONFIG: MnistConfig = {
  seeds: 2,
  teacherEpochs: 2,
  noiseImages: 60_000,
  distillEpochs: 1,
  learningRate: 0.001,
  probeEvery: 16,
};

/**
 * Why `value` is not a valid setting `key`, as the one-line ConfigError `traitlab run` would give
 * (`seeds: must be ≤ 3 (got 5)`), named `path` (default: the key); undefined when it is valid.
 */
export function mnistSettingError(key: MnistKey, value: unknown, path: string = key): ConfigError | undefined {
  return fieldError(mnistFields[key], value, path);
}

/** The experiment the lab runs for `c`, parsed by the schema `traitlab run` uses (defaults filled). */
export function labMnistExperiment(c: MnistConfig): MnistExperiment {
  return mnistExperimentSchema.parse({
    name: 'lab-mnist-aux-logits',
    description:
      `Exported from the traitlab lab page: ${FILE_NAME} at the lab's size, with its teacher and the two students distilled on uniform noise ` +
      "through the teacher's auxiliary logits only, one sharing the teacher's initialisation and one not. Run it with `npx traitlab run <this file>`.",
    world: 'mnist',
    seeds: c.seeds,
    rootSeed: MNIST_FILE.rootSeed,
    logEvery: MNIST_FILE.logEvery,
    model: MNIST_FILE.model,
    teacher: { ...MNIST_FILE.teacher, epochs: c.teacherEpochs },
    distill: { ...MNIST_FILE.distill, noiseImages: c.noiseImages, epochs: c.distillEpochs, learningRate: c.learningRate, probeEvery: c.probeEvery },
    arms: LAB_ARMS,
    claimDefaults: MNIST_FILE.claimDefaults,
  });
}

/** Where each setting stands in an experiment file, for messages about an imported one. */
const FILE_PATHS: Record<MnistKey, string> = {
  seeds: 'seeds',
  teacherEpochs: 'teacher.epochs',
  noiseImages: 'distill.noiseImages',
  distillEpochs: 'distill.epochs',
  learningRate: 'distill.learningRate',
  probeEvery: 'distill.probeEvery',
};

/** Why the lab's range is narrower than the schema's, for the settings where it is. */
const LAB_REASONS: Partial<Record<MnistKey, string>> = {
  seeds: `the lab trains at most ${MNIST_MAX.seeds} seeds in the browser`,
  teacherEpochs: `the lab trains the teacher at most ${MNIST_MAX.teacherEpochs} epochs in the browser`,
  noiseImages: `the lab holds at most ${MNIST_MAX.noiseImages.toLocaleString('en')} noise images (the published size, 188 MB) in the browser`,
  distillEpochs: `the lab distils at most ${MNIST_MAX.distillEpochs} epochs in the browser`,
  probeEvery: `the lab probes at most every ${MNIST_MAX.probeEvery} steps`,
};

const armText = (a: MnistArm) => `"${a.name}" (${a.kind === 'student' ? `a ${a.student} student on the ${a.logits} logits` : `kind ${a.kind}`})`;

/** The panel draws the teacher and the two aux-logit students, by name: the file must have exactly those arms. */
function checkArms(arms: readonly MnistArm[]): void {
  const wanted = `the lab shows exactly the arms ${LAB_ARMS.map(armText).join(', ')}, in this order`;
  const at = arms.findIndex((a, i) => !sameJson(a, LAB_ARMS[i]));
  if (at !== -1) throw new ConfigError(`arms[${at}]`, `${wanted}; got ${armText(arms[at]!)}`);
  if (arms.length < LAB_ARMS.length) throw new ConfigError('arms', `${wanted}; the file has only ${arms.length}`);
}

/** What the lab has no control for must be the file's own (experiments/mnist-aux-logits.json). */
function checkFixedFields(exp: MnistExperiment): void {
  const fixed: [string, unknown, unknown][] = [
    ['model', exp.model, MNIST_FILE.model],
    ['rootSeed', exp.rootSeed, MNIST_FILE.rootSeed],
    ['seedsVary', exp.seedsVary, MNIST_FILE.seedsVary],
    ['logEvery', exp.logEvery, MNIST_FILE.logEvery],
    ['teacher.name', exp.teacher.name, MNIST_FILE.teacher.name],
    ['teacher.batchSize', exp.teacher.batchSize, MNIST_FILE.teacher.batchSize],
    ['teacher.learningRate', exp.teacher.learningRate, MNIST_FILE.teacher.learningRate],
    ['distill.batchSize', exp.distill.batchSize, MNIST_FILE.distill.batchSize],
    ['distill.temperature', exp.distill.temperature, MNIST_FILE.distill.temperature],
  ];
  for (const [path, value, theirs] of fixed)
    if (!sameJson(value, theirs)) throw new ConfigError(path, `the lab has no control for it and runs ${FILE_NAME}'s ${JSON.stringify(theirs)}; use that`);
}

export interface ImportedMnistConfig {
  config: MnistConfig;
  /** What the lab filled in or left out (a missing probeEvery, claims), one line each. */
  notices: string[];
}

/** The lab's settings for a valid MNIST experiment, or a ConfigError naming the field the lab cannot run as written; mnistConfigOf(labMnistExperiment(c)) is c. */
export function mnistConfigOf(exp: MnistExperiment): ImportedMnistConfig {
  checkArms(exp.arms);
  checkFixedFields(exp);
  const notices: string[] = [];
  const probeEvery = exp.distill.probeEvery ?? DEFAULT_MNIST_CONFIG.probeEvery;
  if (exp.distill.probeEvery === undefined) notices.push(`distill.probeEvery: not in the file; the lab probes every ${probeEvery} steps, to draw the curves`);
  const candidate: Record<MnistKey, unknown> = {
    seeds: exp.seeds,
    teacherEpochs: exp.teacher.epochs,
    noiseImages: exp.distill.noiseImages,
    distillEpochs: exp.distill.epochs,
    learningRate: exp.distill.learningRate,
    probeEvery,
  };
  for (const key of MNIST_KEYS) {
    const error = mnistSettingError(key, candidate[key], FILE_PATHS[key]);
    if (error) throw new ConfigError(error.path, LAB_REASONS[key] ? `${error.problem}; ${LAB_REASONS[key]}` : error.problem);
  }
  if (exp.claims.length > 0) notices.push(`the lab does not evaluate claims: left out the file's ${exp.claims.length} (traitlab run evaluates them)`);
  return { config: candidate as MnistConfig, notices };
}

/** Parsed JSON (the file's) → the lab's MNIST settings, or one ConfigError line. */
export function importMnistInput(input: unknown): ImportedMnistConfig {
  return mnistConfigOf(parseBySchema(mnistExperimentSchema, input));
}

/** An experiment file's text → the lab's MNIST settings, or one ConfigError line (nothing is changed). */
export function importMnistText(file: string, text: string): ImportedMnistConfig {
  return importMnistInput(readExperimentJson(file, text));
}
