// The run directory: where it goes, how files in it are written, and its all-or-nothing
// lifecycle. A run writes into `<dir>.partial` and renames it to `<dir>` only when it has
// finished, so a directory under its final name is always complete; a failed run removes its
// partial directory. An existing non-empty target is never overwritten.
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../config/errors.js';
import { canonicalJson } from '../engine/canonical-json.js';
import type { ExperimentBase as Experiment } from '../config/experiment-base.js';
import { failWriteIfAsked, namedWriteError } from './disk-full.js';

/** Re-exported: run-directory code names config hashes from here. */
export { canonicalJson } from '../engine/canonical-json.js';

/** 6 hex digits identifying the resolved config (which includes seeds and rootSeed). */
export function experimentHash(exp: Experiment): string {
  return createHash('sha256').update(canonicalJson(exp)).digest('hex').slice(0, 6);
}

/** `YYYYMMDD-HHMMSS` in UTC, so names sort by time and agree across machines and time zones. */
export function timestamp(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getUTCFullYear()}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}-${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}`;
}

/** `runs/<experiment>-<YYYYMMDD-HHMMSS>-<hash>` under `cwd`, or `out` (resolved against `cwd`). */
export function resolveRunDir(exp: Experiment, opts: { cwd: string; out?: string; now: Date }): string {
  if (opts.out !== undefined) return resolve(opts.cwd, opts.out);
  return resolve(opts.cwd, 'runs', `${exp.name}-${timestamp(opts.now)}-${experimentHash(exp)}`);
}

function isNonEmptyDir(path: string): boolean {
  try {
    return readdirSync(path).length > 0;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false;
    if (code === 'ENOTDIR') return true; // a file is in the way: just as much "not ours to replace"
    throw e;
  }
}

/** Refuses (as bad input, before any work) a target that exists and is not empty. */
export function assertFreeTarget(dir: string): void {
  if (isNonEmptyDir(dir)) throw new ConfigError(dir, 'already exists and is not empty; choose another --out or remove it (nothing was overwritten)');
}

/** Writes all of `bytes` at the end of `fd`: a write to a nearly full disk may write only part. */
export function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
}

/**
 * Writes a whole file atomically: `<file>.tmp`, flushed to disk, then renamed over `file`. On
 * failure the temporary file is removed and `file` is as it was; a full disk throws DiskFull.
 */
export function writeBytesAtomic(file: string, bytes: Uint8Array): void {
  const tmp = `${file}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      failWriteIfAsked(file);
      writeAll(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw namedWriteError(e, file, bytes.length);
  }
}

export const writeFileAtomic = (file: string, data: string): void => writeBytesAtomic(file, Buffer.from(data));

export const writeJsonAtomic = (file: string, value: unknown): void => writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);

/** Bytes in the files under `dir` (what a kept .partial directory holds). */
export function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += dirBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

/** A run directory being written: files go to `partial` until `commit` renames it to `final`. */
export class RunDir {
  readonly partial: string;

  private constructor(readonly final: string) {
    this.partial = `${final}.partial`;
  }

  /** Creates `<final>.partial`; refuses if the target is taken or another run is writing it. */
  static create(final: string): RunDir {
    assertFreeTarget(final);
    const dir = new RunDir(final);
    mkdirSync(dirname(final), { recursive: true });
    try {
      mkdirSync(dir.partial); // not recursive: fails if it exists, so two runs never share it
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      throw new ConfigError(dir.partial, `already exists (a run into this directory is in progress, was interrupted or killed); continue it with traitlab run --resume ${dir.partial}, remove it, or choose another --out`);
    }
    return dir;
  }

  /** The partial directory of an interrupted run, to go on writing it (`traitlab run --resume`). */
  static reopen(final: string): RunDir {
    return new RunDir(final);
  }

  path(name: string): string {
    return resolve(this.partial, name);
  }

  writeJson(name: string, value: unknown): void {
    writeJsonAtomic(this.path(name), value);
  }

  /** Publishes the finished run under its final name. */
  commit(): void {
    assertFreeTarget(this.final);
    try {
      rmdirSync(this.final); // an empty directory given as --out is replaced
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    renameSync(this.partial, this.final);
  }

  /** Removes everything the run wrote. */
  abort(): void {
    rmSync(this.partial, { recursive: true, force: true });
  }
}
