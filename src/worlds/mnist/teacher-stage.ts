// The MNIST teacher stage for some of the run's seeds: their teacher members trained as one
// family, their test accuracy, and their logits on the noise set(s). The whole run's teacher is
// this stage for every seed; with worker threads to spare, the CLI runs it for contiguous parts
// of the seeds side by side (teacher-parts.ts). A member's numbers are the same either way: its
// matmul sums, updates and losses involve no other member (per-member products and elementwise
// Adam), so results and metrics do not depend on the split (test/worlds/mnist/teacher-parts.test.ts).
import { mnistTeacher } from '../../../teachers/index.js';
import type { MnistExperiment } from './schema.js';
import type { MetricsRecord } from '../../engine/metrics-record.js';
import { rootStream, type RandomStream } from '../../engine/rng.js';
import { teacherTargets, teacherTargetsPerMember } from '../../distill/logit-distill.js';
import { memberStreams } from '../../engine/seed-data.js';
import { MlpFamily } from '../../models/mlp.js';
import { accuracyPerMember } from '../../probes/accuracy.js';
import { IMAGE_SIZE, NUM_CLASSES, type MnistData } from './data.js';
import { initContext } from './init-context.js';
import { warnInto } from '../../run/warnings.js';

/** Makes a Float32Array of a length (shared memory for worker threads, plain in a page). */
export type Alloc = (length: number) => Float32Array;

export function layerSizes(exp: MnistExperiment): number[] {
  return [IMAGE_SIZE, ...exp.model.hidden, NUM_CLASSES + exp.model.auxLogits];
}

/**
 * The run's data stream `name` for `seeds`: one stream every seed shares, or (seedsVary
 * "init-and-data") each seed's own.
 */
export function dataStream(exp: MnistExperiment, name: string, seeds: readonly number[]): RandomStream | RandomStream[] {
  const stream = rootStream(exp.rootSeed).child(name);
  return exp.seedsVary === 'init-and-data' ? memberStreams(stream, seeds) : stream;
}

/** Every seed of the run: 0 … seeds − 1. */
export const allSeeds = (exp: MnistExperiment): number[] => Array.from({ length: exp.seeds }, (_, m) => m);

/** Uniform noise in [−1, 1], [n, 784]. */
function noiseSet(n: number, rng: RandomStream, alloc: Alloc): Float32Array {
  const out = alloc(n * IMAGE_SIZE);
  for (let i = 0; i < out.length; i++) out[i] = 2 * rng.next() - 1;
  return out;
}

/** The noise the students distil on, [noiseImages, 784]: one set every seed shares, or one per seed. */
export function mnistNoise(exp: MnistExperiment, alloc: Alloc): Float32Array[] {
  const streams = dataStream(exp, 'noise', allSeeds(exp));
  return Array.isArray(streams) ? streams.map((rng) => noiseSet(exp.distill.noiseImages, rng, alloc)) : [noiseSet(exp.distill.noiseImages, streams, alloc)];
}

export interface TeacherStageHooks {
  onMetrics(record: MetricsRecord): void;
  onStep(): void;
  /** The stage moves from training to the logits on the noise. */
  onLogits(): void;
}

export interface TeacherStageResult {
  /** Test accuracy of each member, in `seeds` order. */
  accuracy: number[];
  /** Each member's logits (all of them) on its noise set, [noiseImages · outputs]. */
  logits: Float32Array[];
}

/**
 * Trains the teacher members of `seeds` (contiguous, ascending) and runs them over `noise`: the
 * shared set, one set per seed of `seeds`, or none (no student arm: no logits). Loss records and
 * warnings go to hooks.onMetrics.
 */
export function runTeacherStage(exp: MnistExperiment, data: MnistData, seeds: readonly number[], noise: readonly Float32Array[], hooks: TeacherStageHooks, alloc: Alloc): TeacherStageResult {
  const sizes = layerSizes(exp);
  const { teacherInits } = initContext(sizes, exp.rootSeed, exp.seeds);
  const recipe = mnistTeacher(exp.teacher.name);
  const model = new MlpFamily(sizes, seeds.map((m) => teacherInits[m]!));
  try {
    recipe.train(model, data, exp.teacher, dataStream(exp, 'teacher-data', seeds), {
      logEvery: exp.logEvery,
      onLog: (step, loss) => hooks.onMetrics({ stage: 'teacher', step, loss }),
      onStep: hooks.onStep,
      numeric: { stage: 'teacher', setting: 'teacher.learningRate', firstMember: seeds[0] ?? 0 },
      onWarning: warnInto(hooks.onMetrics, 'teacher'),
    });
    const accuracy = accuracyPerMember(model, data.test.images, data.test.labels, NUM_CLASSES);
    if (noise.length === 0) return { accuracy, logits: [] };
    hooks.onLogits();
    const all = { start: 0, size: sizes[sizes.length - 1]! };
    const logits = noise.length === 1 ? teacherTargets(model, noise[0]!, all, alloc) : teacherTargetsPerMember(model, noise, all, alloc);
    return { accuracy, logits };
  } finally {
    model.dispose();
  }
}
