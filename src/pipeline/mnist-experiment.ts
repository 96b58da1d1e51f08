// The MNIST auxiliary-logit experiment, stage by stage: reference (untrained) → teacher →
// frozen teacher's logits on a fixed noise set → each student arm distilled on them →
// test accuracy of every arm, per seed. All seeds train side by side as members of one family.
import { studentRegistry, type StudentInitContext } from '../../students/index.js';
import { teacherRegistry } from '../../teachers/index.js';
import type { MnistArm, MnistExperiment } from '../config/experiment.js';
import { activeBackend } from '../engine/backend.js';
import { stepsFor } from '../engine/batches.js';
import { rootStream, type RandomStream } from '../engine/rng.js';
import { distillLogits, type LogitRange } from '../distill/logit-distill.js';
import { drawMemberInit, MlpFamily, type MemberInit } from '../models/mlp.js';
import { accuracyPerMember } from '../probes/accuracy.js';
import { meanCi } from '../probes/stats.js';
import { IMAGE_SIZE, loadMnist, noiseImages, NUM_CLASSES } from '../worlds/mnist.js';
import type { ArmSummary, RunHooks, RunSummary } from './types.js';

export function layerSizes(exp: MnistExperiment): number[] {
  return [IMAGE_SIZE, ...exp.model.hidden, NUM_CLASSES + exp.model.auxLogits];
}

/** The init stream of seed s: independent of every other stream of the run. */
function initStreamOfSeed(root: RandomStream, seed: number): RandomStream {
  return root.child('init').child(String(seed));
}

function logitRange(exp: MnistExperiment, which: 'aux' | 'all'): LogitRange {
  return which === 'aux' ? { start: NUM_CLASSES, size: exp.model.auxLogits } : { start: 0, size: NUM_CLASSES + exp.model.auxLogits };
}

/** Total optimizer steps of the run, for progress. */
export function totalSteps(exp: MnistExperiment): number {
  const data = loadMnist();
  const teacher = teacherRegistry.get(exp.teacher.name)!;
  const students = exp.arms.filter((a) => a.kind === 'student').length;
  const needsTeacher = exp.arms.some((a) => a.kind !== 'reference');
  return (needsTeacher ? teacher.steps(data, exp.teacher) : 0) + students * stepsFor(exp.distill.noiseImages, exp.distill.batchSize, exp.distill.epochs);
}

export function runMnistExperiment(exp: MnistExperiment, hooks: RunHooks): RunSummary {
  const data = loadMnist();
  const M = exp.seeds;
  const sizes = layerSizes(exp);
  const root = rootStream(exp.rootSeed);
  const initCache = new Map<number, MemberInit>();
  const initOfSeed = (seed: number): MemberInit => {
    let init = initCache.get(seed);
    if (!init) initCache.set(seed, (init = drawMemberInit(sizes, initStreamOfSeed(root, seed))));
    return init;
  };
  const teacherInits = Array.from({ length: M }, (_, i) => initOfSeed(i));
  const total = totalSteps(exp);
  let done = 0;
  const tick = (label: string) => () => hooks.onProgress(++done, total, label);
  const evaluate = (model: MlpFamily) => accuracyPerMember(model, data.test.images, data.test.labels, NUM_CLASSES);
  const summarize = (arm: MnistArm, accuracy: number[], details: Record<string, unknown> = {}): ArmSummary => {
    const { mean, ci95 } = meanCi(accuracy);
    return { name: arm.name, kind: arm.kind, accuracy, mean, ci95, details };
  };

  const results = new Map<string, ArmSummary>();
  const teacherModel = new MlpFamily(sizes, teacherInits);
  try {
    for (const arm of exp.arms.filter((a) => a.kind === 'reference')) results.set(arm.name, summarize(arm, evaluate(teacherModel)));

    const studentArms = exp.arms.filter((a) => a.kind === 'student');
    if (exp.arms.some((a) => a.kind !== 'reference')) {
      const recipe = teacherRegistry.get(exp.teacher.name)!;
      recipe.train(teacherModel, data, exp.teacher, root.child('teacher-data'), {
        logEvery: exp.logEvery,
        onLog: (step, loss) => hooks.onMetrics({ stage: 'teacher', step, loss }),
        onStep: tick('teacher'),
      });
      const teacherAccuracy = evaluate(teacherModel);
      hooks.onMetrics({ stage: 'teacher', step: recipe.steps(data, exp.teacher), testAccuracy: teacherAccuracy });
      for (const arm of exp.arms.filter((a) => a.kind === 'teacher')) results.set(arm.name, summarize(arm, teacherAccuracy, { teacher: recipe.name }));
    }

    if (studentArms.length > 0) {
      // One noise set for every student arm, so arms differ only in what the arm says.
      const noise = noiseImages(exp.distill.noiseImages, root.child('noise'));
      const ctx: StudentInitContext = { members: M, teacherInit: (m) => teacherInits[m]!, initOfSeed };
      for (const arm of studentArms) {
        if (arm.kind !== 'student') continue;
        const recipe = studentRegistry.get(arm.student)!;
        const student = new MlpFamily(sizes, Array.from({ length: M }, (_, m) => recipe.init(ctx, m)));
        try {
          // Every arm sees the same batch order: the stream is keyed by the noise set, not the arm.
          distillLogits(teacherModel, student, root.child('distill-data'), {
            label: `student ${arm.name}`,
            inputs: noise,
            logits: logitRange(exp, arm.logits),
            epochs: exp.distill.epochs,
            batchSize: exp.distill.batchSize,
            learningRate: exp.distill.learningRate,
            temperature: exp.distill.temperature,
            logEvery: exp.logEvery,
            onLog: (step, kl) => hooks.onMetrics({ stage: arm.name, step, kl }),
            onStep: tick(arm.name),
          });
          const accuracy = evaluate(student);
          hooks.onMetrics({ stage: arm.name, step: stepsFor(exp.distill.noiseImages, exp.distill.batchSize, exp.distill.epochs), testAccuracy: accuracy });
          results.set(arm.name, summarize(arm, accuracy, { student: arm.student, logits: arm.logits }));
        } finally {
          student.dispose();
        }
      }
    }
  } finally {
    teacherModel.dispose();
  }
  return {
    experiment: exp.name,
    seeds: M,
    rootSeed: exp.rootSeed,
    backend: activeBackend(),
    interval: 'mean ± half-width of the two-sided 95 % Student-t interval over seeds',
    arms: exp.arms.map((a) => results.get(a.name)!),
  };
}
