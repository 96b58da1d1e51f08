// Off-policy logit distillation on a fixed input set: the frozen teacher's logits on every
// input are computed once, then the student minimises forward KL over the softmax of a
// chosen subset of logits, epoch after epoch over the same inputs.
import * as tf from '@tensorflow/tfjs';
import { adamSteps, type LoopState } from '../engine/adam-loop.js';
import { drain } from '../engine/drain.js';
import { concatRows, epochBatches, gatherRows, stepsFor } from '../engine/batches.js';
import type { RandomStream } from '../engine/rng.js';
import { Interrupted } from '../engine/stop.js';
import type { NumericContext } from '../engine/numeric.js';
import type { MemberClassifier } from '../models/member-classifier.js';
import { MlpFamily } from '../models/mlp.js';
import { forwardKl } from './logit-losses.js';

/** Logits [start, start + size) of the output. A range, not an index list: tfjs-wasm has no
 * gradient for gather (it lacks UnsortedSegmentSum), while slice's gradient is a pad. */
export interface LogitRange {
  start: number;
  size: number;
}

/** The plain-data settings of a distillation (what an experiment file decides). */
export interface LogitDistillSettings {
  /** The contiguous range of logits the KL is taken over (e.g. the auxiliary ones). */
  logits: LogitRange;
  epochs: number;
  batchSize: number;
  learningRate: number;
  temperature: number;
  logEvery: number;
}

export interface LogitDistillOptions extends LogitDistillSettings {
  label: string;
  /** Inputs, row-major [n, d_in]: one set shared by all members, or one per member (seedsVary "init-and-data"). */
  inputs: Float32Array | readonly Float32Array[];
  onLog(step: number, klPerMember: number[]): void;
  onStep?(step: number): void;
  /** Continue an interrupted distillation from its state. */
  resume?: LogitDistillState;
  /** Asked after every step; true → throw Interrupted<LogitDistillState>. */
  stopRequested?(): boolean;
  /** The stage and setting a numeric fault or a divergence names (default: the label, `learningRate`). */
  numeric?: NumericContext;
  onWarning?(step: number, message: string): void;
  /** The variables the loop trains (e.g. only the output layer); default: all the student's. */
  trained?: tf.Variable[];
}

/** A distillation stopped after `step` steps. The batch order is not saved: it is replayed. */
export type LogitDistillState = LoopState;

/**
 * The frozen teacher's chosen logits on every input: one [n, k] array per member.
 * `alloc` makes the output arrays (e.g. on shared memory, for worker threads).
 */
export function teacherTargets(
  teacher: MlpFamily,
  inputs: Float32Array,
  logits: LogitRange,
  alloc: (length: number) => Float32Array = (length) => new Float32Array(length),
  chunk = 4096,
): Float32Array[] {
  const d = teacher.sizes[0]!;
  const n = inputs.length / d;
  const k = logits.size;
  const out = Array.from({ length: teacher.members }, () => alloc(n * k));
  for (let start = 0; start < n; start += chunk) {
    const rows = Math.min(chunk, n - start);
    // Read outside tidy: tidy scans a returned typed array element by element.
    const picked = tf.tidy(() => {
      const x = tf.tensor2d(inputs.subarray(start * d, (start + rows) * d), [rows, d]);
      return tf.slice(teacher.apply(x), [0, 0, logits.start], [-1, -1, k]); // [M, rows, k]
    });
    const values = picked.dataSync() as Float32Array;
    picked.dispose();
    for (let m = 0; m < teacher.members; m++) out[m]!.set(values.subarray(m * rows * k, (m + 1) * rows * k), start * k);
  }
  return out;
}

/**
 * The frozen teacher's chosen logits, member m on its own inputs (inputs[m], [n, d] each; all
 * of the same n): one [n, k] array per member. Member m's values do not depend on the others'.
 */
export function teacherTargetsPerMember(
  teacher: MlpFamily,
  inputs: readonly Float32Array[],
  logits: LogitRange,
  alloc: (length: number) => Float32Array = (length) => new Float32Array(length),
  chunk = 4096,
): Float32Array[] {
  const d = teacher.sizes[0]!;
  const M = teacher.members;
  if (inputs.length !== M) throw new Error(`${inputs.length} input sets for ${M} teacher members`);
  const n = inputs[0]!.length / d;
  if (inputs.some((x) => x.length !== n * d)) throw new Error(`every member's inputs must be [${n}, ${d}]`);
  const k = logits.size;
  const out = Array.from({ length: M }, () => alloc(n * k));
  for (let start = 0; start < n; start += chunk) {
    const rows = Math.min(chunk, n - start);
    const x = new Float32Array(M * rows * d);
    inputs.forEach((xs, m) => x.set(xs.subarray(start * d, (start + rows) * d), m * rows * d));
    const picked = tf.tidy(() => tf.slice(teacher.apply(tf.tensor3d(x, [M, rows, d])), [0, 0, logits.start], [-1, -1, k])); // [M, rows, k]
    const values = picked.dataSync() as Float32Array;
    picked.dispose();
    for (let m = 0; m < M; m++) out[m]!.set(values.subarray(m * rows * k, (m + 1) * rows * k), start * k);
  }
  return out;
}

/** Distils `student` (member i) towards `teacher` (member i). The teacher is only read. */
export function distillLogits(teacher: MlpFamily, student: MlpFamily, rng: RandomStream, opts: LogitDistillOptions): void {
  if (teacher.members !== student.members) throw new Error(`teacher has ${teacher.members} members but student has ${student.members}`);
  const targets = isPerMember(opts.inputs) ? teacherTargetsPerMember(teacher, opts.inputs, opts.logits) : teacherTargets(teacher, opts.inputs, opts.logits);
  distillOnTargets(targets, student, rng, opts);
}

/** Columns [range.start, range.start + range.size) of a row-major [n, width] array. */
export function selectLogits(all: Float32Array, width: number, range: LogitRange): Float32Array {
  if (range.start === 0 && range.size === width) return all;
  const n = all.length / width;
  const out = new Float32Array(n * range.size);
  for (let i = 0; i < n; i++) out.set(all.subarray(i * width + range.start, i * width + range.start + range.size), i * range.size);
  return out;
}

/**
 * Distils `student` towards precomputed teacher logits: targets[m] is member m's teacher's
 * logits in `opts.logits` on every input, [n, k] row-major. Teacher logits computed once
 * can then serve every student arm (and every worker process).
 */
export function distillOnTargets(targets: Float32Array[], student: MemberClassifier, rng: RandomStream | readonly RandomStream[], opts: LogitDistillOptions): void {
  drain(distillOnTargetsSteps(targets, student, rng, opts));
}

const isPerMember = <T>(x: T | readonly T[]): x is readonly T[] => Array.isArray(x);

/** The student's forward pass on per-member inputs [M, B, d]: an MlpFamily has one; other students read shared inputs only. */
function perMemberApply(student: MemberClassifier): (x: tf.Tensor3D) => tf.Tensor3D {
  if (!(student instanceof MlpFamily)) throw new Error('per-seed data (seedsVary "init-and-data") needs an MLP student: this student reads one input batch shared by all members');
  return (x) => student.apply(x);
}

/**
 * distillOnTargets one step at a time: yields each step done. `rng` is one stream for the batch
 * order every member shares, or one per member (each its own order); with per-member inputs or
 * orders, member m reads its own rows ([M, B, d] into the family, one plain matmul per member),
 * which needs a student that takes per-member inputs (an MlpFamily).
 */
export function* distillOnTargetsSteps(targets: Float32Array[], student: MemberClassifier, rng: RandomStream | readonly RandomStream[], opts: LogitDistillOptions): Generator<number, void> {
  const d = student.inputSize;
  const M = student.members;
  const inputsOf = (m: number): Float32Array => (isPerMember(opts.inputs) ? opts.inputs[m]! : opts.inputs);
  const n = inputsOf(0).length / d;
  const k = opts.logits.size;
  if (targets.length !== M) throw new Error(`${targets.length} teacher targets for ${M} student members`);
  if (targets.some((t) => t.length !== n * k)) throw new Error(`teacher targets must be [${n}, ${k}] per member`);
  if (isPerMember(opts.inputs) && (opts.inputs.length !== M || opts.inputs.some((x) => x.length !== n * d))) throw new Error(`per-member inputs must be ${M} sets of [${n}, ${d}]`);
  if (isPerMember(rng) && rng.length !== M) throw new Error(`${rng.length} batch-order streams for ${M} student members`);
  const perMember = isPerMember(opts.inputs) || isPerMember(rng);
  const orders = (isPerMember(rng) ? rng : [rng]).map((r) => epochBatches(n, opts.batchSize, opts.epochs, r));
  const start = opts.resume?.step ?? 0;
  // The batch order is a function of the stream alone: drawing the done steps' batches again
  // puts the stream and the epoch where they were.
  for (let s = 0; s < start; s++) for (const o of orders) o.next();
  const steps = stepsFor(n, opts.batchSize, opts.epochs);
  const stopped = yield* adamSteps({
    ...opts,
    steps,
    from: opts.resume,
    variables: opts.trained ?? student.variables,
    lossPerMember: () => {
      const batch = orders.map((o) => o.next().value as Int32Array);
      const idxOf = (m: number) => batch[batch.length === 1 ? 0 : m]!;
      const B = batch[0]!.length; // every order cuts the same n into the same batch sizes
      const x = perMember
        ? tf.tensor3d(concatRows(Array.from({ length: M }, (_, m) => gatherRows(inputsOf(m), d, idxOf(m)))), [M, B, d])
        : tf.tensor2d(gatherRows(inputsOf(0), d, idxOf(0)), [B, d]);
      const teacherLogits = tf.stack(targets.map((t, m) => tf.tensor2d(gatherRows(t, k, idxOf(m)), [B, k]))) as tf.Tensor3D; // [M, B, k]
      const logits = x.rank === 3 ? perMemberApply(student)(x as tf.Tensor3D) : student.apply(x as tf.Tensor2D);
      const studentLogits = tf.slice(logits, [0, 0, opts.logits.start], [-1, -1, k]) as tf.Tensor3D; // [M, B, k]
      return forwardKl(teacherLogits, studentLogits, opts.temperature);
    },
  });
  if (stopped) throw new Interrupted<LogitDistillState>(stopped);
}
