// Ctrl-C (SIGINT) and SIGTERM during a command that works for a while. Every signal is answered
// with one line saying what was interrupted and what is kept, and the exit code shells give a
// process ended by it (130, 143).
//
// `traitlab run`: from the start of the arm stage a first signal does not end the process: it
// sets the run's stop flag, every arm stops after its current step and saves its state, and the
// run exits with its checkpoint kept (see execute-run.ts). A second signal ends it at once,
// keeping the arms finished so far. Before the arm stage a signal ends the run at once with its
// .partial kept (its checkpoint says the arms never started, so a resumed run recomputes the
// stages before them; bases pretrained so far are in the cache).
//
// A handler written in JavaScript runs only when this thread's event loop turns. While a stage
// before the arms trains on this thread, a handler would hold Ctrl-C back until the stage ends;
// so the handlers stand aside (the default action: the process ends at once, silently) from a
// training step reported on this thread until the loop turns again. Steps reported by worker
// threads (pretraining side by side, the arms) arrive on a turning loop.
//
// TRAITLAB_STOP_AFTER_STEPS=n, for tests: a stop as if by Ctrl-C once n arm steps have been
// reported in this process.
import { constants } from 'node:os';
import { StopFlag } from '../engine/stop.js';
import type { RunStop } from './run-stop.js';
import type { CliIo } from './io.js';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** 128 + the signal's number: what a shell reports for a process the signal ended. */
export const signalExitCode = (signal: string): number => 128 + (constants.signals[signal as NodeJS.Signals] ?? 0);

/** Prints `line` and ends the process with the exit code of `signal`. */
export function endBySignal(io: CliIo, signal: string, line: string): never {
  io.err(line);
  process.exit(signalExitCode(signal));
}

/** SIGINT and SIGTERM handlers that can stand aside while this thread is busy (see above). */
export class SignalHandlers {
  private wanted = false;
  private armed = false;
  private standAside = false;
  /** The event loop has turned since the last step reported on this thread. */
  private turned = true;
  private rearming = false;
  private readonly handler = (signal: NodeJS.Signals) => this.onSignal(signal);

  constructor(private readonly onSignal: (signal: NodeJS.Signals) => void) {}

  /** Listen; `standAsideWhenBusy`: leave the default action while this thread trains (`step`). */
  start(standAsideWhenBusy: boolean): void {
    this.wanted = true;
    this.standAside = standAsideWhenBusy;
    this.arm();
  }

  /** From now on listen even while this thread is busy (a stop must be heard, however late). */
  steady(): void {
    this.standAside = false;
    if (this.wanted) this.arm();
  }

  /** A training step was reported. Two without the loop turning between them: a loop on this thread. */
  step(): void {
    if (!this.wanted || !this.standAside) return;
    if (!this.turned) this.disarm();
    this.turned = false;
    if (this.rearming) return;
    this.rearming = true;
    setImmediate(() => {
      this.rearming = false;
      this.turned = true;
      if (this.wanted) this.arm();
    });
  }

  dispose(): void {
    this.wanted = false;
    this.disarm();
  }

  private arm(): void {
    if (this.armed) return;
    for (const s of SIGNALS) process.on(s, this.handler);
    this.armed = true;
  }

  private disarm(): void {
    if (!this.armed) return;
    for (const s of SIGNALS) process.off(s, this.handler);
    this.armed = false;
  }
}

/** Why a run is given up at once: a signal before its arms started, or a second one during them. */
export type Abandoned = 'before-arms' | 'again';

export interface SignalStop extends RunStop {
  /** Count one finished step (arm steps for TRAITLAB_STOP_AFTER_STEPS; any, to notice a busy thread). */
  step(): void;
  /** Takes the handlers away again. */
  dispose(): void;
}

/** `abandon` prints its line and ends the process (endBySignal). */
export function signalStop(abandon: (signal: string, why: Abandoned) => never, env: NodeJS.ProcessEnv = process.env): SignalStop {
  const flag = new StopFlag();
  const stopAfter = env.TRAITLAB_STOP_AFTER_STEPS === undefined ? null : Number(env.TRAITLAB_STOP_AFTER_STEPS);
  let reason: string | null = null;
  let listening = false;
  let steps = 0;
  const request = (why: string) => {
    reason ??= why;
    flag.request();
  };
  const handlers = new SignalHandlers((signal) => {
    if (!listening) abandon(signal, 'before-arms');
    if (reason !== null) abandon(signal, 'again');
    request(signal);
  });
  handlers.start(true);
  return {
    flag,
    listen() {
      if (listening) return;
      listening = true;
      handlers.steady();
    },
    reason: () => reason ?? 'SIGINT',
    step() {
      if (!listening) handlers.step();
      else if (stopAfter !== null && ++steps === stopAfter) request('SIGINT');
    },
    dispose: () => handlers.dispose(),
  };
}
