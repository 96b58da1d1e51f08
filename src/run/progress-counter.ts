// A run's progress in optimizer steps still to do. Work found already done — a base or an
// aligned model read from disk, the steps an interrupted arm made before — leaves the total
// instead of counting as done: a bar that starts at 62 % for cached pretraining, and an ETA
// computed from steps that took no time, both mislead. Between counted steps (loading bases,
// drawing probe sets, starting workers) it names what the run is doing.
import type { RunHooks } from './types.js';

export class ProgressCounter {
  private done = 0;

  constructor(
    private readonly hooks: RunHooks,
    private total: number,
  ) {}

  /** Says what the run is doing while no step is counted. */
  stage(label: string): void {
    this.hooks.onStage?.(label);
  }

  /** One optimizer step of `label` done. */
  step(label: string): void {
    this.hooks.onProgress(++this.done, this.total, label);
  }

  /** A callback counting one step of `label` per call (for training loops). */
  tick(label: string): () => void {
    return () => this.step(label);
  }

  /** `steps` planned steps that need no doing (read from disk, done before an interruption). */
  skip(steps: number): void {
    this.total -= steps;
  }
}

/**
 * The stage label before an arm stage's first step, which may come late: workers start and
 * off-policy arms first sample their teacher. `what` is plural (`fine-tunes`).
 */
export function startingArms(arms: number, jobs: number, what = 'arms'): string {
  const threads = Math.min(Math.max(jobs, 1), arms);
  return `starting ${arms} ${arms === 1 ? what.replace(/s$/, '') : what}${threads > 1 ? `, ${threads} at a time` : ''}`;
}
