// The one place failures become output and exit codes: one line `traitlab: <message>` on
// stderr; 2 for bad input (the user can fix the command or the file), 1 for a run that failed,
// 128 + the signal's number for a run stopped by Ctrl-C (130) or SIGTERM (143), as shells do.
import { CommanderError } from 'commander';
import { ConfigError } from '../config/errors.js';
import { BackendUnavailableError } from '../engine/backend.js';
import type { CliIo } from './io.js';

export const EXIT_OK = 0;
export const EXIT_RUN_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

/** A run that started and failed; its partial output has been removed (or, resumed, kept in `kept`). */
export class RunFailedError extends Error {
  constructor(cause: unknown, dir: string, kept?: string) {
    const what = kept ? `its checkpoint is kept in ${kept} (traitlab run --resume ${kept} tries again)` : `nothing was written to ${dir}`;
    super(`run failed: ${cause instanceof Error ? cause.message : String(cause)}; ${what}`, { cause });
    this.name = 'RunFailedError';
  }
}

/** A run stopped on request, its checkpoint kept in `partial`. */
export class RunInterruptedError extends Error {
  constructor(
    readonly partial: string,
    readonly signal: string,
    /** The directory as the user should type it. */
    shown = partial,
  ) {
    super(`interrupted (${signal}); the run is saved in ${shown}; continue it with: traitlab run --resume ${shown}`);
    this.name = 'RunInterruptedError';
  }

  get exitCode(): number {
    return this.signal === 'SIGTERM' ? 143 : 130;
  }
}

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();

/** `helpCommand` names the command whose --help the user should read (`traitlab run`). */
export function handleError(e: unknown, io: CliIo, helpCommand = 'traitlab'): number {
  if (e instanceof CommanderError) {
    // --help and --version end through here too; commander has already printed them.
    if (e.exitCode === 0) return EXIT_OK;
    const message = e.message.replace(/^error: /, '');
    io.err(`traitlab: ${oneLine(message)}; see ${helpCommand} --help`);
    return EXIT_BAD_INPUT;
  }
  if (e instanceof RunInterruptedError) {
    io.err(`traitlab: ${e.message}`);
    return e.exitCode;
  }
  const bad = e instanceof ConfigError || e instanceof BackendUnavailableError;
  const message = e instanceof Error ? e.message : String(e);
  io.err(`traitlab: ${oneLine(message)}`);
  // Unexpected failures keep their stack for whoever debugs them, only on request.
  if (!bad && process.env.TRAITLAB_DEBUG && e instanceof Error) {
    const origin = e.cause instanceof Error ? e.cause : e;
    io.err(origin.stack ?? origin.message);
  }
  return bad ? EXIT_BAD_INPUT : EXIT_RUN_FAILED;
}
