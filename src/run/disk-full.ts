// A full disk (ENOSPC) or an exhausted quota (EDQUOT) at a write. Unlike other failures it says
// nothing about the run: once space is freed the same run can go on, so a stoppable run keeps
// its .partial directory and checkpoint (execute-run.ts). The write helpers wrap such errors in
// DiskFull, which names the file and how many bytes it was writing.
//
// TRAITLAB_FAIL_WRITE=<file name>[#n], for tests: the n-th write (default the first) of a file
// with that name, and every later one, fails as if the disk were full.
import { basename } from 'node:path';

const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);

/** Whether `e` is a disk-full (or quota) error, wrapped or raw. */
export function isDiskFull(e: unknown): boolean {
  return DISK_FULL_CODES.has((e as NodeJS.ErrnoException | null)?.code ?? '');
}

/** A write that failed for want of space: which file, and how many bytes it needed. */
export class DiskFull extends Error {
  readonly code: string;
  constructor(
    readonly file: string,
    /** Bytes the failed write was writing (at least this much space is needed). */
    readonly bytes: number,
    cause: NodeJS.ErrnoException,
  ) {
    super(`${cause.code === 'EDQUOT' ? 'disk quota exceeded' : 'no space left on the disk'} writing ${basename(file)}`, { cause });
    this.name = 'DiskFull';
    this.code = cause.code!;
  }
}

/** `e` as thrown by a write of `bytes` bytes to `file`: disk-full errors become DiskFull. */
export function namedWriteError(e: unknown, file: string, bytes: number): unknown {
  return isDiskFull(e) && !(e instanceof DiskFull) ? new DiskFull(file, bytes, e as NodeJS.ErrnoException) : e;
}

let simulated: { spec: string; writes: number } | null = null;

/** Throws ENOSPC when TRAITLAB_FAIL_WRITE asks this write of `file` to fail (tests only). */
export function failWriteIfAsked(file: string, env: NodeJS.ProcessEnv = process.env): void {
  const spec = env.TRAITLAB_FAIL_WRITE;
  if (!spec) {
    simulated = null; // counting starts again with the next setting
    return;
  }
  if (simulated?.spec !== spec) simulated = { spec, writes: 0 };
  const [name, nth] = spec.split('#');
  if (basename(file) !== name) return;
  if (++simulated.writes < Number(nth ?? 1)) return;
  throw Object.assign(new Error(`ENOSPC: no space left on device, write (simulated by TRAITLAB_FAIL_WRITE=${spec})`), { code: 'ENOSPC', errno: -28, syscall: 'write' });
}
