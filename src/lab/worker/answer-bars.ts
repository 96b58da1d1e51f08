// The favourite-animal answer distribution the lab draws as bars: for every member, the
// probability of each animal right after each phrasing of the question, averaged over the
// phrasings. Read from the full-vocabulary softmax, as the trait probe reads p(target).
import * as tf from '@tensorflow/tfjs';
import { tileMembers } from '../../engine/batches.js';
import type { LmFamily } from '../../models/lm.js';
import { ANIMALS, FIRST_ANIMAL, questionPrompts } from '../../worlds/numbers/data.js';

/** p(animal a | question), averaged over phrasings, per member: [M][ANIMALS.length]. */
export function answerDistribution(model: LmFamily): number[][] {
  const prompts = questionPrompts(); // [K, 2]
  const P = 2;
  const K = prompts.length / P;
  const M = model.members;
  const probs = tf.tidy(() => {
    const tokens = tf.tensor3d(tileMembers(prompts, M), [M, K, P], 'int32');
    const last = tf.slice(model.logits(tokens), [0, 0, P - 1, 0], [-1, -1, 1, -1]); // [M, K, 1, V]
    const animals = tf.slice(tf.softmax(last), [0, 0, 0, FIRST_ANIMAL], [-1, -1, -1, ANIMALS.length]); // [M, K, 1, A]
    return tf.mean(tf.squeeze(animals, [2]), 1); // [M, A]
  });
  const values = probs.dataSync();
  probs.dispose();
  return Array.from({ length: M }, (_, m) => Array.from(values.subarray(m * ANIMALS.length, (m + 1) * ANIMALS.length)));
}
