// Worker-thread entry: runs one arm task on the backend the parent chose and reports metrics,
// progress and the result as messages. Large inputs arrive on shared memory or by copy.
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend, type BackendName } from '../engine/backend.js';
import { armTasks, type ArmTaskKind, type TaskMessage } from './arm-tasks.js';

export type ArmWorkerMessage =
  | { type: 'metrics'; record: Record<string, unknown> }
  | { type: 'step' }
  | { type: 'done'; result: unknown }
  | { type: 'error'; message: string; stack?: string };

const port = parentPort!;
const task = workerData as TaskMessage;
const post = (m: ArmWorkerMessage) => port.postMessage(m);

try {
  await selectBackend(task.backend as BackendName);
  const run = armTasks[task.kind as ArmTaskKind] as (input: unknown, events: { onMetrics(r: Record<string, unknown>): void; onStep(): void }) => unknown;
  const result = run(task.input, {
    onMetrics: (record) => post({ type: 'metrics', record }),
    onStep: () => post({ type: 'step' }),
  });
  post({ type: 'done', result });
} catch (e) {
  const err = e instanceof Error ? e : new Error(String(e));
  post({ type: 'error', message: err.message, stack: err.stack });
}
