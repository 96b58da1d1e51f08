// Pretraining bases side by side. Bases do not depend on each other, and each is trained on one
// thread (tfjs-wasm is single-threaded under Node), so a run that needs several bases not yet on
// disk pretrains them on worker threads, `jobs` at a time, before its stage reads them in order
// (from disk, bit for bit what training them here would give). Metrics come out in base order,
// as they would one after another, and progress counts every trained base's steps once; a base
// already on disk is left out of the total before any step is counted.
import { runArmTasks } from '../../run/pool/arm-pool.js';
import type { ArmTask } from '../../run/pool/arm-task.js';
import type { ProgressCounter } from '../../run/progress-counter.js';
import type { RunHooks } from '../../run/types.js';

export type PretrainProgress = Pick<ProgressCounter, 'stage' | 'tick' | 'skip'>;

/** How a world's stage finds, hands out and makes its planned bases. */
export interface BasePlan<I, P, B extends { cached: boolean }> {
  /** The worker task that pretrains a base to disk. */
  task: ArmTask<I, string>;
  planned: P[];
  onDisk(p: P): boolean;
  /** The task's input that pretrains planned[index] to disk. */
  input(index: number): I;
  label(p: P): string;
  steps(p: P): number;
  /** Reads p from disk, or trains it here (calling tick per step). */
  make(p: P, tick: () => void): B;
}

/**
 * Every planned base, in order. With `jobs` > 1 and at least two bases missing, those are first
 * pretrained on worker threads; then each is made by `make`, which finds it on disk. `cached` is
 * true only for a base that was on disk before this call.
 */
export async function pretrainPlanned<I, P, B extends { cached: boolean }>(plan: BasePlan<I, P, B>, jobs: number, hooks: RunHooks, progress: PretrainProgress): Promise<B[]> {
  const onDisk = plan.planned.map((p) => plan.onDisk(p));
  onDisk.forEach((found, i) => found && progress.skip(plan.steps(plan.planned[i]!)));
  const missing = plan.planned.flatMap((_, index) => (onDisk[index] ? [] : [index]));
  const sideBySide = jobs > 1 && missing.length > 1;
  if (sideBySide) {
    progress.stage(`pretraining bases ${missing.map((i) => plan.label(plan.planned[i]!)).join(', ')} side by side`);
    const ticks = missing.map((i) => progress.tick(plan.label(plan.planned[i]!)));
    await runArmTasks(plan.task, missing.map((i) => plan.input(i)), jobs, { onMetrics: hooks.onMetrics, onStep: (k) => ticks[k]!() });
  }
  const trainedThere = new Set(sideBySide ? missing : []);
  return plan.planned.map((p, i) => {
    progress.stage(onDisk[i] || trainedThere.has(i) ? `reading base ${plan.label(p)} from disk` : `pretraining base ${plan.label(p)}`);
    const made = plan.make(p, progress.tick(plan.label(p)));
    if (trainedThere.has(i)) return { ...made, cached: false };
    // The disk changed since it was looked at (another run wrote or removed the base).
    if (made.cached !== onDisk[i]) progress.skip(made.cached ? plan.steps(p) : -plan.steps(p));
    return made;
  });
}
