// Worker-thread entry: runs one arm task on the backend the parent chose and reports metrics,
// progress and the result as messages. Large inputs arrive on shared memory or by copy.
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend, type BackendName } from '../engine/backend.js';
import { NumericFault, type NumericFaultData } from '../engine/numeric.js';
import { Interrupted, StopFlag } from '../engine/stop.js';
import { armTasks, type ArmTaskKind, type TaskMessage } from './arm-tasks.js';

export type ArmWorkerMessage =
  | { type: 'metrics'; record: Record<string, unknown> }
  | { type: 'step' }
  | { type: 'done'; result: unknown }
  | { type: 'stopped'; state: unknown }
  | { type: 'error'; message: string; stack?: string; numericFault?: NumericFaultData };

const port = parentPort!;
const task = workerData as TaskMessage;
const post = (m: ArmWorkerMessage) => port.postMessage(m);

try {
  await selectBackend(task.backend as BackendName);
  const run = armTasks[task.kind as ArmTaskKind] as (input: unknown, events: { onMetrics(r: Record<string, unknown>): void; onStep(): void; stopRequested?(): boolean }, from?: unknown) => unknown;
  const stop = task.stop && new StopFlag(task.stop);
  const result = run(
    task.input,
    {
      onMetrics: (record) => post({ type: 'metrics', record }),
      onStep: () => post({ type: 'step' }),
      stopRequested: stop && (() => stop.requested),
    },
    task.from,
  );
  post({ type: 'done', result });
} catch (e) {
  const err = e instanceof Error ? e : new Error(String(e));
  // A numeric fault keeps its fields across the thread boundary: the run names the setting and keeps its state.
  const numericFault = e instanceof NumericFault ? { numericFault: e.toData() } : {};
  post(e instanceof Interrupted ? { type: 'stopped', state: e.state } : { type: 'error', message: err.message, stack: err.stack, ...numericFault });
}
