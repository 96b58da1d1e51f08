// Helpers shared by the language-model family tests (gpt, gru, checkpoint): a next-token loss,
// an Adam step, random token rows, and comparisons.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { rootStream } from '../../src/engine/rng.js';
import { oneHotF32 } from '../../src/models/layers.js';
import type { LmFamily } from '../../src/models/lm.js';

/** Mean next-token cross-entropy over all members, rows and positions 0..T-2. */
export function lmLoss(model: LmFamily, tokens: tf.Tensor3D): tf.Scalar {
  return tf.tidy(() => {
    const [M, B, T] = tokens.shape;
    const V = model.vocabSize;
    const logits = tf.slice(model.logits(tokens), [0, 0, 0, 0], [M, B, T - 1, V]);
    const targets = tf.reshape(oneHotF32(tf.reshape(tf.slice(tokens, [0, 0, 1], [M, B, T - 1]), [-1]) as tf.Tensor1D, V), [M, B, T - 1, V]);
    return tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), -1))) as tf.Scalar;
  });
}

/** One Adam step on lmLoss; returns the loss before the step. */
export function adamStep(model: LmFamily, optimizer: tf.Optimizer, tokens: tf.Tensor3D): number {
  const loss = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => lmLoss(model, tokens), model.variables);
    optimizer.applyGradients(grads);
    return value;
  });
  const v = loss.dataSync()[0]!;
  loss.dispose();
  return v;
}

/** Random token rows [n] in 0..V-1 from a seed. */
export function randomTokens(n: number, vocabSize: number, seed: number): Int32Array {
  const rng = rootStream(seed).child('tokens');
  return Int32Array.from({ length: n }, () => rng.int(vocabSize));
}

/** Host copy of a tensor, disposing it. */
export function take(t: tf.Tensor): Float32Array {
  const d = t.dataSync() as Float32Array;
  t.dispose();
  return Float32Array.from(d);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** [M, B, T, V] logits of member m → [B, T, V] (host). */
export function memberSlice(all: Float32Array, m: number, per: number): Float32Array {
  return all.subarray(m * per, (m + 1) * per);
}
