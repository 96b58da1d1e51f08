// The MNIST auxiliary-logit experiment, stage by stage: reference (untrained) → teacher →
// frozen teacher's logits on a fixed noise set → each student arm distilled on them →
// test accuracy of every arm, per seed. All seeds train side by side as members of one
// family; independent student arms run on worker threads (see arm-pool.ts).
import { mnistTeacher } from '../../../teachers/index.js';
import type { MnistExperiment } from './schema.js';
import { activeBackend } from '../../engine/backend.js';
import { stepsFor } from '../../engine/batches.js';
import { loadMnist } from './digit-files.js';
import { runArmTasks } from '../../run/pool/arm-pool.js';
import { ProgressCounter, startingArms } from '../../run/progress-counter.js';
import { sharedFloat32 } from '../../run/pool/shared-memory.js';
import { studentArmTask } from './student-arm.js';
import type { RunHooks, RunOptions } from '../../run/types.js';
import type { MnistRunSummary } from './summary.js';
import { mnistRunSummary, prepareMnistArms, type TrainedTeacher } from './prepare-arms.js';
import { mnistNoise } from './teacher-stage.js';
import { runTeacherInParts, seedParts, teacherInParts } from './teacher-parts.js';

export { layerSizes } from './prepare-arms.js';

/** Total optimizer steps of the run, for progress. */
export function totalSteps(exp: MnistExperiment): number {
  const data = loadMnist();
  const teacher = mnistTeacher(exp.teacher.name);
  const students = exp.arms.filter((a) => a.kind === 'student').length;
  const needsTeacher = exp.arms.some((a) => a.kind !== 'reference');
  return (needsTeacher ? teacher.steps(data, exp.teacher) : 0) + students * stepsFor(exp.distill.noiseImages, exp.distill.batchSize, exp.distill.epochs);
}

export async function runMnistExperiment(exp: MnistExperiment, hooks: RunHooks, options: RunOptions = {}): Promise<MnistRunSummary> {
  const progress = new ProgressCounter(hooks, totalSteps(exp));
  const jobs = options.jobs ?? 1;
  let trained: TrainedTeacher | undefined;
  if (teacherInParts(exp, jobs)) {
    // the teacher's members side by side on the worker threads, then the students
    const parts = seedParts(exp.seeds, jobs);
    progress.stage(`the teacher, seeds in ${parts.length} parts (${parts.map((p) => p.length).join(' + ')}) on ${parts.length} threads`);
    const noise = exp.arms.some((a) => a.kind === 'student') ? mnistNoise(exp, sharedFloat32) : [];
    trained = await runTeacherInParts(exp, noise, jobs, hooks.onMetrics, () => progress.step('teacher'), sharedFloat32);
  }
  const { results, studentArms, inputs } = prepareMnistArms(exp, loadMnist(), hooks.onMetrics, progress, sharedFloat32, trained);
  progress.stage(startingArms(studentArms.length, jobs, 'student arms'));
  const accuracies = await runArmTasks(
    studentArmTask,
    inputs,
    jobs,
    { onMetrics: hooks.onMetrics, onStep: (i) => progress.step(studentArms[i]!.name), onResumed: (_, steps) => progress.skip(steps) },
    options.control,
  );
  return mnistRunSummary(exp, results, accuracies, activeBackend());
}
