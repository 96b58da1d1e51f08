// Classification accuracy per member, from the first `numClasses` logits.
import * as tf from '@tensorflow/tfjs';
import type { MemberClassifier } from '../models/member-classifier.js';

/**
 * Fraction of `n` images whose argmax over logits[0..numClasses) equals the label, per member.
 * images: row-major [n, d]; labels: [n].
 */
export function accuracyPerMember(model: Pick<MemberClassifier, 'inputSize' | 'members' | 'apply'>, images: Float32Array, labels: Int32Array, numClasses: number, chunk = 2048): number[] {
  const d = model.inputSize;
  const n = labels.length;
  const correct = new Array<number>(model.members).fill(0);
  for (let start = 0; start < n; start += chunk) {
    const rows = Math.min(chunk, n - start);
    const hits = tf.tidy(() => {
      const x = tf.tensor2d(images.subarray(start * d, (start + rows) * d), [rows, d]);
      const logits = model.apply(x); // [M, rows, K]
      const classLogits = tf.slice(logits, [0, 0, 0], [-1, -1, numClasses]);
      const predicted = tf.argMax(classLogits, 2); // [M, rows]
      const truth = tf.tensor1d(labels.subarray(start, start + rows), 'int32').expandDims(0);
      return tf.sum(tf.cast(tf.equal(predicted, truth), 'int32'), 1).dataSync(); // [M]
    });
    hits.forEach((h, m) => (correct[m]! += h));
  }
  return correct.map((c) => c / n);
}
