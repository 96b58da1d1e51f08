// The lab's settings ⇄ an experiment file. Export writes the experiment the lab runs:
// experiments/demo.json with one arm, whose student and channel, seeds and distillation
// settings are the lab's; `traitlab run` runs the file as is. Import reads a file with the same
// checks as `traitlab run` (JSON syntax, the numbers schema, then the world's check of teacher
// and student names, each as one line naming the field) and then refuses, in one line, what the
// lab cannot run as the file says: other bases (model, pretraining, root seed), more seeds or
// steps than the browser lab takes, settings the lab has no control for.
import { channelLabel } from '../distill/channel-label.js';
import { ConfigError } from '../config/errors.js';
import { numbersExperimentSchema, type NumbersExperiment } from '../worlds/numbers/schema.js';
import { parseBySchema, readExperimentJson, sameJson } from './experiment-json.js';
import { DEFAULT_CONFIG, DEMO, LAB_KEYS, LAB_MAX, LAB_STUDENTS, settingError, type LabConfig, type LabKey } from './lab-config.js';

/** The arm's name in the file, the table and the metrics: `same-init-teacher-fixed+forward-kl`. */
export const armName = (c: LabConfig): string => `${c.student}-${c.prefix}+${c.signal}`;

/** The channel of `c`: λ only with the mix prefix, β only with the JSD signal, as the schema wants. */
function channelOf(c: LabConfig): NumbersExperiment['arms'][number]['channel'] {
  return { prefix: c.prefix, signal: c.signal, ...(c.prefix === 'mix' ? { lambda: c.lambda } : {}), ...(c.signal === 'jsd' ? { beta: c.beta } : {}) };
}

/**
 * The experiment the lab runs for `c`, parsed by the schema `traitlab run` uses (defaults
 * filled). Settings that do not go together (policy gradient off the student's own samples, or
 * at a sampling temperature other than the loss temperature) throw its one-line ConfigError:
 * the form and the link refuse them first (labSettingsError).
 */
export function labExperiment(c: LabConfig): NumbersExperiment {
  const channel = channelOf(c);
  return parseBySchema(numbersExperimentSchema, {
    name: `lab-${c.target}-${c.student}-${c.prefix}-${c.signal}`,
    description:
      `Exported from the traitlab lab page: experiments/demo.json with one arm, a ${c.student} student distilled through ${channelLabel(channel)} ` +
      `from the persona teacher that loves ${c.target}, against the same student distilled from the neutral control teacher. ` +
      'It starts from the bases shipped in bases/; run it with `npx traitlab run <this file>`.',
    world: 'numbers',
    seeds: c.seeds,
    rootSeed: DEMO.rootSeed,
    model: DEMO.model,
    pretrain: DEMO.pretrain,
    teacher: { name: DEMO.teacher.name, target: c.target },
    distill: {
      ...DEMO.distill,
      steps: c.steps,
      learningRate: c.learningRate,
      samplingTemperature: c.samplingTemperature,
      lossTemperature: c.lossTemperature,
      probeEvery: c.probeEvery,
    },
    arms: [{ name: armName(c), student: c.student, channel }],
  });
}

/** Why the settings `c` do not go together, as the schema's one line; undefined when they do. */
export function labSettingsError(c: LabConfig): ConfigError | undefined {
  try {
    labExperiment(c);
    return undefined;
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
}

/**
 * The world's check beyond the schema (worlds/numbers/check.ts: teacher and student names),
 * which throws a ConfigError. A parameter, because its recipe registries bring tfjs with them:
 * the page loads it only when a file is imported, to keep tfjs out of the main thread's bundle.
 */
export type ExperimentCheck = (exp: NumbersExperiment) => void;

/**
 * An experiment file's text → a valid numbers experiment, or one ConfigError: the JSON syntax
 * (named by `file`), then the schema's first issue (named by its field), then `check`, as
 * `traitlab run` says them.
 */
export function parseExperimentText(file: string, text: string, check: ExperimentCheck): NumbersExperiment {
  return parseNumbersInput(readExperimentJson(file, text), check);
}

/** Parsed JSON (the file's) → a valid numbers experiment: the schema, then `check`. */
export function parseNumbersInput(input: unknown, check: ExperimentCheck): NumbersExperiment {
  const exp = parseBySchema(numbersExperimentSchema, input);
  check(exp);
  return exp;
}

const fromBases = (what: string, use: string) => `the lab starts from the bases shipped in bases/, made with experiments/demo.json's ${what}; use its ${use}`;

/** Where each setting stands in an experiment file, for messages about an imported one. */
const FILE_PATHS: Record<LabKey, string> = {
  target: 'teacher.target',
  student: 'arms[0].student',
  prefix: 'arms[0].channel.prefix',
  signal: 'arms[0].channel.signal',
  lambda: 'arms[0].channel.lambda',
  beta: 'arms[0].channel.beta',
  steps: 'distill.steps',
  learningRate: 'distill.learningRate',
  samplingTemperature: 'distill.samplingTemperature',
  lossTemperature: 'distill.lossTemperature',
  seeds: 'seeds',
  probeEvery: 'distill.probeEvery',
};

/** Why the lab's range is narrower than the schema's, for the settings where it is. */
const LAB_REASONS: Partial<Record<LabKey, string>> = {
  student: `the shipped bases serve ${LAB_STUDENTS.map((s) => `"${s}"`).join(' and ')} students`,
  seeds: `the lab trains at most ${LAB_MAX.seeds} seeds in the browser`,
  steps: `the lab trains at most ${LAB_MAX.steps} steps in the browser`,
  probeEvery: `the lab trains at most ${LAB_MAX.steps} steps in the browser`,
};

/** What must equal demo.json for the lab to run the file as it says: the bases and the fixed settings. */
function checkFixedFields(exp: NumbersExperiment): void {
  if (!sameJson(exp.model, DEMO.model)) throw new ConfigError('model', fromBases('model', 'model settings'));
  if (!sameJson(exp.pretrain, DEMO.pretrain)) throw new ConfigError('pretrain', fromBases('pretraining', 'pretrain settings'));
  if (exp.rootSeed !== DEMO.rootSeed) throw new ConfigError('rootSeed', fromBases(`root seed ${DEMO.rootSeed}`, 'rootSeed'));
  if (exp.seedsVary !== 'init') throw new ConfigError('seedsVary', `the lab has no control for it and runs "init" (seeds differ in their initialisation only); use that, or run the file with traitlab run`);
  if (exp.crossArch !== undefined) throw new ConfigError('crossArch', `the lab has no cross-architecture base; ${LAB_REASONS.student}; remove it`);
  // The name first: another recipe is the difference that matters, its settings follow from it.
  const teacherKeys = ['name', ...Object.keys({ ...exp.teacher, ...DEMO.teacher })] as (keyof typeof exp.teacher)[];
  const teacherKey = teacherKeys.find((k) => k !== 'target' && !sameJson(exp.teacher[k], DEMO.teacher[k]));
  if (teacherKey !== undefined)
    throw new ConfigError(`teacher.${teacherKey}`, `the lab runs experiments/demo.json's teacher ("${DEMO.teacher.name}", which trains nothing) with only its target to choose; use demo.json's teacher`);
  for (const key of ['batchSize', 'fixedSetSize'] as const)
    if (exp.distill[key] !== DEMO.distill[key]) throw new ConfigError(`distill.${key}`, `the lab trains with experiments/demo.json's ${key} ${DEMO.distill[key]}; use it`);
  if (exp.arms[0]!.channel.discount !== undefined)
    throw new ConfigError('arms[0].channel.discount', 'the lab has no control for the policy-gradient discount (it runs the default, per-token advantages); remove it');
  if (exp.arms[0]!.adapter !== undefined)
    throw new ConfigError('arms[0].adapter', 'the lab trains full students only (no control for LoRA adapters); remove it, or run the file with `traitlab run`');
  if (exp.arms[0]!.channel.baseline !== undefined)
    throw new ConfigError('arms[0].channel.baseline', 'the lab has no control for the policy-gradient baseline (it runs the default, none); remove it');
  if (exp.arms[0]!.channel.relabel !== undefined)
    throw new ConfigError('arms[0].channel.relabel', "the lab has no control for the relabel token (it runs the default, the teacher's sampled token); remove it");
  if (exp.arms[0]!.channel.teacherTopK !== undefined)
    throw new ConfigError('arms[0].channel.teacherTopK', "the lab has no control for a truncated teacher (it runs the teacher's whole distribution); remove it");
  if (exp.arms[0]!.control !== undefined)
    throw new ConfigError('arms[0].control', "the lab runs experiments/demo.json's control teacher (the neutral persona); remove it");
}

export interface ImportedConfig {
  config: LabConfig;
  /** What the lab left out of the file (arms after the first, claims), one line each. */
  notices: string[];
}

/**
 * The lab's settings for a valid experiment, or a ConfigError naming the field the lab cannot
 * run as written. λ and β of a channel without them are `unused`'s (the sliders stay where they
 * are), so configOf(labExperiment(c), c) is c.
 */
export function configOf(exp: NumbersExperiment, unused: Pick<LabConfig, 'lambda' | 'beta'> = DEFAULT_CONFIG): ImportedConfig {
  checkFixedFields(exp);
  const arm = exp.arms[0]!;
  const candidate: Record<LabKey, unknown> = {
    target: exp.teacher.target,
    student: arm.student,
    prefix: arm.channel.prefix,
    signal: arm.channel.signal,
    lambda: arm.channel.lambda ?? unused.lambda,
    beta: arm.channel.beta ?? unused.beta,
    steps: exp.distill.steps,
    learningRate: exp.distill.learningRate,
    samplingTemperature: exp.distill.samplingTemperature,
    lossTemperature: exp.distill.lossTemperature,
    seeds: exp.seeds,
    probeEvery: exp.distill.probeEvery,
  };
  for (const key of LAB_KEYS) {
    const error = settingError(key, candidate[key], FILE_PATHS[key]);
    if (error) throw new ConfigError(error.path, LAB_REASONS[key] ? `${error.problem}; ${LAB_REASONS[key]}` : error.problem);
  }
  const notices: string[] = [];
  if (exp.arms.length > 1) notices.push(`the lab runs one arm at a time: loaded arm 1 of ${exp.arms.length}, "${arm.name}"`);
  if (exp.claims.length > 0) notices.push(`the lab does not evaluate claims: left out the file's ${exp.claims.length} (traitlab run evaluates them)`);
  return { config: candidate as LabConfig, notices };
}

/** An experiment file's text → the lab's settings, or one ConfigError line (nothing is changed). */
export function importExperimentText(file: string, text: string, check: ExperimentCheck, unused?: Pick<LabConfig, 'lambda' | 'beta'>): ImportedConfig {
  return configOf(parseExperimentText(file, text, check), unused);
}
