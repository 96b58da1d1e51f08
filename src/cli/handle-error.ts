// The one place failures become output and exit codes: one line `traitlab: <message>` on
// stderr; 2 for bad input (the user can fix the command or the file), 1 for a run that failed,
// 128 + the signal's number for a run stopped by Ctrl-C (130) or SIGTERM (143), as shells do.
import { CommanderError } from 'commander';
import { basename } from 'node:path';
import { DiskFull } from '../run/disk-full.js';
import { NumericFault } from '../engine/numeric.js';
import { ConfigError } from '../config/errors.js';
import { BackendUnavailableError } from '../engine/backend.js';
import type { CliIo } from './io.js';

export const EXIT_OK = 0;
export const EXIT_RUN_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

/** A run that started and failed; its partial output has been removed (or, resumed, kept in `kept`). */
export class RunFailedError extends Error {
  constructor(cause: unknown, dir: string, kept?: string) {
    const what = !kept
      ? `nothing was written to ${dir}`
      : cause instanceof NumericFault // a resume repeats the manifest's settings, so the fault would too
        ? `the run so far is kept in ${kept} for inspection (a resume would repeat the same settings)`
        : `its checkpoint is kept in ${kept} (traitlab run --resume ${kept} tries again)`;
    super(`run failed: ${cause instanceof Error ? cause.message : String(cause)}; ${what}`, { cause });
    this.name = 'RunFailedError';
  }
}

/** `n` bytes for people: 812 B, 3.1 kB, 41.0 MB. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const [value, unit] = n < 1e6 ? [n / 1e3, 'kB'] : n < 1e9 ? [n / 1e6, 'MB'] : [n / 1e9, 'GB'];
  return `${value.toFixed(1)} ${unit}`;
}

/** A run stopped by a full disk (or quota), its .partial and checkpoint kept to resume once space is freed. */
export class OutOfSpaceError extends Error {
  constructor(
    cause: unknown,
    readonly partial: string,
    /** What the run has written so far (its .partial directory). */
    readonly keptBytes: number,
    /** The directory as the user should type it. */
    readonly shown = partial,
  ) {
    const need = cause instanceof DiskFull ? ` ${basename(cause.file)} (it needs at least ${formatBytes(cause.bytes)} more)` : '';
    super(`out of disk space${cause instanceof DiskFull && cause.code === 'EDQUOT' ? ' (quota exceeded)' : ''} writing${need || ' the run'}; the run so far (${formatBytes(keptBytes)}) is kept in ${shown}; free some space, then continue it with: traitlab run --resume ${shown}`, { cause });
    this.name = 'OutOfSpaceError';
  }

  /** The same error with the directory as the user should type it. */
  shownAs(shown: string): OutOfSpaceError {
    return new OutOfSpaceError(this.cause, this.partial, this.keptBytes, shown);
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
