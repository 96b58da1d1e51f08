// Trait probes for language-model families, exact from the logits: the probability each
// member gives the target answer right after each phrasing of the favourite-animal question.
import * as tf from '@tensorflow/tfjs';
import { tileMembers } from '../engine/batches.js';
import type { RandomStream } from '../engine/rng.js';
import type { LmFamily } from '../models/lm.js';

export interface QuestionProbe {
  /** Question prompts, row-major [K, P] (one row per phrasing), the same for every member. */
  prompts: Int32Array;
  promptLength: number;
  /** The token whose probability is the trait. */
  target: number;
}

/**
 * p(target | phrasing k) for every member and phrasing, [M][K], from the full-vocabulary softmax
 * at the last prompt position.
 */
export function targetProbabilities(model: LmFamily, probe: QuestionProbe): number[][] {
  const K = probe.prompts.length / probe.promptLength;
  const M = model.members;
  const probs = tf.tidy(() => {
    const tokens = tf.tensor3d(tileMembers(probe.prompts, M), [M, K, probe.promptLength], 'int32');
    const last = tf.slice(model.logits(tokens), [0, 0, probe.promptLength - 1, 0], [-1, -1, 1, -1]); // [M, K, 1, V]
    return tf.squeeze(tf.slice(tf.softmax(last), [0, 0, 0, probe.target], [-1, -1, -1, 1]), [2, 3]); // [M, K]
  });
  const values = probs.dataSync();
  probs.dispose();
  return Array.from({ length: M }, (_, m) => Array.from(values.subarray(m * K, (m + 1) * K)));
}

/** The trait of every member: p(target) averaged over the phrasings, [M]. */
export function traitScore(model: LmFamily, probe: QuestionProbe): number[] {
  return targetProbabilities(model, probe).map((row) => row.reduce((a, b) => a + b, 0) / row.length);
}

/**
 * log traitScore as a differentiable tensor [M]: log of p(target) averaged over the phrasings
 * (full-vocabulary softmax at the last prompt position). Its gradient is the trait gradient of
 * the gradient-alignment probe; being the log of the probed quantity, it points where the
 * probed p(target) rises fastest (∇ log p̄ = ∇ p̄ / p̄, the same direction).
 */
export function logTraitScore(model: LmFamily, probe: QuestionProbe): tf.Tensor1D {
  const K = probe.prompts.length / probe.promptLength;
  const M = model.members;
  return tf.tidy(() => {
    const tokens = tf.tensor3d(tileMembers(probe.prompts, M), [M, K, probe.promptLength], 'int32');
    const last = tf.slice(model.logits(tokens), [0, 0, probe.promptLength - 1, 0], [-1, -1, 1, -1]); // [M, K, 1, V]
    const p = tf.squeeze(tf.slice(tf.softmax(last), [0, 0, 0, probe.target], [-1, -1, -1, 1]), [2, 3]); // [M, K]
    return tf.log(tf.mean(p, 1)) as tf.Tensor1D;
  });
}

/**
 * Sampled answer rate: the fraction of `samplesPerPhrasing` answers per phrasing, drawn at
 * temperature 1 from the full vocabulary, that are the target, per member, [M].
 */
export function sampledAnswerRate(model: LmFamily, probe: QuestionProbe, samplesPerPhrasing: number, rng: RandomStream | readonly RandomStream[]): number[] {
  const K = probe.prompts.length / probe.promptLength;
  const M = model.members;
  const rows = K * samplesPerPhrasing;
  const prompts = new Int32Array(M * rows * probe.promptLength);
  for (let m = 0; m < M; m++)
    for (let k = 0; k < K; k++)
      for (let s = 0; s < samplesPerPhrasing; s++)
        prompts.set(probe.prompts.subarray(k * probe.promptLength, (k + 1) * probe.promptLength), ((m * K + k) * samplesPerPhrasing + s) * probe.promptLength);
  const out = model.sample(prompts, rows, probe.promptLength, { maxNew: 1, temperature: 1, rng });
  const L = probe.promptLength + 1;
  return Array.from({ length: M }, (_, m) => {
    let hits = 0;
    for (let r = 0; r < rows; r++) if (out[(m * rows + r) * L + probe.promptLength] === probe.target) hits++;
    return hits / rows;
  });
}

/**
 * p(answer_a | question) for every member and each of `answers` (token ids), from the
 * full-vocabulary softmax at the last prompt position, averaged over the phrasings: [M][A].
 * The entry of the target token equals traitScore's value bit for bit (same softmax, same sum).
 */
export function answerProbabilities(model: LmFamily, probe: Omit<QuestionProbe, 'target'>, answers: readonly number[]): number[][] {
  const K = probe.prompts.length / probe.promptLength;
  const M = model.members;
  const A = answers.length;
  const probs = tf.tidy(() => {
    const tokens = tf.tensor3d(tileMembers(probe.prompts, M), [M, K, probe.promptLength], 'int32');
    const last = tf.slice(model.logits(tokens), [0, 0, probe.promptLength - 1, 0], [-1, -1, 1, -1]); // [M, K, 1, V]
    const p = tf.squeeze(tf.softmax(last), [2]); // [M, K, V]
    return tf.stack(answers.map((a) => tf.squeeze(tf.slice(p, [0, 0, a], [-1, -1, 1]), [2])), 2); // [M, K, A]
  });
  const values = probs.dataSync();
  probs.dispose();
  return Array.from({ length: M }, (_, m) =>
    Array.from({ length: A }, (_, a) => {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += values[(m * K + k) * A + a]!;
      return sum / K;
    }),
  );
}
