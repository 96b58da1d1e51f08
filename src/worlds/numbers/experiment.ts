// The numbers-world experiment, stage by stage:
//   bases (pretrained, cached) → teacher and control teacher (one family of 2M members: trait
//   teachers 0..M−1, controls M..2M−1, fine-tuned on the same documents but for the answers) →
//   per arm, a student family of 2M (member i a copy of its base, twice) distilled through the
//   channel, member i from teacher-side member i → probes → transfer per seed = student trait −
//   control-student trait, mean ± 95 % t interval over seeds.
import type { LmBase } from '../../../students/index.js';
import { numbersTeacher } from '../../../teachers/index.js';
import type { NumbersExperiment } from './schema.js';
import { activeBackend } from '../../engine/backend.js';
import { rootStream, type RandomStream } from '../../engine/rng.js';
import { runArmTasks } from '../../run/pool/arm-pool.js';
import { baseOnDisk, type CachedBase } from '../../run/base-cache.js';
import type { LmConfig } from '../lm/lm-factory.js';
import { basePieces, numbersBase, numbersBaseTask } from './bases.js';
import { baseCacheKey, plannedNumbersBases, pretrainSteps } from './base-keys.js';
import { pretrainPlanned, type PretrainProgress } from '../lm/parallel-pretrain.js';
import { ProgressCounter, startingArms } from '../../run/progress-counter.js';
import { numbersArmTask } from './arm.js';
import type { RunHooks, RunOptions } from '../../run/types.js';
import { numbersRunSummary, prepareNumbersArms, type NumbersRunSummary } from './prepare-arms.js';

export type { NumbersRunSummary } from './prepare-arms.js';

export { baseCacheKey, gptBaseConfig } from './base-keys.js';

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
      onDisk: (b) => baseOnDisk(baseCacheKey(exp, b.config, b.firstSeed), writeDir, basePieces(exp, b)),
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

export async function runNumbersExperiment(exp: NumbersExperiment, hooks: RunHooks, options: RunOptions = {}): Promise<NumbersRunSummary> {
  const root = rootStream(exp.rootSeed);
  // Progress counts the optimizer steps of every stage; a base read from disk leaves the total.
  const fineTuned = numbersTeacher(exp.teacher.name).kind === 'fine-tune';
  const teacherSteps = fineTuned ? exp.teacher.steps! : 0;
  const progress = new ProgressCounter(hooks, pretrainSteps(exp) + teacherSteps + exp.arms.length * exp.distill.steps);
  const bases = await pretrainStage(exp, root, hooks, progress, options.jobs ?? 1);
  const { baseTrait, teacherTrait, controlTrait, inputs } = prepareNumbersArms(exp, bases, root, hooks.onMetrics, progress);
  for (const b of Object.values(bases)) b?.family.dispose();
  progress.stage(startingArms(exp.arms.length, options.jobs ?? 1));
  const arms = await runArmTasks(numbersArmTask, inputs, options.jobs ?? 1, {
    onMetrics: hooks.onMetrics,
    onStep: (i) => progress.step(exp.arms[i]!.name),
    onResumed: (_, steps) => progress.skip(steps),
  }, options.control);
  return numbersRunSummary(exp, { baseTrait, teacherTrait, controlTrait }, arms, activeBackend());
}
