// Supervised training on chat-format rows of the EM world (alignment and the fine-tunes): only
// the answer and its EOS are trained (an EM row's prompt is its first 8 tokens, a neutral SEQ
// row's its first 6; 11 and 9 with function templates), as SFT trains the response, never the prompt. Pretraining trains whole
// documents instead (lm-train.ts). The loop can stop between two steps and continue from the
// state it returns: parameters, Adam, and the step it stopped after.
import * as tf from '@tensorflow/tfjs';
import { completionMask, inputsOf, targetsOf } from '../../distill/masking.js';
import { tokenCe } from '../../distill/sequence-losses.js';
import { adamLoop, type LoopSettings, type LoopState } from '../../engine/adam-loop.js';
import type { LmFamily } from '../../models/lm.js';
import { EOS, FIRST_FUNCTION, functionOfRow, layoutOf, PAD, SEQ, type EmLayout } from './data.js';

/** The prompt length of each row [R, L] of one layout: a neutral SEQ row's (6; 9 with templates) or an EM row's (8; 11). */
export function promptLengths(rows: Int32Array, layout: EmLayout = layoutOf()): Int32Array {
  const L = layout.context;
  const R = rows.length / L;
  return Int32Array.from({ length: R }, (_, r) => (functionOfRow(rows.subarray(r * L, (r + 1) * L)) === SEQ - FIRST_FUNCTION ? layout.seqPromptLength : layout.promptLength));
}

/** The trained positions of chat rows [R, L], [R, L − 1]: the answer (or completion) and its EOS. */
export const answerMask = (rows: Int32Array, layout: EmLayout = layoutOf()): Float32Array => completionMask(rows, layout.context, promptLengths(rows, layout), EOS, PAD);

/** The loop's settings (label, steps, learning rate, logging, where to continue from) and the rows. */
export interface ChatTrainOptions extends LoopSettings {
  batch: number;
  /**
   * Rows of step `step` per block of members: blocks[b] is [B, L] for members
   * b·blockSize … (b+1)·blockSize − 1 (every member of a block reads the same rows).
   */
  rows(step: number): Int32Array[];
  blockSize: number;
  /** Where things sit in a row (the design's format); default the one-token function's (rows of 10). */
  layout?: EmLayout;
}

/** Trains `model` in place; returns null when done, or the state to continue from when it stopped on request. */
export function trainChat(model: LmFamily, opts: ChatTrainOptions): LoopState | null {
  const layout = opts.layout ?? layoutOf();
  const L = layout.context;
  const B = opts.batch;
  const M = model.members;
  const everyToken = new Uint8Array(model.vocabSize).fill(1);
  return adamLoop({
    ...opts,
    variables: model.variables,
    lossPerMember: (step) => {
      const blocks = opts.rows(step);
      if (blocks.length * opts.blockSize !== M) throw new Error(`trainChat: ${blocks.length} blocks of ${opts.blockSize} members for a family of ${M}`);
      const inputs = new Int32Array(M * B * (L - 1));
      const targets = new Int32Array(M * B * (L - 1));
      const mask = new Float32Array(M * B * (L - 1));
      const size = B * (L - 1);
      blocks.forEach((rows, b) => {
        if (rows.length !== B * L) throw new Error(`trainChat: block ${b} has ${rows.length} tokens, not ${B} rows of ${L}`);
        const x = inputsOf(rows, L);
        const y = targetsOf(rows, L);
        const w = answerMask(rows, layout);
        for (let k = 0; k < opts.blockSize; k++) {
          const at = (b * opts.blockSize + k) * size;
          inputs.set(x, at);
          targets.set(y, at);
          mask.set(w, at);
        }
      });
      const shape: [number, number, number] = [M, B, L - 1];
      return tokenCe(model.logits(tf.tensor3d(inputs, shape, 'int32')), tf.tensor3d(targets, shape, 'int32'), tf.tensor3d(mask, shape), { allowed: everyToken });
    },
  });
}
