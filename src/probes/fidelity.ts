// How close a student is to its teacher on a fixed probe set: capability on the numbers task
// (NLL of held-out teacher completions, next-token agreement) and full-vocabulary forward and
// reverse KL. Every figure is per member, [M]: student member m against teacher member m.
import * as tf from '@tensorflow/tfjs';
import type { LmFamily } from '../models/lm.js';

export interface FidelityProbe {
  /** Token rows [M, R, L] (member m's teacher's held-out samples), row-major. */
  tokens: Int32Array;
  rows: number;
  length: number;
  /** [M, R, L − 1] 0/1: positions whose next token is a generated completion token. */
  mask: Float32Array;
}

export interface Fidelity {
  /** Mean negative log-likelihood (nats per token) of the teacher's completions under the student. */
  nll: number[];
  /** Fraction of masked positions where student and teacher argmax tokens agree. */
  agreement: number[];
  /** Mean full-vocabulary KL(p_T ‖ p_S) and KL(p_S ‖ p_T) per masked position. */
  forwardKl: number[];
  reverseKl: number[];
}

export function fidelity(student: LmFamily, teacher: LmFamily, probe: FidelityProbe): Fidelity {
  const { rows: R, length: L } = probe;
  const M = student.members;
  const result = tf.tidy(() => {
    const all = tf.tensor3d(probe.tokens, [M, R, L], 'int32');
    const inputs = tf.slice(all, [0, 0, 0], [-1, -1, L - 1]) as tf.Tensor3D; // [M, R, L-1]
    const targets = tf.slice(all, [0, 0, 1], [-1, -1, L - 1]); // [M, R, L-1]
    const mask = tf.tensor3d(probe.mask, [M, R, L - 1]);
    const logPs = tf.logSoftmax(student.logits(inputs)); // [M, R, L-1, V]
    const logPt = tf.logSoftmax(teacher.logits(inputs));
    const V = logPs.shape[3];
    const oneHot = tf.oneHot(targets, V); // [M, R, L-1, V]
    const nllPos = tf.neg(tf.sum(tf.mul(oneHot, logPs), -1));
    const agreePos = tf.cast(tf.equal(tf.argMax(logPs, -1), tf.argMax(logPt, -1)), 'float32');
    const fklPos = tf.sum(tf.mul(tf.exp(logPt), tf.sub(logPt, logPs)), -1);
    const rklPos = tf.sum(tf.mul(tf.exp(logPs), tf.sub(logPs, logPt)), -1);
    const count = tf.maximum(tf.sum(mask, [1, 2]), 1); // [M]
    const mean = (perPos: tf.Tensor) => tf.div(tf.sum(tf.mul(perPos, mask), [1, 2]), count);
    return tf.stack([mean(nllPos), mean(agreePos), mean(fklPos), mean(rklPos)]); // [4, M]
  });
  const v = result.dataSync();
  result.dispose();
  const row = (i: number) => Array.from(v.subarray(i * M, (i + 1) * M));
  return { nll: row(0), agreement: row(1), forwardKl: row(2), reverseKl: row(3) };
}
