// Runs independent student arms on up to `jobs` worker threads (tfjs-wasm is single-threaded
// under Node, so a second core is used only by a second thread). Results do not depend on
// where an arm ran; metrics are handed on in arm order, so metrics.jsonl is the same too.
// With a control (arm-control.ts) the stage can stop between two steps and later continue:
// finished arms are kept as they end and not redone, stopped arms continue from their state.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join, relative } from 'node:path';
import { Worker } from 'node:worker_threads';
import { activeBackend } from '../../engine/backend.js';
import { NumericFault } from '../../engine/numeric.js';
import { Interrupted } from '../../engine/stop.js';
import type { MetricsRecord } from '../../engine/metrics-record.js';
import { ArmsInterrupted, type ArmStageControl } from './arm-control.js';
import { longestFirst, type ArmTask, type TaskEvents, type TaskMessage } from './arm-task.js';
import type { ArmWorkerMessage } from './arm-worker.js';

export interface ArmPoolEvents {
  onMetrics(record: MetricsRecord): void;
  /** A step of task `index` (in input order) finished. */
  onStep(index: number): void;
  /**
   * Task `index` continues an interrupted run that had made `steps` of its steps, which are
   * not redone. Without this hook they are reported as steps through onStep.
   */
  onResumed?(index: number, steps: number): void;
  /**
   * Said once when worker threads cannot load the run's backend and the arms run in this
   * thread instead (default: a warning line on stderr).
   */
  onNotice?(text: string): void;
}

/**
 * The compiled form of a module: itself when it is JavaScript, else (a .ts source under vitest)
 * its build under dist/, which worker threads can load. Null when that is not built.
 */
export function compiledModule(url: string): URL | null {
  const path = fileURLToPath(url);
  if (!path.endsWith('.ts')) return existsSync(path) ? new URL(url) : null;
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const rel = relative(root, path);
  if (rel.startsWith('..')) return null;
  const built = join(root, 'dist', rel.replace(/\.ts$/, '.js'));
  return existsSync(built) ? pathToFileURL(built) : null;
}

/**
 * The worker script and the task's module as a worker loads them, or null when either is not
 * built (then the tasks run in this thread; results are the same).
 */
function workerFiles(task: ArmTask<unknown, unknown, unknown>): { script: URL; module: URL } | null {
  // The worker script sits beside this file, as source under vitest and built otherwise.
  const script = compiledModule(new URL(import.meta.url.endsWith('.ts') ? './arm-worker.ts' : './arm-worker.js', import.meta.url).href);
  const module = compiledModule(task.module);
  return script && module ? { script, module } : null;
}

// Set when worker threads could not load a backend: the run's later stages (the MNIST teacher's
// parts, then its students) run in this thread on that backend without trying again or warning twice.
let refusedBackend: string | null = null;

/** Forgets a backend refusal (tests that inject one run other stages afterwards). */
export function forgetWorkerBackendRefusal(): void {
  refusedBackend = null;
}

let workersStarted = 0;
/** Worker threads this process has started for arm tasks (tests prove the workers really ran). */
export const armWorkersStarted = (): number => workersStarted;

/**
 * How a task ended: with its result, stopped on request with the state to continue from, or
 * not begun because its worker could not load the run's backend.
 */
type Outcome<R, S> = { done: R } | { stopped: S } | { backendFailed: string };

function runInWorker<R, S>(
  script: URL,
  task: TaskMessage,
  live: Set<Worker>,
  onRecord: (r: MetricsRecord) => void,
  onStep: () => void,
): Promise<Outcome<R, S>> {
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
        resolve(m.type === 'done' ? { done: m.result as R } : { stopped: m.state as S });
      } else if (m.type === 'backend-failed') {
        settled = true;
        resolve({ backendFailed: m.message });
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
      if (!settled) reject(new Error(`${task.exportName} task: worker exited with code ${code}`));
    });
  });
}

/**
 * Runs `task` on every input and returns the results in input order. With `control`, throws
 * ArmsInterrupted when a stop was requested before every arm finished.
 */
export async function runArmTasks<I, R, S>(task: ArmTask<I, R, S>, inputs: I[], jobs: number, events: ArmPoolEvents, control?: ArmStageControl): Promise<R[]> {
  control?.armsStarting();
  const names = inputs.map((input) => task.armName(input));
  const saved = names.map((name) => control?.resume.get(name));
  // Buffer each arm's metrics; release them in arm order as the earliest unfinished arm ends.
  // A resumed arm starts with the records it wrote before the interruption.
  const buffers: MetricsRecord[][] = saved.map((s) => (s ? [...('done' in s ? s.done : s.partial).records] : []));
  const steps: number[] = saved.map((s) => (s ? ('done' in s ? s.done : s.partial).steps : 0));
  const states: (S | undefined)[] = saved.map((s) => (s && 'partial' in s ? (s.partial.state as S) : undefined));
  const results: R[] = new Array(inputs.length);
  const finished: boolean[] = inputs.map(() => false);
  let released = 0;
  const release = () => {
    while (released < inputs.length && finished[released]) {
      for (const r of buffers[released]!) events.onMetrics(r);
      buffers[released] = [];
      released++;
    }
  };
  const finish = (i: number, result: R) => {
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
      results[i] = s.done.result as R;
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
  /** Runs arms `indices` one after another in this thread, until one is stopped on request. */
  const runHere = (indices: readonly number[]) => {
    for (const i of indices) {
      if (stop?.requested) break;
      try {
        finish(i, task.run(inputs[i]!, taskEvents(i), states[i]));
      } catch (e) {
        if (!(e instanceof Interrupted)) throw e;
        states[i] = e.state as S;
        break;
      }
    }
  };
  const wantsWorkers = todo.length > 0 && ((jobs > 1 && todo.length > 1) || control?.threads) && refusedBackend !== activeBackend();
  const files = wantsWorkers ? workerFiles(task as ArmTask<unknown, unknown, unknown>) : null;
  if (!files) runHere(todo);
  else {
    const backend = activeBackend();
    const live = new Set<Worker>();
    // The lanes take the costliest arms first; results and metrics stay in input order.
    const queue = longestFirst(task, inputs, todo);
    let next = 0;
    // Set when a worker could not load the run's backend: no more workers start, and the arms
    // not yet done run in this thread, on the backend it already has (never another one).
    let backendFailure: string | null = null;
    const lane = async () => {
      while (next < queue.length && !stop?.requested && backendFailure === null) {
        const i = queue[next++]!;
        const { onMetrics, onStep } = taskEvents(i);
        const outcome = await runInWorker<R, S>(files.script, { module: files.module.href, exportName: task.exportName, backend, input: inputs[i]!, from: states[i], stop: stop?.buffer }, live, onMetrics, onStep);
        if ('done' in outcome) finish(i, outcome.done);
        else if ('stopped' in outcome) states[i] = outcome.stopped;
        else backendFailure ??= outcome.backendFailed;
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(jobs, todo.length) }, lane));
    } catch (e) {
      next = queue.length; // start no more arms, and stop the ones still running
      await Promise.all([...live].map((w) => w.terminate()));
      throw e;
    }
    if (backendFailure !== null) {
      refusedBackend = backend;
      const notice = events.onNotice ?? ((text: string) => process.stderr.write(`traitlab: warning: ${text}\n`));
      notice(`worker threads could not load the ${backend} backend (${backendFailure}); the remaining arms run one at a time in the main thread, on ${backend} (pass --jobs 1 to start that way)`);
      // Not begun, or refused by a worker: they run here (a resumed arm from its saved state).
      runHere(todo.filter((i) => !finished[i]));
    }
  }
  if (finished.every(Boolean)) return results;
  // Stopped on request: the arms begun keep their state and records; the others start afresh.
  const partial = todo.filter((i) => !finished[i] && states[i] !== undefined);
  throw new ArmsInterrupted(partial.map((i) => ({ name: names[i]!, steps: steps[i]!, state: states[i], records: buffers[i]! })));
}
