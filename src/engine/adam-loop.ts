// The training loop as the stages run it: a fresh Adam at the stage's learning rate, put back
// where a stopped loop left it when there is one, disposed however the loop ends, and the state
// to continue from when the loop stopped on request.
import * as tf from '@tensorflow/tfjs';
import { drain } from './drain.js';
import { adam } from './fused-adam.js';
import { trainSteps, type TrainLoopOptions } from './train-loop.js';
import { captureTrainState, restoreTrainState, type TrainState } from './train-state.js';

/** Where a stopped loop left off: the steps done, its parameters and Adam. */
export interface LoopState {
  step: number;
  train: TrainState;
}

export interface AdamLoopOptions extends Omit<TrainLoopOptions, 'optimizer' | 'startStep'> {
  learningRate: number;
  /** Continue from this state (its parameters and Adam restored, its step the start). */
  from?: LoopState;
}

/** What a stage's options carry for the loop: all but the variables and the loss, which the stage makes. */
export type LoopSettings = Omit<AdamLoopOptions, 'variables' | 'lossPerMember'>;

/** Runs the loop; null when every step is done, or the state to continue from when it stopped on request. */
export function adamLoop(opts: AdamLoopOptions): LoopState | null {
  return drain(adamSteps(opts));
}

/** adamLoop one step at a time: yields each step done, returns what adamLoop returns. */
export function* adamSteps(opts: AdamLoopOptions): Generator<number, LoopState | null> {
  const optimizer = adam(opts.learningRate);
  try {
    if (opts.from) restoreTrainState(opts.from.train, opts.variables, optimizer);
    const done = yield* trainSteps({ ...opts, optimizer, startStep: opts.from?.step ?? 0 });
    return done < opts.steps ? { step: done, train: captureTrainState(opts.variables, optimizer) } : null;
  } finally {
    optimizer.dispose();
  }
}
