// What the arm stage needs in order to be interrupted and resumed: a shared stop flag, where
// an earlier run left each arm, and a place to keep every arm as it finishes. The pool
// (arm-pool.ts) uses it; the run directory's checkpoint (run-checkpoint.ts) stores it.
import type { StopFlag } from '../../engine/stop.js';
import type { MetricsRecord } from '../../engine/metrics-record.js';

/** A finished arm: its result and every metrics record it wrote, in order. */
export interface ArmDone {
  name: string;
  /** Steps it reported (for progress when it is not redone). */
  steps: number;
  result: unknown;
  records: MetricsRecord[];
}

/** An arm stopped between two steps: the state its loop continues from and its records so far. */
export interface ArmPartial {
  name: string;
  steps: number;
  state: unknown;
  records: MetricsRecord[];
}

export type ArmResume = { done: ArmDone } | { partial: ArmPartial };

export interface ArmStageControl {
  stop: StopFlag;
  /**
   * Run arms on worker threads even with one job (when the build is there): a loop in this
   * thread would keep it from hearing a signal until the arm ends.
   */
  threads: boolean;
  /** Where an interrupted run left each arm, by arm name. */
  resume: ReadonlyMap<string, ArmResume>;
  /** The stages before the arms are done: the metrics so far are final. */
  armsStarting(): void;
  /** An arm finished (keep it, so a resumed run does not redo it). */
  armDone(arm: ArmDone): void;
}

/** The arm stage stopped on request with arms unfinished; `partial` continues the ones begun. */
export class ArmsInterrupted extends Error {
  constructor(readonly partial: ArmPartial[]) {
    super('the arm stage stopped on request');
    this.name = 'ArmsInterrupted';
  }
}
