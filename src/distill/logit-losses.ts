// Distillation losses over logits (the MNIST world's KL on auxiliary logits; the language-model
// worlds' losses are in sequence-losses.ts): small pure functions, with property tests in test/.
import * as tf from '@tensorflow/tfjs';

/**
 * Forward KL(p_T ‖ p_S) = Σ_k p_T,k (log p_T,k − log p_S,k), with p = softmax(logits / τ)
 * over the last axis, averaged over every axis but the first.
 * teacherLogits, studentLogits: [M, B, K] → [M].
 * Gradients are taken only with respect to the variables passed to the optimizer, so a frozen
 * teacher's logits act as constants.
 */
export function forwardKl(teacherLogits: tf.Tensor3D, studentLogits: tf.Tensor3D, temperature = 1): tf.Tensor1D {
  return tf.tidy(() => {
    const logPt = tf.logSoftmax(tf.div(teacherLogits, temperature));
    const logPs = tf.logSoftmax(tf.div(studentLogits, temperature));
    const pt = tf.exp(logPt);
    const perExample = tf.sum(tf.mul(pt, tf.sub(logPt, logPs)), -1); // [M, B]
    return tf.mean(perExample, 1) as tf.Tensor1D;
  });
}

/**
 * Softmax cross-entropy of integer labels, averaged over the batch, per member.
 * logits: [M, B, K]; labels: [B] int32 shared by all members, or [M, B] one row per member → [M].
 */
export function crossEntropy(logits: tf.Tensor3D, labels: tf.Tensor1D | tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const K = logits.shape[2];
    const oneHot = labels.rank === 1 ? tf.oneHot(labels, K).expandDims(0) : tf.oneHot(labels, K); // [1, B, K] or [M, B, K]
    const logP = tf.logSoftmax(logits); // [M, B, K]
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, logP), -1), 1)) as tf.Tensor1D;
  });
}
