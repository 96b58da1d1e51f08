// Memory guard: a training loop that leaks one tensor per step exhausts memory in a few
// hundred steps. The guard records the tensor count after a burn-in step and fails loudly
// as soon as a later step ends with more tensors alive.
import * as tf from '@tensorflow/tfjs';

export class TensorLeakError extends Error {}

export class MemoryGuard {
  private baseline: number | null = null;
  private steps = 0;

  constructor(
    private readonly label: string,
    /** Steps before the baseline is taken (optimizer slots are created on the first step). */
    private readonly burnIn = 1,
  ) {}

  /** Call once at the end of every step. */
  check(): void {
    this.steps++;
    const now = tf.memory().numTensors;
    if (this.steps <= this.burnIn) {
      this.baseline = now;
      return;
    }
    if (this.baseline !== null && now > this.baseline) {
      throw new TensorLeakError(
        `${this.label}: tensor count grew from ${this.baseline} to ${now} by step ${this.steps}; a tensor made in the step is not disposed (wrap the step in tf.tidy)`,
      );
    }
  }
}
