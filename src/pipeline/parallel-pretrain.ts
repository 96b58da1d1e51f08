// Pretraining bases side by side. Bases do not depend on each other, and each is trained on one
// thread (tfjs-wasm is single-threaded under Node), so a run that needs several bases not yet on
// disk pretrains them on worker threads, `jobs` at a time, before its stage reads them in order
// (from disk, bit for bit what training them here would give). Metrics come out in base order,
// as they would one after another.
import { runArmTasks } from './arm-pool.js';
import type { ArmTasks } from './arm-tasks.js';
import type { RunHooks } from './types.js';

export type BaseTaskKind = 'numbers-base' | 'em-base';

export interface MissingBase<K extends BaseTaskKind> {
  input: ArmTasks[K]['input'];
  /** Progress label. */
  label: string;
}

/**
 * Pretrains `missing` on worker threads when there are at least two and `jobs` > 1; otherwise
 * does nothing and the stage trains them one by one as before. Returns whether it trained them.
 */
export async function pretrainSideBySide<K extends BaseTaskKind>(kind: K, missing: MissingBase<K>[], jobs: number, hooks: RunHooks, tick: (label: string) => () => void): Promise<boolean> {
  if (jobs < 2 || missing.length < 2) return false;
  const ticks = missing.map((m) => tick(m.label));
  await runArmTasks(kind, missing.map((m) => m.input), jobs, { onMetrics: hooks.onMetrics, onStep: (i) => ticks[i]!() });
  return true;
}
