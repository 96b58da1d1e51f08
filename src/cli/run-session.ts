// What `traitlab run` does around any run, one experiment or a sweep: the progress line, Ctrl-C
// (from the arm stage on a checkpoint; before it, or a second time, the run ends at once with what
// is kept — see interrupt.ts), the options every run takes, and the paths its errors show.
import { availableParallelism } from 'node:os';
import { OutOfSpaceError, RunInterruptedError } from './handle-error.js';
import { endBySignal, signalStop, type Abandoned } from './interrupt.js';
import type { CliIo } from './io.js';
import { packageRoot } from './package-root.js';
import { createProgress } from './progress.js';
import type { RunCommandOptions } from './run-options.js';
import { shownPath } from './shown-path.js';
import { printWarning } from './warning-line.js';

/** What a run given up at once by a signal says: what was going on, what is kept, how to go on. */
export function abandonedLine(signal: string, why: Abandoned, at: { stage: string; partial: string; bases: boolean }): string {
  const { partial } = at;
  const what =
    why === 'before-arms'
      ? `interrupted (${signal}) before the arms started (stage: ${at.stage}); the run is kept in ${partial}${at.bases ? ' and the bases pretrained so far in the cache' : ''}`
      : `${signal} again: stopping now, without saving the arms in progress; the arms finished so far are kept in ${partial}`;
  return `traitlab: ${what}; continue it with: traitlab run --resume ${partial}`;
}

/** The settings every run's executor takes from the session. */
export interface SessionSettings {
  jobs: number;
  packageRoot: string;
  stop: ReturnType<typeof signalStop>;
  onProgress: (done: number, total: number, label: string) => void;
  onStage: (label: string) => void;
  onWarning: (message: string) => void;
}

/**
 * Runs `execute` with the session's settings into `dir` (its `.partial` is what a signal keeps);
 * `pretrains` says whether the world pretrains bases (a signal then also keeps those in the cache).
 */
export async function inRunSession<T>(io: CliIo, opts: RunCommandOptions, dir: string, pretrains: boolean, execute: (session: SessionSettings) => Promise<T>): Promise<T> {
  const progress = createProgress(io);
  let stage = 'setting up';
  const stop = signalStop((signal, why) => {
    progress.stop();
    endBySignal(io, signal, abandonedLine(signal, why, { stage, partial: shownPath(`${dir}.partial`, io.cwd), bases: pretrains }));
  });
  try {
    return await execute({
      jobs: opts.jobs ?? availableParallelism(),
      packageRoot: packageRoot(),
      stop,
      onProgress: (d, t, label) => {
        stage = label;
        stop.step();
        progress.update(d, t, label);
      },
      onStage: (label) => progress.stage(label),
      onWarning: (message) => printWarning(io, message),
    });
  } catch (e) {
    if (e instanceof RunInterruptedError) throw new RunInterruptedError(e.partial, e.signal, shownPath(e.partial, io.cwd));
    if (e instanceof OutOfSpaceError) throw e.shownAs(shownPath(e.partial, io.cwd));
    throw e;
  } finally {
    stop.dispose();
    progress.stop();
  }
}
