// The MNIST experiment up to its student arms, as plain computation (browser-safe, so the lab runs
// the very same stages): the untrained reference, the teacher, its logits on the noise set, and
// every student arm's input; and the run summary from the arms' accuracies.
import { mnistTeacher } from '../../../teachers/index.js';
import type { MnistArm, MnistExperiment, StudentArm } from './schema.js';
import { activeBackend, type BackendName } from '../../engine/backend.js';
import type { MetricsRecord } from '../../engine/metrics-record.js';
import { checkFinite } from '../../engine/numeric.js';
import type { LogitRange } from '../../distill/logit-distill.js';
import { MlpFamily } from '../../models/mlp.js';
import { accuracyPerMember } from '../../probes/accuracy.js';
import { meanCi } from '../../probes/stats.js';
import { NUM_CLASSES, type MnistData } from './data.js';
import { initContext } from './init-context.js';
import type { StudentArmInput } from './student-arm-steps.js';
import { studentNet } from './student-nets.js';
import type { MnistArmSummary, MnistRunSummary } from './summary.js';
import { allSeeds, layerSizes, mnistNoise, runTeacherStage, type Alloc, type TeacherStageResult } from './teacher-stage.js';

export { layerSizes, type Alloc } from './teacher-stage.js';

function logitRange(exp: MnistExperiment, which: 'aux' | 'all'): LogitRange {
  return which === 'aux' ? { start: NUM_CLASSES, size: exp.model.auxLogits } : { start: 0, size: NUM_CLASSES + exp.model.auxLogits };
}

/** What the stages report as they go (the CLI's progress bar; the lab's status line). */
export interface MnistProgress {
  stage(text: string): void;
  /** One optimizer step of `stage` done. */
  step(stage: string): void;
}

export interface PreparedMnist {
  /** The reference and teacher arms' results, by name. */
  results: Map<string, MnistArmSummary>;
  studentArms: StudentArm[];
  /** One per student arm, in its order. */
  inputs: StudentArmInput[];
}

/**
 * The teacher stage of every seed, already run elsewhere (teacher-parts.ts), with the noise it
 * ran over (mnistNoise's; none without student arms). Its loss records are already written.
 */
export type TrainedTeacher = TeacherStageResult & { noise: Float32Array[] };

const summarize = (arm: MnistArm, accuracy: number[], details: Record<string, unknown> = {}): MnistArmSummary => {
  const { mean, ci95 } = meanCi(accuracy);
  return { name: arm.name, kind: arm.kind, accuracy, mean, ci95, details };
};

/**
 * Runs the reference and teacher stages (or takes the teacher's, `trained`) and builds every
 * student arm's input. `alloc` makes the noise and logit arrays the student arms read (shared
 * memory when they run on worker threads).
 */
export function prepareMnistArms(exp: MnistExperiment, data: MnistData, onMetrics: (r: MetricsRecord) => void, progress: MnistProgress, alloc: Alloc = (n) => new Float32Array(n), trained?: TrainedTeacher): PreparedMnist {
  const sizes = layerSizes(exp);
  const ctx = initContext(sizes, exp.rootSeed, exp.seeds);
  const results = new Map<string, MnistArmSummary>();
  const studentArms = exp.arms.filter((a): a is StudentArm => a.kind === 'student');

  const references = exp.arms.filter((a) => a.kind === 'reference');
  progress.stage('evaluating the untrained reference');
  if (references.length > 0) {
    const untrained = new MlpFamily(sizes, ctx.teacherInits);
    try {
      const accuracy = accuracyPerMember(untrained, data.test.images, data.test.labels, NUM_CLASSES);
      for (const arm of references) results.set(arm.name, summarize(arm, accuracy));
    } finally {
      untrained.dispose();
    }
  }

  let noise: Float32Array[] = [];
  let teacherLogits: Float32Array[] = [];
  if (exp.arms.some((a) => a.kind !== 'reference')) {
    const recipe = mnistTeacher(exp.teacher.name);
    let teacher = trained;
    if (teacher === undefined) {
      // One noise set (or one per seed) and one pass of the frozen teacher over it serve every student arm.
      const sets = studentArms.length > 0 ? mnistNoise(exp, alloc) : [];
      teacher = {
        ...runTeacherStage(exp, data, allSeeds(exp), sets, {
          onMetrics,
          onStep: () => progress.step('teacher'),
          onLogits: () => progress.stage(`the teacher's logits on the noise set${sets.length > 1 ? 's' : ''}`),
        }, alloc),
        noise: sets,
      };
    }
    const teacherSteps = recipe.steps(data, exp.teacher);
    onMetrics({ stage: 'teacher', step: teacherSteps, testAccuracy: teacher.accuracy });
    for (const arm of exp.arms.filter((a) => a.kind === 'teacher')) results.set(arm.name, summarize(arm, teacher.accuracy, { teacher: recipe.name }));
    noise = teacher.noise;
    teacherLogits = teacher.logits;
    for (const logits of teacherLogits) checkFinite(logits, { stage: 'teacher', setting: 'teacher.learningRate', step: teacherSteps, what: 'logits' });
  }

  const inputs: StudentArmInput[] = studentArms.map((arm) => {
    return {
      arm: arm.name,
      backend: activeBackend(),
      rootSeed: exp.rootSeed,
      seedsVary: exp.seedsVary,
      sizes,
      ...studentNet(arm, ctx, sizes, exp.rootSeed),
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
      ...(exp.distill.probeEvery !== undefined ? { probeEvery: exp.distill.probeEvery } : {}),
    };
  });
  return { results, studentArms, inputs };
}

/** A student arm's settings in summary.json; the optional ones only when the file sets them. */
function studentDetails(arm: StudentArm): Record<string, unknown> {
  const { student, logits, head, train, cnn } = arm;
  return { student, logits, ...(head !== undefined ? { head } : {}), ...(train !== undefined ? { train } : {}), ...(cnn !== undefined ? { cnn } : {}) };
}

/** summary.json of an MNIST run: every arm in the file's order. */
export function mnistRunSummary(exp: MnistExperiment, results: Map<string, MnistArmSummary>, accuracies: number[][], backend: BackendName = activeBackend()): MnistRunSummary {
  const all = new Map(results);
  exp.arms.filter((a): a is StudentArm => a.kind === 'student').forEach((arm, i) => all.set(arm.name, summarize(arm, accuracies[i]!, studentDetails(arm))));
  return {
    experiment: exp.name,
    seeds: exp.seeds,
    rootSeed: exp.rootSeed,
    ...(exp.seedsVary === 'init-and-data' ? { seedsVary: exp.seedsVary } : {}),
    backend,
    interval: 'mean ± half-width of the two-sided 95 % Student-t interval over seeds',
    arms: exp.arms.map((a) => all.get(a.name)!),
  };
}
