// Ctrl-C (SIGINT) and SIGTERM during `traitlab run`. From the start of the arm stage, a signal
// no longer ends the process: it sets the run's stop flag, every arm stops after its current
// step and saves its state, and the run exits with its checkpoint kept (see execute-run.ts).
// Only the first signal is caught: a second one ends the process at once, as usual.
//
// Before the arm stage the default action stays: those stages run on this thread, so a
// handler could only run once they had finished, and a resumed run recomputes them anyway
// (the run directory's checkpoint then says the arms never started).
//
// TRAITLAB_STOP_AFTER_STEPS=n, for tests: a stop as if by Ctrl-C once n arm steps have been
// reported in this process.
import { StopFlag } from '../engine/stop.js';
import type { RunStop } from './execute-run.js';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export interface SignalStop extends RunStop {
  /** Count one finished arm step (for TRAITLAB_STOP_AFTER_STEPS). */
  armStep(): void;
  /** Takes the handlers away again. */
  dispose(): void;
}

export function signalStop(env: NodeJS.ProcessEnv = process.env): SignalStop {
  const flag = new StopFlag();
  const stopAfter = env.TRAITLAB_STOP_AFTER_STEPS === undefined ? null : Number(env.TRAITLAB_STOP_AFTER_STEPS);
  let reason: string | null = null;
  let listening = false;
  let steps = 0;
  const dispose = () => {
    for (const s of SIGNALS) process.off(s, onSignal);
  };
  const request = (why: string) => {
    reason ??= why;
    flag.request();
    dispose(); // a second signal ends the process
  };
  function onSignal(signal: NodeJS.Signals): void {
    request(signal);
  }
  return {
    flag,
    listen() {
      if (listening) return;
      listening = true;
      for (const s of SIGNALS) process.on(s, onSignal);
    },
    reason: () => reason ?? 'SIGINT',
    armStep() {
      if (listening && stopAfter !== null && ++steps === stopAfter) request('SIGINT');
    },
    dispose,
  };
}
