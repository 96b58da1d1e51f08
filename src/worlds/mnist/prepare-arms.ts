// The MNIST experiment up to its student arms, as plain computation (browser-safe, so the lab runs
// the very same stages): the untrained reference, the teacher, its logits on the noise set, and
// every student arm's input; and the run summary from the arms' accuracies.
import { mnistTeacher } from '../../../teachers/index.js';
import type { MnistArm, MnistExperiment, StudentArm } from './schema.js';
import { activeBackend, type BackendName } from '../../engine/backend.js';
import type { MetricsRecord } from '../../engine/metrics-record.js';
import { checkFinite } from '../../engine/numeric.js';
import { rootStream, type RandomStream } from '../../engine/rng.js';
import { teacherTargets, teacherTargetsPerMember, type LogitRange } from '../../distill/logit-distill.js';
import { memberStreams } from '../../engine/seed-data.js';
import { MlpFamily } from '../../models/mlp.js';
import { accuracyPerMember } from '../../probes/accuracy.js';
import { meanCi } from '../../probes/stats.js';
import { IMAGE_SIZE, NUM_CLASSES, type MnistData } from './data.js';
import { initContext } from './init-context.js';
import type { StudentArmInput } from './student-arm-steps.js';
import { studentNet } from './student-nets.js';
import type { MnistArmSummary, MnistRunSummary } from './summary.js';
import { warnInto } from '../../run/warnings.js';

export function layerSizes(exp: MnistExperiment): number[] {
  return [IMAGE_SIZE, ...exp.model.hidden, NUM_CLASSES + exp.model.auxLogits];
}

function logitRange(exp: MnistExperiment, which: 'aux' | 'all'): LogitRange {
  return which === 'aux' ? { start: NUM_CLASSES, size: exp.model.auxLogits } : { start: 0, size: NUM_CLASSES + exp.model.auxLogits };
}

/** Makes a Float32Array of a length (shared memory for worker threads, plain in a page). */
export type Alloc = (length: number) => Float32Array;

/** Uniform noise in [−1, 1], [n, 784]. */
function noiseSet(n: number, rng: RandomStream, alloc: Alloc): Float32Array {
  const out = alloc(n * IMAGE_SIZE);
  for (let i = 0; i < out.length; i++) out[i] = 2 * rng.next() - 1;
  return out;
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

const summarize = (arm: MnistArm, accuracy: number[], details: Record<string, unknown> = {}): MnistArmSummary => {
  const { mean, ci95 } = meanCi(accuracy);
  return { name: arm.name, kind: arm.kind, accuracy, mean, ci95, details };
};

export function prepareMnistArms(exp: MnistExperiment, data: MnistData, onMetrics: (r: MetricsRecord) => void, progress: MnistProgress, alloc: Alloc = (n) => new Float32Array(n)): PreparedMnist {
  const M = exp.seeds;
  const sizes = layerSizes(exp);
  const root = rootStream(exp.rootSeed);
  const ctx = initContext(sizes, exp.rootSeed, M);
  const { teacherInits } = ctx;
  const evaluate = (model: MlpFamily) => accuracyPerMember(model, data.test.images, data.test.labels, NUM_CLASSES);

  const results = new Map<string, MnistArmSummary>();
  const studentArms = exp.arms.filter((a): a is StudentArm => a.kind === 'student');
  let teacherLogits: Float32Array[] = [];
  let noise: Float32Array[] = [];
  // Seeds that vary their data read member m's copy of each data stream (seed-data.ts).
  const seeds = Array.from({ length: M }, (_, m) => m);
  const dataStream = (name: string) => (exp.seedsVary === 'init-and-data' ? memberStreams(root.child(name), seeds) : root.child(name));
  const teacherModel = new MlpFamily(sizes, teacherInits);
  try {
    progress.stage('evaluating the untrained reference');
    for (const arm of exp.arms.filter((a) => a.kind === 'reference')) results.set(arm.name, summarize(arm, evaluate(teacherModel)));

    if (exp.arms.some((a) => a.kind !== 'reference')) {
      const recipe = mnistTeacher(exp.teacher.name);
      recipe.train(teacherModel, data, exp.teacher, dataStream('teacher-data'), {
        logEvery: exp.logEvery,
        onLog: (step, loss) => onMetrics({ stage: 'teacher', step, loss }),
        onStep: () => progress.step('teacher'),
        numeric: { stage: 'teacher', setting: 'teacher.learningRate' },
        onWarning: warnInto(onMetrics, 'teacher'),
      });
      const teacherAccuracy = evaluate(teacherModel);
      onMetrics({ stage: 'teacher', step: recipe.steps(data, exp.teacher), testAccuracy: teacherAccuracy });
      for (const arm of exp.arms.filter((a) => a.kind === 'teacher')) results.set(arm.name, summarize(arm, teacherAccuracy, { teacher: recipe.name }));
    }
    if (studentArms.length > 0) {
      // One noise set (or one per seed) and one pass of the frozen teacher over it serve every student arm.
      progress.stage(`the teacher's logits on the noise set${exp.seedsVary === 'init-and-data' ? 's' : ''}`);
      const all = { start: 0, size: sizes[sizes.length - 1]! };
      const streams = dataStream('noise');
      if (Array.isArray(streams)) {
        noise = streams.map((rng) => noiseSet(exp.distill.noiseImages, rng, alloc));
        teacherLogits = teacherTargetsPerMember(teacherModel, noise, all, alloc);
      } else {
        noise = [noiseSet(exp.distill.noiseImages, streams, alloc)];
        teacherLogits = teacherTargets(teacherModel, noise[0]!, all, alloc);
      }
      const teacherSteps = mnistTeacher(exp.teacher.name).steps(data, exp.teacher);
      for (const logits of teacherLogits) checkFinite(logits, { stage: 'teacher', setting: 'teacher.learningRate', step: teacherSteps, what: 'logits' });
    }
  } finally {
    teacherModel.dispose();
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
