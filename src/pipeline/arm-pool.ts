// Runs independent student arms on up to `jobs` worker threads (tfjs-wasm is single-threaded
// under Node, so a second core is used only by a second thread). Results do not depend on
// where an arm ran; metrics are handed on in arm order, so metrics.jsonl is the same too.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { activeBackend } from '../engine/backend.js';
import { armTasks, type ArmTaskKind, type ArmTasks, type TaskMessage } from './arm-tasks.js';
import type { ArmWorkerMessage } from './arm-worker.js';
import type { MetricsRecord } from './types.js';

export interface ArmPoolEvents {
  onMetrics(record: MetricsRecord): void;
  /** A step of task `index` (in input order) finished. */
  onStep(index: number): void;
}

/** The compiled worker script, or null when it is not built (then arms run in this thread). */
function workerScript(): URL | null {
  const here = fileURLToPath(import.meta.url);
  const candidates = here.endsWith('.ts')
    ? [join(dirname(here), '..', '..', 'dist', 'src', 'pipeline', 'arm-worker.js')] // under vitest: use the build
    : [join(dirname(here), 'arm-worker.js')];
  const found = candidates.find((p) => existsSync(p));
  return found ? new URL(`file://${found}`) : null;
}

function runInWorker<K extends ArmTaskKind>(
  script: URL,
  task: TaskMessage<K>,
  live: Set<Worker>,
  onRecord: (r: MetricsRecord) => void,
  onStep: () => void,
): Promise<ArmTasks[K]['result']> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { workerData: task });
    live.add(worker);
    worker.on('exit', () => live.delete(worker));
    let settled = false;
    worker.on('message', (m: ArmWorkerMessage) => {
      if (m.type === 'metrics') onRecord(m.record as MetricsRecord);
      else if (m.type === 'step') onStep();
      else if (m.type === 'done') {
        settled = true;
        resolve(m.result as ArmTasks[K]['result']);
      } else {
        settled = true;
        const err = new Error(m.message);
        if (m.stack) err.stack = m.stack;
        reject(err);
      }
    });
    worker.on('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`${task.kind} task: worker exited with code ${code}`));
    });
  });
}

/** Runs every task of `kind` and returns their results in input order. */
export async function runArmTasks<K extends ArmTaskKind>(kind: K, inputs: ArmTasks[K]['input'][], jobs: number, events: ArmPoolEvents): Promise<ArmTasks[K]['result'][]> {
  const script = jobs > 1 && inputs.length > 1 ? workerScript() : null;
  const run = armTasks[kind] as (input: ArmTasks[K]['input'], e: { onMetrics(r: MetricsRecord): void; onStep(): void }) => ArmTasks[K]['result'];
  if (!script) return inputs.map((input, i) => run(input, { onMetrics: events.onMetrics, onStep: () => events.onStep(i) }));
  const backend = activeBackend();
  // Buffer each arm's metrics; release them in arm order as the earliest unfinished arm ends.
  const buffers: MetricsRecord[][] = inputs.map(() => []);
  const finished: boolean[] = inputs.map(() => false);
  let released = 0;
  const release = () => {
    while (released < inputs.length && finished[released]) {
      for (const r of buffers[released]!) events.onMetrics(r);
      buffers[released] = [];
      released++;
    }
  };
  const results: ArmTasks[K]['result'][] = new Array(inputs.length);
  const live = new Set<Worker>();
  let next = 0;
  const lane = async () => {
    while (next < inputs.length) {
      const i = next++;
      const input = inputs[i]!;
      results[i] = await runInWorker(script, { kind, backend, input }, live, (r) => buffers[i]!.push(r), () => events.onStep(i));
      finished[i] = true;
      release();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(jobs, inputs.length) }, lane));
  } catch (e) {
    next = inputs.length; // start no more arms, and stop the ones still running
    await Promise.all([...live].map((w) => w.terminate()));
    throw e;
  }
  return results;
}
