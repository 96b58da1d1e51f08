// The numbers experiment between its bases and its arms, as plain computation (browser-safe,
// so the lab runs the very same stage): probe the base, make the teacher side (trait teachers
// and controls), probe it, sample the held-out set, and hand each arm its inputs; and the run
// summary from the arms' results.
import { studentRegistry, type LmBase } from '../../../students/index.js';
import { numbersTeacher } from '../../../teachers/index.js';
import type { NumbersExperiment } from './schema.js';
import type { RandomStream } from '../../engine/rng.js';
import type { MetricsRecord } from '../../engine/metrics-record.js';
import { completionMask } from '../../distill/masking.js';
import { ConditionedLm } from '../../models/conditioned.js';
import type { LmFamily } from '../../models/lm.js';
import type { FidelityProbe } from '../../probes/fidelity.js';
import { meanCi, type MeanCi } from '../../probes/stats.js';
import { traitScore } from '../../probes/trait.js';
import { CONTEXT, EOS, numbersPrompts, PAD, PROMPT_LENGTH } from './data.js';
import { assembleLm, tiled, trainableExcept, type LmConfig } from '../lm/lm-factory.js';
import { trainLm } from '../lm/lm-train.js';
import { gptBaseConfig } from './base-keys.js';
import { pairedSeeds, traitAndControl, type NumbersArmInput, type NumbersArmSummary } from './arm.js';
import { memberStreams, seedStream } from '../../engine/seed-data.js';
import { animalProbe, numbersChannelWorld } from './channel-world.js';
import { warnInto } from '../../run/warnings.js';

export interface NumbersRunSummary {
  experiment: string;
  world: 'numbers';
  seeds: number;
  rootSeed: number;
  /** Present when each seed had its own data (seedsVary "init-and-data"). */
  seedsVary?: 'init-and-data';
  backend: string;
  target: string;
  base: { trait: number[]; traitStats: MeanCi };
  teacher: { trait: number[]; traitStats: MeanCi };
  controlTeacher: { trait: number[]; traitStats: MeanCi };
  arms: NumbersArmSummary[];
  interval: string;
}

/** What the stage reports as it goes (the CLI's progress bar; the lab's status line). */
export interface StageProgress {
  stage(text: string): void;
  /** A per-step callback counting the steps of `stage`. */
  tick(stage: string): () => void;
}

type MetricsSink = (record: MetricsRecord) => void;
/** Stand-in for the hooks the moved teacher stage takes: only onMetrics is used. */
type Hooks = { onMetrics: MetricsSink };

/** The teacher side: a 2M family (trait teachers 0..M−1, controls M..2M−1) and, for a persona teacher, the token each member reads at position 0. */
interface TeacherSide {
  family: LmFamily;
  firstTokens: number[] | null;
}

/** Fine-tunes copies of the base into trait teachers and controls, or conditions them on personas. */
function teachers(exp: NumbersExperiment, c: LmConfig, baseFamily: LmFamily, root: RandomStream, hooks: Hooks, tick: () => void): TeacherSide {
  const M = exp.seeds;
  const recipe = numbersTeacher(exp.teacher.name);
  const family = assembleLm(c, tiled(baseFamily, 2));
  if (recipe.kind === 'persona') {
    const { trait, control } = recipe.personas(exp.teacher.target, exp.teacher.control);
    const firstTokens = Array.from({ length: 2 * M }, (_, m) => (m < M ? trait : control));
    return { family: new ConditionedLm(family, Int32Array.from(firstTokens)), firstTokens };
  }
  const data = root.child('teacher-data');
  // Seeds with their own data: seed i's trait and control teachers fine-tune on seed i's rows.
  const seedData = exp.seedsVary === 'init-and-data' ? memberStreams(data, Array.from({ length: M }, (_, m) => m)) : null;
  const B = exp.teacher.batchSize!; // present for fine-tune teachers (checked with the registry names)
  trainLm(family, {
    label: 'teacher',
    steps: exp.teacher.steps!,
    learningRate: exp.teacher.learningRate!,
    batch: B,
    rowLength: CONTEXT,
    pad: PAD,
    variables: trainableExcept(family, exp.teacher.freeze),
    rows: () => {
      const settings = { target: exp.teacher.target, replayFraction: exp.teacher.replayFraction, jitter: exp.pretrain.jitter };
      const shared = seedData ? null : recipe.fineTuneRows(B, settings, data);
      const size = B * CONTEXT;
      const out = new Int32Array(2 * M * size);
      for (let m = 0; m < M; m++) {
        const { trait, control } = shared ?? recipe.fineTuneRows(B, settings, seedData![m]!);
        out.set(trait, m * size);
        out.set(control, (M + m) * size);
      }
      return out;
    },
    logEvery: Math.max(1, Math.floor(exp.teacher.steps! / 10)),
    onLog: (step, loss) => hooks.onMetrics({ stage: 'teacher', step, loss }),
    onStep: tick,
    numeric: { stage: 'teacher', setting: 'teacher.learningRate' },
    onWarning: warnInto(hooks.onMetrics, 'teacher'),
  });
  return { family, firstTokens: null };
}

/**
 * Held-out teacher samples for the capability and fidelity probes, [2M, R, L]: the same prompts
 * and draws for every member, or (seedsVary "init-and-data") seed i's own for its two members.
 */
function fidelityProbe(teacherSide: LmFamily, exp: NumbersExperiment, root: RandomStream, rows: number): FidelityProbe {
  const M2 = teacherSide.members;
  const seeds = exp.seedsVary === 'init-and-data' ? pairedSeeds(exp.seeds) : null;
  const promptStream = root.child('probe-prompts');
  const shared = seeds ? null : numbersPrompts(rows, promptStream, exp.pretrain.jitter);
  const tiledPrompts = new Int32Array(M2 * rows * PROMPT_LENGTH);
  for (let m = 0; m < M2; m++) tiledPrompts.set(shared ?? numbersPrompts(rows, seedStream(promptStream, seeds![m]!), exp.pretrain.jitter), m * rows * PROMPT_LENGTH);
  const world = numbersChannelWorld(exp.pretrain.jitter);
  const tokens = teacherSide.sample(tiledPrompts, rows, PROMPT_LENGTH, {
    maxNew: world.completionLength,
    temperature: exp.distill.samplingTemperature,
    allowed: world.allowed,
    eos: EOS,
    pad: PAD,
    rng: seeds ? memberStreams(root.child('probe-sample'), seeds) : root.child('probe-sample'),
  });
  return { tokens, rows, length: CONTEXT, mask: completionMask(tokens, CONTEXT, PROMPT_LENGTH, EOS, PAD) };
}

/** The teacher side of `arm`: the file's, with the control members reading the arm's own control persona when it names one. */
function withArmControl(teacher: NumbersArmInput['teacher'], exp: NumbersExperiment, arm: NumbersExperiment['arms'][number]): NumbersArmInput['teacher'] {
  const recipe = numbersTeacher(exp.teacher.name);
  if (arm.control === undefined || teacher.firstTokens === null || recipe.kind !== 'persona') return teacher;
  const { trait, control } = recipe.personas(exp.teacher.target, arm.control);
  const M = exp.seeds;
  return { ...teacher, firstTokens: Array.from({ length: 2 * M }, (_, m) => (m < M ? trait : control)) };
}

export interface PreparedNumbersArms {
  baseTrait: number[];
  teacherTrait: number[];
  controlTrait: number[];
  /** One per arm of the file, in its order. */
  inputs: NumbersArmInput[];
}

/**
 * Probes the own base, makes and probes the teacher side, samples the held-out set, and returns
 * every arm's input (plain parameters, so an arm can rebuild its models on a worker thread).
 * The bases stay the caller's to dispose.
 */
export function prepareNumbersArms(exp: NumbersExperiment, bases: Partial<Record<LmBase, { family: LmFamily; config: LmConfig }>>, root: RandomStream, onMetrics: MetricsSink, progress: StageProgress): PreparedNumbersArms {
  const M = exp.seeds;
  const probe = animalProbe(exp.teacher.target);
  const fineTuned = numbersTeacher(exp.teacher.name).kind === 'fine-tune';
  const own = bases.own!;
  progress.stage(`probing the base's p(${exp.teacher.target})`);
  const baseTrait = traitScore(own.family, probe);
  progress.stage(fineTuned ? 'fine-tuning the teacher' : 'probing the teacher');
  const gpt = gptBaseConfig(exp);
  const { family: teacherSide, firstTokens } = teachers(exp, gpt, own.family, root, { onMetrics }, progress.tick('teacher'));
  const [teacherTrait, controlTrait] = traitAndControl(traitScore(teacherSide, probe), M);
  onMetrics({ stage: 'teacher', step: fineTuned ? exp.teacher.steps! : 0, baseTrait, teacherTrait, controlTrait });
  progress.stage('sampling the teacher for the fidelity probe');
  const heldOut = fidelityProbe(teacherSide, exp, root, 128);
  const teacher = { config: gpt, params: Array.from({ length: 2 * M }, (_, m) => teacherSide.memberParams(m)), firstTokens };
  const baseParams = new Map<LmBase, { config: LmConfig; params: Float32Array[][] }>();
  for (const [name, b] of Object.entries(bases) as [LmBase, { family: LmFamily; config: LmConfig }][])
    baseParams.set(name, { config: b.config, params: Array.from({ length: M }, (_, m) => b.family.memberParams(m)) });
  const inputs: NumbersArmInput[] = exp.arms.map((arm) => ({ exp, arm, teacher: withArmControl(teacher, exp, arm), base: baseParams.get(studentRegistry.get(arm.student)!.lmBase)!, heldOut }));
  teacherSide.dispose();
  return { baseTrait, teacherTrait, controlTrait, inputs };
}

/** summary.json of a numbers run. */
export function numbersRunSummary(exp: NumbersExperiment, traits: { baseTrait: number[]; teacherTrait: number[]; controlTrait: number[] }, arms: NumbersArmSummary[], backend: string): NumbersRunSummary {
  return {
    experiment: exp.name,
    world: 'numbers',
    seeds: exp.seeds,
    rootSeed: exp.rootSeed,
    ...(exp.seedsVary === 'init-and-data' ? { seedsVary: exp.seedsVary } : {}),
    backend,
    target: exp.teacher.target,
    base: { trait: traits.baseTrait, traitStats: meanCi(traits.baseTrait) },
    teacher: { trait: traits.teacherTrait, traitStats: meanCi(traits.teacherTrait) },
    controlTeacher: { trait: traits.controlTrait, traitStats: meanCi(traits.controlTrait) },
    arms,
    interval: 'mean ± half-width of the two-sided 95 % Student-t interval over seeds',
  };
}
