// Next-token training of a language-model family on token rows: every non-PAD target counts.
// Used for pretraining and for the trait fine-tune (not for distillation: see distill/channel).
import * as tf from '@tensorflow/tfjs';
import { adamLoop, type LoopSettings } from '../../engine/adam-loop.js';
import type { LmFamily } from '../../models/lm.js';
import { tokenCe } from '../../distill/sequence-losses.js';
import { completionMask, inputsOf, targetsOf } from '../../distill/masking.js';

/** The loop's settings (label, steps, learning rate, logging, numeric context) and the rows. */
export interface LmTrainOptions extends Omit<LoopSettings, 'from' | 'stopRequested'> {
  /** Rows of step `step`: [M, B, L] row-major, member m's rows first (members may differ). */
  rows(step: number): Int32Array;
  batch: number;
  rowLength: number;
  pad: number;
  /** Variables to train (default: all of the family's). */
  variables?: tf.Variable[];
}

/** Mask of every target that is not padding, [R, L − 1]: whole documents are trained on. */
function documentMask(rows: Int32Array, rowLength: number, pad: number): Float32Array {
  // A document's "prompt" is its first token (BOS); everything up to the first pad is a target.
  return completionMask(rows, rowLength, 1, -1, pad);
}

export function trainLm(model: LmFamily, opts: LmTrainOptions): void {
  const M = model.members;
  const L = opts.rowLength;
  const everyToken = new Uint8Array(model.vocabSize).fill(1);
  adamLoop({
    ...opts,
    variables: opts.variables ?? model.variables,
    lossPerMember: (step) => {
      const rows = opts.rows(step);
      const shape: [number, number, number] = [M, opts.batch, L - 1];
      const inputs = tf.tensor3d(inputsOf(rows, L), shape, 'int32');
      const targets = tf.tensor3d(targetsOf(rows, L), shape, 'int32');
      const mask = tf.tensor3d(documentMask(rows, L, opts.pad), shape);
      return tokenCe(model.logits(inputs), targets, mask, { allowed: everyToken });
    },
  });
}
