// The generic optimizer loop: tidy → loss → gradients → apply → dispose, with the memory
// guard watching the tensor count and host reads only on logged steps. The losses read on a
// logged step are checked: a NaN or ±Inf stops the loop there (NumericFault), a loss that
// explodes is reported once (onWarning).
import * as tf from '@tensorflow/tfjs';
import { drain } from './drain.js';
import { MemoryGuard } from './memory.js';
import { LossWatch, type NumericContext } from './numeric.js';

export interface TrainLoopOptions {
  label: string;
  steps: number;
  variables: tf.Variable[];
  optimizer: tf.Optimizer;
  /**
   * Loss of step `step` (0-based) per member, [M]. Called inside tf.tidy: tensors made here
   * (the batch included) are freed after the step. The members' losses are summed for the
   * gradient, so each member's gradient is that of its own loss.
   */
  lossPerMember(step: number): tf.Tensor1D;
  logEvery: number;
  /** Called on logged steps (and the last step) with the per-member losses. */
  onLog(step: number, lossPerMember: number[]): void;
  /** Called after every step. */
  onStep?(step: number): void;
  /** Steps already done (a resumed loop starts at the next one; lossPerMember gets its index). */
  startStep?: number;
  /** Asked after every step but the last; true ends the loop there. */
  stopRequested?(): boolean;
  /** The stage and setting a numeric fault or a divergence names (default: `label` and `learningRate`). */
  numeric?: NumericContext;
  /** The loss is diverging (said at most once per loop). */
  onWarning?(step: number, message: string): void;
}

/** Runs the steps and returns how many are done: `steps`, or fewer when it stopped on request. */
export function trainLoop(opts: TrainLoopOptions): number {
  return drain(trainSteps(opts));
}

/** trainLoop one step at a time: yields each step done (1-based), returns how many are done. */
export function* trainSteps(opts: TrainLoopOptions): Generator<number, number> {
  const guard = new MemoryGuard(opts.label);
  const ctx = opts.numeric ?? { stage: opts.label, setting: 'learningRate' };
  const watch = new LossWatch(ctx);
  for (let step = opts.startStep ?? 0; step < opts.steps; step++) {
    const logged = (step + 1) % opts.logEvery === 0 || step + 1 === opts.steps;
    // One more read per loop: the divergence watch's reference (not logged).
    const read = logged || watch.wantsReference;
    let losses: number[] | null = null;
    tf.tidy(() => {
      let perMember: tf.Tensor1D | null = null;
      const { grads } = tf.variableGrads(() => {
        const lossVector = opts.lossPerMember(step);
        // variableGrads frees its intermediates; keep the loss vector for logging (freed below).
        if (read) perMember = tf.keep(lossVector);
        return tf.sum(lossVector) as tf.Scalar;
      }, opts.variables);
      opts.optimizer.applyGradients(grads);
      // Reading a value forces a sync with the backend: only when logging (and once for the reference).
      if (perMember) {
        const kept = perMember as tf.Tensor1D;
        losses = Array.from(kept.dataSync());
        kept.dispose();
      }
    });
    if (losses) {
      const checked = watch.check(step + 1, losses);
      if (logged) opts.onLog(step + 1, checked.losses);
      if (checked.warning) opts.onWarning?.(step + 1, checked.warning);
    }
    opts.onStep?.(step + 1);
    guard.check();
    yield step + 1;
    if (step + 1 < opts.steps && opts.stopRequested?.()) return step + 1;
  }
  return opts.steps;
}
