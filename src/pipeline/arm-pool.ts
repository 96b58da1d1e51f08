// Runs independent student arms on up to `jobs` worker threads (tfjs-wasm is single-threaded
// under Node, so a second core is used only by a second thread). Results do not depend on
// where an arm ran; metrics are handed on in arm order, so metrics.jsonl is the same too.
// With a control (arm-control.ts) the stage can stop between two steps and later continue:
// finished arms are kept as they end and not redone, stopped arms continue from their state.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { activeBackend } from '../engine/backend.js';
import { NumericFault } from '../engine/numeric.js';
import { Interrupted } from '../engine/stop.js';
import { ArmsInterrupted, type ArmStageControl } from './arm-control.js';
import { armTaskNames, armTasks, type ArmTaskKind, type ArmTasks, type TaskEvents, type TaskMessage } from './arm-tasks.js';
import type { ArmWorkerMessage } from './arm-worker.js';
import type { MetricsRecord } from './types.js';

export interface ArmPoolEvents {
  onMetrics(record: MetricsRecord): void;
  /** A step of task `index` (in input order) finished. */
  onStep(index: number): void;
  /**
   * Task `index` continues an interrupted run that had made `steps` of its steps, which are
   * not redone. Without this hook they are reported as steps through onStep.
   */
  onResumed?(index: number, steps: number): void;
}

/** The compiled worker script, or null when it is not built (then arms run in this thread). */
function workerScript(): URL | null {
  const here = fileURLToPath(import.meta.url);
  const candidates = here.endsWith('.ts')
    ? [join(dirname(here), '..', '..', 'dist', 'src', 'pipeline', 'arm-worker.js')] // under vitest: use the build
    : [join(dirname(here), 'arm-worker.js')];
  const found = candidates.find((p) => existsSync(p));
  return found ? pathToFileURL(found) : null;
}

let workersStarted = 0;
/** Worker threads this process has started for arm tasks (tests prove the workers really ran). */
export const armWorkersStarted = (): number => workersStarted;

/** How a task ended: with its result, or stopped on request with the state to continue from. */
type Outcome<K extends ArmTaskKind> = { done: ArmTasks[K]['result'] } | { stopped: ArmTasks[K]['state'] };

function runInWorker<K extends ArmTaskKind>(
  script: URL,
  task: TaskMessage<K>,
  live: Set<Worker>,
  onRecord: (r: MetricsRecord) => void,
  onStep: () => void,
): Promise<Outcome<K>> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { workerData: task });
    workersStarted += 1;
    live.add(worker);
    worker.on('exit', () => live.delete(worker));
    let settled = false;
    worker.on('message', (m: ArmWorkerMessage) => {
      if (m.type === 'metrics') onRecord(m.record as MetricsRecord);
      else if (m.type === 'step') onStep();
      else if (m.type === 'done' || m.type === 'stopped') {
        settled = true;
        resolve(m.type === 'done' ? { done: m.result as ArmTasks[K]['result'] } : { stopped: m.state as ArmTasks[K]['state'] });
      } else {
        settled = true;
        const err = NumericFault.fromData(m.numericFault) ?? new Error(m.message);
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

/**
 * Runs every task of `kind` and returns their results in input order. With `control`, throws
 * ArmsInterrupted when a stop was requested before every arm finished.
 */
export async function runArmTasks<K extends ArmTaskKind>(kind: K, inputs: ArmTasks[K]['input'][], jobs: number, events: ArmPoolEvents, control?: ArmStageControl): Promise<ArmTasks[K]['result'][]> {
  control?.armsStarting();
  const names = inputs.map((input) => armTaskNames[kind](input));
  const saved = names.map((name) => control?.resume.get(name));
  // Buffer each arm's metrics; release them in arm order as the earliest unfinished arm ends.
  // A resumed arm starts with the records it wrote before the interruption.
  const buffers: MetricsRecord[][] = saved.map((s) => (s ? [...('done' in s ? s.done : s.partial).records] : []));
  const steps: number[] = saved.map((s) => (s ? ('done' in s ? s.done : s.partial).steps : 0));
  const states: (ArmTasks[K]['state'] | undefined)[] = saved.map((s) => (s && 'partial' in s ? (s.partial.state as ArmTasks[K]['state']) : undefined));
  const results: ArmTasks[K]['result'][] = new Array(inputs.length);
  const finished: boolean[] = inputs.map(() => false);
  let released = 0;
  const release = () => {
    while (released < inputs.length && finished[released]) {
      for (const r of buffers[released]!) events.onMetrics(r);
      buffers[released] = [];
      released++;
    }
  };
  const finish = (i: number, result: ArmTasks[K]['result']) => {
    results[i] = result;
    finished[i] = true;
    states[i] = undefined;
    control?.armDone({ name: names[i]!, steps: steps[i]!, result, records: buffers[i]! });
    release();
  };
  saved.forEach((s, i) => {
    if (events.onResumed) {
      if (steps[i]! > 0) events.onResumed(i, steps[i]!);
    } else for (let k = 0; k < steps[i]!; k++) events.onStep(i); // progress for the steps done before
    if (s && 'done' in s) {
      results[i] = s.done.result as ArmTasks[K]['result'];
      finished[i] = true;
    }
  });
  release();

  const stop = control?.stop;
  const taskEvents = (i: number): TaskEvents => ({
    onMetrics: (r) => buffers[i]!.push(r),
    onStep: () => {
      steps[i]!++;
      events.onStep(i);
    },
    stopRequested: stop && (() => stop.requested),
  });
  const todo = inputs.map((_, i) => i).filter((i) => !finished[i]);
  const script = todo.length > 0 && ((jobs > 1 && todo.length > 1) || control?.threads) ? workerScript() : null;
  if (!script) {
    const run = armTasks[kind] as (input: ArmTasks[K]['input'], e: TaskEvents, from?: ArmTasks[K]['state']) => ArmTasks[K]['result'];
    for (const i of todo) {
      if (stop?.requested) break;
      try {
        finish(i, run(inputs[i]!, taskEvents(i), states[i]));
      } catch (e) {
        if (!(e instanceof Interrupted)) throw e;
        states[i] = e.state as ArmTasks[K]['state'];
        break;
      }
    }
  } else {
    const backend = activeBackend();
    const live = new Set<Worker>();
    let next = 0;
    const lane = async () => {
      while (next < todo.length && !stop?.requested) {
        const i = todo[next++]!;
        const { onMetrics, onStep } = taskEvents(i);
        const outcome = await runInWorker(script, { kind, backend, input: inputs[i]!, from: states[i], stop: stop?.buffer }, live, onMetrics, onStep);
        if ('done' in outcome) finish(i, outcome.done);
        else states[i] = outcome.stopped;
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(jobs, todo.length) }, lane));
    } catch (e) {
      next = todo.length; // start no more arms, and stop the ones still running
      await Promise.all([...live].map((w) => w.terminate()));
      throw e;
    }
  }
  if (finished.every(Boolean)) return results;
  // Stopped on request: the arms begun keep their state and records; the others start afresh.
  const partial = todo.filter((i) => !finished[i] && states[i] !== undefined);
  throw new ArmsInterrupted(partial.map((i) => ({ name: names[i]!, steps: steps[i]!, state: states[i], records: buffers[i]! })));
}
