// Worker-thread entry: loads one arm task from the module that declares it (see arm-task.ts),
// runs it on the backend the parent chose, and reports metrics, progress and the result as
// messages. Large inputs arrive on shared memory or by copy.
import '../native-backend.js';
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend, type BackendName } from '../../engine/backend.js';
import { NumericFault, type NumericFaultData } from '../../engine/numeric.js';
import { Interrupted, StopFlag } from '../../engine/stop.js';
import type { AnyArmTask, TaskMessage } from './arm-task.js';

export type ArmWorkerMessage =
  | { type: 'metrics'; record: Record<string, unknown> }
  | { type: 'step' }
  | { type: 'done'; result: unknown }
  | { type: 'stopped'; state: unknown }
  | { type: 'error'; message: string; stack?: string; numericFault?: NumericFaultData }
  /** The run's backend could not be loaded here (e.g. tfjs-node in a worker thread, tfjs#2079): nothing ran. */
  | { type: 'backend-failed'; message: string };

const port = parentPort!;
const message = workerData as TaskMessage;
const post = (m: ArmWorkerMessage) => port.postMessage(m);

/**
 * Loads the run's backend in this thread, or says why it cannot: a worker must run on the very
 * backend the parent chose, never on another one silently. TRAITLAB_INJECT_WORKER_BACKEND=fail
 * makes it fail, to test the pool's fallback (a native binding that does not load in threads
 * cannot be had on machines without it).
 */
async function loadBackend(): Promise<string | null> {
  try {
    if (process.env.TRAITLAB_INJECT_WORKER_BACKEND === 'fail') throw new Error('Module did not self-register (injected by TRAITLAB_INJECT_WORKER_BACKEND)');
    const got = await selectBackend(message.backend as BackendName);
    return got === message.backend ? null : `the ${message.backend} backend came up as ${got}`;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Runs the task and reports how it ended. */
async function runTask(): Promise<void> {
  try {
    const task = ((await import(message.module)) as Record<string, AnyArmTask | undefined>)[message.exportName];
    if (task === undefined) throw new Error(`${message.module} exports no task "${message.exportName}"`);
    const stop = message.stop && new StopFlag(message.stop);
    const result: unknown = task.run(
      message.input,
      {
        onMetrics: (record) => post({ type: 'metrics', record }),
        onStep: () => post({ type: 'step' }),
        stopRequested: stop && (() => stop.requested),
      },
      message.from,
    );
    post({ type: 'done', result });
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    // A numeric fault keeps its fields across the thread boundary: the run names the setting and keeps its state.
    const numericFault = e instanceof NumericFault ? { numericFault: e.toData() } : {};
    post(e instanceof Interrupted ? { type: 'stopped', state: e.state } : { type: 'error', message: err.message, stack: err.stack, ...numericFault });
  }
}

const backendProblem = await loadBackend();
if (backendProblem !== null) post({ type: 'backend-failed', message: backendProblem });
else await runTask();
