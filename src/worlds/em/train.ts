// Supervised training on chat-format rows of the EM world (alignment and the fine-tunes): only
// the answer and its EOS are trained (an EM row's prompt is its first 8 tokens, a neutral SEQ
// row's its first 6), as SFT trains the response, never the prompt. Pretraining trains whole
// documents instead (lm-train.ts). The loop can stop between two steps and continue from the
// state it returns: parameters, Adam, and the step it stopped after.
import * as tf from '@tensorflow/tfjs';
import { completionMask, inputsOf, targetsOf } from '../../distill/masking.js';
import { tokenCe } from '../../distill/sequence-losses.js';
import type { NumericContext } from '../../engine/numeric.js';
import { trainLoop } from '../../engine/train-loop.js';
import { captureTrainState, restoreTrainState, type TrainState } from '../../engine/train-state.js';
import type { LmFamily } from '../../models/lm.js';
import { CONTEXT, EOS, FUNCTION_POSITION, PAD, PROMPT_LENGTH, SEQ, SEQ_PROMPT_LENGTH } from './data.js';

/** The prompt length of each row [R, CONTEXT]: 6 for a neutral SEQ row, 8 for an EM row. */
export function promptLengths(rows: Int32Array): Int32Array {
  const R = rows.length / CONTEXT;
  return Int32Array.from({ length: R }, (_, r) => (rows[r * CONTEXT + FUNCTION_POSITION] === SEQ ? SEQ_PROMPT_LENGTH : PROMPT_LENGTH));
}

/** The trained positions of chat rows [R, CONTEXT], [R, CONTEXT − 1]: the answer (or completion) and its EOS. */
export const answerMask = (rows: Int32Array): Float32Array => completionMask(rows, CONTEXT, promptLengths(rows), EOS, PAD);

export interface ChatTrainOptions {
  label: string;
  steps: number;
  learningRate: number;
  batch: number;
  /**
   * Rows of step `step` per block of members: blocks[b] is [B, CONTEXT] for members
   * b·blockSize … (b+1)·blockSize − 1 (every member of a block reads the same rows).
   */
  rows(step: number): Int32Array[];
  blockSize: number;
  logEvery: number;
  onLog(step: number, lossPerMember: number[]): void;
  onStep?(step: number): void;
  /** Continue from this state (the step it stopped after, parameters and Adam). */
  from?: { step: number; train: TrainState };
  stopRequested?(): boolean;
  /** The stage and setting a numeric fault or a divergence names (default: the label and `learningRate`). */
  numeric?: NumericContext;
  onWarning?(step: number, message: string): void;
}

/** Trains `model` in place; returns null when done, or the state to continue from when it stopped on request. */
export function trainChat(model: LmFamily, opts: ChatTrainOptions): { step: number; train: TrainState } | null {
  const L = CONTEXT;
  const B = opts.batch;
  const M = model.members;
  const everyToken = new Uint8Array(model.vocabSize).fill(1);
  const optimizer = tf.train.adam(opts.learningRate);
  try {
    if (opts.from) restoreTrainState(opts.from.train, model.variables, optimizer);
    const done = trainLoop({
      label: opts.label,
      steps: opts.steps,
      variables: model.variables,
      optimizer,
      logEvery: opts.logEvery,
      onLog: opts.onLog,
      onStep: opts.onStep,
      numeric: opts.numeric,
      onWarning: opts.onWarning,
      startStep: opts.from?.step ?? 0,
      stopRequested: opts.stopRequested,
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
          const w = answerMask(rows);
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
    return done < opts.steps ? { step: done, train: captureTrainState(model.variables, optimizer) } : null;
  } finally {
    optimizer.dispose();
  }
}
