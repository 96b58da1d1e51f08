// A unit of work the arm pool runs, on a worker thread or in this one: a world hands its task
// to the pool as a value, so the pool knows no world. A worker thread finds the same task by
// importing `module` and reading its `exportName`, which is why a task is declared as an
// exported constant of the module that runs it.
import type { MetricsRecord } from '../../engine/metrics-record.js';

/** What a running task reports, and how it learns that the run was asked to stop. */
export interface TaskEvents {
  onMetrics(record: MetricsRecord): void;
  onStep(): void;
  /** Asked after every step; true → the task throws Interrupted with its state. */
  stopRequested?(): boolean;
}

/** A task whose input I gives result R, or, stopped midway, state S to continue from. */
export interface ArmTask<I, R, S = never> {
  /** For messages: e.g. "numbers-arm". */
  kind: string;
  /** The declaring module's `import.meta.url`, which exports this task as `exportName`. */
  module: string;
  exportName: string;
  run(input: I, events: TaskEvents, from?: S): R;
  /** The arm an input runs, by name (checkpoints key arms by name, not by place). */
  armName(input: I): string;
  /**
   * A relative estimate of the input's work (e.g. optimizer steps × rows, heavier when it
   * samples): the pool starts the costliest tasks first, so no lane idles at the tail behind one
   * long task started last. Only the order of starting depends on it, never a result.
   */
  cost?(input: I): number;
}

/** Task indices in the order the lanes start them: costliest first, ties in input order (input order without a cost). */
export function longestFirst<I>(task: Pick<ArmTask<I, unknown, unknown>, 'cost'>, inputs: readonly I[], indices: readonly number[]): number[] {
  if (!task.cost) return [...indices];
  const cost = new Map(indices.map((i) => [i, task.cost!(inputs[i]!)] as const));
  return [...indices].sort((a, b) => cost.get(b)! - cost.get(a)! || a - b);
}

/** Any task, as the pool and the worker handle it. */
export type AnyArmTask = ArmTask<any, any, any>;

/** What a worker receives. */
export interface TaskMessage {
  module: string;
  exportName: string;
  backend: string;
  input: unknown;
  /** Continue from this state of an interrupted run. */
  from?: unknown;
  /** The run's stop flag (StopFlag.buffer), read after every step. */
  stop?: SharedArrayBuffer;
}
