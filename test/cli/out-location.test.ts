// An output location that cannot be used — under /proc or /sys, a file in the path, a folder
// the user may not write in — is refused before any work: exit 2, one line naming --out (or the
// cache) and the fix, in well under a second of the command's own time, nothing created.
// Before this check, `--out /proc/x/y/z` spun at 100 % CPU forever inside Node's recursive mkdir.
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { tinyNumbers } from '../support/tiny-numbers.js';
import { cli, spawnCli, tempDir, tinyExperiment, writeJson, type CliResult } from '../support/cli.js';

const FIX = 'give --out a folder you can write to, e.g. --out runs/my-run (nothing was started)';

/** The CLI in-process, timed: the check must come before the backend loads and any training. */
async function timed(cwd: string, ...argv: string[]): Promise<CliResult & { ms: number }> {
  const t0 = performance.now();
  const r = await cli(cwd, ...argv);
  return { ...r, ms: performance.now() - t0 };
}

function expectRefused(r: CliResult & { ms?: number }, line: string): void {
  expect(r.err).toEqual([line]);
  expect(r.code).toBe(2);
  expect(r.out).toEqual([]);
  if (r.ms !== undefined) expect(r.ms).toBeLessThan(1000);
}

describe('refused before any work (exit 2, one line, nothing created)', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = tempDir();
    writeJson(cwd, 'tiny.json', tinyExperiment());
    writeJson(cwd, 'numbers.json', tinyNumbers());
    writeFileSync(join(cwd, 'notes.txt'), 'a file, not a folder');
  });
  const untouched = () => expect(readdirSync(cwd).sort()).toEqual(['notes.txt', 'numbers.json', 'tiny.json']);

  test.each([
    ['/proc/x/y/z', '/proc'],
    ['/proc/x', '/proc'],
  ])('run --out %s: under /proc (used to hang)', async (out, at) => {
    expectRefused(await timed(cwd, 'run', 'tiny.json', '--backend', 'wasm', '--out', out), `traitlab: --out ${out}: ${at} is on the kernel's proc file system, where no files can be written; ${FIX}`);
    expect(existsSync(`${out}.partial`)).toBe(false);
    untouched();
  });

  test('run --out under /sys', async () => {
    expectRefused(await timed(cwd, 'run', 'tiny.json', '--out', '/sys/traitlab/run'), `traitlab: --out /sys/traitlab/run: /sys is on the kernel's sysfs file system, where no files can be written; ${FIX}`);
  });

  test('run --out with a file in the path', async () => {
    expectRefused(await timed(cwd, 'run', 'tiny.json', '--out', 'notes.txt/runs/a'), `traitlab: --out notes.txt/runs/a: ${join(cwd, 'notes.txt')} is a file, not a folder; ${FIX}`);
    untouched();
  });

  test('demo --out under /proc', async () => {
    expectRefused(await timed(cwd, 'demo', '--out', '/proc/x/demo'), `traitlab: --out /proc/x/demo: /proc is on the kernel's proc file system, where no files can be written; ${FIX}`);
  });

  test('pretrain --out under /proc, and a base cache with a file in its path', async () => {
    expectRefused(
      await timed(cwd, 'pretrain', 'numbers.json', '--out', '/proc/x/bases'),
      "traitlab: --out /proc/x/bases: /proc is on the kernel's proc file system, where no files can be written; give --out a folder you can write to, e.g. --out bases (nothing was started)",
    );
    const saved = process.env.TRAITLAB_CACHE;
    process.env.TRAITLAB_CACHE = join(cwd, 'notes.txt', 'cache');
    try {
      expectRefused(
        await timed(cwd, 'pretrain', 'numbers.json'),
        `traitlab: the base cache notes.txt/cache/bases: ${join(cwd, 'notes.txt')} is a file, not a folder; set TRAITLAB_CACHE to a folder you can write to, or give --out (nothing was started)`,
      );
    } finally {
      if (saved === undefined) delete process.env.TRAITLAB_CACHE;
      else process.env.TRAITLAB_CACHE = saved;
    }
    untouched();
  });

  test('run with the base cache under /proc: refused before the base trains (it used to hang)', async () => {
    const saved = process.env.TRAITLAB_CACHE;
    process.env.TRAITLAB_CACHE = '/proc/x/cache';
    let r: CliResult & { ms: number };
    try {
      r = await timed(cwd, 'run', 'numbers.json', '--backend', 'wasm', '--jobs', '1', '--out', 'n');
    } finally {
      if (saved === undefined) delete process.env.TRAITLAB_CACHE;
      else process.env.TRAITLAB_CACHE = saved;
    }
    expect(r.code).toBe(1);
    expect(r.err.at(-1)).toBe(
      `traitlab: run failed: the base cache /proc/x/cache/bases: /proc is on the kernel's proc file system, where no files can be written; set TRAITLAB_CACHE to a folder you can write to; nothing was written to ${join(cwd, 'n')}`,
    );
    expect(r.ms).toBeLessThan(10_000);
    untouched();
  });

  test('merge --out under /proc (the shards are read, nothing is written)', async () => {
    const shards = tempDir();
    writeJson(shards, 'tiny.json', tinyExperiment());
    for (const i of [1, 2]) expect((await cli(shards, 'run', 'tiny.json', '--backend', 'wasm', '--jobs', '1', '--shard', `${i}/2`, '--out', `s${i}`)).code).toBe(0);
    expectRefused(await timed(shards, 'merge', 's1', 's2', '--out', '/proc/x/merged'), "traitlab: --out /proc/x/merged: /proc is on the kernel's proc file system, where no files can be written; give --out a folder you can write to (nothing was started)");
    expect(readdirSync(shards).sort()).toEqual(['s1', 's2', 'tiny.json']);
  });
});

// A folder the user may not write in. chmod does not stop root, so as root the CLI runs as
// the user `nobody` in a child process (its time then includes Node's start-up).
describe('a read-only folder', () => {
  const asRoot = process.getuid?.() === 0;
  const NOBODY = 65534;
  let cwd: string;
  beforeAll(async () => {
    cwd = tempDir();
    writeJson(cwd, 'tiny.json', tinyExperiment());
    // An interrupted run to resume later, made before its folder becomes read-only.
    mkdirSync(join(cwd, 'ro'));
    process.env.TRAITLAB_STOP_AFTER_STEPS = '1';
    try {
      expect((await cli(join(cwd, 'ro'), 'run', '../tiny.json', '--backend', 'wasm', '--jobs', '1', '--out', 'stopped')).code).toBe(130);
    } finally {
      delete process.env.TRAITLAB_STOP_AFTER_STEPS;
    }
    chmodSync(cwd, 0o755);
    chmodSync(join(cwd, 'ro'), 0o555);
  });
  const traitlab = async (...argv: string[]): Promise<CliResult & { ms?: number }> =>
    asRoot ? spawnCli(cwd, argv, { uid: NOBODY, gid: NOBODY, env: { HOME: cwd } }).ended : timed(cwd, ...argv);

  test('run --out in it: exit 2, permission denied, nothing created', async () => {
    const t0 = performance.now();
    expectRefused(await traitlab('run', 'tiny.json', '--backend', 'wasm', '--out', 'ro/run'), `traitlab: --out ro/run: cannot write in ${join(cwd, 'ro')} (permission denied); ${FIX}`);
    expect(performance.now() - t0).toBeLessThan(asRoot ? 15_000 : 1000); // a child's start-up on a busy machine
    expect(readdirSync(join(cwd, 'ro'))).toEqual(['stopped.partial']);
  });

  test('resuming a run kept in it: exit 2, the run untouched', async () => {
    const before = readdirSync(join(cwd, 'ro', 'stopped.partial')).sort();
    expectRefused(
      await traitlab('run', '--resume', 'ro/stopped'),
      `traitlab: --resume ro/stopped: cannot write in ${join(cwd, 'ro')} (permission denied); make that folder writable, or move stopped.partial to a folder you can write to and resume it there (nothing was started)`,
    );
    expect(readdirSync(join(cwd, 'ro', 'stopped.partial')).sort()).toEqual(before);
  });
});
