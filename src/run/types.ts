// What a run produces and how it reports while it works. The CLI and the report layer
// consume these; the pipeline produces them.
import type { ArmStageControl } from './pool/arm-control.js';
import type { MetricsRecord } from '../engine/metrics-record.js';

export type { MetricsRecord } from '../engine/metrics-record.js';

export interface RunHooks {
  /** Called for every logged step, in order. */
  onMetrics(record: MetricsRecord): void;
  /**
   * Called as work progresses: `done` of the `total` optimizer steps this run has to do (steps
   * found done — a cached base's, a resumed arm's — are left out of the total).
   */
  onProgress(done: number, total: number, label: string): void;
  /** What the run is doing while no step is counted (loading bases, drawing probe sets). */
  onStage?(label: string): void;
}

export interface RunOptions {
  /** Worker threads for independent arms (1: everything in this thread). Results do not depend on it. */
  jobs?: number;
  /** Stopping the arm stage on request and continuing an interrupted one (see arm-control.ts). */
  control?: ArmStageControl;
}

/**
 * What every world's run summary (summary.json) holds. MNIST's, the first world's, has no
 * `world` field (its files are kept as they were); every later world's names itself.
 */
export interface RunSummaryBase {
  experiment: string;
  world?: string;
  seeds: number;
  rootSeed: number;
  /** Written only when each seed had its own data (seedsVary "init-and-data"), so "init" summaries stay as they were. */
  seedsVary?: 'init-and-data';
  backend: string;
  arms: readonly { name: string }[];
}
