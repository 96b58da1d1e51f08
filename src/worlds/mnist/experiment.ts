// The MNIST auxiliary-logit experiment, stage by stage: reference (untrained) → teacher →
// frozen teacher's logits on a fixed noise set → each student arm distilled on them →
// test accuracy of every arm, per seed. All seeds train side by side as members of one
// family; independent student arms run on worker threads (see arm-pool.ts).
import { studentRegistry } from '../../../students/index.js';
import { mnistTeacher } from '../../../teachers/index.js';
import type { MnistArm, MnistExperiment, StudentArm } from './schema.js';
import { activeBackend } from '../../engine/backend.js';
import { stepsFor } from '../../engine/batches.js';
import { checkFinite } from '../../engine/numeric.js';
import { rootStream, type RandomStream } from '../../engine/rng.js';
import { teacherTargets, type LogitRange } from '../../distill/logit-distill.js';
import { MlpFamily } from '../../models/mlp.js';
import { accuracyPerMember } from '../../probes/accuracy.js';
import { meanCi } from '../../probes/stats.js';
import { IMAGE_SIZE, NUM_CLASSES } from './data.js';
import { loadMnist } from './digit-files.js';
import { runArmTasks } from '../../run/pool/arm-pool.js';
import { initContext } from './init-context.js';
import { ProgressCounter, startingArms } from '../../run/progress-counter.js';
import { sharedFloat32 } from '../../run/pool/shared-memory.js';
import { studentArmTask, type StudentArmInput } from './student-arm.js';
import type { RunHooks, RunOptions } from '../../run/types.js';
import type { MnistArmSummary, MnistRunSummary } from './summary.js';
import { warnInto } from '../../run/warnings.js';

export function layerSizes(exp: MnistExperiment): number[] {
  return [IMAGE_SIZE, ...exp.model.hidden, NUM_CLASSES + exp.model.auxLogits];
}

function logitRange(exp: MnistExperiment, which: 'aux' | 'all'): LogitRange {
  return which === 'aux' ? { start: NUM_CLASSES, size: exp.model.auxLogits } : { start: 0, size: NUM_CLASSES + exp.model.auxLogits };
}

/** Uniform noise in [−1, 1], [n, 784], on shared memory so worker threads read it without a copy. */
function sharedNoise(n: number, rng: RandomStream): Float32Array {
  const out = sharedFloat32(n * IMAGE_SIZE);
  for (let i = 0; i < out.length; i++) out[i] = 2 * rng.next() - 1;
  return out;
}

/** Total optimizer steps of the run, for progress. */
export function totalSteps(exp: MnistExperiment): number {
  const data = loadMnist();
  const teacher = mnistTeacher(exp.teacher.name);
  const students = exp.arms.filter((a) => a.kind === 'student').length;
  const needsTeacher = exp.arms.some((a) => a.kind !== 'reference');
  return (needsTeacher ? teacher.steps(data, exp.teacher) : 0) + students * stepsFor(exp.distill.noiseImages, exp.distill.batchSize, exp.distill.epochs);
}

export async function runMnistExperiment(exp: MnistExperiment, hooks: RunHooks, options: RunOptions = {}): Promise<MnistRunSummary> {
  const data = loadMnist();
  const M = exp.seeds;
  const sizes = layerSizes(exp);
  const root = rootStream(exp.rootSeed);
  const ctx = initContext(sizes, exp.rootSeed, M);
  const { teacherInits } = ctx;
  const progress = new ProgressCounter(hooks, totalSteps(exp));
  const evaluate = (model: MlpFamily) => accuracyPerMember(model, data.test.images, data.test.labels, NUM_CLASSES);
  const summarize = (arm: MnistArm, accuracy: number[], details: Record<string, unknown> = {}): MnistArmSummary => {
    const { mean, ci95 } = meanCi(accuracy);
    return { name: arm.name, kind: arm.kind, accuracy, mean, ci95, details };
  };

  const results = new Map<string, MnistArmSummary>();
  const studentArms = exp.arms.filter((a): a is StudentArm => a.kind === 'student');
  let teacherLogits: Float32Array[] = [];
  let noise: Float32Array = new Float32Array(0);
  const teacherModel = new MlpFamily(sizes, teacherInits);
  try {
    progress.stage('evaluating the untrained reference');
    for (const arm of exp.arms.filter((a) => a.kind === 'reference')) results.set(arm.name, summarize(arm, evaluate(teacherModel)));

    if (exp.arms.some((a) => a.kind !== 'reference')) {
      const recipe = mnistTeacher(exp.teacher.name);
      recipe.train(teacherModel, data, exp.teacher, root.child('teacher-data'), {
        logEvery: exp.logEvery,
        onLog: (step, loss) => hooks.onMetrics({ stage: 'teacher', step, loss }),
        onStep: () => progress.step('teacher'),
        numeric: { stage: 'teacher', setting: 'teacher.learningRate' },
        onWarning: warnInto(hooks.onMetrics, 'teacher'),
      });
      const teacherAccuracy = evaluate(teacherModel);
      hooks.onMetrics({ stage: 'teacher', step: recipe.steps(data, exp.teacher), testAccuracy: teacherAccuracy });
      for (const arm of exp.arms.filter((a) => a.kind === 'teacher')) results.set(arm.name, summarize(arm, teacherAccuracy, { teacher: recipe.name }));
    }
    if (studentArms.length > 0) {
      // One noise set and one pass of the frozen teacher over it serve every student arm.
      progress.stage("the teacher's logits on the noise set");
      noise = sharedNoise(exp.distill.noiseImages, root.child('noise'));
      teacherLogits = teacherTargets(teacherModel, noise, { start: 0, size: sizes[sizes.length - 1]! }, sharedFloat32);
      const teacherSteps = mnistTeacher(exp.teacher.name).steps(data, exp.teacher);
      for (const logits of teacherLogits) checkFinite(logits, { stage: 'teacher', setting: 'teacher.learningRate', step: teacherSteps, what: 'logits' });
    }
  } finally {
    teacherModel.dispose();
  }

  const inputs: StudentArmInput[] = studentArms.map((arm) => {
    const recipe = studentRegistry.get(arm.student)!;
    return {
      arm: arm.name,
      backend: activeBackend(),
      rootSeed: exp.rootSeed,
      sizes,
      inits: Array.from({ length: M }, (_, m) => recipe.init!(ctx, m)), // checked with the recipe names (mnistWorld.check): MNIST students have init
      noise,
      teacherLogits,
      settings: {
        logits: logitRange(exp, arm.logits),
        epochs: exp.distill.epochs,
        batchSize: exp.distill.batchSize,
        learningRate: exp.distill.learningRate,
        temperature: exp.distill.temperature,
        logEvery: exp.logEvery,
      },
    };
  });
  progress.stage(startingArms(studentArms.length, options.jobs ?? 1, 'student arms'));
  const accuracies = await runArmTasks(
    studentArmTask,
    inputs,
    options.jobs ?? 1,
    { onMetrics: hooks.onMetrics, onStep: (i) => progress.step(studentArms[i]!.name), onResumed: (_, steps) => progress.skip(steps) },
    options.control,
  );
  studentArms.forEach((arm, i) => results.set(arm.name, summarize(arm, accuracies[i]!, { student: arm.student, logits: arm.logits })));

  return {
    experiment: exp.name,
    seeds: M,
    rootSeed: exp.rootSeed,
    backend: activeBackend(),
    interval: 'mean ± half-width of the two-sided 95 % Student-t interval over seeds',
    arms: exp.arms.map((a) => results.get(a.name)!),
  };
}
