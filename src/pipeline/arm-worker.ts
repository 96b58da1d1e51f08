// Worker-thread entry: runs one student arm on the backend the parent chose and reports
// metrics, progress and the result as messages. Large inputs arrive on shared memory.
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend } from '../engine/backend.js';
import { runStudentArm, type StudentArmInput } from './student-arm.js';

export type ArmWorkerMessage =
  | { type: 'metrics'; record: Record<string, unknown> }
  | { type: 'step' }
  | { type: 'done'; accuracy: number[] }
  | { type: 'error'; message: string; stack?: string };

const port = parentPort!;
const input = workerData as StudentArmInput;
const post = (m: ArmWorkerMessage) => port.postMessage(m);

try {
  await selectBackend(input.backend);
  const accuracy = runStudentArm(input, {
    onMetrics: (record) => post({ type: 'metrics', record }),
    onStep: () => post({ type: 'step' }),
  });
  post({ type: 'done', accuracy });
} catch (e) {
  const err = e instanceof Error ? e : new Error(String(e));
  post({ type: 'error', message: err.message, stack: err.stack });
}
