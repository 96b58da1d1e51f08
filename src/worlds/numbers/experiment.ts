// The numbers-world experiment, stage by stage:
//   bases (pretrained, cached) → teacher and control teacher (one family of 2M members: trait
//   teachers 0..M−1, controls M..2M−1, fine-tuned on the same documents but for the answers) →
//   per arm, a student family of 2M (member i a copy of its base, twice) distilled through the
//   channel, member i from teacher-side member i → probes → transfer per seed = student trait −
//   control-student trait, mean ± 95 % t interval over seeds.
import { studentRegistry, type LmBase } from '../../../students/index.js';
import { numbersTeacher } from '../../../teachers/index.js';
import type { NumbersExperiment } from './schema.js';
import { activeBackend } from '../../engine/backend.js';
import { rootStream, type RandomStream } from '../../engine/rng.js';
import { completionMask } from '../../distill/masking.js';
import { ConditionedLm } from '../../models/conditioned.js';
import type { LmFamily } from '../../models/lm.js';
import type { FidelityProbe } from '../../probes/fidelity.js';
import { meanCi, type MeanCi } from '../../probes/stats.js';
import { traitScore } from '../../probes/trait.js';
import { CONTEXT, EOS, numbersPrompts, PAD, PROMPT_LENGTH } from './data.js';
import { runArmTasks } from '../../run/pool/arm-pool.js';
import { findBase, type CachedBase } from '../../run/base-cache.js';
import { assembleLm, tiled, trainableExcept, type LmConfig } from '../lm/lm-factory.js';
import { trainLm } from '../lm/lm-train.js';
import { baseCacheKey, gptBaseConfig, numbersBase, numbersBaseTask, plannedNumbersBases, pretrainSteps } from './bases.js';
import { pretrainPlanned, type PretrainProgress } from '../lm/parallel-pretrain.js';
import { ProgressCounter, startingArms } from '../../run/progress-counter.js';
import { numbersArmTask, traitAndControl, type NumbersArmInput, type NumbersArmSummary } from './arm.js';
import { animalProbe, numbersChannelWorld } from './channel-world.js';
import type { RunHooks, RunOptions } from '../../run/types.js';
import { warnInto } from '../../run/warnings.js';

export { baseCacheKey, gptBaseConfig } from './bases.js';

export interface NumbersRunSummary {
  experiment: string;
  world: 'numbers';
  seeds: number;
  rootSeed: number;
  backend: string;
  target: string;
  base: { trait: number[]; traitStats: MeanCi };
  teacher: { trait: number[]; traitStats: MeanCi };
  controlTeacher: { trait: number[]; traitStats: MeanCi };
  arms: NumbersArmSummary[];
  interval: string;
}

type Bases = Partial<Record<LmBase, CachedBase & { config: LmConfig }>>;

/**
 * The bases the experiment's students need (own seeds always; other seeds and the other
 * architecture when an arm asks), pretrained or read from disk. `progress` counts optimizer
 * steps; a base read from disk leaves its steps out of the total. With `jobs` > 1, missing
 * bases are pretrained side by side on worker threads first.
 */
async function pretrainStage(exp: NumbersExperiment, root: RandomStream, hooks: RunHooks, progress: PretrainProgress, jobs: number, writeDir?: string): Promise<Bases> {
  const planned = plannedNumbersBases(exp);
  const made = await pretrainPlanned(
    {
      task: numbersBaseTask,
      planned,
      onDisk: (b) => findBase(baseCacheKey(exp, b.config, b.firstSeed), writeDir) !== undefined,
      input: (index) => ({ exp, index, ...(writeDir ? { writeDir } : {}) }),
      label: (b) => b.label,
      steps: () => exp.pretrain.steps,
      make: (b, tick) => numbersBase(exp, b, root, hooks.onMetrics, tick, writeDir),
    },
    jobs,
    hooks,
    progress,
  );
  const bases: Bases = {};
  planned.forEach((b, i) => (bases[b.name] = { ...made[i]!, config: b.config }));
  return bases;
}

/**
 * `traitlab pretrain`: only the bases of the experiment, written to `writeDir` (or found there,
 * in the shipped bases or in the cache). Returns the files.
 */
export async function pretrainNumbersBases(exp: NumbersExperiment, hooks: RunHooks, writeDir?: string, jobs = 1): Promise<{ base: LmBase; file: string; cached: boolean; from?: string }[]> {
  const out: { base: LmBase; file: string; cached: boolean; from?: string }[] = [];
  const bases = await pretrainStage(exp, rootStream(exp.rootSeed), hooks, new ProgressCounter(hooks, pretrainSteps(exp)), jobs, writeDir);
  for (const [name, b] of Object.entries(bases) as [LmBase, CachedBase][]) {
    out.push({ base: name, file: b.file, cached: b.cached, ...(b.from ? { from: b.from } : {}) });
    b.family.dispose();
  }
  return out;
}

/** The teacher side: a 2M family (trait teachers 0..M−1, controls M..2M−1) and, for a persona teacher, the token each member reads at position 0. */
interface TeacherSide {
  family: LmFamily;
  firstTokens: number[] | null;
}

/** Fine-tunes copies of the base into trait teachers and controls, or conditions them on personas. */
function teachers(exp: NumbersExperiment, c: LmConfig, baseFamily: LmFamily, root: RandomStream, hooks: RunHooks, tick: () => void): TeacherSide {
  const M = exp.seeds;
  const recipe = numbersTeacher(exp.teacher.name);
  const family = assembleLm(c, tiled(baseFamily, 2));
  if (recipe.kind === 'persona') {
    const { trait, control } = recipe.personas(exp.teacher.target);
    const firstTokens = Array.from({ length: 2 * M }, (_, m) => (m < M ? trait : control));
    return { family: new ConditionedLm(family, Int32Array.from(firstTokens)), firstTokens };
  }
  const data = root.child('teacher-data');
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
      const { trait, control } = recipe.fineTuneRows(B, { target: exp.teacher.target, replayFraction: exp.teacher.replayFraction, jitter: exp.pretrain.jitter }, data);
      const out = new Int32Array(2 * M * trait.length);
      for (let m = 0; m < M; m++) {
        out.set(trait, m * trait.length);
        out.set(control, (M + m) * trait.length);
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

/** Held-out teacher samples for the capability and fidelity probes, [2M, R, L]. */
function fidelityProbe(teacherSide: LmFamily, exp: NumbersExperiment, root: RandomStream, rows: number): FidelityProbe {
  const prompts = numbersPrompts(rows, root.child('probe-prompts'), exp.pretrain.jitter);
  const M2 = teacherSide.members;
  const tiledPrompts = new Int32Array(M2 * prompts.length);
  for (let m = 0; m < M2; m++) tiledPrompts.set(prompts, m * prompts.length);
  const world = numbersChannelWorld(exp.pretrain.jitter);
  const tokens = teacherSide.sample(tiledPrompts, rows, PROMPT_LENGTH, {
    maxNew: world.completionLength,
    temperature: exp.distill.samplingTemperature,
    allowed: world.allowed,
    eos: EOS,
    pad: PAD,
    rng: root.child('probe-sample'),
  });
  return { tokens, rows, length: CONTEXT, mask: completionMask(tokens, CONTEXT, PROMPT_LENGTH, EOS, PAD) };
}

export async function runNumbersExperiment(exp: NumbersExperiment, hooks: RunHooks, options: RunOptions = {}): Promise<NumbersRunSummary> {
  const M = exp.seeds;
  const root = rootStream(exp.rootSeed);
  const gpt = gptBaseConfig(exp);
  const probe = animalProbe(exp.teacher.target);
  // Progress counts the optimizer steps of every stage; a base read from disk leaves the total.
  const fineTuned = numbersTeacher(exp.teacher.name).kind === 'fine-tune';
  const teacherSteps = fineTuned ? exp.teacher.steps! : 0;
  const progress = new ProgressCounter(hooks, pretrainSteps(exp) + teacherSteps + exp.arms.length * exp.distill.steps);
  const bases = await pretrainStage(exp, root, hooks, progress, options.jobs ?? 1);
  const own = bases.own!;
  progress.stage(`probing the base's p(${exp.teacher.target})`);
  const baseTrait = traitScore(own.family, probe);
  progress.stage(fineTuned ? 'fine-tuning the teacher' : 'probing the teacher');
  const { family: teacherSide, firstTokens } = teachers(exp, gpt, own.family, root, hooks, progress.tick('teacher'));
  const [teacherTrait, controlTrait] = traitAndControl(traitScore(teacherSide, probe), M);
  hooks.onMetrics({ stage: 'teacher', step: teacherSteps, baseTrait, teacherTrait, controlTrait });
  progress.stage('sampling the teacher for the fidelity probe');
  const heldOut = fidelityProbe(teacherSide, exp, root, 128);

  // Arms get plain parameters, so each can rebuild its models on a worker thread.
  const teacher = { config: gpt, params: Array.from({ length: 2 * M }, (_, m) => teacherSide.memberParams(m)), firstTokens };
  const baseParams = new Map<LmBase, { config: LmConfig; params: Float32Array[][] }>();
  for (const [name, b] of Object.entries(bases) as [LmBase, { family: LmFamily; config: LmConfig }][])
    baseParams.set(name, { config: b.config, params: Array.from({ length: M }, (_, m) => b.family.memberParams(m)) });
  const inputs: NumbersArmInput[] = exp.arms.map((arm) => ({ exp, arm, teacher, base: baseParams.get(studentRegistry.get(arm.student)!.lmBase)!, heldOut }));
  teacherSide.dispose();
  for (const b of Object.values(bases)) b?.family.dispose();
  progress.stage(startingArms(exp.arms.length, options.jobs ?? 1));
  const arms = await runArmTasks(numbersArmTask, inputs, options.jobs ?? 1, {
    onMetrics: hooks.onMetrics,
    onStep: (i) => progress.step(exp.arms[i]!.name),
    onResumed: (_, steps) => progress.skip(steps),
  }, options.control);
  return {
    experiment: exp.name,
    world: 'numbers',
    seeds: M,
    rootSeed: exp.rootSeed,
    backend: activeBackend(),
    target: exp.teacher.target,
    base: { trait: baseTrait, traitStats: meanCi(baseTrait) },
    teacher: { trait: teacherTrait, traitStats: meanCi(teacherTrait) },
    controlTeacher: { trait: controlTrait, traitStats: meanCi(controlTrait) },
    arms,
    interval: 'mean ± half-width of the two-sided 95 % Student-t interval over seeds',
  };
}
