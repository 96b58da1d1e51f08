// Is an output location usable? Checked before any work, so a run that could never write its
// results fails in a moment with one line instead of after its training (or never: Node's
// recursive mkdir loops forever under /proc, where mkdir answers ENOENT for every new name).
// The folder a command writes into may not exist yet; what is checked is the nearest folder
// that does: it must be a folder, on a disk rather than a kernel file system, and writable.
import { accessSync, constants, mkdirSync, rmdirSync, statfsSync, statSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../config/errors.js';

/** statfs magic numbers of the kernel's pseudo file systems (linux/magic.h): no files of ours belong there. */
const KERNEL_FILE_SYSTEMS = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x1cd1, 'devpts'],
  [0xcafe4a11, 'bpf'],
  [0x6165676c, 'pstore'],
  [0x62656570, 'configfs'],
]);

const REASONS: Record<string, string> = { EACCES: 'permission denied', EPERM: 'permission denied', EROFS: 'read-only file system' };
const reason = (e: unknown) => {
  const code = (e as NodeJS.ErrnoException).code ?? 'error';
  return REASONS[code] ?? code;
};

/** The nearest existing path at or above `dir`, and whether it is a folder. */
function nearestExisting(dir: string): { path: string; isDir: boolean } {
  for (let p = dir; ; p = dirname(p)) {
    try {
      return { path: p, isDir: statSync(p).isDirectory() };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dirname(p) === p) throw e;
    }
  }
}

/** What is wrong with writing into `dir` (created if missing), or null when nothing is. */
/** Probe folders made by this thread so far (part of each probe's name). */
let probes = 0;

export function outLocationProblem(dir: string): string | null {
  const { path, isDir } = nearestExisting(resolve(dir));
  if (!isDir) return `${path} is a file, not a folder`;
  const fs = KERNEL_FILE_SYSTEMS.get(Number(statfsSync(path).type));
  if (fs) return `${path} is on the kernel's ${fs} file system, where no files can be written`;
  try {
    accessSync(path, constants.W_OK | constants.X_OK);
  } catch (e) {
    return `cannot write in ${path} (${reason(e)})`;
  }
  // What access() cannot know (root on a folder it may not change, network and FUSE mounts):
  // make a folder there and take it away again.
  // Named per process, thread and call: bases pretrained side by side on worker threads check
  // the same cache at the same moment, and a shared name made one of them fail with EEXIST.
  const probe = join(path, `.traitlab-probe-${process.pid}-${threadId}-${++probes}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
  } catch (e) {
    return `cannot make a folder in ${path} (${reason(e)})`;
  }
  return null;
}

/**
 * Refuses (as bad input) to write into `dir` when it cannot be used. `label` names the
 * location as the user gave it (`--out runs/x`), `fix` says how to choose another.
 */
export function assertOutLocation(dir: string, label: string, fix: string): void {
  const problem = outLocationProblem(dir);
  if (problem !== null) throw new ConfigError(label, `${problem}; ${fix} (nothing was started)`);
}
